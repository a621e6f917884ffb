import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { nowIso } from '../../src/main/core/time';
import { fillLabelCountsSql } from '../../src/main/core/store/migrations/023_label_counts';
import {
  deleteProjectAfterJobs,
  importFile,
  importLabelledRows,
  projectFixtureForEachTest,
  writeFixture,
} from '../dataset/fixtures';
import { ANNOTATORS_DISAGREE } from '../../src/main/features/review/queues';
import { ADJUDICATED } from '../../src/main/features/team/scope';
import { addTeacherRun, type Fixture } from './fixture';
import { addMultiTeacherRun, makeMultiProject } from './multilabel-fixture';

// review.counts and the Train step's counts read tables label_counts and answer_counts, kept by the triggers of
// migration 023. After every kind of write, each table is held equal to the same counts made from the views (the
// current human label or set, the teacher's answers), and the migration's fill gives the same rows again.

let core: Core;
let dir: string;
let projectId: number;

projectFixtureForEachTest('Label counts', (f) => {
  ({ core, dir, projectId } = f);
});

const KEPT = {
  labels: 'SELECT project_id, split, human, n FROM label_counts WHERE n <> 0 ORDER BY 1, 2, 3',
  answers: 'SELECT run_id, split, human, teacher, n FROM answer_counts WHERE n <> 0 ORDER BY 1, 2, 3, 4',
  conflicts: 'SELECT project_id, split, n FROM conflict_counts WHERE n <> 0 ORDER BY 1, 2',
};

/** The same counts, made directly from the documents and the views. */
const DIRECT = {
  labels: `SELECT e.project_id, COALESCE(e.split, '') AS split, COALESCE(hl.label_id, hs.label_set) AS human,
             COUNT(*) AS n
           FROM examples e LEFT JOIN human_labels hl ON hl.example_id = e.id
           LEFT JOIN human_label_sets hs ON hs.example_id = e.id
           WHERE e.excluded = 0 AND COALESCE(hl.label_id, hs.label_set) IS NOT NULL
           GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  answers: `SELECT t.run_id, COALESCE(e.split, '') AS split,
              COALESCE(hl.label_id, hs.label_set, 0) AS human,
              CASE WHEN p.kind = 'multi' THEN t.predicted_set ELSE COALESCE(t.predicted_label_id, 0) END AS teacher,
              COUNT(*) AS n
            FROM teacher_answers t JOIN examples e ON e.id = t.example_id JOIN projects p ON p.id = e.project_id
            LEFT JOIN human_labels hl ON hl.example_id = e.id LEFT JOIN human_label_sets hs ON hs.example_id = e.id
            WHERE e.excluded = 0 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
  // The queue "conflicts" (queues.ts) as counts.
  conflicts: `SELECT e.project_id, COALESCE(e.split, '') AS split, COUNT(*) AS n FROM examples e
              WHERE e.excluded = 0 AND ${ANNOTATORS_DISAGREE} AND NOT ${ADJUDICATED} GROUP BY 1, 2 ORDER BY 1, 2`,
};

const TABLES = ['labels', 'answers', 'conflicts'] as const;

function readKept(): Record<(typeof TABLES)[number], unknown[]> {
  const read = (t: (typeof TABLES)[number]): unknown[] => core.db.prepare(KEPT[t]).all();
  return { labels: read('labels'), answers: read('answers'), conflicts: read('conflicts') };
}

function expectKept(step: string): void {
  const db = core.db;
  const kept = readKept();
  for (const t of TABLES) expect(kept[t], `${t} after ${step}`).toEqual(db.prepare(DIRECT[t]).all());
  for (const t of ['label_counts', 'answer_counts', 'conflict_counts'])
    expect(db.prepare(`SELECT COUNT(*) FROM ${t} WHERE n < 0`).pluck().get(), `${t} ${step}`).toBe(0);
  expect(db.prepare('SELECT COUNT(*) FROM label_count_pause').pluck().get(), step).toBe(0);
  // The migration's fill, run again on empty tables, finds the same rows (inside a transaction rolled back).
  const refill = db.transaction(() => {
    db.exec('DELETE FROM label_counts; DELETE FROM answer_counts; DELETE FROM conflict_counts;');
    db.exec(fillLabelCountsSql(null));
    throw Object.assign(new Error('roll back'), { again: readKept() });
  });
  try {
    refill();
  } catch (e) {
    expect((e as { again: unknown }).again, `fill after ${step}`).toEqual(kept);
  }
}

function exampleIds(): number[] {
  return core.db
    .prepare('SELECT id FROM examples WHERE project_id = ? ORDER BY id')
    .pluck()
    .all(projectId) as number[];
}

function labelId(name: string): number {
  return core.db
    .prepare('SELECT id FROM labels WHERE project_id = ? AND name = ?')
    .pluck()
    .get(projectId, name) as number;
}

const TEXTS = Array.from(
  { length: 30 },
  (_, i) => `Clause ${i}: the party shall give notice ${'x'.repeat(i)}.`,
);

describe('label counts kept by triggers (migration 023)', () => {
  it('single-label: import, labels, undo, bulk accept, teacher runs, splits, cleaning, deletions', async () => {
    await importLabelledRows(
      core,
      projectId,
      dir,
      TEXTS.map((x, i) => [x, i % 3 === 0 ? 'fair' : i % 3 === 1 ? 'unfair' : ''] as const),
    );
    expectKept('an import with labels');
    const ids = exampleIds();
    const fx: Fixture = {
      projectId,
      labels: { fair: labelId('fair'), unfair: labelId('unfair') },
      examples: ids,
    };
    const annotate = (i: number, label: 'fair' | 'unfair', annotator = 'alice'): Promise<unknown> =>
      core.call('review.annotate', {
        projectId,
        exampleId: ids[i],
        labelId: fx.labels[label],
        queue: { kind: 'all' },
        annotator,
      });
    for (const i of [2, 5, 8, 0, 1]) await annotate(i, i % 2 ? 'fair' : 'unfair');
    await annotate(3, 'fair', 'bob');
    await annotate(3, 'unfair', 'carol');
    await annotate(2, 'fair', 'bob');
    await annotate(5, 'unfair', 'bob');
    expectKept('labels');
    // A lead decides two conflicts (the upsert of team/assign.ts); a later label reopens one; a decision is replaced.
    const decide = (i: number, label: 'fair' | 'unfair'): void => {
      const annotationId = core.db
        .prepare(
          `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at)
           VALUES (?, ?, ?, 'lead', 'human', ?)`,
        )
        .run(projectId, ids[i], fx.labels[label], nowIso()).lastInsertRowid;
      core.db
        .prepare(
          `INSERT INTO team_adjudications (example_id, project_id, annotation_id, label_id, label_set, adjudicator, at)
           VALUES (?, ?, ?, ?, NULL, 'lead', ?)
           ON CONFLICT (example_id) DO UPDATE SET annotation_id = excluded.annotation_id,
             label_id = excluded.label_id, at = excluded.at`,
        )
        .run(ids[i], projectId, annotationId, fx.labels[label], nowIso());
    };
    const open = (): number =>
      core.db
        .prepare('SELECT SUM(n) FROM conflict_counts WHERE project_id = ?')
        .pluck()
        .get(projectId) as number;
    const undecided = open();
    expect(undecided).toBeGreaterThan(1);
    decide(3, 'fair');
    decide(2, 'unfair');
    expectKept('decisions');
    expect(open()).toBe(undecided - 2);
    await annotate(2, 'fair', 'carol');
    decide(3, 'unfair');
    expectKept('a decision reopened and one replaced');
    await core.call('review.undo', { projectId, annotator: 'alice' });
    await core.call('review.undo', { projectId, annotator: 'alice' });
    expectKept('undo');

    const first = addTeacherRun(
      core,
      fx,
      ids
        .filter((_, i) => i % 4 !== 3)
        .map((exampleId, i) => ({ exampleId, pUnfair: ((i * 37) % 100) / 100 })),
    );
    expectKept('a teacher run');
    // Calibration rewrites answers; a deleted label leaves outputs without a predicted label.
    core.db
      .prepare('UPDATE teacher_outputs SET predicted_label_id = ? WHERE run_id = ? AND example_id IN (?, ?)')
      .run(fx.labels.fair, first, ids[0], ids[1]);
    core.db.prepare('UPDATE teacher_outputs SET predicted_label_id = NULL WHERE example_id = ?').run(ids[4]);
    expectKept('answers rewritten');
    const second = addTeacherRun(
      core,
      fx,
      ids.filter((_, i) => i % 2 === 0).map((exampleId, i) => ({ exampleId, pUnfair: (i % 10) / 10 })),
    );
    await annotate(4, 'unfair');
    await annotate(6, 'fair');
    expectKept('labels with two runs');

    const bulk = await core.call('review.bulkAccept', {
      projectId,
      queue: { kind: 'unreviewed' },
      minConfidence: 0.5,
      annotator: 'alice',
    });
    await core.jobs.wait(bulk.id);
    expect(core.db.prepare("SELECT COUNT(*) FROM annotations WHERE source = 'bulk'").pluck().get()).not.toBe(
      0,
    );
    expectKept('a bulk accept');
    await core.call('review.undo', { projectId, annotator: 'alice' });
    expectKept('a bulk accept undone');

    await core.call('dataset.split', { projectId, stratify: false });
    expectKept('splitting');
    core.db.prepare('UPDATE examples SET split = NULL WHERE id IN (?, ?)').run(ids[0], ids[2]);
    expectKept('a split cleared');
    const cleaned = await core.call('dataset.cleanApply', {
      projectId,
      options: { minChars: 45, mask: true },
    });
    expect(cleaned.excluded).toBeGreaterThan(0);
    expectKept('cleaning and masking');
    await core.call('dataset.cleanUndo', { projectId });
    expectKept('cleaning undone');
    await core.call('dataset.setExcluded', { projectId, exampleIds: [ids[5], ids[8]], excluded: true });
    expectKept('a manual leave-out');

    // A teacher run's outputs replaced line by line (an imported run's later line for the same document).
    core.db
      .prepare(
        `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin,
           created_at) VALUES (?, ?, '[1,0]', '[0,-9]', ?, 0, 1, ?)
         ON CONFLICT (run_id, example_id) DO UPDATE SET predicted_label_id = excluded.predicted_label_id`,
      )
      .run(second, ids[2], fx.labels.unfair, nowIso());
    expectKept('an output replaced');
    core.db.prepare('DELETE FROM team_adjudications WHERE example_id = ?').run(ids[3]);
    expectKept('a decision removed');
    core.db.prepare('DELETE FROM teacher_runs WHERE id = ?').run(second);
    expect(core.db.prepare('SELECT COUNT(*) FROM answer_counts WHERE run_id = ?').pluck().get(second)).toBe(
      0,
    );
    expectKept('a teacher run deleted');
    core.db.prepare('DELETE FROM labels WHERE id = ?').run(fx.labels.unfair);
    expectKept('a label deleted');

    // A second import adds rows; a re-import updates rows by id, their labels with them.
    const csv = (rows: Array<[string, string, string]>): string =>
      ['id,text,label', ...rows.map((r) => r.join(','))].join('\n');
    const byId = (
      name: string,
      rows: Array<[string, string, string]>,
      onExisting?: 'update',
    ): Promise<unknown> =>
      importFile(core, {
        projectId,
        path: writeFixture(dir, name, csv(rows)),
        textColumn: 'text',
        labelColumn: 'label',
        idColumn: 'id',
        ...(onExisting ? { onExisting } : {}),
      });
    await byId('a.csv', [
      ['a1', 'first text with an id', 'fair'],
      ['a2', 'second text with an id', 'other'],
      ['a3', 'third text with an id', ''],
    ]);
    expectKept('a second import');
    await byId(
      'b.csv',
      [
        ['a1', 'first text with an id', 'other'],
        ['a3', 'third text with an id, changed', 'fair'],
        ['a4', 'fourth text with an id', 'fair'],
      ],
      'update',
    );
    expectKept('a re-import that updates');

    const dataset = core.db
      .prepare('SELECT MIN(dataset_id) FROM examples WHERE project_id = ?')
      .pluck()
      .get(projectId) as number;
    core.db.prepare('DELETE FROM examples WHERE dataset_id = ?').run(dataset);
    expectKept("a dataset's documents deleted");
    core.db.prepare('DELETE FROM teacher_runs WHERE id = ?').run(first);
    expectKept('the last teacher run deleted');

    await deleteProjectAfterJobs(core, projectId);
    expect(core.db.prepare('SELECT COUNT(*) FROM label_counts').pluck().get()).toBe(0);
    expect(core.db.prepare('SELECT COUNT(*) FROM answer_counts').pluck().get()).toBe(0);
  });

  it('multi-label: label sets ("none of these" included), the teacher\'s sets, undo, cleaning', async () => {
    const fx = await makeMultiProject(core, TEXTS, (i) => (['train', 'validation', 'test'] as const)[i % 3]);
    const { a, b, c } = fx.labels;
    const sets = [[a], [a, b], [], [c], [a, b, c]];
    const annotate = (i: number, set: number[], annotator = 'alice'): Promise<unknown> =>
      core.call('review.annotate', {
        projectId: fx.projectId,
        exampleId: fx.examples[i],
        labelSet: set,
        queue: { kind: 'all' },
        annotator,
      });
    for (let i = 0; i < 15; i++) await annotate(i, sets[i % 5]);
    expectKept('label sets');
    addMultiTeacherRun(
      core,
      fx,
      fx.examples
        .filter((_, i) => i % 4 !== 2)
        .map((exampleId, i) => ({ exampleId, probs: [(i % 3) / 2, ((i * 7) % 10) / 10, 0.6] as const })),
    );
    expectKept('a multi-label teacher run');
    await annotate(3, [a, c], 'bob');
    await annotate(20, [b]);
    await core.call('review.undo', { projectId: fx.projectId, annotator: 'alice' });
    expectKept('sets changed and undone');
    core.db
      .prepare('UPDATE examples SET excluded = 1 WHERE id IN (?, ?)')
      .run(fx.examples[1], fx.examples[2]);
    core.db.prepare("UPDATE examples SET split = 'train' WHERE id = ?").run(fx.examples[4]);
    expectKept('cleaning and a split change');
    core.db
      .prepare("UPDATE teacher_outputs SET probs = '[0.9,0.9,0.1]' WHERE example_id = ?")
      .run(fx.examples[0]);
    expectKept('a multi-label answer recalibrated');
  });
});
