import type { EvaluationResult } from './evaluation';
import type { MultiLabelEvaluation } from './multilabelEvaluation';

/**
 * A target a person sets for an evaluation ("recall of label X at least 0.95") and the verdict against it. Pure,
 * shared by the Evaluate step and `distillery eval run --target`.
 */
export const TARGET_METRICS = ['accuracy', 'macroF1', 'recall', 'precision', 'f1'] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];
/** Metrics of one label (the others are of the whole test set). */
export const PER_LABEL_METRICS: readonly TargetMetric[] = ['recall', 'precision', 'f1'];

export interface EvaluationTarget {
  readonly metric: TargetMetric;
  /** The label, for recall, precision and F1. */
  readonly label?: string;
  readonly min: number;
}

/**
 * 'met': the value and the low end of its 95% interval reach the target; 'uncertain': the value reaches it, the
 * interval does not (too few documents to be sure); 'not-met': the value is below; 'undefined': no value (no
 * document of the label, or no such label).
 */
export type TargetVerdictKind = 'met' | 'uncertain' | 'not-met' | 'undefined';

export interface TargetVerdict {
  readonly verdict: TargetVerdictKind;
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

/** Wilson score 95% interval of a proportion k / n; null when n = 0. */
export function wilsonInterval(
  k: number,
  n: number,
  z = 1.959963984540054,
): { low: number; high: number } | null {
  if (n === 0) return null;
  const p = k / n;
  const z2 = z * z;
  const center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

type Judged = Pick<EvaluationResult, 'labels' | 'accuracy' | 'macroF1' | 'perClass' | 'confusion'>;

export function judgeTarget(e: Judged, target: EvaluationTarget): TargetVerdict {
  let value: number | null = null;
  let low: number | null = null;
  let high: number | null = null;
  if (target.metric === 'accuracy' || target.metric === 'macroF1') {
    ({ value, low, high } = e[target.metric]);
  } else {
    const c = e.labels.indexOf(target.label ?? '');
    if (c >= 0) {
      const tp = e.confusion[c][c];
      const support = e.confusion[c].reduce((a, b) => a + b, 0);
      const predicted = e.confusion.reduce((a, row) => a + row[c], 0);
      if (target.metric === 'f1') {
        value = support > 0 ? e.perClass[c].f1 : null;
      } else {
        const n = target.metric === 'recall' ? support : predicted;
        const ci = wilsonInterval(tp, n);
        if (ci) {
          value = tp / n;
          ({ low, high } = ci);
        }
      }
    }
  }
  return verdictOf(value, low, high, target.min);
}

function verdictOf(
  value: number | null,
  low: number | null,
  high: number | null,
  min: number,
): TargetVerdict {
  if (value === null) return { verdict: 'undefined', value, low, high };
  const verdict = value < min ? 'not-met' : low !== null && low < min ? 'uncertain' : 'met';
  return { verdict, value, low, high };
}

/** What a multi-label project's target can be: a set metric, or recall / precision / F1 of one label. */
export const MULTI_TARGET_METRICS = [
  'microF1',
  'macroF1',
  'samplesF1',
  'subsetAccuracy',
  'recall',
  'precision',
  'f1',
] as const;
export type MultiTargetMetric = (typeof MULTI_TARGET_METRICS)[number];

export interface MultiLabelTarget {
  readonly metric: MultiTargetMetric;
  readonly label?: string;
  readonly min: number;
}

type MultiJudged = Pick<
  MultiLabelEvaluation,
  'labels' | 'microF1' | 'macroF1' | 'samplesF1' | 'subsetAccuracy' | 'perLabel' | 'predictedVsTrue'
>;

/**
 * The verdict of a multi-label evaluation against a target, by the rule of `judgeTarget`: set metrics with their
 * bootstrap interval; a label's recall and precision with the Wilson interval of its true positives over its gold
 * documents (recall) or its predicted ones (precision); a label's F1 without an interval.
 */
export function judgeMultiLabelTarget(e: MultiJudged, target: MultiLabelTarget): TargetVerdict {
  switch (target.metric) {
    case 'microF1':
    case 'macroF1':
    case 'samplesF1':
    case 'subsetAccuracy': {
      const { value, low, high } = e[target.metric];
      return verdictOf(value, low, high, target.min);
    }
    case 'recall':
    case 'precision':
    case 'f1': {
      const k = e.labels.indexOf(target.label ?? '');
      const r = k >= 0 ? e.perLabel[k] : undefined;
      if (!r) return verdictOf(null, null, null, target.min);
      if (target.metric === 'f1') return verdictOf(r.support > 0 ? r.f1 : null, null, null, target.min);
      const tp = e.predictedVsTrue[k][k];
      const n = target.metric === 'recall' ? r.support : r.predicted;
      const ci = wilsonInterval(tp, n);
      return ci ? verdictOf(tp / n, ci.low, ci.high, target.min) : verdictOf(null, null, null, target.min);
    }
  }
}

/** Reads "recall:LABEL>=0.95", "accuracy>=0.9" or "macroF1>=0.8" (the CLI's --target); null when it is not one. */
export function parseTarget(text: string): EvaluationTarget | null {
  return parseTargetOf(text, ['accuracy', 'macroF1'], PER_LABEL_METRICS);
}

/** Reads a multi-label project's --target: "recall:LABEL>=0.95", "microF1>=0.8", "samples-F1>=0.7"...; null if none. */
export function parseMultiLabelTarget(text: string): MultiLabelTarget | null {
  return parseTargetOf(
    text,
    ['microF1', 'macroF1', 'samplesF1', 'subsetAccuracy'],
    ['recall', 'precision', 'f1'],
  );
}

/** "metric>=min" or "metric:LABEL>=min", the metric's case and hyphens free ("macro-F1" is macroF1). */
function parseTargetOf<M extends string>(
  text: string,
  whole: readonly M[],
  perLabel: readonly M[],
): { metric: M; label?: string; min: number } | null {
  const m = /^\s*([A-Za-z0-9-]+?)(?::(.+?))?\s*>=\s*([0-9]*\.?[0-9]+)\s*$/.exec(text);
  if (!m) return null;
  const name = m[1].toLowerCase().replace(/-/g, '');
  const metric = [...whole, ...perLabel].find((x) => x.toLowerCase() === name);
  const min = Number(m[3]);
  if (metric === undefined || !(min >= 0 && min <= 1)) return null;
  const labelled = perLabel.includes(metric);
  if (labelled !== (m[2] !== undefined)) return null;
  return labelled ? { metric, label: m[2], min } : { metric, min };
}
