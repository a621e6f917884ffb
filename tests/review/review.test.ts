import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { humanLabels } from '../../src/main/core/labels';
import { queueIds } from '../../src/main/features/review/queues';
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

const TEXTS = Array.from({ length: 8 }, (_, i) => `Clause number ${i} of the terms.`);

async function withTeacher(): Promise<Fixture> {
  const fx = await makeProject(core, TEXTS);
  // pUnfair per document: 0.5 is the most uncertain, 0.99 and 0.01 the least.
  const p = [0.9, 0.55, 0.2, 0.5, 0.99, 0.35, 0.62, 0.01];
  addTeacherRun(
    core,
    fx,
    fx.examples.map((exampleId, i) => ({
      exampleId,
      pUnfair: p[i],
      reasoning: i === 0 ? 'Limits liability.' : undefined,
    })),
  );
  return fx;
}

describe('review queues', () => {
  it('orders "most uncertain first" by entropy and by margin, and leaves labelled documents out', async () => {
    const fx = await withTeacher();
    const e = fx.examples;
    const byEntropy = queueIds(core.db, fx.projectId, { kind: 'uncertain' });
    // |p - 0.5|: e3 0, e1 .05, e6 .12, e5 .15, e2 .3, e0 .4, then e4 and e7 (.49).
    expect(byEntropy.slice(0, 6)).toEqual([e[3], e[1], e[6], e[5], e[2], e[0]]);
    expect(byEntropy).toHaveLength(8);
    const byMargin = queueIds(core.db, fx.projectId, { kind: 'uncertain', uncertainBy: 'margin' });
    expect(byMargin.slice(0, 6)).toEqual([e[3], e[1], e[6], e[5], e[2], e[0]]);

    await core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[1],
      labelId: fx.labels.fair,
      queue: { kind: 'uncertain' },
    });
    expect(queueIds(core.db, fx.projectId, { kind: 'uncertain' }).slice(0, 5)).toEqual([
      e[3],
      e[6],
      e[5],
      e[2],
      e[0],
    ]);
  });

  it('walks a queue with next and prev, continuing after a document that just left it', async () => {
    const fx = await withTeacher();
    const e = fx.examples;
    const q = { kind: 'uncertain' as const };
    const first = await core.call('review.next', { projectId: fx.projectId, queue: q, exampleId: null });
    expect(first?.exampleId).toBe(e[3]);
    const r = await core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[3],
      labelId: fx.labels.unfair,
      queue: q,
    });
    expect(r.next?.exampleId).toBe(e[1]);
    const after = await core.call('review.next', { projectId: fx.projectId, queue: q, exampleId: e[1] });
    expect(after?.exampleId).toBe(e[6]);
    const back = await core.call('review.next', {
      projectId: fx.projectId,
      queue: q,
      exampleId: e[6],
      direction: 'prev',
    });
    expect(back?.exampleId).toBe(e[1]);
  });

  it('lists teacher disagreements, documents by label, a stable random order and counts for each', async () => {
    const fx = await withTeacher();
    const e = fx.examples;
    // The teacher says unfair (0.9) for e0: a human saying fair disagrees; e4 agrees.
    for (const [exampleId, labelId] of [
      [e[0], fx.labels.fair],
      [e[4], fx.labels.unfair],
    ] as const) {
      await core.call('review.annotate', {
        projectId: fx.projectId,
        exampleId,
        labelId,
        queue: { kind: 'all' },
      });
    }
    expect(queueIds(core.db, fx.projectId, { kind: 'disagree' })).toEqual([e[0]]);
    // By label: the human label wins over the teacher's.
    const unfair = queueIds(core.db, fx.projectId, { kind: 'label', labelId: fx.labels.unfair });
    expect(unfair).toEqual([e[1], e[4], e[6]]);
    const random = queueIds(core.db, fx.projectId, { kind: 'random' });
    expect([...random].sort((a, b) => a - b)).toEqual([e[1], e[2], e[3], e[5], e[6], e[7]]);
    expect(queueIds(core.db, fx.projectId, { kind: 'random' })).toEqual(random);
    expect(random).not.toEqual([...random].sort((a, b) => a - b));

    const counts = await core.call('review.counts', {
      projectId: fx.projectId,
      queue: { kind: 'label', labelId: fx.labels.unfair },
    });
    expect(counts.counts).toMatchObject({
      all: 8,
      unreviewed: 6,
      uncertain: 6,
      disagree: 1,
      random: 6,
      label: 3,
    });
    expect(counts.byLabel).toEqual([
      { labelId: fx.labels.fair, count: 5 },
      { labelId: fx.labels.unfair, count: 3 },
    ]);
  });

  it('counts each queue exactly as many documents as the queue itself lists', async () => {
    const fx = await withTeacher();
    const e = fx.examples;
    const label = (exampleId: number, labelId: number, annotator: string): Promise<unknown> =>
      core.call('review.annotate', {
        projectId: fx.projectId,
        exampleId,
        labelId,
        queue: { kind: 'all' },
        annotator,
      });
    await label(e[0], fx.labels.fair, 'alice');
    await label(e[0], fx.labels.unfair, 'bob');
    await label(e[2], fx.labels.unfair, 'alice');
    await label(e[5], fx.labels.fair, 'alice');
    await label(e[5], fx.labels.fair, 'bob');
    core.db.prepare("UPDATE examples SET split = 'test' WHERE id IN (?, ?, ?)").run(e[0], e[1], e[5]);
    for (const filter of [{}, { split: 'test' as const }, { search: 'number 5' }]) {
      const counts = await core.call('review.counts', {
        projectId: fx.projectId,
        queue: { kind: 'all', ...filter },
      });
      for (const kind of [
        'unreviewed',
        'uncertain',
        'disagree',
        'random',
        'conflicts',
        'requested',
        'all',
      ] as const) {
        expect(counts.counts[kind], `${kind} ${JSON.stringify(filter)}`).toBe(
          queueIds(core.db, fx.projectId, { kind, ...filter }).length,
        );
      }
      for (const b of counts.byLabel) {
        expect(b.count).toBe(
          queueIds(core.db, fx.projectId, { kind: 'label', labelId: b.labelId, ...filter }).length,
        );
      }
    }
  });

  it('lists documents sent from Evaluate until a person labels them', async () => {
    const fx = await withTeacher();
    const e = fx.examples;
    // The rows the Evaluate step writes when a person sends documents to review.
    const send = core.db.prepare(
      `INSERT INTO eval_review_requests (project_id, example_id, reason, requested_by, created_at)
       VALUES (?, ?, 'model and teacher disagree', 'carol', '2026-01-01T00:00:00.000Z')`,
    );
    send.run(fx.projectId, e[6]);
    send.run(fx.projectId, e[2]);
    expect(queueIds(core.db, fx.projectId, { kind: 'requested' })).toEqual([e[2], e[6]]);
    const r = await core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[2],
      labelId: fx.labels.fair,
      queue: { kind: 'requested' },
    });
    expect(r.next?.exampleId).toBe(e[6]);
    expect(queueIds(core.db, fx.projectId, { kind: 'requested' })).toEqual([e[6]]);
    const counts = await core.call('review.counts', {
      projectId: fx.projectId,
      queue: { kind: 'requested' },
    });
    expect(counts.counts.requested).toBe(1);
  });

  it('filters every queue by split and by search words', async () => {
    const fx = await makeProject(core, ['Apple pie recipe', 'apple tart', 'Pear cake', 'APPLE cake'], {
      split: (i) => (i < 2 ? 'train' : 'test'),
    });
    expect(queueIds(core.db, fx.projectId, { kind: 'all', search: 'apple' })).toEqual([
      fx.examples[0],
      fx.examples[1],
      fx.examples[3],
    ]);
    expect(queueIds(core.db, fx.projectId, { kind: 'all', search: 'apple cake' })).toEqual([fx.examples[3]]);
    expect(queueIds(core.db, fx.projectId, { kind: 'unreviewed', split: 'test' })).toEqual([
      fx.examples[2],
      fx.examples[3],
    ]);
  });
});

describe('labelling', () => {
  it('records who, which label, whether the teacher was accepted and the time spent; the human label follows', async () => {
    const fx = await withTeacher();
    const e = fx.examples;
    await core.call('settings.update', { annotator: 'alice' });
    await core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[0],
      labelId: fx.labels.unfair,
      acceptTeacher: true,
      timeSpentMs: 1500,
      queue: { kind: 'unreviewed' },
    });
    await core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[2],
      labelId: fx.labels.unfair,
      timeSpentMs: 800,
      queue: { kind: 'unreviewed' },
      annotator: 'bob',
    });
    const rows = core.db
      .prepare(
        'SELECT example_id, label_id, annotator, source, accepted_teacher, time_spent_ms FROM annotations ORDER BY id',
      )
      .all();
    expect(rows).toEqual([
      {
        example_id: e[0],
        label_id: fx.labels.unfair,
        annotator: 'alice',
        source: 'teacher_accept',
        accepted_teacher: 1,
        time_spent_ms: 1500,
      },
      {
        example_id: e[2],
        label_id: fx.labels.unfair,
        annotator: 'bob',
        source: 'human',
        accepted_teacher: 0,
        time_spent_ms: 800,
      },
    ]);
    const labels = humanLabels(core.db, fx.projectId);
    expect(labels.get(e[0])).toBe(fx.labels.unfair);
    expect(labels.get(e[2])).toBe(fx.labels.unfair);

    // Accepting a label the teacher did not give is refused.
    await expect(
      core.call('review.annotate', {
        projectId: fx.projectId,
        exampleId: e[7],
        labelId: fx.labels.unfair,
        acceptTeacher: true,
        queue: { kind: 'unreviewed' },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('undo retracts the last label (append-only), twice goes further back, and resumes where the person was', async () => {
    const fx = await withTeacher();
    const e = fx.examples;
    const q = { kind: 'unreviewed' as const };
    await core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[0],
      labelId: fx.labels.fair,
      queue: q,
    });
    await core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[0],
      labelId: fx.labels.unfair,
      queue: q,
    });
    await core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[1],
      labelId: fx.labels.fair,
      queue: q,
    });
    const u1 = await core.call('review.undo', { projectId: fx.projectId });
    expect(u1).toMatchObject({ retracted: 1, item: { exampleId: e[1], humanLabelId: null } });
    const u2 = await core.call('review.undo', { projectId: fx.projectId });
    // The change of mind on e0 is undone: its earlier label is current again.
    expect(u2.item).toMatchObject({ exampleId: e[0], humanLabelId: fx.labels.fair });
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM annotations').get()).toEqual({ n: 3 });
    expect(humanLabels(core.db, fx.projectId)).toEqual(new Map([[e[0], fx.labels.fair]]));

    const state = await core.call('review.state', { projectId: fx.projectId });
    expect(state.position?.queue).toEqual(q);
    expect(state.item?.exampleId).toBe(e[0]);
    const history = await core.call('review.history', { projectId: fx.projectId });
    expect(history.filter((h) => h.action === 'retract')).toHaveLength(2);
    expect(history.filter((h) => h.action === 'label')).toHaveLength(3);
  });

  it('keeps every label and the position after the app is closed and opened again on the same data', async () => {
    const fx = await withTeacher();
    const e = fx.examples;
    await core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[3],
      labelId: fx.labels.unfair,
      queue: { kind: 'uncertain' },
      annotator: 'alice',
    });
    await t.close({ keep: true });
    t = await testCore({ dataDir: t.dataDir });
    core = t.core;
    const state = await core.call('review.state', { projectId: fx.projectId, annotator: 'alice' });
    expect(state.position?.queue).toEqual({ kind: 'uncertain' });
    expect(state.item?.exampleId).toBe(e[1]);
    expect(humanLabels(core.db, fx.projectId)).toEqual(new Map([[e[3], fx.labels.unfair]]));
    const dir = t.dataDir;
    await t.close();
    rmSync(dir, { recursive: true, force: true });
    t = await testCore();
  });

  it('keeps each annotator position apart', async () => {
    const fx = await withTeacher();
    const e = fx.examples;
    await core.call('review.next', {
      projectId: fx.projectId,
      queue: { kind: 'all' },
      exampleId: e[4],
      annotator: 'alice',
    });
    await core.call('review.next', {
      projectId: fx.projectId,
      queue: { kind: 'random' },
      exampleId: null,
      annotator: 'bob',
    });
    // The page fetching the next document ahead (peek) sees it without moving alice's position.
    const ahead = await core.call('review.next', {
      projectId: fx.projectId,
      queue: { kind: 'all' },
      exampleId: e[5],
      annotator: 'alice',
      peek: true,
    });
    expect(ahead?.exampleId).toBe(e[6]);
    const alice = await core.call('review.state', { projectId: fx.projectId, annotator: 'alice' });
    expect(alice.item?.exampleId).toBe(e[5]);
    const bob = await core.call('review.state', { projectId: fx.projectId, annotator: 'bob' });
    expect(bob.position?.queue.kind).toBe('random');
    expect(bob.annotators).toEqual(['alice', 'bob']);
  });

  it('shows the teacher distribution and reasoning, and stores HTML documents as plain text', async () => {
    const fx = await makeProject(core, ['<script>alert(1)</script><b>bold</b>']);
    addTeacherRun(core, fx, [{ exampleId: fx.examples[0], pUnfair: 0.8, reasoning: 'Looks like code.' }]);
    const item = await core.call('review.item', { projectId: fx.projectId, exampleId: fx.examples[0] });
    expect(item.text).toBe('<script>alert(1)</script><b>bold</b>');
    expect(item.teacher).toMatchObject({ predictedLabelId: fx.labels.unfair, reasoning: 'Looks like code.' });
    expect(item.teacher?.confidence).toBeCloseTo(0.8);
    expect(item.teacher?.probs.map((p) => p.name)).toEqual(['fair', 'unfair']);
  });
});

describe('bulk accept', () => {
  it('previews per threshold, accepts only unlabelled documents above it, and undoes as one action', async () => {
    const fx = await withTeacher();
    const e = fx.examples;
    await core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[4],
      labelId: fx.labels.fair,
      queue: { kind: 'all' },
    });
    const preview = await core.call('review.bulkPreview', {
      projectId: fx.projectId,
      queue: { kind: 'unreviewed' },
      minConfidence: 0.8,
    });
    // Confidence of the teacher's label: e0 0.9, e2 0.8, e7 0.99 (e4 0.99 is labelled already).
    expect(preview.count).toBe(3);
    expect(preview.byLabel).toEqual([
      { labelId: fx.labels.fair, name: 'fair', count: 2 },
      { labelId: fx.labels.unfair, name: 'unfair', count: 1 },
    ]);
    expect(preview.curve.find((c) => c.threshold === 0.5)?.count).toBe(7);
    expect(preview.curve.find((c) => c.threshold === 0.95)?.count).toBe(1);

    const job = await core.call('review.bulkAccept', {
      projectId: fx.projectId,
      queue: { kind: 'unreviewed' },
      minConfidence: 0.8,
      annotator: 'alice',
    });
    expect(await core.jobs.wait(job.id)).toMatchObject({ state: 'completed', result: { accepted: 3 } });
    const labels = humanLabels(core.db, fx.projectId);
    expect(labels.get(e[0])).toBe(fx.labels.unfair);
    expect(labels.get(e[2])).toBe(fx.labels.fair);
    expect(labels.get(e[4])).toBe(fx.labels.fair);
    const rows = core.db
      .prepare("SELECT COUNT(*) AS n FROM annotations WHERE source = 'bulk' AND accepted_teacher = 1")
      .get();
    expect(rows).toEqual({ n: 3 });
    const u = await core.call('review.undo', { projectId: fx.projectId, annotator: 'alice' });
    expect(u.retracted).toBe(3);
    expect(humanLabels(core.db, fx.projectId).size).toBe(1);
    const history = await core.call('review.history', { projectId: fx.projectId });
    expect(history.map((h) => h.action)).toEqual(expect.arrayContaining(['bulk_accept', 'undo_bulk_accept']));
  });

  it('restricts bulk accept to the filtered set (the teacher label "fair" only)', async () => {
    const fx = await withTeacher();
    const job = await core.call('review.bulkAccept', {
      projectId: fx.projectId,
      queue: { kind: 'label', labelId: fx.labels.fair },
      minConfidence: 0.6,
    });
    // e2 0.8, e5 0.65, e7 0.99
    expect(await core.jobs.wait(job.id)).toMatchObject({ state: 'completed', result: { accepted: 3 } });
    expect([...humanLabels(core.db, fx.projectId).values()].every((l) => l === fx.labels.fair)).toBe(true);
  });

  it('resumes after a crash without labelling any document twice, and one undo still takes it all back', async () => {
    const fx = await withTeacher();
    const job = await core.call('review.bulkAccept', {
      projectId: fx.projectId,
      queue: { kind: 'unreviewed' },
      minConfidence: 0.6,
    });
    await core.jobs.wait(job.id);
    // As if the process died after the rows were committed but before the job was marked done.
    core.db.prepare("UPDATE jobs SET state = 'interrupted', finished_at = NULL WHERE id = ?").run(job.id);
    core.jobs.resume(job.id);
    const resumed = await core.jobs.wait(job.id);
    const n = core.db.prepare("SELECT COUNT(*) AS n FROM annotations WHERE source = 'bulk'").get() as {
      n: number;
    };
    expect(resumed).toMatchObject({ state: 'completed', result: { accepted: n.n } });
    expect(n.n).toBe(6); // 0.9, 0.8, 0.99, 0.65, 0.62, 0.99
    const distinct = core.db
      .prepare("SELECT COUNT(DISTINCT example_id) AS n FROM annotations WHERE source = 'bulk'")
      .get() as { n: number };
    expect(distinct.n).toBe(6);
    const undone = await core.call('review.undo', { projectId: fx.projectId });
    expect(undone.retracted).toBe(6);
  });
});

describe('gold test set', () => {
  it('counts human labels on the test split per class and warns when a class has too few', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => `Test clause ${i}`);
    const fx = await makeProject(core, texts, { split: (i) => (i < 36 ? 'test' : 'train') });
    for (let i = 0; i < 40; i++) {
      await core.call('review.annotate', {
        projectId: fx.projectId,
        exampleId: fx.examples[i],
        labelId: i < 31 || i >= 36 ? fx.labels.fair : fx.labels.unfair,
        queue: { kind: 'all' },
      });
    }
    const gold = await core.call('review.gold', { projectId: fx.projectId });
    expect(gold).toMatchObject({ testTotal: 36, labelled: 36, minPerClass: 30, warnings: ['unfair'] });
    expect(gold.classes).toEqual([
      { labelId: fx.labels.fair, name: 'fair', count: 31, enough: true },
      { labelId: fx.labels.unfair, name: 'unfair', count: 5, enough: false },
    ]);
  });
});
