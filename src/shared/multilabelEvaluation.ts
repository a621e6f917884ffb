import { z } from 'zod';
import {
  Curve,
  evaluationHeader,
  MetricInterval,
  NumberMatrix,
  PerLabelCounts,
  Strings,
} from './evaluationBasics';

/** One label of a multi-label evaluation: at its threshold, and its ROC and precision-recall curves. */
export const MultiLabelLabelResult = z
  .object({
    label: z.string(),
    threshold: z.number(),
    precision: z.number(),
    recall: z.number(),
    f1: z.number(),
    /** Gold test documents carrying the label. */
    support: z.number(),
    predicted: z.number(),
    /** null when undefined (no positive, or for ROC no negative, gold document). */
    rocAuc: z.number().nullable(),
    prAuc: z.number().nullable(),
    roc: Curve,
    pr: Curve,
  })
  .readonly();
export type MultiLabelLabelResult = z.output<typeof MultiLabelLabelResult>;

/** The set metrics of a multi-label evaluation that carry a bootstrap interval (the run table's headline figures). */
const intervalMetrics = {
  microF1: MetricInterval,
  macroF1: MetricInterval,
  samplesF1: MetricInterval,
  hammingLoss: MetricInterval,
  subsetAccuracy: MetricInterval,
  lrap: MetricInterval,
};
export type MultiLabelIntervalMetric = keyof typeof intervalMetrics;
/** The figures of a multi-label evaluation given without an interval (null when undefined). */
const pointMetrics = {
  microPrecision: z.number().nullable(),
  microRecall: z.number().nullable(),
  microRocAuc: z.number().nullable(),
  macroRocAuc: z.number().nullable(),
  macroPrAuc: z.number().nullable(),
};
export type MultiLabelPointMetric = keyof typeof pointMetrics;

const Thresholds = z.array(z.number()).readonly();
const ThresholdSource = z.enum(['model', 'saved']);

/**
 * A multi-label student on the gold test set (issue 16): every figure of multilabelMetrics.ts, the set metrics with
 * percentile bootstrap 95% intervals over documents, at the thresholds in `thresholds`.
 */
export const MultiLabelEvaluation = z
  .object({
    ...evaluationHeader,
    ...intervalMetrics,
    ...pointMetrics,
    kind: z.literal('multi'),
    /** Of the n, documents labelled "none of these" (null in an evaluation stored before it was counted). */
    goldNone: z.number().nullable(),
    thresholds: Thresholds,
    /** 'model': the thresholds tuned in training (model.json); 'saved': thresholds saved in Evaluate. */
    thresholdSource: ThresholdSource,
    perLabel: z.array(MultiLabelLabelResult).readonly(),
    /** [k][l]: gold documents carrying both k and l ([k][k]: carrying k). */
    coOccurrence: NumberMatrix,
    /** [k][l]: gold documents carrying k for which l is predicted (the diagonal: true positives). */
    predictedVsTrue: NumberMatrix,
  })
  .readonly();
export type MultiLabelEvaluation = z.output<typeof MultiLabelEvaluation>;

/**
 * A multi-label evaluation as stored (`metrics.payload` of kind 'eval_multi'): the result without its row id;
 * `goldNone` is missing from those stored before it was counted.
 */
export const StoredMultiLabelEvaluation = MultiLabelEvaluation.unwrap()
  .omit({ id: true })
  .extend({ goldNone: z.number().nullable().default(null) });

/** The headline figures of a multi-label evaluation (the Evaluate step's run table). */
export const MultiLabelEvaluationSummary = z
  .object({
    id: z.number(),
    createdAt: z.string(),
    n: z.number(),
    thresholds: Thresholds,
    thresholdSource: ThresholdSource,
    ...intervalMetrics,
  })
  .readonly();
export type MultiLabelEvaluationSummary = z.output<typeof MultiLabelEvaluationSummary>;

export const LABEL_THRESHOLD_TARGETS = ['f1', 'recall', 'precision'] as const;

/** A multi-label student run's thresholds as saved in Evaluate (student_runs.threshold). */
export const SavedLabelThresholds = z
  .object({
    kind: z.literal('multi'),
    thresholds: Thresholds,
    /** The targets that chose them, by label (a threshold typed in has none). */
    targets: z
      .array(
        z
          .object({
            label: z.string(),
            by: z.enum(LABEL_THRESHOLD_TARGETS),
            value: z.number().nullable(),
            /** Validation documents carrying the label that the tuning had. */
            positives: z.number(),
            /** False when no threshold reaches the target on validation (the label kept its threshold). */
            met: z.boolean(),
          })
          .readonly(),
      )
      .readonly(),
    savedAt: z.string(),
  })
  .readonly();
export type SavedLabelThresholds = z.output<typeof SavedLabelThresholds>;

/** A multi-label project's Evaluate step: its gold set and every trained student run with its last evaluation. */
export const MultiLabelOverview = z
  .object({
    projectId: z.number(),
    labels: Strings,
    /** Test documents with a label set a person chose (the gold set); `goldNone`: of them, "none of these". */
    goldCount: z.number(),
    goldNone: z.number(),
    goldPerLabel: PerLabelCounts,
    /** Validation documents with a human label set, and per label those carrying it: what threshold tuning has. */
    validationCount: z.number(),
    validationPerLabel: PerLabelCounts,
    runs: z
      .array(
        z
          .object({
            runId: z.number(),
            name: z.string(),
            createdAt: z.string(),
            /** The run's labels, in the order of its thresholds. */
            labels: Strings,
            /** The thresholds in force: saved in Evaluate, else the model's (tuned in training), by the run's labels. */
            thresholds: Thresholds.nullable(),
            /** The model's own thresholds (tuned in training), whatever is saved. */
            modelThresholds: Thresholds.nullable(),
            saved: SavedLabelThresholds.nullable(),
            evaluation: MultiLabelEvaluationSummary.nullable(),
            /** The last evaluation used other thresholds than those in force now (saved since): evaluate again. */
            stale: z.boolean(),
          })
          .readonly(),
      )
      .readonly(),
  })
  .readonly();
export type MultiLabelOverview = z.output<typeof MultiLabelOverview>;

const Unit = z.number().min(0, 'A threshold is between 0 and 1.').max(1, 'A threshold is between 0 and 1.');

export const MultiLabelThresholdsRequest = z.object({
  projectId: z.number().int().positive(),
  runId: z.number().int().positive(),
  /** Thresholds typed in, one per label (in the run's label order). */
  thresholds: z.array(Unit).optional(),
  /** Or: tune one label on the validation documents to a target (e.g. recall of "ltd" >= 0.95). */
  tune: z
    .object({
      label: z.string().min(1),
      by: z.enum(LABEL_THRESHOLD_TARGETS),
      value: Unit.optional(),
    })
    .optional(),
  /** Back to the thresholds tuned in training. */
  reset: z.boolean().optional(),
});

/** A run's thresholds saved in Evaluate (student_runs.threshold), if that JSON holds ones that fit its labels. */
export function parseSavedLabelThresholds(json: string | null, labels: number): SavedLabelThresholds | null {
  if (!json) return null;
  let t: unknown;
  try {
    t = JSON.parse(json);
  } catch {
    return null;
  }
  const saved = SavedLabelThresholds.safeParse(t);
  return saved.success && saved.data.thresholds.length === labels ? saved.data : null;
}
