import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, testCore } from '../helpers';
import { makeProject } from './fixture';

const dirs = [tempDir(), tempDir()];
afterAll(() => dirs.forEach((d) => d.cleanup()));

function cli(dataDir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', dataDir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('distillery review export | import | agreement | gold', () => {
  it('moves annotations between two data folders and reports agreement and gold coverage', async () => {
    const texts = ['Clause A', 'Clause B', 'Clause C'];
    const a = await testCore({ dataDir: dirs[0].dir });
    const fa = await makeProject(a.core, texts, { split: () => 'test' });
    for (const [i, annotator, label] of [
      [0, 'alice', fa.labels.fair],
      [1, 'alice', fa.labels.unfair],
      [0, 'bob', fa.labels.fair],
      [1, 'bob', fa.labels.fair],
    ] as const) {
      await a.core.call('review.annotate', {
        projectId: fa.projectId,
        exampleId: fa.examples[i],
        labelId: label,
        queue: { kind: 'all' },
        annotator,
      });
    }
    await a.close({ keep: true });
    const b = await testCore({ dataDir: dirs[1].dir });
    const fb = await makeProject(b.core, texts);
    await b.close({ keep: true });

    const file = join(dirs[0].dir, 'annotations.jsonl');
    const exported = cli(dirs[0].dir, 'review', 'export', String(fa.projectId), '--out', file, '--json');
    expect(exported.status).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual({ file, count: 4 });
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(4);

    const dry = cli(dirs[1].dir, 'review', 'import', String(fb.projectId), file, '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('Nothing was written');
    const imported = cli(dirs[1].dir, 'review', 'import', String(fb.projectId), file, '--json');
    expect(imported.status).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: 4, dryRun: false });

    const agreement = cli(dirs[1].dir, 'review', 'agreement', String(fb.projectId), '--json');
    expect(JSON.parse(agreement.stdout)).toMatchObject({
      annotators: ['alice', 'bob'],
      disagreements: 1,
      pairs: [{ a: 'alice', b: 'bob', overlap: 2, agreed: 1 }],
    });
    const human = cli(dirs[0].dir, 'review', 'gold', String(fa.projectId));
    expect(human.stdout).toContain('2 of 3 test documents have a human label.');
    expect(human.stdout).toContain('Label more test documents of: fair, unfair');

    const bad = cli(
      dirs[1].dir,
      'review',
      'import',
      String(fb.projectId),
      join(dirs[1].dir, 'missing.jsonl'),
      '--json',
    );
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stderr)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
