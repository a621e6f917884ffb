/**
 * Classification metrics in plain TypeScript, defined as scikit-learn defines them (verified against it to 1e-9 by
 * tests/evaluation/metrics.test.ts on fixtures that scripts/sklearn-reference.py generates). Classes are 0..k-1;
 * every class of the label set counts, also one absent from gold and predictions (sklearn with `labels=range(k)` and
 * `zero_division=0`). A value that is undefined (e.g. AUC of a class absent from gold) is NaN, never a guess.
 */

import { mulberry32 } from '../../../shared/random';

export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface Curve {
  readonly x: number[];
  readonly y: number[];
  /** The score threshold of each point; a ROC curve's first point is +Infinity (nothing predicted positive). */
  readonly thresholds: number[];
}

export interface ReliabilityBin {
  /** Inclusive upper edge; the bin holds confidences in (lower, upper] (the first one also 0). */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly meanConfidence: number;
  readonly accuracy: number;
}

export function confusionMatrix(yTrue: readonly number[], yPred: readonly number[], k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]] += 1;
  return m;
}

/** Each row divided by its sum (sklearn `normalize='true'`); a row without examples stays 0. */
export function normalizeRows(m: readonly (readonly number[])[]): number[][] {
  return m.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (sum === 0 ? 0 : v / sum));
  });
}

export function accuracy(yTrue: readonly number[], yPred: readonly number[]): number {
  if (yTrue.length === 0) return Number.NaN;
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

function safeDiv(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function f1Of(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

export interface PrfReport {
  readonly perClass: ClassMetrics[];
  readonly macroF1: number;
  readonly microF1: number;
  readonly weightedF1: number;
  readonly macroPrecision: number;
  readonly macroRecall: number;
}

/** Per-class precision, recall, F1 and support, and their averages (sklearn's precision_recall_fscore_support). */
export function precisionRecallF1(yTrue: readonly number[], yPred: readonly number[], k: number): PrfReport {
  return prfFromConfusion(confusionMatrix(yTrue, yPred, k));
}

/** The same from a confusion matrix (rows gold, columns predicted): the bootstrap builds one per resample. */
export function prfFromConfusion(m: readonly (readonly number[])[]): PrfReport {
  const k = m.length;
  const perClass: ClassMetrics[] = [];
  let tpSum = 0;
  let predSum = 0;
  let trueSum = 0;
  for (let c = 0; c < k; c++) {
    const tp = m[c][c];
    let predicted = 0;
    let support = 0;
    for (let j = 0; j < k; j++) {
      predicted += m[j][c];
      support += m[c][j];
    }
    const precision = safeDiv(tp, predicted);
    const recall = safeDiv(tp, support);
    perClass.push({ precision, recall, f1: f1Of(precision, recall), support });
    tpSum += tp;
    predSum += predicted;
    trueSum += support;
  }
  const mean = (xs: number[]): number => (k === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / k);
  const microP = safeDiv(tpSum, predSum);
  const microR = safeDiv(tpSum, trueSum);
  const weightedF1 = trueSum === 0 ? 0 : perClass.reduce((a, c) => a + c.f1 * c.support, 0) / trueSum;
  return {
    perClass,
    macroF1: mean(perClass.map((c) => c.f1)),
    microF1: f1Of(microP, microR),
    weightedF1,
    macroPrecision: mean(perClass.map((c) => c.precision)),
    macroRecall: mean(perClass.map((c) => c.recall)),
  };
}

/**
 * Macro-F1 over all k labels (sklearn `f1_score(average='macro', labels=range(k), zero_division=0)`): the one
 * definition the Evaluate step, the trainer's validation (early stopping, the Train step's curves) and the
 * benches use.
 */
export function macroF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number {
  return precisionRecallF1(Array.from(yTrue), Array.from(yPred), k).macroF1;
}

/** Cohen's kappa between two labelings (sklearn's cohen_kappa_score, unweighted); NaN when undefined. */
export function cohenKappa(y1: readonly number[], y2: readonly number[], k: number): number {
  return kappaFromConfusion(confusionMatrix(y1, y2, k));
}

export function kappaFromConfusion(m: readonly (readonly number[])[]): number {
  const k = m.length;
  const n = m.reduce((a, r) => a + r.reduce((b, v) => b + v, 0), 0);
  if (n === 0) return Number.NaN;
  const rows = m.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = Array.from({ length: k }, (_, j) => m.reduce((a, r) => a + r[j], 0));
  let observedDisagree = 0;
  let expectedDisagree = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      observedDisagree += m[i][j] / n;
      expectedDisagree += (rows[i] * cols[j]) / n / n;
    }
  }
  if (expectedDisagree === 0) return Number.NaN;
  return 1 - observedDisagree / expectedDisagree;
}

interface BinaryCounts {
  readonly fps: number[];
  readonly tps: number[];
  readonly thresholds: number[];
}

/** sklearn's _binary_clf_curve: cumulative counts at each distinct score, highest score first. */
function binaryCounts(yTrue: readonly boolean[], scores: readonly number[]): BinaryCounts {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let r = 0; r < order.length; r++) {
    if (yTrue[order[r]]) tp++;
    const last = r === order.length - 1;
    if (last || scores[order[r + 1]] !== scores[order[r]]) {
      tps.push(tp);
      fps.push(r + 1 - tp);
      thresholds.push(scores[order[r]]);
    }
  }
  return { fps, tps, thresholds };
}

/**
 * ROC curve (x = false positive rate, y = true positive rate), as sklearn's roc_curve with drop_intermediate.
 * Null when gold has no positive or no negative example: the curve is undefined.
 */
export function rocCurve(yTrue: readonly boolean[], scores: readonly number[]): Curve | null {
  const positives = yTrue.filter(Boolean).length;
  if (positives === 0 || positives === yTrue.length) return null;
  let { fps, tps, thresholds } = binaryCounts(yTrue, scores);
  if (fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const dFps = fps[i + 1] - 2 * fps[i] + fps[i - 1];
      const dTps = tps[i + 1] - 2 * tps[i] + tps[i - 1];
      if (dFps !== 0 || dTps !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = keep.map((i) => fps[i]);
    tps = keep.map((i) => tps[i]);
    thresholds = keep.map((i) => thresholds[i]);
  }
  const fpMax = fps[fps.length - 1];
  const tpMax = tps[tps.length - 1];
  return {
    x: [0, ...fps.map((v) => v / fpMax)],
    y: [0, ...tps.map((v) => v / tpMax)],
    thresholds: [Number.POSITIVE_INFINITY, ...thresholds],
  };
}

/** Area under a curve by the trapezoidal rule (sklearn's auc; x monotonic). */
export function trapezoidArea(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return Math.abs(area);
}

export function rocAuc(yTrue: readonly boolean[], scores: readonly number[]): number {
  const curve = rocCurve(yTrue, scores);
  return curve ? trapezoidArea(curve.x, curve.y) : Number.NaN;
}

/**
 * Precision-recall curve (x = recall, y = precision), as sklearn's precision_recall_curve: recall decreasing, ending
 * at (recall 0, precision 1). Null when gold has no positive example.
 */
export function precisionRecallCurve(yTrue: readonly boolean[], scores: readonly number[]): Curve | null {
  const { fps, tps, thresholds } = binaryCounts(yTrue, scores);
  const tpMax = tps[tps.length - 1] ?? 0;
  if (tpMax === 0) return null;
  const precision = tps.map((tp, i) => safeDiv(tp, tp + fps[i])).reverse();
  const recall = tps.map((tp) => tp / tpMax).reverse();
  return { x: [...recall, 0], y: [...precision, 1], thresholds: [...thresholds].reverse() };
}

/** Average precision, the step integral of the PR curve (sklearn's average_precision_score); NaN without positives. */
export function averagePrecision(yTrue: readonly boolean[], scores: readonly number[]): number {
  const curve = precisionRecallCurve(yTrue, scores);
  if (!curve) return Number.NaN;
  let ap = 0;
  for (let i = 0; i < curve.x.length - 1; i++) ap -= (curve.x[i + 1] - curve.x[i]) * curve.y[i];
  return ap;
}

/** Mean of the defined (non-NaN) values; NaN if none is defined. */
export function nanMean(values: readonly number[]): number {
  const defined = values.filter((v) => !Number.isNaN(v));
  return defined.length === 0 ? Number.NaN : defined.reduce((a, b) => a + b, 0) / defined.length;
}

/** Bin edges as numpy's linspace(0, 1, n + 1) computes them. */
function binEdges(nBins: number): number[] {
  const step = 1 / nBins;
  return Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * step));
}

/**
 * Reliability diagram of top-label confidence: sklearn's calibration_curve binning (uniform bins, a value on an inner
 * edge falls in the lower bin), keeping empty bins with count 0.
 */
export function reliabilityBins(
  confidence: readonly number[],
  correct: readonly boolean[],
  nBins = 10,
): ReliabilityBin[] {
  const edges = binEdges(nBins);
  const counts = new Array<number>(nBins).fill(0);
  const confSums = new Array<number>(nBins).fill(0);
  const correctSums = new Array<number>(nBins).fill(0);
  for (let i = 0; i < confidence.length; i++) {
    let bin = 0;
    while (bin < nBins - 1 && confidence[i] > edges[bin + 1]) bin++;
    counts[bin]++;
    confSums[bin] += confidence[i];
    if (correct[i]) correctSums[bin]++;
  }
  return counts.map((count, b) => ({
    lower: edges[b],
    upper: edges[b + 1],
    count,
    meanConfidence: count === 0 ? Number.NaN : confSums[b] / count,
    accuracy: count === 0 ? Number.NaN : correctSums[b] / count,
  }));
}

/** Expected calibration error: the count-weighted mean gap between accuracy and confidence over the bins. */
export function expectedCalibrationError(bins: readonly ReliabilityBin[]): number {
  const n = bins.reduce((a, b) => a + b.count, 0);
  if (n === 0) return Number.NaN;
  let ece = 0;
  for (const b of bins) if (b.count > 0) ece += (b.count / n) * Math.abs(b.accuracy - b.meanConfidence);
  return ece;
}

/** Counts per uniform bin over [0, 1] (numpy.histogram: bins [a, b), the last one [a, 1]). */
export function histogram(values: readonly number[], nBins = 10): number[] {
  const counts = new Array<number>(nBins).fill(0);
  const edges = binEdges(nBins);
  for (const v of values) {
    if (v < 0 || v > 1) continue;
    let bin = Math.min(nBins - 1, Math.floor(v * nBins));
    // Floating edges (0.30000000000000004) can put a value one bin off from numpy: correct against the real edges.
    while (bin > 0 && v < edges[bin]) bin--;
    while (bin < nBins - 1 && v >= edges[bin + 1]) bin++;
    counts[bin]++;
  }
  return counts;
}

export { mulberry32 };

/** The q-th quantile (0..1) with linear interpolation between sorted values (numpy's default), ignoring NaN. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/**
 * Percentile bootstrap 95% intervals: `iterations` resamples of the examples with replacement (indices drawn with
 * mulberry32(seed) as floor(u * n)), `compute` giving every metric of a resample; resamples where a metric is undefined
 * are left out of its interval. With no examples there are no intervals (an empty record).
 */
export function bootstrapIntervals<K extends string>(
  n: number,
  compute: (indices: readonly number[]) => Record<K, number>,
  opts: { iterations: number; seed: number },
): Record<K, Interval> {
  const rand = mulberry32(opts.seed);
  const samples = {} as Record<K, number[]>;
  const indices = new Array<number>(n);
  for (let b = 0; b < opts.iterations && n > 0; b++) {
    for (let i = 0; i < n; i++) indices[i] = Math.floor(rand() * n);
    for (const [name, value] of Object.entries(compute(indices)) as Array<[K, number]>) {
      (samples[name] ??= []).push(value);
    }
  }
  const out = {} as Record<K, Interval>;
  for (const [name, values] of Object.entries(samples) as Array<[K, number[]]>) {
    out[name] = { low: quantile(values, 0.025), high: quantile(values, 0.975) };
  }
  return out;
}

/**
 * McNemar's exact test of two classifiers on the same documents: `onlyA` documents only A gets right, `onlyB` only B.
 * Under "no difference" each such document is a fair coin, so the two-sided p-value is
 * min(1, 2 * P(X <= min(onlyA, onlyB))) for X ~ Binomial(onlyA + onlyB, 1/2) (statsmodels' mcnemar(exact=True)).
 * With no document where they differ, p = 1.
 */
export function mcnemarExact(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB;
  if (n === 0) return 1;
  const k = Math.min(onlyA, onlyB);
  // Sum of C(n, i) / 2^n in log space, so that thousands of documents do not overflow.
  let logC = -n * Math.LN2;
  let tail = Math.exp(logC);
  for (let i = 1; i <= k; i++) {
    logC += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logC);
  }
  return Math.min(1, 2 * tail);
}
