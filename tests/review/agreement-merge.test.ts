import { afterEach, describe, expect, it } from 'vitest';
import { humanLabels } from '../../src/main/core/labels';
import { cohenKappa, fleissKappa } from '../../src/main/features/review/agreement';
import { queueIds } from '../../src/main/features/review/queues';
import { testCore } from '../helpers';
import { makeProject } from './fixture';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});
type TestCore = Awaited<ReturnType<typeof testCore>>['core'];
async function open(): Promise<TestCore> {
  const t = await testCore();
  closers.push(() => t.close());
  return t.core;
}

/** One label given in the review step's "all" queue, as an annotator would. */
async function annotate(
  core: TestCore,
  projectId: number,
  exampleId: number,
  labelId: number,
  annotator: string,
  timeSpentMs?: number,
): Promise<void> {
  await core.call('review.annotate', {
    projectId,
    exampleId,
    labelId,
    queue: { kind: 'all' },
    annotator,
    ...(timeSpentMs === undefined ? {} : { timeSpentMs }),
  });
}

describe('kappa (hand-computed values)', () => {
  it("Cohen's kappa: 50 documents, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no is 0.4", () => {
    // po = 35/50 = 0.7; pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / 0.5
    expect(
      cohenKappa([
        [20, 5],
        [10, 15],
      ]),
    ).toBeCloseTo(0.4, 10);
    expect(
      cohenKappa([
        [7, 0],
        [0, 0],
      ]),
    ).toBeNull();
  });

  it("Fleiss' kappa: the textbook table of 10 subjects, 14 raters, 5 categories is 0.210", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    expect(fleissKappa(table)).toBeCloseTo(0.21, 2);
    expect(
      fleissKappa([
        [2, 0],
        [1, 0],
      ]),
    ).toBeNull();
  });
});

describe('agreement between annotators', () => {
  it('gives Cohen per pair with the confusion, Fleiss over documents all labelled, and a queue of disagreements', async () => {
    const core = await open();
    const fx = await makeProject(core, ['d1', 'd2', 'd3', 'd4', 'd5']);
    const F = fx.labels.fair;
    const U = fx.labels.unfair;
    const given: Record<string, number[]> = {
      alice: [F, U, F, U],
      bob: [F, U, F, U],
      carol: [F, U, U, F],
    };
    for (const [annotator, labels] of Object.entries(given)) {
      for (let i = 0; i < labels.length; i++) {
        await annotate(core, fx.projectId, fx.examples[i], labels[i], annotator);
      }
    }
    // Carol changed her mind on d5: only her latest counts, and d5 has a single annotator.
    await annotate(core, fx.projectId, fx.examples[4], F, 'carol');
    const r = await core.call('review.agreement', { projectId: fx.projectId });
    expect(r.annotators).toEqual(['alice', 'bob', 'carol']);
    const ab = r.pairs.find((p) => p.a === 'alice' && p.b === 'bob');
    expect(ab).toMatchObject({
      overlap: 4,
      agreed: 4,
      kappa: 1,
      confusion: [
        [2, 0],
        [0, 2],
      ],
    });
    const ac = r.pairs.find((p) => p.a === 'alice' && p.b === 'carol');
    // 2 agree of 4, marginals 0.5/0.5 each: po 0.5, pe 0.5, kappa 0.
    expect(ac).toMatchObject({
      overlap: 4,
      agreed: 2,
      confusion: [
        [1, 1],
        [1, 1],
      ],
    });
    expect(ac?.kappa).toBeCloseTo(0, 10);
    // Per document [fair, unfair] counts: [3,0], [0,3], [2,1], [1,2]: P = 2/3, Pe = 1/2, kappa = 1/3.
    expect(r.fleiss?.documents).toBe(4);
    expect(r.fleiss?.kappa).toBeCloseTo(1 / 3, 10);
    expect(r.disagreements).toBe(2);
    expect(queueIds(core.db, fx.projectId, { kind: 'conflicts' })).toEqual([fx.examples[2], fx.examples[3]]);

    const two = await core.call('review.agreement', {
      projectId: fx.projectId,
      annotators: ['alice', 'bob'],
    });
    expect(two.disagreements).toBe(0);
    expect(two.fleiss?.kappa).toBeCloseTo(1, 10);
  });
});

describe('import and export of annotations (JSONL)', () => {
  const TEXTS = ['First clause.', 'Second clause.', 'Third clause.', 'Fourth <b>clause</b>.'];

  it('carries labels, annotators and times to another machine, and importing twice adds nothing', async () => {
    const a = await open();
    const fa = await makeProject(a, TEXTS);
    await annotate(a, fa.projectId, fa.examples[0], fa.labels.fair, 'alice', 1200);
    await annotate(a, fa.projectId, fa.examples[3], fa.labels.unfair, 'alice');
    // A change of mind exports only the current label.
    await annotate(a, fa.projectId, fa.examples[0], fa.labels.unfair, 'alice', 900);
    const out = await a.call('review.export', { projectId: fa.projectId });
    expect(out.count).toBe(2);

    const b = await open();
    // The other machine imported the same documents in another order.
    const fb = await makeProject(b, [...TEXTS].reverse());
    const preview = await b.call('review.import', {
      projectId: fb.projectId,
      jsonl: out.jsonl,
      dryRun: true,
    });
    expect(preview).toMatchObject({ lines: 2, imported: 0, dryRun: true, conflicts: [] });
    expect(humanLabels(b.db, fb.projectId).size).toBe(0);
    const done = await b.call('review.import', { projectId: fb.projectId, jsonl: out.jsonl });
    expect(done).toMatchObject({ imported: 2, duplicates: 0, dryRun: false });
    const labels = humanLabels(b.db, fb.projectId);
    expect(labels.get(fb.examples[3])).toBe(fb.labels.unfair); // 'First clause.'
    expect(labels.get(fb.examples[0])).toBe(fb.labels.unfair); // 'Fourth <b>clause</b>.'
    const row = b.db
      .prepare('SELECT annotator, source, time_spent_ms FROM annotations WHERE example_id = ?')
      .get(fb.examples[3]);
    expect(row).toEqual({ annotator: 'alice', source: 'merge', time_spent_ms: 900 });
    const again = await b.call('review.import', { projectId: fb.projectId, jsonl: out.jsonl });
    expect(again).toMatchObject({ imported: 0, duplicates: 2 });
    expect(b.db.prepare('SELECT COUNT(*) AS n FROM annotations').get()).toEqual({ n: 2 });
  });

  it('reports unknown documents, unknown labels and bad lines, and imports nothing unless partial is chosen', async () => {
    const core = await open();
    const fx = await makeProject(core, TEXTS);
    const out = await (async () => {
      const other = await open();
      const fo = await makeProject(other, [...TEXTS, 'A document only the other machine has.']);
      other.db
        .prepare(
          "INSERT INTO labels (project_id, name, position, created_at) VALUES (?, 'other', 2, '2026-01-01T00:00:00.000Z')",
        )
        .run(fo.projectId);
      const otherLabel = (
        other.db.prepare("SELECT id FROM labels WHERE name = 'other'").get() as { id: number }
      ).id;
      await annotate(other, fo.projectId, fo.examples[0], fo.labels.fair, 'bob');
      await annotate(other, fo.projectId, fo.examples[4], fo.labels.fair, 'bob');
      await annotate(other, fo.projectId, fo.examples[1], otherLabel, 'bob');
      return (await other.call('review.export', { projectId: fo.projectId })).jsonl;
    })();
    const jsonl = out + '{not json\n{"label":"fair"}\n';
    const refused = await core.call('review.import', { projectId: fx.projectId, jsonl });
    expect(refused).toMatchObject({ lines: 5, imported: 0, dryRun: true });
    expect(refused.unknownExamples.map((p) => p.line)).toEqual([2]);
    expect(refused.unknownLabels.map((p) => p.line)).toEqual([3]);
    expect(refused.invalid.map((p) => p.line)).toEqual([4, 5]);
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM annotations').get()).toEqual({ n: 0 });

    const partial = await core.call('review.import', { projectId: fx.projectId, jsonl, allowPartial: true });
    expect(partial).toMatchObject({ imported: 1, dryRun: false });
    expect(humanLabels(core.db, fx.projectId)).toEqual(new Map([[fx.examples[0], fx.labels.fair]]));
  });

  it('shows conflicts and never overwrites silently: skip keeps ours, theirs takes theirs', async () => {
    const other = await open();
    const fo = await makeProject(other, TEXTS);
    await annotate(other, fo.projectId, fo.examples[1], fo.labels.unfair, 'bob');
    const { jsonl } = await other.call('review.export', { projectId: fo.projectId });

    const core = await open();
    const fx = await makeProject(core, TEXTS);
    await annotate(core, fx.projectId, fx.examples[1], fx.labels.fair, 'alice');
    const skipped = await core.call('review.import', { projectId: fx.projectId, jsonl });
    expect(skipped.imported).toBe(0);
    expect(skipped.conflicts).toEqual([
      {
        line: 1,
        exampleId: fx.examples[1],
        currentLabel: 'fair',
        currentAnnotator: 'alice',
        importedLabel: 'unfair',
        importedAnnotator: 'bob',
      },
    ]);
    expect(humanLabels(core.db, fx.projectId).get(fx.examples[1])).toBe(fx.labels.fair);

    const taken = await core.call('review.import', { projectId: fx.projectId, jsonl, onConflict: 'theirs' });
    expect(taken.imported).toBe(1);
    expect(humanLabels(core.db, fx.projectId).get(fx.examples[1])).toBe(fx.labels.unfair);
    const history = await core.call('review.history', { projectId: fx.projectId });
    expect(history.filter((h) => h.action === 'import_annotations')).toHaveLength(2);
  });
});
