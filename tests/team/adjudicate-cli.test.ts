import { spawnSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { humanLabelSets } from '../../src/main/core/labels';
import { ROOT, tempDir, testCore } from '../helpers';
import { makeMultiProject } from '../review/multilabel-fixture';

const dir = tempDir();
afterAll(() => dir.cleanup());

it('distillery team adjudicate shows a multi-label conflict with each set, and decides it with a whole set', async () => {
  let t = await testCore({ dataDir: dir.dir });
  const fx = await makeMultiProject(t.core, ['Clause one.', 'Clause two.']);
  const { a, b, c } = fx.labels;
  for (const [i, annotator, labelSet] of [
    [0, 'ann', [a]],
    [0, 'bob', [a]],
    [1, 'ann', [a, c]],
    [1, 'bob', []],
  ] as const) {
    await t.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: fx.examples[i],
      labelSet: [...labelSet],
      queue: { kind: 'all' },
      annotator,
    });
  }
  await t.close({ keep: true });
  const run = (...args: string[]): { status: number | null; out: string } => {
    const r = spawnSync(
      process.execPath,
      ['bin/distillery.mjs', 'team', 'adjudicate', String(fx.projectId), ...args, '--data-dir', dir.dir],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    return { status: r.status, out: r.stdout + r.stderr };
  };
  const shown = run();
  expect(shown.status, shown.out).toBe(0);
  expect(shown.out).toContain(`Document ${fx.examples[1]}: Clause two.`);
  expect(shown.out).toContain('ann: a, c');
  expect(shown.out).toContain('bob: (none of these)');
  expect(shown.out).toContain(
    `distillery team adjudicate ${fx.projectId} ${fx.examples[1]} --label NAME ... (or --none)`,
  );

  const unknown = run(String(fx.examples[1]), '--label', 'a', '--label', 'arbitration');
  expect(unknown.status).not.toBe(0);
  expect(unknown.out).toContain('"arbitration" is not a label of this project. Its labels: a, b, c.');

  const decided = run(String(fx.examples[1]), '--label', 'C', '--label', 'b', '--json');
  expect(decided.status, decided.out).toBe(0);

  t = await testCore({ dataDir: dir.dir });
  try {
    expect(humanLabelSets(t.core.db, fx.projectId).get(fx.examples[1])).toEqual([b, c]);
    const progress = await t.core.call('team.progress', { projectId: fx.projectId });
    expect(progress).toMatchObject({ openConflicts: 0, adjudicated: 1 });
  } finally {
    await t.close({ keep: true });
  }
  // Four CLI processes, each loading the core: on a shared two-core machine that is slow, so a generous limit.
}, 240_000);
