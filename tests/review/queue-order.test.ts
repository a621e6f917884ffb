import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { neighbours, neighboursQuery, queueIds } from '../../src/main/features/review/queues';
import type { QueueSpec } from '../../src/shared/review';
import { testCore } from '../helpers';
import { addTeacherRun, makeProject, type Fixture } from './fixture';

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
});
