import type { EvaluationResult } from './evaluation';

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
  if (value === null) return { verdict: 'undefined', value, low, high };
  const verdict = value < target.min ? 'not-met' : low !== null && low < target.min ? 'uncertain' : 'met';
  return { verdict, value, low, high };
}

/** Reads "recall:LABEL>=0.95", "accuracy>=0.9" or "macroF1>=0.8" (the CLI's --target); null when it is not one. */
export function parseTarget(text: string): EvaluationTarget | null {
  const m =
    /^\s*(accuracy|macroF1|macro-f1|recall|precision|f1)(?::(.+?))?\s*>=\s*([0-9]*\.?[0-9]+)\s*$/i.exec(text);
  if (!m) return null;
  const metric = (
    m[1].toLowerCase() === 'macro-f1' || m[1].toLowerCase() === 'macrof1' ? 'macroF1' : m[1].toLowerCase()
  ) as TargetMetric;
  const min = Number(m[3]);
  if (!(min >= 0 && min <= 1)) return null;
  const perLabel = PER_LABEL_METRICS.includes(metric);
  if (perLabel !== (m[2] !== undefined)) return null;
  return perLabel ? { metric, label: m[2], min } : { metric, min };
}
