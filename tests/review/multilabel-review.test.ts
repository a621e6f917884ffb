import { describe, expect, it } from 'vitest';
import {
  cohenKappa,
  fleissKappa,
  krippendorffAlpha,
  masiDistance,
  setAgreement,
} from '../../src/main/features/review/agreement';
import { queueIds } from '../../src/main/features/review/queues';
import { coreForEachTest } from '../helpers';
import { addMultiTeacherRun, makeMultiProject, type MultiFixture } from './multilabel-fixture';

const t = coreForEachTest();
const TEXTS = Array.from({ length: 6 }, (_, i) => `Sentence ${i} of the terms of service.`);

/** Per document (a, b, c): e0 sure {a}, e1 unsure about b, e2 sure {}, e3 very unsure, e4 sure {a,c}, e5 sure {b}. */
const PROBS: Array<[number, number, number]> = [
  [0.97, 0.02, 0.05],
  [0.9, 0.6, 0.1],
  [0.01, 0.03, 0.02],
  [0.48, 0.45, 0.55],
  [0.95, 0.04, 0.92],
  [0.05, 0.96, 0.03],
];

async function project(): Promise<MultiFixture> {
  const fx = await makeMultiProject(t.core, TEXTS);
  addMultiTeacherRun(
    t.core,
    fx,
    fx.examples.map((exampleId, i) => ({ exampleId, probs: PROBS[i] })),
  );
  return fx;
}

describe('multi-label review: annotating', () => {
  it('saves a set (sorted, one annotation with label_set) and the empty set as "none of these"', async () => {
    const fx = await project();
    const [e0, e1] = fx.examples;
    const q = { kind: 'unreviewed' as const };
    const r = await t.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e0,
      labelSet: [fx.labels.c, fx.labels.a, fx.labels.c],
      queue: q,
    });
    expect(r.next?.exampleId).toBe(e1);
    await t.core.call('review.annotate', { projectId: fx.projectId, exampleId: e1, labelSet: [], queue: q });
    const rows = t.core.db
      .prepare('SELECT example_id, label_id, label_set, accepted_teacher FROM annotations ORDER BY id')
      .all() as Array<{ example_id: number; label_id: null; label_set: string; accepted_teacher: number }>;
    expect(rows).toEqual([
      {
        example_id: e0,
        label_id: null,
        label_set: JSON.stringify([fx.labels.a, fx.labels.c]),
        accepted_teacher: 0,
      },
      { example_id: e1, label_id: null, label_set: '[]', accepted_teacher: 0 },
    ]);
    // Both left the queue of documents still to label: the empty set is an answer.
    expect(queueIds(t.core.db, fx.projectId, q)).toEqual(fx.examples.slice(2));
    const item = await t.core.call('review.item', { projectId: fx.projectId, exampleId: e1 });
    expect(item.humanLabelSet).toEqual([]);
    expect(item.myLabelSet).toEqual([]);
    expect(item.teacher?.predictedSet).toEqual([fx.labels.a, fx.labels.b]);
    expect(item.teacher?.predictedLabelId).toBeNull();
    // The least sure label is b at 0.6: confidence max(0.6, 0.4).
    expect(item.teacher?.confidence).toBeCloseTo(0.6, 12);
    const state = await t.core.call('review.state', { projectId: fx.projectId });
    expect(state.kind).toBe('multi');
  });

  it("accepts the teacher's set, refuses a single label or unknown labels, and undoes", async () => {
    const fx = await project();
    const [e0, e1] = fx.examples;
    const q = { kind: 'unreviewed' as const };
    await t.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e0,
      labelSet: [fx.labels.a],
      acceptTeacher: true,
      queue: q,
    });
    const row = t.core.db.prepare('SELECT source, accepted_teacher FROM annotations').get();
    expect(row).toEqual({ source: 'teacher_accept', accepted_teacher: 1 });
    await expect(
      t.core.call('review.annotate', {
        projectId: fx.projectId,
        exampleId: e1,
        labelSet: [fx.labels.a],
        acceptTeacher: true,
        queue: q,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      t.core.call('review.annotate', {
        projectId: fx.projectId,
        exampleId: e1,
        labelId: fx.labels.a,
        queue: q,
      }),
    ).rejects.toThrow(/multi-label project/);
    await expect(
      t.core.call('review.annotate', { projectId: fx.projectId, exampleId: e1, labelSet: [99999], queue: q }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const undone = await t.core.call('review.undo', { projectId: fx.projectId });
    expect(undone.retracted).toBe(1);
    expect(undone.item?.exampleId).toBe(e0);
    expect(undone.item?.humanLabelSet).toBeNull();
  });
});

describe('multi-label review: queues', () => {
  it('orders "most uncertain" by mean binary entropy and by the least sure label (margin)', async () => {
    const fx = await project();
    const e = fx.examples;
    // Mean binary entropy (nats): e3 0.68, e1 0.42, e4 0.21, e5 0.17, e0 0.14, e2 0.07.
    expect(queueIds(t.core.db, fx.projectId, { kind: 'uncertain' })).toEqual([
      e[3],
      e[1],
      e[4],
      e[5],
      e[0],
      e[2],
    ]);
    // min |2p - 1|: e3 0.04, e1 0.2, e4 0.84, e0 0.9, e5 0.9 (ties by id), e2 0.94.
    expect(queueIds(t.core.db, fx.projectId, { kind: 'uncertain', uncertainBy: 'margin' })).toEqual([
      e[3],
      e[1],
      e[4],
      e[0],
      e[5],
      e[2],
    ]);
  });

  it('label queue, teacher-disagrees queue, conflicts and counts read label sets', async () => {
    const fx = await project();
    const e = fx.examples;
    const q = { kind: 'unreviewed' as const };
    const { a, b, c } = fx.labels;
    // e0: a person says {a} (teacher {a}); e4: {a} (teacher {a,c}); e5: two annotators differ.
    await t.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[0],
      labelSet: [a],
      queue: q,
    });
    await t.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[4],
      labelSet: [a],
      queue: q,
    });
    await t.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[5],
      labelSet: [b],
      queue: q,
      annotator: 'ann',
    });
    await t.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: e[5],
      labelSet: [b, c],
      queue: q,
      annotator: 'bob',
    });
    expect(queueIds(t.core.db, fx.projectId, { kind: 'disagree' })).toEqual([e[4], e[5]]);
    expect(queueIds(t.core.db, fx.projectId, { kind: 'conflicts' })).toEqual([e[5]]);
    // Label c: e5 by its human set {b, c}; e3 by the teacher (0.55); e4's person said {a}, so not e4.
    expect(queueIds(t.core.db, fx.projectId, { kind: 'label', labelId: c })).toEqual([e[3], e[5]]);
    const counts = await t.core.call('review.counts', { projectId: fx.projectId, queue: q });
    expect(counts.counts).toMatchObject({ unreviewed: 3, uncertain: 3, disagree: 2, conflicts: 1, all: 6 });
    // a: e0, e4 (people) and e1 (teacher); b: e5 (person) and e1 (teacher); c: e5 and e3.
    expect(counts.byLabel).toEqual([
      { labelId: a, count: 3 },
      { labelId: b, count: 2 },
      { labelId: c, count: 2 },
    ]);
  });
});

describe('multi-label review: bulk accept', () => {
  it('previews and accepts whole sets where every label is sure enough, per label, and undoes as one', async () => {
    const fx = await project();
    const e = fx.examples;
    const { a, c } = fx.labels;
    // Confidence = least sure label: e0 0.95, e1 0.6, e2 0.97, e3 0.52, e4 0.92, e5 0.95.
    const all = await t.core.call('review.bulkPreview', {
      projectId: fx.projectId,
      queue: { kind: 'unreviewed' },
      minConfidence: 0.9,
    });
    expect(all.count).toBe(4);
    expect(all.emptySets).toBe(1);
    expect(all.byLabel.map((l) => l.count)).toEqual([2, 1, 1]);
    expect(all.curve.find((p) => p.threshold === 0.95)?.count).toBe(3);
    // Per label: only documents whose accepted set holds c.
    const perLabel = await t.core.call('review.bulkPreview', {
      projectId: fx.projectId,
      queue: { kind: 'label', labelId: c },
      minConfidence: 0.9,
    });
    expect(perLabel.count).toBe(1);
    const job = await t.core.call('review.bulkAccept', {
      projectId: fx.projectId,
      queue: { kind: 'unreviewed' },
      minConfidence: 0.9,
      annotator: 'lead',
    });
    expect(await t.core.jobs.wait(job.id)).toMatchObject({ state: 'completed', result: { accepted: 4 } });
    const sets = t.core.db
      .prepare(
        `SELECT example_id AS id, label_set AS s FROM annotations WHERE source = 'bulk' ORDER BY example_id`,
      )
      .all();
    expect(sets).toEqual([
      { id: e[0], s: JSON.stringify([a]) },
      { id: e[2], s: '[]' },
      { id: e[4], s: JSON.stringify([a, c]) },
      { id: e[5], s: JSON.stringify([fx.labels.b]) },
    ]);
    const undone = await t.core.call('review.undo', { projectId: fx.projectId, annotator: 'lead' });
    expect(undone.retracted).toBe(4);
    expect(queueIds(t.core.db, fx.projectId, { kind: 'unreviewed' })).toEqual(e);
  });
});

describe('agreement over label sets', () => {
  it('MASI distance: equal, subset, overlap, disjoint, both empty', () => {
    expect(masiDistance([1, 2], [1, 2])).toBe(0);
    // J = 2/4, M = 2/3 (NLTK's doctest: 0.6666666666666667).
    expect(masiDistance([1, 2], [1, 2, 3, 4])).toBeCloseTo(2 / 3, 15);
    // J = 1/3, M = 1/3.
    expect(masiDistance([2, 3], [1, 3])).toBeCloseTo(8 / 9, 15);
    expect(masiDistance([1], [2])).toBe(1);
    expect(masiDistance([], [2])).toBe(1);
    expect(masiDistance([], [])).toBe(0);
  });

  it("Krippendorff's alpha reproduces the nominal example of Krippendorff (2011): 0.743", () => {
    // "Computing Krippendorff's alpha-reliability", section C: 4 observers, 12 units, missing values; nominal
    // alpha = 0.743. A singleton set's MASI distance is the nominal one (0 same, 1 different).
    const A = [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null];
    const B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3];
    const C = [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null];
    const D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null];
    const units = A.map((_, u) =>
      [A[u], B[u], C[u], D[u]].filter((v): v is number => v !== null).map((v) => [v]),
    );
    expect(krippendorffAlpha(units, masiDistance)).toBeCloseTo(0.743, 3);
  });

  it("Krippendorff's alpha with MASI matches NLTK's AnnotationTask(distance=masi_distance).alpha()", () => {
    // Two coders; NLTK 3.10 gives 0.29109589041095896. By hand: D_o = 2 (2/3 + 0 + 1 + 8/9 + 0) / 10 = 23/45,
    // D_e = sum of the 45 pairs' distances * 2 / 90.
    const two = [
      [[1, 2], [1]],
      [[1], [1]],
      [[2], [3]],
      [
        [2, 3],
        [1, 3],
      ],
      [
        [1, 2, 3],
        [1, 2, 3],
      ],
    ];
    expect(krippendorffAlpha(two, masiDistance)).toBeCloseTo(0.29109589041095896, 12);
    // A third coder C: NLTK gives 0.21098265895953738.
    const three = two.map((u, i) => [...u, [[1], [2], [3], [3], [1, 2]][i]]);
    expect(krippendorffAlpha(three, masiDistance)).toBeCloseTo(0.21098265895953738, 12);
  });

  it("per label: Cohen's kappa per pair and Fleiss' kappa, hand-computed", () => {
    const labels = [
      { id: 1, name: 'x' },
      { id: 2, name: 'y' },
    ];
    const m = (sets: number[][]): Map<number, number[]> => new Map(sets.map((s, i) => [i + 1, s]));
    const ann = m([[1], [1, 2], [], [2]]);
    const bob = m([[1], [1], [], [1, 2]]);
    const r = setAgreement(
      labels,
      ['ann', 'bob'],
      new Map([
        ['ann', ann],
        ['bob', bob],
      ]),
    );
    // Label x: ann yes,yes,no,no; bob yes,yes,no,yes. po = 3/4; pe = (2/4)(3/4) + (2/4)(1/4) = 1/2: kappa 1/2.
    expect(r.perLabel[0].pairs[0].kappa).toBeCloseTo(0.5, 12);
    expect(r.perLabel[0].pairs[0].kappa).toBeCloseTo(
      cohenKappa([
        [2, 0],
        [1, 1],
      ]) ?? NaN,
      12,
    );
    // Label y: ann no,yes,no,yes; bob no,no,no,yes. po = 3/4; pe = (2/4)(1/4) + (2/4)(3/4) = 1/2: kappa 1/2.
    expect(r.perLabel[1].pairs[0].kappa).toBeCloseTo(0.5, 12);
    // Fleiss for x over 4 documents and 2 raters: rows [2,0],[2,0],[0,2],[1,1]. P_i = 1,1,1,0 -> P̄ = 3/4;
    // p_yes = 5/8, p_no = 3/8, P_e = 34/64; kappa = (3/4 - 34/64) / (1 - 34/64) = 14/30.
    expect(r.perLabel[0].fleiss).toBeCloseTo(14 / 30, 12);
    expect(
      fleissKappa([
        [2, 0],
        [2, 0],
        [0, 2],
        [1, 1],
      ]),
    ).toBeCloseTo(14 / 30, 12);
    expect(r.units).toBe(4);
    expect(r.distance).toBe('masi');
  });

  it('review.agreement in a multi-label project reports per-label kappa and alpha over sets', async () => {
    const fx = await project();
    const e = fx.examples;
    const { a, b } = fx.labels;
    const q = { kind: 'all' as const };
    const give = (annotator: string, i: number, labelSet: number[]): Promise<unknown> =>
      t.core.call('review.annotate', {
        projectId: fx.projectId,
        exampleId: e[i],
        labelSet,
        queue: q,
        annotator,
      });
    await give('ann', 0, [a]);
    await give('bob', 0, [a]);
    await give('ann', 1, [a, b]);
    await give('bob', 1, [a]);
    await give('ann', 2, []);
    await give('bob', 2, []);
    await give('ann', 3, [b]);
    await give('bob', 3, [a]);
    const r = await t.core.call('review.agreement', { projectId: fx.projectId });
    expect(r.annotators).toEqual(['ann', 'bob']);
    expect(r.disagreements).toBe(2);
    expect(r.sets?.units).toBe(4);
    // By hand: D_o = 2 (0 + 2/3 + 0 + 1) / 8 = 5/12; the 28 pairs of the 8 values {a},{a},{a,b},{a},{},{},{b},{a}
    // sum to 12 + 2/3 ... computed by krippendorffAlpha, which the NLTK test above pins.
    expect(r.sets?.alpha).toBeCloseTo(
      krippendorffAlpha(
        [
          [[a], [a]],
          [[a, b], [a]],
          [[], []],
          [[b], [a]],
        ],
        masiDistance,
      ) ?? NaN,
      12,
    );
    expect(r.sets?.perLabel.map((l) => l.name)).toEqual(['a', 'b', 'c']);
    // Label c: nobody ever gave it: kappa undefined.
    expect(r.sets?.perLabel[2].pairs[0].kappa).toBeNull();
  });
});

describe('browse and statistics of a multi-label project', () => {
  it('show each document’s label set and count a document under each of its labels, once in the totals', async () => {
    const fx = await makeMultiProject(t.core, TEXTS, (i) => (i < 4 ? 'train' : 'test'));
    const { a, b } = fx.labels;
    const q = { kind: 'all' as const };
    const give = (i: number, labelSet: number[]): Promise<unknown> =>
      t.core.call('review.annotate', {
        projectId: fx.projectId,
        exampleId: fx.examples[i],
        labelSet,
        queue: q,
      });
    await give(0, [a, b]);
    await give(1, [a]);
    await give(2, []);
    await give(4, [b]);
    const page = await t.core.call('dataset.browse', { projectId: fx.projectId, limit: 10, filters: {} });
    expect(page.rows.map((r) => r.labelSet)).toEqual([['a', 'b'], ['a'], [], null, ['b'], null]);
    const s = await t.core.call('dataset.stats', { projectId: fx.projectId });
    // Four documents answered (none of these included), two not.
    expect(s.labelled).toBe(4);
    const per = new Map(s.perLabel.map((l) => [l.name, l.counts]));
    expect(per.get('a')).toMatchObject({ train: 2, test: 0 });
    expect(per.get('b')).toMatchObject({ train: 1, test: 1 });
    expect(per.get(null)).toMatchObject({ train: 1, test: 1 });
  });
});
