import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { LENGTH_BIN_BOUNDS } from '../../src/main/core/store/migrations/022_example_counts';
import type { DatasetStats } from '../../src/shared/dataset';
import { deleteProjectAfterJobs, importLabelledRows, projectFixtureForEachTest } from './fixtures';

// The Data step's totals, splits and length histogram come from table example_counts (migration 022), kept by
// triggers on every write to examples: each figure here is held equal to a count of the documents themselves.

let core: Core;
let dir: string;
let projectId: number;

projectFixtureForEachTest('Lengths', (f) => {
  ({ core, dir, projectId } = f);
});

/** Texts of these lengths: every bin's edges, and a few duplicates. */
const LENGTHS = [
  1, 9, 10, 19, 20, 49, 50, 99, 100, 199, 200, 499, 500, 999, 1000, 1999, 2000, 4999, 5000, 7000,
];

async function load(texts: readonly string[]): Promise<void> {
  await importLabelledRows(
    core,
    projectId,
    dir,
    texts.map((x, i) => [x, i % 2 ? 'a' : 'b'] as const),
  );
}

/** The figures counted from the documents, one by one. */
function counted(): Pick<DatasetStats, 'total' | 'included' | 'splits' | 'lengthHistogram'> {
  const rows = core.db
    .prepare('SELECT length, split, excluded FROM examples WHERE project_id = ?')
    .all(projectId) as Array<{ length: number; split: string | null; excluded: number }>;
  const live = rows.filter((r) => r.excluded === 0);
  const binOf = (n: number): number => LENGTH_BIN_BOUNDS.filter((b) => n >= b).length - 1;
  const splits = { train: 0, validation: 0, test: 0, none: 0 };
  for (const r of live) splits[(r.split ?? 'none') as keyof typeof splits]++;
  return {
    total: rows.length,
    included: live.length,
    splits,
    lengthHistogram: LENGTH_BIN_BOUNDS.map((b, i) => ({
      bin: i === LENGTH_BIN_BOUNDS.length - 1 ? `${b}+` : `${b}–${LENGTH_BIN_BOUNDS[i + 1] - 1}`,
      count: live.filter((r) => binOf(r.length) === i).length,
    })),
  };
}

async function expectMaintained(): Promise<DatasetStats> {
  const s = await core.call('dataset.stats', { projectId });
  expect(s).toMatchObject(counted());
  return s;
}

describe('dataset.stats from maintained counts', () => {
  it('bins every length at its edges, and follows splitting, cleaning, undo and deletion', async () => {
    await load([...LENGTHS.map((n) => 'x'.repeat(n)), 'same text', 'same text', '  padded    text  ']);
    const first = await expectMaintained();
    expect(first.lengthHistogram.find((b) => b.bin === '5000+')?.count).toBe(2);
    expect(first.lengthHistogram.find((b) => b.bin === '2000–4999')?.count).toBe(2);
    expect(first.splits.none).toBe(first.included);
    expect(first.duplicateGroups).toBeNull();
    expect((await core.call('dataset.stats', { projectId, duplicates: true })).duplicateGroups).toBe(1);

    await core.call('dataset.split', { projectId, stratify: false });
    const split = await expectMaintained();
    expect(split.splits.none).toBe(0);

    // Cleaning shortens a text (whitespace) and leaves out the short, the long and a duplicate.
    const applied = await core.call('dataset.cleanApply', {
      projectId,
      options: { minChars: 10, maxChars: 4000 },
    });
    expect(applied.excluded).toBeGreaterThan(0);
    const cleaned = await expectMaintained();
    expect(cleaned.included).toBeLessThan(split.included);
    expect((await core.call('dataset.stats', { projectId, duplicates: true })).duplicateGroups).toBe(0);

    await core.call('dataset.cleanUndo', { projectId });
    await expectMaintained();

    const removed = core.db
      .prepare('DELETE FROM examples WHERE project_id = ? AND length < 50')
      .run(projectId);
    expect(removed.changes).toBeGreaterThan(0);
    await expectMaintained();

    await deleteProjectAfterJobs(core, projectId);
    expect(
      core.db.prepare('SELECT COUNT(*) FROM example_counts WHERE project_id = ?').pluck().get(projectId),
    ).toBe(0);
  });

  it('counts a project in every read that shows its size', async () => {
    await load(['one document', 'another document', 'a third']);
    core.db.prepare('UPDATE examples SET excluded = 1 WHERE id = (SELECT MIN(id) FROM examples)').run();
    const project = await core.call('projects.get', { projectId });
    expect(project.exampleCount).toBe(3);
    expect(await expectMaintained()).toMatchObject({ total: 3, included: 2, excluded: 1 });
  });
});
