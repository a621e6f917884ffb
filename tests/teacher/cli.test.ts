import { afterAll, describe, expect, it } from 'vitest';
import { cliJson, testCore, tempDir } from '../helpers';
import { tinyModelPath } from '../fixtures/gguf/generate';
import { makeProject, SENTENCES } from './fixtures';

const cli = cliJson;

describe('distillery teacher (the command line, as a person types it)', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('imports a model, runs and reports status with --json', async () => {
    const { core, close } = await testCore({ dataDir: t.dir });
    const p = makeProject(core, {
      labels: [{ name: 'fair' }, { name: 'unfair' }],
      examples: SENTENCES.slice(0, 4).map((text) => ({ text })),
    });
    await close({ keep: true });

    const model = await cli<{ id: number; sha256: string }>(t.dir, 'teacher', 'import', tinyModelPath());
    expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
    const models = await cli<Array<{ id: number }>>(t.dir, 'teacher', 'models');
    expect(models.map((m) => m.id)).toEqual([model.id]);

    const opts = ['--model', String(model.id), '--threads', '1', '--sequences', '2', '--context-size', '512'];
    const finished = await cli<{ outputCount: number; targetCount: number }>(
      t.dir,
      'teacher',
      'run',
      String(p.projectId),
      ...opts,
    );
    expect(finished).toMatchObject({ outputCount: 4, targetCount: 4 });
    const status = await cli<Array<{ outputCount: number }>>(t.dir, 'teacher', 'status', String(p.projectId));
    expect(status[0].outputCount).toBe(4);
  }, 120_000);
});
