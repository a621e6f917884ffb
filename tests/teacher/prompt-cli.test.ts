import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PROMPT_TEMPLATE,
  type PromptDiff,
  type PromptTrialResult,
  type PromptVersion,
} from '../../src/shared/teacher';
import { ROOT, testCore, tempDir } from '../helpers';
import { tinyModelPath } from '../fixtures/gguf/generate';
import { makeProject, SENTENCES } from './fixtures';

const run = promisify(execFile);

async function cli(dataDir: string, ...args: string[]): Promise<{ stdout: string }> {
  return run(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', dataDir], { cwd: ROOT });
}
async function cliJson<T>(dataDir: string, ...args: string[]): Promise<T> {
  return JSON.parse((await cli(dataDir, ...args, '--json')).stdout) as T;
}

describe('distillery teacher prompt (the prompt lab on the command line)', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('saves, lists, diffs, shows and previews prompt versions', async () => {
    const { core, close } = await testCore({ dataDir: t.dir });
    const p = makeProject(core, {
      labels: [{ name: 'fair' }, { name: 'unfair' }],
      examples: SENTENCES.slice(0, 6).map((text, i) => ({
        text,
        split: 'validation' as const,
        label: i % 2 ? 'unfair' : 'fair',
      })),
    });
    await close({ keep: true });
    const project = String(p.projectId);
    const model = await cliJson<{ id: number }>(t.dir, 'teacher', 'import', tinyModelPath());
    const local = [
      '--model',
      String(model.id),
      '--threads',
      '1',
      '--sequences',
      '1',
      '--context-size',
      '512',
    ];

    expect((await cli(t.dir, 'teacher', 'prompt', 'list', project)).stdout).toContain(
      'No prompt versions yet',
    );
    const v1 = await cliJson<PromptVersion>(
      t.dir,
      'teacher',
      'prompt',
      'save',
      project,
      '--name',
      'Baseline',
      '--task',
      'Spot unfair terms.',
    );
    expect(v1).toMatchObject({ number: 1, task: 'Spot unfair terms.', template: DEFAULT_PROMPT_TEMPLATE });
    const file = join(t.dir, 'template.txt');
    writeFileSync(file, `${DEFAULT_PROMPT_TEMPLATE}\nBe strict.`);
    const v2 = await cliJson<PromptVersion>(
      t.dir,
      'teacher',
      'prompt',
      'save',
      project,
      '--name',
      'Strict',
      '--template',
      file,
    );
    expect(v2).toMatchObject({ number: 2, task: 'Spot unfair terms.', changed: ['template'] });

    const listed = (await cli(t.dir, 'teacher', 'prompt', 'list', project)).stdout;
    expect(listed).toMatch(/v1 "Baseline"\s+by me/);
    expect(listed).toMatch(/v2 "Strict".*changed: template/);

    const diff = await cli(t.dir, 'teacher', 'prompt', 'diff', String(v1.id), String(v2.id));
    expect(diff.stdout).toContain('+ Be strict.');
    expect(
      (await cliJson<PromptDiff>(t.dir, 'teacher', 'prompt', 'diff', String(v1.id), String(v2.id))).changed,
    ).toEqual(['template']);

    const shown = await cli(
      t.dir,
      'teacher',
      'prompt',
      'show',
      String(v2.id),
      '--document',
      String(p.exampleIds[0]),
      ...local,
    );
    expect(shown.stdout).toContain('Be strict.');
    expect(shown.stdout).toContain(SENTENCES[0]);
    expect(shown.stdout).toMatch(/\d+ tokens:/);

    const preview = await cli(
      t.dir,
      'teacher',
      'prompt',
      'preview',
      project,
      '--version',
      String(v2.id),
      '--sample',
      '4',
      ...local,
    );
    expect(preview.stdout).toMatch(/v2 "Strict" on 4 document\(s\): accuracy \d+\.\d% \(95% interval/);
    const r = await cliJson<PromptTrialResult>(
      t.dir,
      'teacher',
      'prompt',
      'preview',
      project,
      '--sample',
      '4',
      ...local,
    );
    expect(r.items).toHaveLength(4);
    expect(r.scored).toBe(4);

    await expect(
      cli(
        t.dir,
        'teacher',
        'prompt',
        'save',
        project,
        '--name',
        'Bad',
        '--template',
        join(t.dir, 'missing.txt'),
      ),
    ).rejects.toThrow();
    await expect(cli(t.dir, 'teacher', 'prompt', 'diff', String(v1.id), '999')).rejects.toThrow(
      /Prompt version 999/,
    );
  }, 180_000);
});
