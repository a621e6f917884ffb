import type {
  ClassResult,
  CurvePoint,
  EvaluationResult,
  MetricInterval,
  OperatingBy,
  OperatingPoint,
} from '../../../shared/evaluation';
import { argmax } from '../../../shared/math';
import { AppError } from '../../core/errors';
import {
  accuracy,
  averagePrecision,
  bootstrapIntervals,
  cohenKappa,
  kappaFromConfusion,
  prfFromConfusion,
  confusionMatrix,
  expectedCalibrationError,
  histogram,
  nanMean,
  normalizeRows,
  precisionRecallCurve,
  precisionRecallF1,
  reliabilityBins,
  rocCurve,
  trapezoidArea,
  type Curve,
} from './metrics';

export interface ScoredItem {
  readonly exampleId: number;
  /** Gold class index into `labels`. */
  readonly gold: number;
  readonly probs: number[];
}

/** What an evaluation computes from gold and probabilities alone (no database, no model). */
export type ComputedEvaluation = Pick<
  EvaluationResult,
  | 'labels'
  | 'n'
  | 'accuracy'
  | 'macroF1'
  | 'microF1'
  | 'weightedF1'
  | 'kappa'
  | 'macroAuc'
  | 'ece'
  | 'perClass'
  | 'confusion'
  | 'confusionNormalized'
  | 'reliability'
  | 'confidenceHistogram'
  | 'predictions'
  | 'seed'
  | 'iterations'
>;

/** NaN and infinities do not survive JSON: they are "undefined" to a person, so null. */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function points(curve: Curve | null): CurvePoint[] | null {
  if (!curve) return null;
  return curve.x.map((x, i) => ({
    x,
    y: curve.y[i],
    threshold: finiteOrNull(curve.thresholds[i] ?? Number.NaN),
  }));
}

function interval(value: number, ci: { low: number; high: number } | undefined): MetricInterval {
  return {
    value: finiteOrNull(value),
    low: ci ? finiteOrNull(ci.low) : null,
    high: ci ? finiteOrNull(ci.high) : null,
  };
}

export function computeEvaluation(
  labels: readonly string[],
  items: readonly ScoredItem[],
  opts: { seed: number; iterations: number },
): ComputedEvaluation {
  const k = labels.length;
  const yTrue = items.map((i) => i.gold);
  const yPred = items.map((i) => argmax(i.probs));
  const prf = precisionRecallF1(yTrue, yPred, k);
  const ci =
    opts.iterations > 0
      ? bootstrapIntervals(
          items.length,
          (idx) => {
            const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
            for (const i of idx) m[yTrue[i]][yPred[i]] += 1;
            const r = prfFromConfusion(m);
            let correct = 0;
            for (let c = 0; c < k; c++) correct += m[c][c];
            return {
              accuracy: correct / idx.length,
              macroF1: r.macroF1,
              microF1: r.microF1,
              weightedF1: r.weightedF1,
              kappa: kappaFromConfusion(m),
            };
          },
          opts,
        )
      : null;
  const perClass: ClassResult[] = labels.map((label, c) => {
    const yc = yTrue.map((y) => y === c);
    const scores = items.map((i) => i.probs[c]);
    const roc = rocCurve(yc, scores);
    return {
      label,
      ...prf.perClass[c],
      auc: roc ? trapezoidArea(roc.x, roc.y) : null,
      averagePrecision: finiteOrNull(averagePrecision(yc, scores)),
      roc: points(roc),
      pr: points(precisionRecallCurve(yc, scores)),
    };
  });
  const confidence = items.map((i) => Math.max(...i.probs));
  const correct = yTrue.map((y, i) => y === yPred[i]);
  const bins = reliabilityBins(confidence, correct, 10);
  const confusion = confusionMatrix(yTrue, yPred, k);
  return {
    labels: [...labels],
    n: items.length,
    accuracy: interval(accuracy(yTrue, yPred), ci?.accuracy),
    macroF1: interval(items.length ? prf.macroF1 : Number.NaN, ci?.macroF1),
    microF1: interval(items.length ? prf.microF1 : Number.NaN, ci?.microF1),
    weightedF1: interval(items.length ? prf.weightedF1 : Number.NaN, ci?.weightedF1),
    kappa: interval(cohenKappa(yTrue, yPred, k), ci?.kappa),
    macroAuc: finiteOrNull(nanMean(perClass.map((c) => c.auc ?? Number.NaN))),
    ece: finiteOrNull(expectedCalibrationError(bins)),
    perClass,
    confusion,
    confusionNormalized: normalizeRows(confusion),
    reliability: bins.map((b) => ({
      lower: b.lower,
      upper: b.upper,
      count: b.count,
      meanConfidence: finiteOrNull(b.meanConfidence),
      accuracy: finiteOrNull(b.accuracy),
    })),
    confidenceHistogram: {
      correct: histogram(confidence.filter((_, i) => correct[i])),
      wrong: histogram(confidence.filter((_, i) => !correct[i])),
    },
    predictions: items.map((i) => ({ exampleId: i.exampleId, gold: i.gold, probs: i.probs })),
    seed: opts.seed,
    iterations: opts.iterations,
  };
}

/** One-vs-rest counts for class c when "positive" means probability >= threshold (null: nothing is positive). */
export function outcomeOf(
  item: { gold: number; probs: readonly number[] },
  classIndex: number,
  threshold: number | null,
): 'tp' | 'fp' | 'fn' | 'tn' {
  const positive = threshold !== null && item.probs[classIndex] >= threshold;
  const actual = item.gold === classIndex;
  if (positive) return actual ? 'tp' : 'fp';
  return actual ? 'fn' : 'tn';
}

function pointAt(
  labels: readonly string[],
  items: readonly { gold: number; probs: readonly number[] }[],
  classIndex: number,
  threshold: number,
  achieved: boolean,
  costs: { costFp: number; costFn: number },
): OperatingPoint {
  const counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const item of items) counts[outcomeOf(item, classIndex, threshold)]++;
  const { tp, fp, fn, tn } = counts;
  return {
    label: labels[classIndex],
    classIndex,
    threshold,
    achieved,
    ...counts,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    specificity: tn + fp === 0 ? 0 : tn / (tn + fp),
    cost: fp * costs.costFp + fn * costs.costFn,
  };
}

/**
 * The operating point of a class (one-vs-rest) for a target: by recall, the highest threshold that reaches it (fewest
 * false alarms); by precision, the lowest threshold that reaches it (most found); by threshold, that threshold.
 */
export function operatingPoint(
  labels: readonly string[],
  items: readonly { gold: number; probs: readonly number[] }[],
  target: { classIndex: number; by: OperatingBy; value: number; costFp: number; costFn: number },
): OperatingPoint {
  const { classIndex, by, value } = target;
  if (classIndex >= labels.length)
    throw AppError.keyed('INVALID_INPUT', 'evaluation.classNumberChooseOne', { classIndex });
  if (by === 'threshold') return pointAt(labels, items, classIndex, value, true, target);
  if (items.length === 0) throw AppError.keyed('CONFLICT', 'evaluation.evaluatedDocumentsLabelSome', {});
  const candidates = [...new Set(items.map((i) => i.probs[classIndex]))].sort((a, b) => b - a);
  const all = candidates.map((t) => pointAt(labels, items, classIndex, t, true, target));
  if (by === 'recall') {
    const hit = all.find((p) => p.recall >= value);
    return hit ?? { ...all[all.length - 1], achieved: false };
  }
  const reaching = all.filter((p) => p.precision >= value && p.tp > 0);
  if (reaching.length > 0) return reaching[reaching.length - 1];
  const best = all.reduce((a, b) => (b.precision > a.precision ? b : a));
  return { ...best, achieved: false };
}
