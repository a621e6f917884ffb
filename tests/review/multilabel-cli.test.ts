import { spawnSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import type { AgreementReport } from '../../src/shared/review';
import { ROOT, tempDir, testCore } from '../helpers';
import { makeMultiProject } from './multilabel-fixture';

const dir = tempDir();
afterAll(() => dir.cleanup());

it('distillery review agreement on a multi-label project: alpha over sets and kappa per label, as text and --json', async () => {
  const t = await testCore({ dataDir: dir.dir });
  const fx = await makeMultiProject(t.core, ['One', 'Two', 'Three']);
  const { a, b } = fx.labels;
  for (const [i, annotator, labelSet] of [
    [0, 'ann', [a]],
    [0, 'bob', [a]],
    [1, 'ann', [a, b]],
    [1, 'bob', [b]],
    [2, 'ann', []],
    [2, 'bob', []],
  ] as const) {
    await t.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: fx.examples[i],
      labelSet: [...labelSet],
      queue: { kind: 'all' },
      annotator,
    });
  }
  const expected = await t.core.call('review.agreement', { projectId: fx.projectId });
  await t.close({ keep: true });
  const run = (...args: string[]): string => {
    const r = spawnSync(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', dir.dir], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  };
  const text = run('review', 'agreement', String(fx.projectId));
  expect(text).toContain(
    `Krippendorff's alpha over label sets (MASI distance): ${expected.sets?.alpha?.toFixed(3)} on 3 documents`,
  );
  expect(text).toMatch(/ {2}a: ann\/bob kappa /);
  expect(text).toContain('1 documents to adjudicate.');
  const json = JSON.parse(run('review', 'agreement', String(fx.projectId), '--json')) as
    AgreementReport | { value: AgreementReport };
  const report = 'value' in json ? json.value : json;
  expect(report.sets?.alpha).toBeCloseTo(expected.sets?.alpha ?? NaN, 12);
  expect(report.sets?.perLabel.map((l) => l.name)).toEqual(['a', 'b', 'c']);
});
