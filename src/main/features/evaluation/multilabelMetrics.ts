import {
  averagePrecision,
  bootstrapIntervals,
  nanMean,
  precisionRecallCurve,
  rocAuc,
  rocCurve,
  type Curve,
  type Interval,
} from './metrics';

/**
 * Metrics of multi-label predictions, each defined as scikit-learn defines it (tests/multilabel/metrics.test.ts
 * checks every one against sklearn 1.x to 1e-9 on fixed data):
 *
 * - `y[i][k]` is 1 when document i carries label k (the empty row is "none of these"), `scores[i][k]` the model's
 *   independent probability for label k, `thresholds[k]` the cut: label k is predicted when scores[i][k] >= t_k.
 * - micro F1 = 2 sum TP / (2 sum TP + sum FP + sum FN) over all (document, label) pairs (f1_score average='micro').
 * - macro F1 = mean over labels of each label's F1, a label with no gold and no predicted document counting 0
 *   (average='macro', zero_division=0). Per-label precision, recall, F1: zero_division=0.
 * - samples F1 = mean over documents of the F1 between the gold and predicted sets, a document whose gold and
 *   predicted sets are both empty counting 1 (average='samples', zero_division=1): rightly predicting "none of these"
 *   is a success, not an undefined case.
 * - Hamming loss = wrong (document, label) pairs / (n * K); subset accuracy = documents whose whole set is right.
 * - ROC AUC and PR AUC (average precision) per label on the scores, NaN when the label has no positive (or, for ROC,
 *   no negative) gold document; their macro means leave NaN out. Micro ROC AUC on all pairs flattened.
 * - LRAP: label_ranking_average_precision_score, where a document with no gold label, or every label, scores 1.
 */

export type LabelMatrix = ReadonlyArray<ReadonlyArray<0 | 1 | number>>;

export interface LabelReport {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Gold documents carrying the label. */
  readonly support: number;
  readonly predicted: number;
  readonly rocAuc: number;
  readonly prAuc: number;
}

export interface MultiLabelReport {
  readonly microF1: number;
  readonly macroF1: number;
  readonly samplesF1: number;
  readonly microPrecision: number;
  readonly microRecall: number;
  readonly hammingLoss: number;
  readonly subsetAccuracy: number;
  readonly lrap: number;
  readonly microRocAuc: number;
  readonly macroRocAuc: number;
  readonly macroPrAuc: number;
  readonly perLabel: readonly LabelReport[];
}

export function predictSets(scores: LabelMatrix, thresholds: readonly number[]): number[][] {
  return scores.map((row) => row.map((s, k) => (s >= thresholds[k] ? 1 : 0)));
}

function div(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function f1(tp: number, fp: number, fn: number): number {
  return div(2 * tp, 2 * tp + fp + fn);
}

/** Per-label counts (true positives, false positives, false negatives) of predictions `p` against gold `y`. */
function counts(
  y: LabelMatrix,
  p: LabelMatrix,
  rows: readonly number[],
  k: number,
): { tp: number[]; fp: number[]; fn: number[] } {
  const tp = new Array<number>(k).fill(0);
  const fp = new Array<number>(k).fill(0);
  const fn = new Array<number>(k).fill(0);
  for (const i of rows) {
    for (let l = 0; l < k; l++) {
      if (p[i][l] && y[i][l]) tp[l]++;
      else if (p[i][l]) fp[l]++;
      else if (y[i][l]) fn[l]++;
    }
  }
  return { tp, fp, fn };
}

/** The threshold-dependent summary metrics on a subset of rows (all of them, or a bootstrap resample). */
export function setMetrics(
  y: LabelMatrix,
  p: LabelMatrix,
  rows: readonly number[],
): { microF1: number; macroF1: number; samplesF1: number; hammingLoss: number; subsetAccuracy: number } {
  const k = y[0]?.length ?? 0;
  const c = counts(y, p, rows, k);
  const sum = (v: number[]): number => v.reduce((a, b) => a + b, 0);
  let samples = 0;
  let wrong = 0;
  let exact = 0;
  for (const i of rows) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let l = 0; l < k; l++) {
      if (p[i][l] && y[i][l]) tp++;
      else if (p[i][l]) fp++;
      else if (y[i][l]) fn++;
    }
    samples += tp + fp + fn === 0 ? 1 : f1(tp, fp, fn);
    wrong += fp + fn;
    if (fp + fn === 0) exact++;
  }
  const n = rows.length;
  return {
    microF1: f1(sum(c.tp), sum(c.fp), sum(c.fn)),
    macroF1: k === 0 ? 0 : c.tp.reduce((a, _t, l) => a + f1(c.tp[l], c.fp[l], c.fn[l]), 0) / k,
    samplesF1: div(samples, n),
    hammingLoss: div(wrong, n * k),
    subsetAccuracy: div(exact, n),
  };
}

/** Label-ranking average precision (sklearn), over the given rows. */
export function lrap(y: LabelMatrix, scores: LabelMatrix, rows: readonly number[]): number {
  let total = 0;
  for (const i of rows) {
    const k = y[i].length;
    const relevant = [...Array(k).keys()].filter((l) => y[i][l]);
    if (relevant.length === 0 || relevant.length === k) {
      total += 1;
      continue;
    }
    let sum = 0;
    for (const l of relevant) {
      // rank: labels scored at least as high; rank among relevant ones: relevant labels scored at least as high.
      let rank = 0;
      let rankRelevant = 0;
      for (let m = 0; m < k; m++) {
        if (scores[i][m] >= scores[i][l]) {
          rank++;
          if (y[i][m]) rankRelevant++;
        }
      }
      sum += rankRelevant / rank;
    }
    total += sum / relevant.length;
  }
  return div(total, rows.length);
}

export function column(m: LabelMatrix, l: number): number[] {
  return m.map((row) => row[l]);
}

export function multiLabelReport(
  y: LabelMatrix,
  scores: LabelMatrix,
  thresholds: readonly number[],
): MultiLabelReport {
  const k = thresholds.length;
  const p = predictSets(scores, thresholds);
  const rows = [...y.keys()];
  const c = counts(y, p, rows, k);
  const perLabel: LabelReport[] = [];
  for (let l = 0; l < k; l++) {
    const gold = y.map((r) => r[l] === 1);
    const s = column(scores, l);
    perLabel.push({
      precision: div(c.tp[l], c.tp[l] + c.fp[l]),
      recall: div(c.tp[l], c.tp[l] + c.fn[l]),
      f1: f1(c.tp[l], c.fp[l], c.fn[l]),
      support: c.tp[l] + c.fn[l],
      predicted: c.tp[l] + c.fp[l],
      rocAuc: rocAuc(gold, s),
      prAuc: averagePrecision(gold, s),
    });
  }
  const tp = c.tp.reduce((a, b) => a + b, 0);
  const fp = c.fp.reduce((a, b) => a + b, 0);
  const fn = c.fn.reduce((a, b) => a + b, 0);
  return {
    ...setMetrics(y, p, rows),
    microPrecision: div(tp, tp + fp),
    microRecall: div(tp, tp + fn),
    lrap: lrap(y, scores, rows),
    microRocAuc: rocAuc(
      y.flat().map((v) => v === 1),
      scores.flat(),
    ),
    macroRocAuc: nanMean(perLabel.map((r) => r.rocAuc)),
    macroPrAuc: nanMean(perLabel.map((r) => r.prAuc)),
    perLabel,
  };
}

export type BootstrappedMetric =
  'microF1' | 'macroF1' | 'samplesF1' | 'hammingLoss' | 'subsetAccuracy' | 'lrap';

/** Percentile bootstrap 95% intervals over documents (the resampling of `bootstrapIntervals`, seeded). */
export function multiLabelIntervals(
  y: LabelMatrix,
  scores: LabelMatrix,
  thresholds: readonly number[],
  opts: { iterations: number; seed: number },
): Record<BootstrappedMetric, Interval> {
  const p = predictSets(scores, thresholds);
  return bootstrapIntervals<BootstrappedMetric>(
    y.length,
    (rows) => ({ ...setMetrics(y, p, rows), lrap: lrap(y, scores, rows) }),
    opts,
  );
}

/** Per-label ROC and precision-recall curves (null when undefined for that label), for the charts. */
export function labelCurves(
  y: LabelMatrix,
  scores: LabelMatrix,
  l: number,
): { roc: Curve | null; pr: Curve | null } {
  const gold = y.map((r) => r[l] === 1);
  const s = column(scores, l);
  return { roc: rocCurve(gold, s), pr: precisionRecallCurve(gold, s) };
}

/**
 * A threshold per label tuned on validation documents: the cut among the label's distinct scores that maximises its
 * F1 (`target: 'f1'`), or the lowest cut whose precision reaches `min` (`target: 'precision'`), so that recall is
 * as high as that precision allows, or the highest cut whose recall reaches `min` (`target: 'recall'`), so that
 * precision is as high as that recall allows. A label with fewer than `minPositives` positive validation documents keeps
 * `fallback` (the global default): a cut fitted to two or three documents is noise (the training job passes
 * MIN_THRESHOLD_POSITIVES, shared/student.ts). So does a precision or recall target no cut reaches.
 */
export function tuneThresholds(
  y: LabelMatrix,
  scores: LabelMatrix,
  opts: { target: 'f1' } | { target: 'precision' | 'recall'; min: number },
  fallback: number,
  minPositives = 10,
): number[] {
  const k = y[0]?.length ?? 0;
  const out: number[] = [];
  for (let l = 0; l < k; l++) {
    const pairs = y.map((r, i) => [scores[i][l], r[l]] as const).sort((a, b) => b[0] - a[0]);
    const positives = pairs.filter(([, g]) => g).length;
    if (positives === 0 || positives < minPositives) {
      out.push(fallback);
      continue;
    }
    let best = fallback;
    let bestValue = -1;
    let tp = 0;
    let fp = 0;
    for (let r = 0; r < pairs.length; r++) {
      if (pairs[r][1]) tp++;
      else fp++;
      if (r < pairs.length - 1 && pairs[r + 1][0] === pairs[r][0]) continue;
      // Predicting every document scored >= pairs[r][0].
      if (opts.target === 'f1') {
        const v = f1(tp, fp, positives - tp);
        if (v > bestValue) {
          bestValue = v;
          best = pairs[r][0];
        }
      } else if (opts.target === 'precision' && div(tp, tp + fp) >= opts.min) {
        best = pairs[r][0];
        bestValue = 1;
      } else if (opts.target === 'recall' && bestValue < 0 && div(tp, positives) >= opts.min) {
        // The highest cut whose recall reaches the target: the most precise one that does.
        best = pairs[r][0];
        bestValue = 1;
      }
    }
    out.push(bestValue < 0 ? fallback : best);
  }
  return out;
}

/**
 * The thresholds a multi-label student is saved with (the training job, on its validation documents): a label with at
 * least `minPositives` positives gets its own F1-best cut (`tuneThresholds`); every other label gets one shared cut,
 * the one that maximises micro-F1 over the (document, label) pairs of all labels pooled, when they hold at least
 * `minPositives` positives together, else `fallback`. A rare label's own cut would be fitted to a handful of
 * documents, but 0.5 is rarely a good cut either: the loss's positive weights push every label's scores up by design.
 */
export function thresholdsWithSharedFallback(
  y: LabelMatrix,
  scores: LabelMatrix,
  fallback: number,
  minPositives: number,
): number[] {
  const pooledY: number[][] = [];
  const pooledScores: number[][] = [];
  y.forEach((row, i) =>
    row.forEach((g, k) => {
      pooledY.push([g]);
      pooledScores.push([scores[i][k]]);
    }),
  );
  const [shared] = pooledY.length
    ? tuneThresholds(pooledY, pooledScores, { target: 'f1' }, fallback, minPositives)
    : [fallback];
  return tuneThresholds(y, scores, { target: 'f1' }, shared, minPositives);
}

/** Co-occurrence counts: [k][l] documents carrying both labels k and l ([k][k]: documents carrying k). */
export function coOccurrence(y: LabelMatrix): number[][] {
  const k = y[0]?.length ?? 0;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const row of y) {
    for (let a = 0; a < k; a++) {
      if (!row[a]) continue;
      for (let b = 0; b < k; b++) if (row[b]) m[a][b]++;
    }
  }
  return m;
}
