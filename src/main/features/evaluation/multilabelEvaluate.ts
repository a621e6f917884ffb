import { isAbsolute, join } from 'node:path';
import type { MetricInterval } from '../../../shared/evaluation';
import type {
  MultiLabelEvaluation,
  MultiLabelEvaluationSummary,
  MultiLabelOverview,
  SavedLabelThresholds,
} from '../../../shared/multilabelEvaluation';
import {
  MultiLabelThresholdsRequest,
  parseSavedLabelThresholds,
  StoredMultiLabelEvaluation,
} from '../../../shared/multilabelEvaluation';
import { DEFAULT_LABEL_THRESHOLD, StoredLabelNames } from '../../../shared/student';
import type { z } from 'zod';
import { audit } from '../../core/audit';
import { AppError, notFound } from '../../core/errors';
import { getSettings } from '../app/settings';
import type { CoreContext } from '../../core/feature';
import { goldLabelSets, humanLabelSets, projectKind, projectLabels } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import type { StudentPredictor } from '../student/predictor';
import { getRun, modelThresholds as trainedThresholds } from '../student/runs';
import { latestEvaluationRow, replaceEvaluation } from './evaluate';
import { modelInfo } from './modelInfo';
import { finiteOrNull } from './compute';
import type { StudentLoader } from './evaluate';
import {
  coOccurrence,
  labelCurves,
  multiLabelIntervals,
  multiLabelReport,
  predictSets,
  tuneThresholds,
} from './multilabelMetrics';
import type { Curve, Interval } from './metrics';
import { readStoredJson, readStoredJsonOr, storedColumn } from '../../core/store/storedJson';

/**
 * Multi-label students in the Evaluate step (issue 16): the gold test set's label sets against the student's
 * independent per-label probabilities at the run's thresholds (those saved in Evaluate, else the model's, tuned in
 * training), every metric of multilabelMetrics.ts with bootstrap intervals, per-label curves and co-occurrence.
 * Stored in `metrics` (kind 'eval_multi'), one per run. Thresholds are tuned on the validation split only.
 */

interface RunRow {
  id: number;
  project_id: number;
  labels_snapshot: string;
  model_path: string | null;
  threshold: string | null;
}

/** A multi-label project's trained run, with the label names it was trained on. */
function runRow(db: Db, projectId: number, runId: number): RunRow & { labels: string[] } {
  const r = db
    .prepare('SELECT id, project_id, labels_snapshot, model_path, threshold FROM student_runs WHERE id = ?')
    .get(runId) as RunRow | undefined;
  if (!r || r.project_id !== projectId) throw notFound('Training run', runId);
  if (projectKind(db, projectId) !== 'multi') {
    throw AppError.keyed('CONFLICT', 'evaluation.projectTakesOneLabel', {});
  }
  if (!r.model_path) {
    throw AppError.keyed('CONFLICT', 'evaluation.trainingRunHasTrained', { runId });
  }
  const labels = readStoredJsonOr(
    StoredLabelNames,
    r.labels_snapshot,
    [],
    storedColumn('student_runs.labels_snapshot', { id: r.id }),
  );
  return { ...r, labels };
}

async function withPredictor<T>(
  ctx: CoreContext,
  row: RunRow,
  load: StudentLoader,
  use: (p: StudentPredictor) => Promise<T>,
): Promise<T> {
  const path = row.model_path ?? '';
  const predictor = await load(isAbsolute(path) ? path : join(ctx.paths.dataDir, path));
  try {
    if (predictor.kind !== 'multi') {
      throw AppError.keyed('CONFLICT', 'evaluation.modelTrainingRunSingle', { id: row.id });
    }
    return await use(predictor);
  } finally {
    predictor.dispose();
  }
}

/** The documents of one split with a label set (gold: a person's, on the test split), as 0/1 rows in run order. */
function labelledDocuments(
  db: Db,
  projectId: number,
  labels: readonly string[],
  split: 'test' | 'validation',
): Array<{ id: number; text: string; y: number[] }> {
  const sets = split === 'test' ? goldLabelSets(db, projectId) : humanLabelSets(db, projectId, { split });
  const position = new Map(projectLabels(db, projectId).map((l) => [l.id, labels.indexOf(l.name)] as const));
  const rows = db
    .prepare('SELECT id, text FROM examples WHERE project_id = ? AND split = ? AND excluded = 0 ORDER BY id')
    .all(projectId, split) as Array<{ id: number; text: string }>;
  return rows.flatMap((r) => {
    const set = sets.get(r.id);
    if (set === undefined) return [];
    const y = new Array<number>(labels.length).fill(0);
    for (const id of set) {
      const k = position.get(id) ?? -1;
      if (k >= 0) y[k] = 1;
    }
    return [{ id: r.id, text: r.text, y }];
  });
}

async function scoresOf(p: StudentPredictor, texts: readonly string[]): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += 256) out.push(...(await p.predict(texts.slice(i, i + 256))));
  return out;
}

function points(curve: Curve | null): MultiLabelEvaluation['perLabel'][number]['roc'] {
  if (!curve) return null;
  return curve.x.map((x, i) => ({ x, y: curve.y[i], threshold: finiteOrNull(curve.thresholds[i] ?? NaN) }));
}

function withInterval(value: number, ci: Interval | undefined): MetricInterval {
  return {
    value: finiteOrNull(value),
    low: ci ? finiteOrNull(ci.low) : null,
    high: ci ? finiteOrNull(ci.high) : null,
  };
}

/** Evaluates a multi-label student run on the gold test set and stores the result (replacing its last one). */
export async function evaluateMultiLabel(
  ctx: CoreContext,
  input: { projectId: number; runId: number; seed: number; iterations: number },
  load: StudentLoader,
): Promise<MultiLabelEvaluation> {
  const { db } = ctx;
  const row = runRow(db, input.projectId, input.runId);
  const labels = row.labels;
  const docs = labelledDocuments(db, input.projectId, labels, 'test');
  if (docs.length === 0) {
    throw AppError.keyed('CONFLICT', 'evaluation.testSplitHasDocument', {});
  }
  const { scores, modelThresholds } = await withPredictor(ctx, row, load, async (p) => {
    if (p.labels.join('\u0000') !== labels.join('\u0000')) {
      throw AppError.keyed('CONFLICT', 'evaluation.modelTrainingRunHas', {
        id: row.id,
        labels: p.labels.join(', '),
      });
    }
    return {
      scores: await scoresOf(
        p,
        docs.map((d) => d.text),
      ),
      modelThresholds: p.thresholds,
    };
  });
  const saved = parseSavedLabelThresholds(row.threshold, labels.length);
  const thresholds = [...(saved?.thresholds ?? modelThresholds ?? labels.map(() => DEFAULT_LABEL_THRESHOLD))];
  const y = docs.map((d) => d.y);
  const report = multiLabelReport(y, scores, thresholds);
  const ci = multiLabelIntervals(y, scores, thresholds, { iterations: input.iterations, seed: input.seed });
  const predicted = predictSets(scores, thresholds);
  const k = labels.length;
  const predictedVsTrue = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  y.forEach((row, i) => {
    for (let a = 0; a < k; a++) {
      if (!row[a]) continue;
      for (let b = 0; b < k; b++) if (predicted[i][b]) predictedVsTrue[a][b]++;
    }
  });
  const createdAt = nowIso();
  const payload: Omit<MultiLabelEvaluation, 'id'> = {
    kind: 'multi',
    model: { kind: 'student', runId: row.id },
    modelName: `Student run ${row.id}`,
    createdAt,
    labels,
    n: docs.length,
    missing: 0,
    goldNone: y.filter((r) => r.every((v) => v === 0)).length,
    thresholds,
    thresholdSource: saved ? 'saved' : 'model',
    microF1: withInterval(report.microF1, ci.microF1),
    macroF1: withInterval(report.macroF1, ci.macroF1),
    samplesF1: withInterval(report.samplesF1, ci.samplesF1),
    hammingLoss: withInterval(report.hammingLoss, ci.hammingLoss),
    subsetAccuracy: withInterval(report.subsetAccuracy, ci.subsetAccuracy),
    lrap: withInterval(report.lrap, ci.lrap),
    microPrecision: finiteOrNull(report.microPrecision),
    microRecall: finiteOrNull(report.microRecall),
    microRocAuc: finiteOrNull(report.microRocAuc),
    macroRocAuc: finiteOrNull(report.macroRocAuc),
    macroPrAuc: finiteOrNull(report.macroPrAuc),
    perLabel: report.perLabel.map((r, l) => {
      const curves = labelCurves(y, scores, l);
      return {
        label: labels[l],
        threshold: thresholds[l],
        precision: r.precision,
        recall: r.recall,
        f1: r.f1,
        support: r.support,
        predicted: r.predicted,
        rocAuc: finiteOrNull(r.rocAuc),
        prAuc: finiteOrNull(r.prAuc),
        roc: points(curves.roc),
        pr: points(curves.pr),
      };
    }),
    coOccurrence: coOccurrence(y),
    predictedVsTrue,
    seed: input.seed,
    iterations: input.iterations,
  };
  const id = replaceEvaluation(
    db,
    input.projectId,
    payload.model,
    'eval_multi',
    payload.microF1.value,
    payload,
  );
  return { id, ...payload };
}

export function storedMultiLabelEvaluation(
  db: Db,
  projectId: number,
  runId: number,
): MultiLabelEvaluation | null {
  const r = latestEvaluationRow(db, projectId, { kind: 'student', runId }, 'eval_multi');
  if (!r) return null;
  const payload = readStoredJson(
    StoredMultiLabelEvaluation,
    r.payload,
    storedColumn('metrics.payload', { id: r.id }),
  );
  return { ...payload, id: r.id };
}

/** Documents per label in label sets (a set is label ids), in the project's label order. */
function perLabelCounts(
  labels: ReadonlyArray<{ id: number; name: string }>,
  sets: ReadonlyMap<number, readonly number[]>,
): Array<{ label: string; count: number }> {
  return labels.map((l) => ({
    label: l.name,
    count: [...sets.values()].filter((s) => s.includes(l.id)).length,
  }));
}

/**
 * A multi-label project's Evaluate step: its gold test set (label sets a person chose), the validation documents
 * that thresholds are tuned on, and every trained student run with its thresholds in force and last evaluation.
 */
export function multiLabelOverview(db: Db, projectId: number): MultiLabelOverview {
  if (!db.prepare('SELECT id FROM projects WHERE id = ?').get(projectId))
    throw notFound('Project', projectId);
  if (projectKind(db, projectId) !== 'multi') {
    throw AppError.keyed('CONFLICT', 'evaluation.projectTakesOneLabel2', {});
  }
  const labels = projectLabels(db, projectId);
  const gold = goldLabelSets(db, projectId);
  const validation = humanLabelSets(db, projectId, { split: 'validation' });
  const runs = (
    db
      .prepare('SELECT id FROM student_runs WHERE project_id = ? AND model_path IS NOT NULL ORDER BY id DESC')
      .all(projectId) as Array<{ id: number }>
  ).map(({ id }) => {
    const info = modelInfo(db, projectId, { kind: 'student', runId: id });
    const trained = trainedThresholds(getRun(db, id));
    const saved = parseSavedLabelThresholds(info.thresholdJson, info.labels.length);
    const e = storedMultiLabelEvaluation(db, projectId, id);
    const evaluation: MultiLabelEvaluationSummary | null = e
      ? {
          id: e.id,
          createdAt: e.createdAt,
          n: e.n,
          thresholds: e.thresholds,
          thresholdSource: e.thresholdSource,
          microF1: e.microF1,
          macroF1: e.macroF1,
          samplesF1: e.samplesF1,
          hammingLoss: e.hammingLoss,
          subsetAccuracy: e.subsetAccuracy,
          lrap: e.lrap,
        }
      : null;
    const thresholds = saved ? saved.thresholds : trained;
    return {
      runId: id,
      name: info.name,
      createdAt: info.createdAt,
      labels: info.labels.map((l) => l.name),
      thresholds,
      modelThresholds: trained,
      saved,
      evaluation,
      stale:
        evaluation !== null &&
        thresholds !== null &&
        thresholds.some((t, k) => t !== evaluation.thresholds[k]),
    };
  });
  return {
    projectId,
    labels: labels.map((l) => l.name),
    goldCount: gold.size,
    goldNone: [...gold.values()].filter((s) => s.length === 0).length,
    goldPerLabel: perLabelCounts(labels, gold),
    validationCount: validation.size,
    validationPerLabel: perLabelCounts(labels, validation),
    runs,
  };
}

/**
 * Sets the thresholds of a multi-label run (typed in), tunes one label's on the validation documents to a target
 * (F1, or recall / precision at least `value`), or resets them to the model's; saved in student_runs.threshold,
 * used by Evaluate, the playground, batch prediction and export. Returns what is saved (null after a reset).
 */
export async function setLabelThresholds(
  ctx: CoreContext,
  input: z.output<typeof MultiLabelThresholdsRequest>,
  load: StudentLoader,
): Promise<SavedLabelThresholds | null> {
  const { db } = ctx;
  const row = runRow(db, input.projectId, input.runId);
  const labels = row.labels;
  const save = (value: SavedLabelThresholds | null): SavedLabelThresholds | null => {
    db.transaction(() => {
      db.prepare('UPDATE student_runs SET threshold = ? WHERE id = ?').run(
        value ? JSON.stringify(value) : null,
        row.id,
      );
      audit(db, {
        projectId: input.projectId,
        actor: getSettings(db).annotator,
        action: 'set_threshold',
        entity: 'student_run',
        entityId: row.id,
        details: value ?? { reset: true },
      });
    })();
    return value;
  };
  if (input.reset) return save(null);
  const saved = parseSavedLabelThresholds(row.threshold, labels.length);
  if (input.thresholds) {
    if (input.thresholds.length !== labels.length) {
      throw AppError.keyed('INVALID_INPUT', 'evaluation.giveOneThresholdPer', {
        labelsLength: labels.length,
        labels: labels.join(', '),
        thresholdsLength: input.thresholds.length,
      });
    }
    return save({ kind: 'multi', thresholds: input.thresholds, targets: [], savedAt: nowIso() });
  }
  const tune = input.tune;
  if (!tune) {
    throw AppError.keyed('INVALID_INPUT', 'evaluation.giveThresholdsLabelTune', {});
  }
  const l = labels.indexOf(tune.label);
  if (l < 0) {
    throw AppError.keyed('INVALID_INPUT', 'evaluation.labelRunLabels', {
      label: tune.label,
      labels: labels.join(', '),
    });
  }
  if (tune.by !== 'f1' && tune.value === undefined) {
    throw AppError.keyed('INVALID_INPUT', 'evaluation.giveReachBetween', { by: tune.by });
  }
  const docs = labelledDocuments(db, input.projectId, labels, 'validation');
  if (docs.length === 0) {
    throw AppError.keyed('CONFLICT', 'evaluation.validationSplitHasDocument', {});
  }
  const { scores, current } = await withPredictor(ctx, row, load, async (p) => ({
    scores: await scoresOf(
      p,
      docs.map((d) => d.text),
    ),
    current: saved?.thresholds ?? p.thresholds ?? labels.map(() => DEFAULT_LABEL_THRESHOLD),
  }));
  const y = docs.map((d) => [d.y[l]]);
  const s = scores.map((r) => [r[l]]);
  const positives = y.filter((r) => r[0] === 1).length;
  const NOT_REACHED = -1;
  const [tuned] = tuneThresholds(
    y,
    s,
    tune.by === 'f1' ? { target: 'f1' } : { target: tune.by, min: tune.value ?? 1 },
    NOT_REACHED,
    1,
  );
  const met = tuned !== NOT_REACHED;
  const thresholds = [...current];
  if (met) thresholds[l] = tuned;
  const targets = [
    ...(saved?.targets ?? []).filter((t) => t.label !== tune.label),
    { label: tune.label, by: tune.by, value: tune.value ?? null, positives, met },
  ];
  return save({ kind: 'multi', thresholds, targets, savedAt: nowIso() });
}
