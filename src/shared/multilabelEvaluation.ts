import { z } from 'zod';
import type { CurvePoint, EvaluationHeader, MetricInterval } from './evaluation';

/** One label of a multi-label evaluation: at its threshold, and its ROC and precision-recall curves. */
export interface MultiLabelLabelResult {
  readonly label: string;
  readonly threshold: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Gold test documents carrying the label. */
  readonly support: number;
  readonly predicted: number;
  /** null when undefined (no positive, or for ROC no negative, gold document). */
  readonly rocAuc: number | null;
  readonly prAuc: number | null;
  readonly roc: CurvePoint[] | null;
  readonly pr: CurvePoint[] | null;
}

/** The set metrics of a multi-label evaluation that carry a bootstrap interval (the run table's headline figures). */
export type MultiLabelIntervalMetric =
  'microF1' | 'macroF1' | 'samplesF1' | 'hammingLoss' | 'subsetAccuracy' | 'lrap';
/** The figures of a multi-label evaluation given without an interval (null when undefined). */
export type MultiLabelPointMetric =
  'microPrecision' | 'microRecall' | 'microRocAuc' | 'macroRocAuc' | 'macroPrAuc';

/**
 * A multi-label student on the gold test set (issue 16): every figure of multilabelMetrics.ts, the set metrics with
 * percentile bootstrap 95% intervals over documents, at the thresholds in `thresholds`.
 */
export interface MultiLabelEvaluation
  extends
    EvaluationHeader,
    Readonly<Record<MultiLabelIntervalMetric, MetricInterval>>,
    Readonly<Record<MultiLabelPointMetric, number | null>> {
  readonly kind: 'multi';
  /** Of the n, documents labelled "none of these" (null in an evaluation stored before it was counted). */
  readonly goldNone: number | null;
  readonly thresholds: readonly number[];
  /** 'model': the thresholds tuned in training (model.json); 'saved': thresholds saved in Evaluate. */
  readonly thresholdSource: 'model' | 'saved';
  readonly perLabel: readonly MultiLabelLabelResult[];
  /** [k][l]: gold documents carrying both k and l ([k][k]: carrying k). */
  readonly coOccurrence: ReadonlyArray<readonly number[]>;
  /** [k][l]: gold documents carrying k for which l is predicted (the diagonal: true positives). */
  readonly predictedVsTrue: ReadonlyArray<readonly number[]>;
}

/** The headline figures of a multi-label evaluation (the Evaluate step's run table). */
export type MultiLabelEvaluationSummary = Pick<
  MultiLabelEvaluation,
  'id' | 'createdAt' | 'n' | 'thresholds' | 'thresholdSource' | MultiLabelIntervalMetric
>;

/** A multi-label project's Evaluate step: its gold set and every trained student run with its last evaluation. */
export interface MultiLabelOverview {
  readonly projectId: number;
  readonly labels: readonly string[];
  /** Test documents with a label set a person chose (the gold set); `goldNone`: of them, "none of these". */
  readonly goldCount: number;
  readonly goldNone: number;
  readonly goldPerLabel: ReadonlyArray<{ readonly label: string; readonly count: number }>;
  /** Validation documents with a human label set, and per label those carrying it: what threshold tuning has. */
  readonly validationCount: number;
  readonly validationPerLabel: ReadonlyArray<{ readonly label: string; readonly count: number }>;
  readonly runs: ReadonlyArray<{
    readonly runId: number;
    readonly name: string;
    readonly createdAt: string;
    /** The run's labels, in the order of its thresholds. */
    readonly labels: readonly string[];
    /** The thresholds in force: saved in Evaluate, else the model's (tuned in training), by the run's labels. */
    readonly thresholds: readonly number[] | null;
    /** The model's own thresholds (tuned in training), whatever is saved. */
    readonly modelThresholds: readonly number[] | null;
    readonly saved: SavedLabelThresholds | null;
    readonly evaluation: MultiLabelEvaluationSummary | null;
    /** The last evaluation used other thresholds than those in force now (saved since): evaluate again. */
    readonly stale: boolean;
  }>;
}

export const LABEL_THRESHOLD_TARGETS = ['f1', 'recall', 'precision'] as const;

/** A multi-label student run's thresholds as saved in Evaluate (student_runs.threshold). */
export interface SavedLabelThresholds {
  readonly kind: 'multi';
  readonly thresholds: readonly number[];
  /** The targets that chose them, by label (a threshold typed in has none). */
  readonly targets: ReadonlyArray<{
    readonly label: string;
    readonly by: (typeof LABEL_THRESHOLD_TARGETS)[number];
    readonly value: number | null;
    /** Validation documents carrying the label that the tuning had. */
    readonly positives: number;
    /** False when no threshold reaches the target on validation (the label kept its threshold). */
    readonly met: boolean;
  }>;
  readonly savedAt: string;
}

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
  let t: Partial<SavedLabelThresholds> | null;
  try {
    t = JSON.parse(json) as Partial<SavedLabelThresholds> | null;
  } catch {
    return null;
  }
  if (!t || t.kind !== 'multi' || !Array.isArray(t.thresholds) || t.thresholds.length !== labels) return null;
  return t as SavedLabelThresholds;
}
