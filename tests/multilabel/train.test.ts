import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import type { Db } from '../../src/main/core/store/db';
import { multiLabelDistillLoss } from '../../src/main/features/student/distillMultilabel';
import { fastTextGradients } from '../../src/main/features/student/fastTextArch';
import { linearLogits, meanEmbedding } from '../../src/main/features/student/model';
import { loadStudent } from '../../src/main/features/student/predictor';
import { thresholdsWithSharedFallback } from '../../src/main/features/evaluation/multilabelMetrics';
import { buildMultiLabelTrainingSet } from '../../src/main/features/student/multilabelData';
import { RowGrad } from '../../src/main/features/student/training/slots';
import { DEFAULT_TRAIN_SETTINGS, MIN_THRESHOLD_POSITIVES } from '../../src/shared/student';
import type { StudentRunDetail } from '../../src/shared/student';
import { loadStudentRuntime } from '../../src/main/features/export/runtime/student-runtime';
import { tempDir, testCore } from '../helpers';
import { insertTeacherRun } from '../student/fixtures';
import { claudetteProject } from './fixture';

/** A multi-label project stored the way the Data step stores one: label sets as sorted JSON arrays of label ids. */
function insertMultiProject(
  db: Db,
  labels: readonly string[],
  examples: ReadonlyArray<{ text: string; split: string; set: string[] | null }>,
): { projectId: number; ids: Map<string, number>; exampleIds: number[] } {
  const now = new Date().toISOString();
  const projectId = Number(
    db
      .prepare("INSERT INTO projects (name, kind, created_at, updated_at) VALUES ('m', 'multi', ?, ?)")
      .run(now, now).lastInsertRowid,
  );
  const ids = new Map<string, number>();
  labels.forEach((name, i) =>
    ids.set(
      name,
      Number(
        db
          .prepare('INSERT INTO labels (project_id, name, position, created_at) VALUES (?, ?, ?, ?)')
          .run(projectId, name, i, now).lastInsertRowid,
      ),
    ),
  );
  const exampleIds = examples.map((e) => {
    const id = Number(
      db
        .prepare(
          'INSERT INTO examples (project_id, text, length, split, excluded, created_at) VALUES (?, ?, ?, ?, 0, ?)',
        )
        .run(projectId, e.text, e.text.length, e.split, now).lastInsertRowid,
    );
    if (e.set) {
      const set = e.set.map((n) => ids.get(n) ?? 0).sort((a, b) => a - b);
      db.prepare(
        `INSERT INTO annotations (project_id, example_id, label_id, label_set, annotator, source, created_at)
         VALUES (?, ?, NULL, ?, 'import', 'import', ?)`,
      ).run(projectId, id, JSON.stringify(set), now);
    }
    return id;
  });
  return { projectId, ids, exampleIds };
}

describe('multi-label training set', () => {
  it('reads human label sets and independent teacher probabilities; the human set wins a disagreement', async () => {
    const t = await testCore();
    try {
      const { projectId, ids, exampleIds } = insertMultiProject(
        t.core.db,
        ['a', 'b', 'c'],
        [
          { text: 'both', split: 'train', set: ['a', 'c'] },
          { text: 'none of these', split: 'train', set: [] },
          { text: 'teacher only', split: 'train', set: null },
          { text: 'disagrees', split: 'train', set: ['b'] },
          { text: 'val human', split: 'validation', set: ['b', 'c'] },
          { text: 'val teacher', split: 'validation', set: null },
          { text: 'test', split: 'test', set: ['a'] },
        ],
      );
      // The run's snapshot order (c, a, b) differs from the project's: probabilities are reordered, not normalised.
      const snapshot = ['c', 'a', 'b'].map((name) => ({ id: ids.get(name) ?? 0, name }));
      insertTeacherRun(t.core.db, projectId, snapshot, [
        { exampleId: exampleIds[0], probs: [0.8, 0.9, 0.1] }, // a, c: agrees
        { exampleId: exampleIds[2], probs: [0.7, 0.2, 0.6] }, // b, c
        { exampleId: exampleIds[3], probs: [0.1, 0.9, 0.1] }, // a, not b: disagrees
        { exampleId: exampleIds[5], probs: [0.9, 0.1, 0.1] }, // c
        { exampleId: exampleIds[6], probs: [0.9, 0.9, 0.9] },
      ]);
      const set = buildMultiLabelTrainingSet(t.core.db, projectId, DEFAULT_TRAIN_SETTINGS);
      expect(set.data.kind).toBe('multi');
      expect(set.data.train).toEqual([
        { text: 'both', labels: [0, 2], teacher: [0.9, 0.1, 0.8] },
        { text: 'none of these', labels: [], teacher: null },
        { text: 'teacher only', labels: null, teacher: [0.2, 0.6, 0.7] },
        { text: 'disagrees', labels: [1], teacher: null },
      ]);
      expect(set.data.validation).toEqual([
        { text: 'val human', labels: [1, 2], fromTeacher: false },
        { text: 'val teacher', labels: [2], fromTeacher: true },
      ]);
      expect(set.snapshot).toMatchObject({ humanCount: 3, teacherCount: 1, conflictCount: 1 });
      // a: 1 positive of 3 human sets -> 2; b: 1 of 3 -> 2; c: 1 of 3 -> 2.
      expect(set.data.positiveWeights).toEqual([2, 2, 2]);
      expect(set.trainExampleIds).not.toContain(exampleIds[6]);
    } finally {
      await t.close();
    }
  });
});

describe("the loop's multi-label loss through the fastText student", () => {
  it('matches finite differences of the pure forward pass and multiLabelDistillLoss', () => {
    const dim = 4;
    const k = 3;
    const emb = Float32Array.from({ length: 5 * dim }, (_, i) => 0.3 * Math.sin(i + 1));
    const weight = Float32Array.from({ length: k * dim }, (_, i) => 0.5 * Math.cos(i));
    const bias = Float32Array.of(0.1, -0.2, 0.05);
    const inputs = [Int32Array.of(0, 1, 2), Int32Array.of(3), Int32Array.of(4, 1)];
    const targets = [
      { labels: [1, 0, 1], teacher: [0.8, 0.3, 0.6] },
      { labels: [0, 0, 0], teacher: null },
      { labels: null, teacher: [0.1, 0.9, 0.5] },
    ];
    const opts = { alpha: 0.4, temperature: 2, positiveWeights: [3, 1, 2] };
    const weights = Float64Array.of(1, 1, 1);
    const pure = (): number => {
      const h = new Float64Array(dim);
      const z = new Float64Array(k);
      let sum = 0;
      inputs.forEach((x, i) => {
        meanEmbedding(x, (s) => s, emb, dim, h);
        linearLogits(h, weight, bias, z);
        sum += multiLabelDistillLoss(z, targets[i], opts).loss;
      });
      return sum / inputs.length;
    };
    const rows = new RowGrad(5, dim);
    rows.begin();
    const g = fastTextGradients(
      { emb, weight, bias, dim },
      { examples: Uint32Array.of(0, 1, 2), inputs, targets, weights, step: 0 },
      (z, tgt) => multiLabelDistillLoss(z, tgt, opts),
      rows,
    );
    const numeric = (a: Float32Array, i: number): number => {
      const keep = a[i];
      a[i] = keep + 1e-3;
      const up = pure();
      const stepUp = a[i] - keep;
      a[i] = keep - 1e-3;
      const down = pure();
      const stepDown = keep - a[i];
      a[i] = keep;
      return (up - down) / (stepUp + stepDown);
    };
    for (let i = 0; i < weight.length; i++) expect(g.weight[i]).toBeCloseTo(numeric(weight, i), 5);
    for (let i = 0; i < bias.length; i++) expect(g.bias[i]).toBeCloseTo(numeric(bias, i), 5);
    for (let i = 0; i < emb.length; i++) expect(rows.g[i]).toBeCloseTo(numeric(emb, i), 5);
  });
});

describe('training a multi-label student through the training job (CLAUDETTE subset)', () => {
  let t: Awaited<ReturnType<typeof testCore>>;
  let core: Core;
  let dir: ReturnType<typeof tempDir>;
  let projectId: number;
  let run: StudentRunDetail;
  beforeAll(async () => {
    t = await testCore();
    core = t.core;
    dir = tempDir('distillery-ml-train-');
    projectId = (await claudetteProject(core, dir.dir)).projectId;
    const { run: created, job } = await core.call('student.train', { projectId, settings: { maxEpochs: 8 } });
    const done = await core.jobs.wait(job.id);
    expect(done.state, done.error ?? '').toBe('completed');
    run = await core.call('student.run', { runId: created.id });
  }, 300_000);
  afterAll(async () => {
    await t.close();
    dir.cleanup();
  });

  it('records multi-label validation metrics each epoch and stops on macro-F1', () => {
    expect(run.kind).toBe('multi');
    expect(run.state).toBe('completed');
    expect(run.epochs.length).toBeGreaterThan(1);
    for (const e of run.epochs) {
      expect(e.valMicroF1).toBeGreaterThanOrEqual(0);
      expect(e.valSamplesF1).toBeGreaterThanOrEqual(0);
      expect(e.valHumanCount).toBe(run.data.validationCount);
    }
    const best = run.epochs.find((e) => e.epoch === run.bestEpoch);
    expect(run.bestMetric).toBeCloseTo(Math.max(...run.epochs.map((e) => e.valMacroF1)), 12);
    expect(best?.valMacroF1).toBe(run.bestMetric);
    // A student that learned something: well above predicting "none of these" for every sentence (micro-F1 0).
    expect(best?.valMicroF1).toBeGreaterThan(0.4);
  });

  it('stores independent sigmoid outputs and a tuned threshold per label in the model file', async () => {
    const json = JSON.parse(readFileSync(join(run.modelPath ?? '', 'model.json'), 'utf8')) as {
      kind: string;
      thresholds: number[];
      labels: string[];
    };
    expect(json.kind).toBe('multi');
    expect(json.thresholds).toHaveLength(8);
    expect(run.thresholds).toEqual(json.thresholds);
    // Labels with enough validation positives get their own cut; the rest share one, tuned on all labels pooled
    // (their validation positives together are well above the minimum): what thresholdsWithSharedFallback gives
    // for the saved model's scores of the validation documents.
    const validationPositives = await positivesOnValidation(core, projectId, json.labels);
    const rare = json.labels.flatMap((_, k) => (validationPositives[k] < MIN_THRESHOLD_POSITIVES ? [k] : []));
    expect(rare.length).toBeGreaterThan(0);
    expect(new Set(rare.map((k) => json.thresholds[k])).size).toBe(1);
    expect(json.thresholds[rare[0]]).not.toBe(0.5);
    const predictor = await loadStudent(run.modelPath ?? '');
    const validation = validationSets(core, projectId, json.labels);
    const expected = thresholdsWithSharedFallback(
      validation.map((d) => d.y),
      await predictor.predict(validation.map((d) => d.text)),
      0.5,
      MIN_THRESHOLD_POSITIVES,
    );
    json.thresholds.forEach((th, k) => expect(th).toBeCloseTo(expected[k], 6));
    const [p] = await predictor.predict(['we may terminate your account at any time without notice']);
    predictor.dispose();
    expect(predictor.kind).toBe('multi');
    expect(p).toHaveLength(8);
    expect(p.every((x) => x > 0 && x < 1)).toBe(true);
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeGreaterThan(1e-6);
  });

  it('evaluates on the gold test set with intervals, curves and co-occurrence, and tunes a threshold to a recall target', async () => {
    const e = await core.call('evaluation.multiEvaluate', { projectId, runId: run.id, iterations: 200 });
    expect(e.kind).toBe('multi');
    expect(e.thresholdSource).toBe('model');
    expect(e.thresholds).toEqual(run.thresholds);
    expect(e.n).toBeGreaterThan(200);
    for (const m of [e.microF1, e.macroF1, e.samplesF1, e.hammingLoss, e.subsetAccuracy, e.lrap]) {
      expect(m.value).not.toBeNull();
      expect(m.low ?? 2).toBeLessThanOrEqual(m.value ?? -1);
      expect(m.high ?? -1).toBeGreaterThanOrEqual(m.value ?? 2);
    }
    expect(e.microF1.value).toBeGreaterThan(0.4);
    expect(e.perLabel).toHaveLength(8);
    const withPositives = e.perLabel.filter((l) => l.support > 0);
    expect(withPositives.every((l) => l.roc !== null && l.pr !== null && l.rocAuc !== null)).toBe(true);
    // Co-occurrence: the diagonal is each label's support; predicted-vs-true's diagonal its true positives.
    e.perLabel.forEach((l, k) => {
      expect(e.coOccurrence[k][k]).toBe(l.support);
      expect(e.predictedVsTrue[k][k]).toBe(Math.round(l.recall * l.support));
    });
    expect(await core.call('evaluation.multiGet', { projectId, runId: run.id })).toEqual(e);

    // Recall of the most frequent label >= 0.95 on validation: its threshold drops, the others stay.
    const label = e.perLabel.reduce((a, b) => (b.support > a.support ? b : a)).label;
    const k = e.labels.indexOf(label);
    const saved = await core.call('evaluation.multiThresholds', {
      projectId,
      runId: run.id,
      tune: { label, by: 'recall', value: 0.95 },
    });
    expect(saved?.targets).toEqual([
      expect.objectContaining({ label, by: 'recall', value: 0.95, met: true }),
    ]);
    expect(saved?.thresholds[k]).toBeLessThan(e.thresholds[k]);
    saved?.thresholds.forEach((th, l) => l !== k && expect(th).toBe(e.thresholds[l]));
    const again = await core.call('evaluation.multiEvaluate', { projectId, runId: run.id, iterations: 0 });
    expect(again.thresholdSource).toBe('saved');
    expect(again.perLabel[k].recall).toBeGreaterThanOrEqual(e.perLabel[k].recall);
    expect((await core.call('student.run', { runId: run.id })).thresholds).toEqual(saved?.thresholds);
    await expect(
      core.call('evaluation.multiThresholds', { projectId, runId: run.id, thresholds: [0.5] }),
    ).rejects.toThrow(/one threshold per label/);
    expect(
      await core.call('evaluation.multiThresholds', { projectId, runId: run.id, reset: true }),
    ).toBeNull();
    expect((await core.call('student.run', { runId: run.id })).thresholds).toEqual(run.thresholds);
  });

  it('the export runtime returns every label at or above its threshold, with its probability', () => {
    const runtime = loadStudentRuntime(
      readFileSync(join(run.modelPath ?? '', 'model.json'), 'utf8'),
      readFileSync(join(run.modelPath ?? '', 'weights.bin')),
      { labelThresholds: new Array<number>(8).fill(0.01) },
    );
    expect(runtime.kind).toBe('multi');
    expect(runtime.thresholds).toEqual(new Array<number>(8).fill(0.01));
    const [p] = runtime.predict(['we may terminate your account at any time without notice']);
    expect(p.labelSet?.map((l) => l.label).sort()).toEqual(
      runtime.labels.filter((_, k) => p.probs[k] >= 0.01).sort(),
    );
    expect(p.label).toBe(p.labelSet?.map((l) => l.label).join('|'));
    const strict = loadStudentRuntime(
      readFileSync(join(run.modelPath ?? '', 'model.json'), 'utf8'),
      readFileSync(join(run.modelPath ?? '', 'weights.bin')),
    );
    expect(strict.thresholds).toEqual(run.thresholds);
  });

  it('refuses a student architecture whose head the loop does not drive', async () => {
    await expect(
      core.call('student.train', { projectId, settings: { architecture: 'cnn' } }),
    ).rejects.toThrow(/single-label projects only/);
  });
});

/** The validation documents with a human label set, as 0/1 rows in `labels` order. */
function validationSets(
  core: Core,
  projectId: number,
  labels: readonly string[],
): Array<{ text: string; y: number[] }> {
  const rows = core.db
    .prepare(
      `SELECT e.text AS text, (SELECT json_group_array(l.name) FROM json_each(h.label_set) j
         JOIN labels l ON l.id = j.value) AS names
       FROM human_label_sets h JOIN examples e ON e.id = h.example_id
       WHERE h.project_id = ? AND e.split = 'validation' AND e.excluded = 0`,
    )
    .all(projectId) as Array<{ text: string; names: string }>;
  return rows.map((r) => {
    const names = JSON.parse(r.names) as string[];
    return { text: r.text, y: labels.map((l) => (names.includes(l) ? 1 : 0)) };
  });
}

async function positivesOnValidation(
  core: Core,
  projectId: number,
  labels: readonly string[],
): Promise<number[]> {
  const rows = core.db
    .prepare(
      `SELECT l.name AS name, COUNT(*) AS n FROM human_label_sets h JOIN examples e ON e.id = h.example_id,
         json_each(h.label_set) j JOIN labels l ON l.id = j.value
       WHERE h.project_id = ? AND e.split = 'validation' GROUP BY l.name`,
    )
    .all(projectId) as Array<{ name: string; n: number }>;
  return labels.map((name) => rows.find((r) => r.name === name)?.n ?? 0);
}
