import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { latestTeacherRun, teacherAnswer, teacherOutputReader } from '../../src/main/core/labels';
import { neighbours, neighboursQuery, queueIds } from '../../src/main/features/review/queues';
import { MULTI_LABEL_THRESHOLD } from '../../src/shared/review';
import type { QueueSpec } from '../../src/shared/review';
import { testCore } from '../helpers';
import { addTeacherRun, makeProject, type Fixture } from './fixture';
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

const TEXTS = Array.from({ length: 60 }, (_, i) => `Clause ${i}: the party shall give notice.`);

async function project(): Promise<Fixture> {
  const fx = await makeProject(core, TEXTS);
  addTeacherRun(
    core,
    fx,
    fx.examples.map((exampleId, i) => ({ exampleId, pUnfair: ((i * 37) % 100) / 100 })),
  );
  return fx;
}

/** The queues a person pages through key press by key press, in every order they can have. */
const QUEUES: readonly QueueSpec[] = [
  { kind: 'unreviewed' },
  { kind: 'all' },
  { kind: 'random' },
  { kind: 'uncertain' },
  { kind: 'uncertain', uncertainBy: 'margin' },
  { kind: 'conflicts' },
  { kind: 'requested' },
];

describe('queue order is held by an index (a seek per key press, never a sort of the project)', () => {
  it.each(QUEUES.map((q) => [JSON.stringify(q), q] as const))(
    '%s: the next documents come from an index, without a temporary B-tree',
    async (_name, queue) => {
      const fx = await project();
      for (const cursor of [null, fx.examples[10]]) {
        const { sql, params } = neighboursQuery(core.db, fx.projectId, queue, cursor, 'next', 5);
        const plan = (
          core.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>
        ).map((r) => r.detail);
        expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
        expect(plan.join('\n')).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/);
      }
    },
  );

  it('pages through a queue ahead of the shown document: the next n are the ones key presses would reach', async () => {
    const fx = await project();
    for (const queue of QUEUES.slice(0, 5)) {
      const order = queueIds(core.db, fx.projectId, queue);
      expect(order.length).toBe(60);
      // From the start, from a cursor, and across the end of the queue.
      expect(neighbours(core.db, fx.projectId, queue, null, 'next', 4)).toEqual(order.slice(0, 4));
      expect(neighbours(core.db, fx.projectId, queue, order[20], 'next', 5)).toEqual(order.slice(21, 26));
      expect(neighbours(core.db, fx.projectId, queue, order[57], 'next', 5)).toEqual(order.slice(58));
      expect(neighbours(core.db, fx.projectId, queue, order[20], 'prev', 3)).toEqual(
        order.slice(17, 20).reverse(),
      );
    }
  });

  it('review.upcoming: the next documents after a save are those after it, without the saved one and without moving the position', async () => {
    const fx = await project();
    const queue: QueueSpec = { kind: 'random' };
    const order = queueIds(core.db, fx.projectId, queue);
    const before = await core.call('review.state', { projectId: fx.projectId });
    const ahead = await core.call('review.upcoming', {
      projectId: fx.projectId,
      queue,
      exampleId: order[0],
      count: 4,
    });
    expect(ahead.map((i) => i.exampleId)).toEqual(order.slice(1, 5));
    expect(ahead[0].teacher?.runId).toBeGreaterThan(0);
    // Saving the shown document (as the page does behind the display) leaves the documents after it as they were;
    // someone labelling the next one takes it out of the queue.
    const saved = await core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: order[0],
      labelId: fx.labels.fair,
      queue,
    });
    expect(saved.next?.exampleId).toBe(order[1]);
    await core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: order[1],
      labelId: fx.labels.unfair,
      queue,
      annotator: 'someone else',
    });
    const after = await core.call('review.upcoming', {
      projectId: fx.projectId,
      queue,
      exampleId: order[0],
      count: 3,
    });
    expect(after.map((i) => i.exampleId)).toEqual(order.slice(2, 5));
    // Only looking: the position remembered for the person is where the last save left it.
    const state = await core.call('review.state', { projectId: fx.projectId });
    expect(state.position?.exampleId).toBe(order[1]);
    expect(before.position).toBeNull();
  });

  it('refuses to fetch more than 20 documents ahead in one request', async () => {
    const fx = await project();
    await expect(
      core.call('review.upcoming', {
        projectId: fx.projectId,
        queue: { kind: 'all' },
        exampleId: null,
        count: 21,
      }),
    ).rejects.toThrow();
  });

  // The rules the queues read as views (migration 019): teacher_answers over teacher_outputs, current_adjudications
  // over team_adjudications and the human-label views. A view is flattened into the query, so each must still seek.
  it('teacher_answers keeps the uncertainty indexes, and current_adjudications is a seek per document', async () => {
    const fx = await project();
    const planOf = (queue: QueueSpec): string => {
      const { sql, params } = neighboursQuery(core.db, fx.projectId, queue, fx.examples[10], 'next', 5);
      return (core.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join('\n');
    };
    const entropy = neighboursQuery(core.db, fx.projectId, { kind: 'uncertain' }, null, 'next', 5).sql;
    expect(entropy).toMatch(/teacher_answers t/);
    expect(entropy).not.toMatch(/teacher_outputs/);
    expect(planOf({ kind: 'uncertain' })).toMatch(/INDEX review_teacher_entropy/);
    expect(planOf({ kind: 'uncertain', uncertainBy: 'margin' })).toMatch(/INDEX review_teacher_margin/);
    const conflicts = planOf({ kind: 'conflicts' });
    expect(neighboursQuery(core.db, fx.projectId, { kind: 'conflicts' }, null, 'next', 5).sql).toMatch(
      /current_adjudications/,
    );
    // Every table the view reads is reached by a key (no SCAN of team_adjudications or annotations).
    expect(conflicts).not.toMatch(/SCAN (j|h|s|x|a1|a2|s1|s2)\b/);
    expect(conflicts).toMatch(/SEARCH j USING INTEGER PRIMARY KEY/);
  });

  it("teacher_answers' predicted_set is teacherAnswer's set: labels at or above MULTI_LABEL_THRESHOLD, sorted by id", async () => {
    // The view holds the threshold as a literal (a migration never changes): this pins the two together.
    expect(MULTI_LABEL_THRESHOLD).toBe(0.5);
    const fx = await makeMultiProject(core, ['one', 'two', 'three', 'four']);
    const probs: Array<[number, number, number]> = [
      [0.9, 0.1, 0.5],
      [0.49, 0.51, 0.2],
      [0.1, 0.2, 0.3],
      [1, 1, 1],
    ];
    addMultiTeacherRun(
      core,
      fx,
      fx.examples.map((exampleId, i) => ({ exampleId, probs: probs[i] })),
    );
    const run = latestTeacherRun(core.db, fx.projectId);
    expect(run).not.toBeNull();
    const read = teacherOutputReader(core.db, run!.runId);
    const sets = core.db
      .prepare(
        'SELECT example_id AS id, predicted_set AS s FROM teacher_answers WHERE run_id = ? ORDER BY example_id',
      )
      .all(run!.runId) as Array<{ id: number; s: string }>;
    expect(sets.map((r) => JSON.parse(r.s) as number[])).toEqual(
      sets.map((r) => teacherAnswer(run!.labels, read(r.id)!, 'multi').labelSet),
    );
    expect(JSON.parse(sets[0].s)).toEqual([fx.labels.a, fx.labels.c]);
    expect(JSON.parse(sets[2].s)).toEqual([]);
  });
});
