import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { BrowsePage } from '../../src/shared/dataset';
import { ROOT, tempDir, testCore } from '../helpers';
import { makeProject } from '../review/fixture';
import { makeMultiProject } from '../review/multilabel-fixture';

const dir = tempDir();
afterAll(() => dir.cleanup());

const TEXTS = ['doc zero', 'doc one', 'doc two', 'doc three', 'doc four', 'doc five'];

describe('browsing a multi-label project by label set (real SQLite, and the CLI)', () => {
  it('filters by a label the set holds, "none of these", labels the set lacks, and unlabelled', async () => {
    const t = await testCore({ dataDir: dir.dir });
    const fx = await makeMultiProject(t.core, TEXTS);
    const { a, b, c } = fx.labels;
    // doc0 {a}, doc1 {a,b}, doc2 {b,c}, doc3 {} (none of these), doc4 {c}; doc5 not answered yet.
    // doc4 was {a} first: a change of mind, only the current set counts.
    const sets: Array<[number, number[]]> = [
      [4, [a]],
      [0, [a]],
      [1, [a, b]],
      [2, [b, c]],
      [3, []],
      [4, [c]],
    ];
    for (const [i, labelSet] of sets) {
      await t.core.call('review.annotate', {
        projectId: fx.projectId,
        exampleId: fx.examples[i],
        labelSet,
        queue: { kind: 'all' },
        annotator: 'ann',
      });
    }
    const ids = async (filters: Record<string, unknown>): Promise<number[]> => {
      const page = await t.core.call('dataset.browse', { projectId: fx.projectId, limit: 50, filters });
      const { count } = await t.core.call('dataset.count', { projectId: fx.projectId, filters });
      expect(count).toBe(page.rows.length);
      return page.rows.map((r) => fx.examples.indexOf(r.id));
    };
    expect(await ids({ labelId: a })).toEqual([0, 1]);
    expect(await ids({ labelId: b })).toEqual([1, 2]);
    expect(await ids({ noneOfThese: true })).toEqual([3]);
    expect(await ids({ labelId: 0 })).toEqual([5]);
    // Without a and b: answered documents whose set holds neither ("none of these" included).
    expect(await ids({ withoutLabelIds: [a, b] })).toEqual([3, 4]);
    expect(await ids({ labelId: c, withoutLabelIds: [b] })).toEqual([4]);
    expect(await ids({ labelId: a, search: 'one' })).toEqual([1]);
    // The rows carry the set by name.
    const page = await t.core.call('dataset.browse', {
      projectId: fx.projectId,
      limit: 50,
      filters: { labelId: b },
    });
    expect(page.rows.map((r) => r.labelSet)).toEqual([
      ['a', 'b'],
      ['b', 'c'],
    ]);

    // A single-label project refuses the set filters clearly, and its label filter is unchanged.
    const single = await makeProject(t.core, ['x one', 'x two']);
    await t.core.call('review.annotate', {
      projectId: single.projectId,
      exampleId: single.examples[0],
      labelId: single.labels.fair,
      queue: { kind: 'all' },
    });
    const refused = await t.core.invokeRaw('dataset.browse', {
      projectId: single.projectId,
      limit: 10,
      filters: { noneOfThese: true },
    });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toContain('This is a single-label project');
    const fair = await t.core.call('dataset.browse', {
      projectId: single.projectId,
      limit: 10,
      filters: { labelId: single.labels.fair },
    });
    expect(fair.rows.map((r) => r.id)).toEqual([single.examples[0]]);
    await t.close({ keep: true });

    const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(
        process.execPath,
        ['bin/distillery.mjs', 'data', 'search', String(fx.projectId), ...args, '--data-dir', dir.dir],
        {
          cwd: ROOT,
          encoding: 'utf8',
        },
      );
    const text = run('--label', 'b');
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/a\|b +doc one/);
    expect(text.stdout).toMatch(/b\|c +doc two/);
    expect(text.stdout).not.toContain('doc zero');
    const none = run('--none-of-these', '--json');
    expect(none.status, none.stderr).toBe(0);
    const json = JSON.parse(none.stdout) as BrowsePage | { value: BrowsePage };
    const rows = ('value' in json ? json.value : json).rows;
    expect(rows.map((r) => r.text)).toEqual(['doc three']);
    const without = run('--without', 'a', '--without', 'B');
    expect(without.status, without.stderr).toBe(0);
    expect(without.stdout).toContain('(none of these)');
    expect(without.stdout).toContain('doc four');
    expect(without.stdout).not.toContain('doc one');
    const unknown = run('--label', 'arbitration');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stdout + unknown.stderr).toContain(
      'The label "arbitration" is not in this project. Its labels: a, b, c.',
    );
  });
});
