import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { humanLabelSets, humanLabels } from '../../src/main/core/labels';
import { nowIso } from '../../src/main/core/time';
import { queueIds } from '../../src/main/features/review/queues';
import { trainingCounts } from '../../src/main/features/student/overviewCounts';
import { QUEUE_KINDS, type QueueSpec } from '../../src/shared/review';
import { testCore } from '../helpers';
import { addTeacherRun, makeProject } from './fixture';
import { addMultiTeacherRun, makeMultiProject } from './multilabel-fixture';

let t: Awaited<ReturnType<typeof testCore>>;
let core: Core;
beforeEach(async () => {
  t = await testCore();
  core = t.core;
});
afterEach(async () => {
  await t.close();
});

const N = 40;
const TEXTS = Array.from(
  { length: N },
  (_, i) => `Clause ${i}: the ${i % 3 ? 'party' : 'user'} shall give notice.`,
);
const SPLITS = ['train', 'validation', 'test', 'train'] as const;

/** Every filter the review screen offers: none, a split, search words (alone and with a split). */
const FILTERS: ReadonlyArray<Partial<QueueSpec>> = [
  {},
  { split: 'test' },
  { split: 'validation' },
  { search: 'user' },
  { search: 'party', split: 'train' },
];

/**
 * Labels as people give them over time: two annotators on some documents (agreeing and not), changes of mind, undone
 * labels, a lead's decision that still stands and one that a later label reopened, imported and accepted teacher
 * labels, documents removed by cleaning (labelled or not), a document sent from Evaluate.
 */
async function history(
  projectId: number,
  examples: readonly number[],
  answer: (i: number, who: number) => { labelId: number } | { labelSet: number[] },
): Promise<void> {
  const label = (i: number, annotator: string, who: number): Promise<unknown> =>
    core.call('review.annotate', {
      projectId,
      exampleId: examples[i],
      ...answer(i, who),
      queue: { kind: 'all' },
      annotator,
    });
  for (let i = 0; i < 24; i++) await label(i, 'alice', 0);
  // Bob agrees on some, not on others.
  for (let i = 0; i < 12; i += 2) await label(i, 'bob', i % 4 === 0 ? 0 : 1);
  // Changes of mind, and undone labels (the one before counts again; a lone one leaves the document unlabelled).
  await label(3, 'alice', 1);
  await label(5, 'alice', 2);
  await core.call('review.undo', { projectId, annotator: 'alice' });
  await label(30, 'carol', 1);
  await core.call('review.undo', { projectId, annotator: 'carol' });
  // A lead decides two conflicts; bob relabels one of them after the decision, which reopens it.
  for (const i of [2, 6]) {
    await label(i, 'lead', 0);
    const a = core.db.prepare('SELECT MAX(id) FROM annotations').pluck().get() as number;
    const row = core.db.prepare('SELECT label_id, label_set FROM annotations WHERE id = ?').get(a) as {
      label_id: number | null;
      label_set: string | null;
    };
    core.db
      .prepare(
        `INSERT INTO team_adjudications (example_id, project_id, annotation_id, label_id, label_set, adjudicator, at)
         VALUES (?, ?, ?, ?, ?, 'lead', ?)`,
      )
      .run(examples[i], projectId, a, row.label_id, row.label_set, nowIso());
  }
  await label(6, 'bob', 2);
  // Imported and accepted teacher labels, as the import and "accept" write them.
  core.db
    .prepare("UPDATE annotations SET source = 'import' WHERE example_id IN (?, ?) AND annotator = 'alice'")
    .run(examples[20], examples[21]);
  core.db
    .prepare("UPDATE annotations SET source = 'teacher_accept' WHERE example_id = ? AND annotator = 'alice'")
    .run(examples[22]);
  // Removed by cleaning: labelled, in conflict, and unlabelled documents.
  core.db
    .prepare('UPDATE examples SET excluded = 1 WHERE id IN (?, ?, ?)')
    .run(examples[4], examples[23], examples[35]);
  core.db
    .prepare(
      `INSERT INTO eval_review_requests (project_id, example_id, requested_by, created_at) VALUES (?, ?, 'eval', ?)`,
    )
    .run(projectId, examples[33], nowIso());
  core.db.prepare('UPDATE examples SET split = NULL WHERE id = ?').run(examples[25]);
}

/** Each count is what the queue itself lists, under every filter (the queue's SQL is the definition). */
async function expectCountsAsQueues(projectId: number, labelIds: readonly number[]): Promise<void> {
  for (const filter of FILTERS) {
    for (const labelId of [undefined, labelIds[0]]) {
      const spec = { kind: 'all' as const, ...filter, ...(labelId === undefined ? {} : { labelId }) };
      const r = await core.call('review.counts', { projectId, queue: spec });
      const name = JSON.stringify(spec);
      for (const kind of QUEUE_KINDS) {
        if (kind === 'label' && labelId === undefined) continue;
        expect(r.counts[kind], `${kind} ${name}`).toBe(
          queueIds(core.db, projectId, { ...spec, kind }).length,
        );
      }
      expect(r.total).toBe(r.counts.all);
      expect(r.byLabel.map((b) => b.labelId)).toEqual(labelIds);
      for (const b of r.byLabel) {
        expect(b.count, `label ${b.labelId} ${name}`).toBe(
          queueIds(core.db, projectId, { ...filter, kind: 'label', labelId: b.labelId }).length,
        );
      }
    }
  }
}

/** The training counts as the Train step computed them before (every document's id read and checked in turn). */
function trainingCountsByDocument(
  projectId: number,
  human: ReadonlyMap<number, unknown>,
  runId: number | null,
): ReturnType<typeof trainingCounts> {
  const ids = core.db
    .prepare(
      `SELECT id, split FROM examples WHERE project_id = ? AND excluded = 0 AND (split IS NULL OR split IN ('train', 'validation'))`,
    )
    .all(projectId) as Array<{ id: number; split: string | null }>;
  const taught = new Set(
    core.db
      .prepare('SELECT example_id FROM teacher_outputs WHERE run_id = ?')
      .pluck()
      .all(runId ?? -1) as number[],
  );
  let trainHuman = 0;
  let trainTeacher = 0;
  let validation = 0;
  for (const e of ids) {
    const labelled = human.has(e.id);
    if (e.split === 'validation') {
      if (labelled || taught.has(e.id)) validation++;
    } else if (labelled) trainHuman++;
    else if (taught.has(e.id)) trainTeacher++;
  }
  return { trainHuman, trainTeacher, validation };
}

/** dataset.stats' split and label counts, as it computed them before: each document read with its human label (set). */
async function expectStatsByDocument(projectId: number, multi: boolean): Promise<void> {
  const s = await core.call('dataset.stats', { projectId });
  const docs = core.db
    .prepare('SELECT id, split, excluded FROM examples WHERE project_id = ?')
    .all(projectId) as Array<{ id: number; split: string | null; excluded: number }>;
  const human: ReadonlyMap<number, number | number[]> = multi
    ? humanLabelSets(core.db, projectId)
    : humanLabels(core.db, projectId);
  const splits: Record<string, number> = { train: 0, validation: 0, test: 0, none: 0 };
  const perLabel = new Map<number | null, Record<string, number>>();
  let labelled = 0;
  const bump = (labelId: number | null, split: string): void => {
    const c = perLabel.get(labelId) ?? { train: 0, validation: 0, test: 0, none: 0 };
    c[split]++;
    perLabel.set(labelId, c);
  };
  for (const d of docs.filter((x) => x.excluded === 0)) {
    const split = d.split ?? 'none';
    splits[split]++;
    const h = human.get(d.id);
    if (h === undefined) bump(null, split);
    else {
      labelled++;
      for (const id of Array.isArray(h) ? h : [h]) bump(id, split);
    }
  }
  expect(s.total).toBe(docs.length);
  expect(s.excluded).toBe(docs.filter((x) => x.excluded === 1).length);
  expect(s.splits).toEqual(splits);
  expect(s.labelled).toBe(labelled);
  for (const l of s.perLabel) {
    expect(l.counts, `label ${l.labelId}`).toEqual(
      perLabel.get(l.labelId) ?? { train: 0, validation: 0, test: 0, none: 0 },
    );
  }
  expect(s.perLabel.some((l) => l.labelId === null)).toBe(perLabel.has(null));
  // The Data step's label list counts the single-label documents under their label (a set is not one label).
  const sum = (c: Record<string, number> | undefined): number =>
    c ? c.train + c.validation + c.test + c.none : 0;
  for (const l of await core.call('dataset.labels', { projectId })) {
    expect(l.count, `dataset.labels ${l.name}`).toBe(multi ? 0 : sum(perLabel.get(l.id)));
  }
}

describe("review.counts, the Train step's counts and dataset.stats at any size: driven by the labels, equal to the definitions", () => {
  it('single-label: every queue and label count equals the queue, before and after a teacher run', async () => {
    const fx = await makeProject(core, TEXTS, { split: (i) => SPLITS[i % 4] });
    const { fair, unfair } = fx.labels;
    await history(fx.projectId, fx.examples, (i, who) => ({ labelId: (i + who) % 3 === 0 ? unfair : fair }));
    await expectCountsAsQueues(fx.projectId, [fair, unfair]);
    await expectStatsByDocument(fx.projectId, false);
    expect(trainingCounts(core.db, fx.projectId, 'single', null)).toEqual(
      trainingCountsByDocument(fx.projectId, humanLabels(core.db, fx.projectId), null),
    );
    // The teacher answers most documents (not all), some with no predicted label.
    const runId = addTeacherRun(
      core,
      fx,
      fx.examples
        .filter((_, i) => i % 7 !== 6)
        .map((exampleId, i) => ({ exampleId, pUnfair: ((i * 37) % 100) / 100 })),
    );
    core.db
      .prepare('UPDATE teacher_outputs SET predicted_label_id = NULL WHERE example_id = ?')
      .run(fx.examples[1]);
    const counts = await core.call('review.counts', { projectId: fx.projectId, queue: { kind: 'all' } });
    expect(counts.counts.disagree).toBeGreaterThan(0);
    expect(counts.counts.conflicts).toBeGreaterThan(0);
    await expectCountsAsQueues(fx.projectId, [fair, unfair]);
    expect(trainingCounts(core.db, fx.projectId, 'single', runId)).toEqual(
      trainingCountsByDocument(fx.projectId, humanLabels(core.db, fx.projectId), runId),
    );
  });

  it('multi-label: every queue and label count equals the queue, "none of these" included', async () => {
    const fx = await makeMultiProject(core, TEXTS, (i) => SPLITS[i % 4]);
    const { a, b, c } = fx.labels;
    const sets = [[a], [a, b], [], [c]];
    await history(fx.projectId, fx.examples, (i, who) => ({ labelSet: sets[(i + who) % 4] }));
    const runId = addMultiTeacherRun(
      core,
      fx,
      fx.examples
        .filter((_, i) => i % 5 !== 4)
        .map((exampleId, i) => ({ exampleId, probs: [(i % 3) / 2, ((i * 7) % 10) / 10, 0.6] as const })),
    );
    await expectCountsAsQueues(fx.projectId, [a, b, c]);
    await expectStatsByDocument(fx.projectId, true);
    expect(trainingCounts(core.db, fx.projectId, 'multi', runId)).toEqual(
      trainingCountsByDocument(fx.projectId, humanLabelSets(core.db, fx.projectId), runId),
    );
  });

  it("counts from indexes: the current label is a seek among live labels, the run's answers are read from an index", () => {
    const plan = (sql: string): string =>
      (core.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ p: 1 }) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join('\n');
    expect(plan('SELECT COUNT(*) FROM human_labels WHERE project_id = @p')).toMatch(
      /SEARCH x USING (COVERING )?INDEX annotations_live_label/,
    );
    expect(
      plan('SELECT predicted_label_id, COUNT(*) FROM teacher_answers WHERE run_id = @p GROUP BY 1'),
    ).toMatch(/USING COVERING INDEX teacher_outputs_answer/);
  });
});
