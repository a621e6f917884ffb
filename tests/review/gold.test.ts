import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { goldLabels, humanLabels } from '../../src/main/core/labels';
import { nowIso } from '../../src/main/core/time';
import { goldExamples } from '../../src/main/features/evaluation/evaluate';
import { coreForEachTest } from '../helpers';
import { addTeacherRun, makeProject, type Fixture } from './fixture';

const t = coreForEachTest();

const TEXTS = Array.from({ length: 8 }, (_, i) => `Clause number ${i} of the terms.`);

/** Documents 0-3 on train, 4-7 on test; the teacher says "unfair" at 0.95 for every one. */
async function project(): Promise<Fixture> {
  const fx = await makeProject(t.core, TEXTS, { split: (i) => (i < 4 ? 'train' : 'test') });
  addTeacherRun(
    t.core,
    fx,
    fx.examples.map((exampleId) => ({ exampleId, pUnfair: 0.95 })),
  );
  return fx;
}

const q = { kind: 'unreviewed' as const };

describe('the gold test set holds only labels a person chose', () => {
  it('refuses to accept the teacher on a test document; a label the person picks there is gold', async () => {
    const fx = await project();
    const test = fx.examples[4];
    await expect(
      t.core.call('review.annotate', {
        projectId: fx.projectId,
        exampleId: test,
        labelId: fx.labels.unfair,
        acceptTeacher: true,
        queue: q,
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/test split/) });
    expect(t.core.db.prepare('SELECT COUNT(*) AS n FROM annotations').get()).toEqual({ n: 0 });

    // The person picks the same label the teacher gave: their choice, recorded as such, and gold.
    await t.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: test,
      labelId: fx.labels.unfair,
      queue: q,
    });
    expect(t.core.db.prepare('SELECT source, accepted_teacher FROM annotations').get()).toEqual({
      source: 'human',
      accepted_teacher: 1,
    });
    expect([...goldLabels(t.core.db, fx.projectId)]).toEqual([[test, fx.labels.unfair]]);

    // On the training split accepting the teacher is fine and recorded as an acceptance.
    await t.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: fx.examples[0],
      labelId: fx.labels.unfair,
      acceptTeacher: true,
      queue: q,
    });
    expect(
      t.core.db.prepare('SELECT source FROM annotations WHERE example_id = ?').get(fx.examples[0]),
    ).toEqual({ source: 'teacher_accept' });
  });

  it('bulk accept leaves the test split out of "all splits" and refuses it when asked for it', async () => {
    const fx = await project();
    const preview = await t.core.call('review.bulkPreview', {
      projectId: fx.projectId,
      queue: { kind: 'unreviewed', split: null },
      minConfidence: 0.9,
    });
    expect(preview.count).toBe(4);
    await expect(
      t.core.call('review.bulkAccept', {
        projectId: fx.projectId,
        queue: { kind: 'unreviewed', split: 'test' },
        minConfidence: 0.5,
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const job = await t.core.call('review.bulkAccept', {
      projectId: fx.projectId,
      queue: { kind: 'all' },
      minConfidence: 0.5,
    });
    expect(await t.core.jobs.wait(job.id)).toMatchObject({ state: 'completed', result: { accepted: 4 } });
    const labelled = t.core.db
      .prepare(
        'SELECT e.split, a.source, COUNT(*) AS n FROM annotations a JOIN examples e ON e.id = a.example_id GROUP BY 1, 2',
      )
      .all();
    expect(labelled).toEqual([{ split: 'train', source: 'bulk', n: 4 }]);
    expect(goldLabels(t.core.db, fx.projectId).size).toBe(0);
  });

  it('never counts an accepted teacher label as gold, even one recorded before this rule or merged from a file', async () => {
    const fx = await project();
    const [, , , , a, b, c, d] = fx.examples;
    const insert = t.core.db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, accepted_teacher, created_at)
       VALUES (?, ?, ?, 'alice', ?, 1, ?)`,
    );
    // a: accepted from the teacher only; b: a person's label, then a later teacher acceptance on top.
    insert.run(fx.projectId, a, fx.labels.unfair, 'teacher_accept', '2026-01-01T00:00:00.000Z');
    insert.run(fx.projectId, b, fx.labels.fair, 'human', '2026-01-01T00:00:00.000Z');
    insert.run(fx.projectId, b, fx.labels.unfair, 'bulk', '2026-01-02T00:00:00.000Z');
    // c: merged from another machine where it was a teacher acceptance; d: merged, chosen by a person there.
    const hash = (i: number): string => createHash('sha256').update(TEXTS[i]).digest('hex').slice(0, 32);
    const line = (i: number, source: string): string =>
      JSON.stringify({ textHash: hash(i), label: 'unfair', annotator: 'carol', source, createdAt: nowIso() });
    const merged = await t.core.call('review.import', {
      projectId: fx.projectId,
      jsonl: [line(6, 'teacher_accept'), line(7, 'human')].join('\n'),
    });
    expect(merged.imported).toBe(2);

    // Training sees every current label; the gold set only what a person chose.
    const human = humanLabels(t.core.db, fx.projectId, { split: 'test' });
    expect(human.get(a)).toBe(fx.labels.unfair);
    expect(human.get(b)).toBe(fx.labels.unfair);
    expect(human.get(c)).toBe(fx.labels.unfair);
    const gold = goldLabels(t.core.db, fx.projectId);
    expect([...gold].sort((x, y) => x[0] - y[0])).toEqual([
      [b, fx.labels.fair],
      [d, fx.labels.unfair],
    ]);
    expect(goldExamples(t.core.db, fx.projectId).map((g) => g.id)).toEqual([b, d]);
    const summary = await t.core.call('review.gold', { projectId: fx.projectId });
    expect(summary.labelled).toBe(2);
  });
});
