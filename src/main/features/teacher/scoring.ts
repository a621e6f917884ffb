import { argmax, logSumExp, sigmoid, softmax } from '../../../shared/math';
import type { CalibrationSide, ReliabilityBin } from '../../../shared/teacher';

/** Label-set arithmetic: normalisation, uncertainty, temperature calibration. Pure functions, no I/O. */

export interface Normalised {
  readonly probs: number[];
  /** log p over the label set (uncalibrated): the calibrated probabilities are softmax(logprobs / T). */
  readonly logprobs: number[];
}

export function allFinite(xs: readonly number[]): boolean {
  return xs.every((x) => Number.isFinite(x));
}

/** Turns label log-likelihoods (sum of token log-probs) into a distribution over the label set. */
export function normalise(logLikelihoods: readonly number[]): Normalised {
  const lse = logSumExp(logLikelihoods);
  const logprobs = logLikelihoods.map((l) => l - lse);
  return { probs: logprobs.map((l) => Math.exp(l)), logprobs };
}

export function entropy(probs: readonly number[]): number {
  return -probs.reduce((a, p) => (p > 0 ? a + p * Math.log(p) : a), 0);
}

/** Top probability minus the runner-up. */
export function margin(probs: readonly number[]): number {
  const sorted = [...probs].sort((a, b) => b - a);
  return sorted[0] - (sorted[1] ?? 0);
}

function nll(logprobRows: readonly (readonly number[])[], targets: readonly number[], t: number): number {
  let total = 0;
  for (let i = 0; i < logprobRows.length; i++) {
    const p = softmax(logprobRows[i], t)[targets[i]];
    total -= Math.log(Math.max(p, 1e-300));
  }
  return total / Math.max(1, logprobRows.length);
}

/** The temperature minimising the negative log-likelihood of the human labels (golden-section search on log T). */
export function fitTemperature(
  logprobRows: readonly (readonly number[])[],
  targets: readonly number[],
): number {
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = nll(logprobRows, targets, Math.exp(a));
  let fb = nll(logprobRows, targets, Math.exp(b));
  for (let i = 0; i < 80; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = nll(logprobRows, targets, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = nll(logprobRows, targets, Math.exp(b));
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** Reliability diagram (equal-width confidence bins), expected calibration error, NLL and accuracy. */
export function reliability(
  logprobRows: readonly (readonly number[])[],
  targets: readonly number[],
  temperature: number,
  binCount = 10,
): CalibrationSide {
  const bins = Array.from({ length: binCount }, (_, i) => ({
    lower: i / binCount,
    upper: (i + 1) / binCount,
    count: 0,
    confSum: 0,
    correct: 0,
  }));
  let correct = 0;
  for (let i = 0; i < logprobRows.length; i++) {
    const probs = softmax(logprobRows[i], temperature);
    const k = argmax(probs);
    const conf = probs[k];
    const bin = bins[Math.min(binCount - 1, Math.floor(conf * binCount))];
    bin.count++;
    bin.confSum += conf;
    if (k === targets[i]) {
      bin.correct++;
      correct++;
    }
  }
  const n = Math.max(1, logprobRows.length);
  const out: ReliabilityBin[] = bins.map((b) => ({
    lower: b.lower,
    upper: b.upper,
    count: b.count,
    confidence: b.count ? b.confSum / b.count : 0,
    accuracy: b.count ? b.correct / b.count : 0,
  }));
  const ece = out.reduce((a, b) => a + (b.count / n) * Math.abs(b.accuracy - b.confidence), 0);
  return { ece, nll: nll(logprobRows, targets, temperature), accuracy: correct / n, bins: out };
}

// ---------- multi-label: one yes/no question per label ----------

/** P(yes) / (P(yes) + P(no)) from the answers' log-likelihoods: sigmoid(llYes - llNo), computed stably. */
export function yesProbability(llYes: number, llNo: number): number {
  return sigmoid(llYes - llNo);
}

export { sigmoid };

export interface Platt {
  readonly a: number;
  readonly b: number;
}

/**
 * Platt scaling: the a, b minimising the log-loss of sigmoid(a * z + b) against the 0/1 targets, with Platt's
 * smoothed targets ((N+ + 1) / (N+ + 2) for positives, 1 / (N- + 2) for negatives) so that separable data gives a
 * finite fit. Newton's method with backtracking, as in Lin, Lin and Weng (2007), "A note on Platt's probabilistic
 * outputs for support vector machines".
 */
export function fitPlatt(z: readonly number[], y: readonly (0 | 1)[]): Platt {
  const pos = y.filter((v) => v === 1).length;
  const neg = y.length - pos;
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  const t = y.map((v) => (v === 1 ? hi : lo));
  // Parameterised as sigmoid(-(A z + B)) in the paper; here a = -A, b = -B.
  let A = 0;
  let B = Math.log((neg + 1) / (pos + 1));
  const objective = (A1: number, B1: number): number => {
    let f = 0;
    for (let i = 0; i < z.length; i++) {
      const fApB = z[i] * A1 + B1;
      f +=
        fApB >= 0
          ? t[i] * fApB + Math.log1p(Math.exp(-fApB))
          : (t[i] - 1) * fApB + Math.log1p(Math.exp(fApB));
    }
    return f;
  };
  let f = objective(A, B);
  for (let iter = 0; iter < 100; iter++) {
    let h11 = 1e-12;
    let h22 = 1e-12;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < z.length; i++) {
      const fApB = z[i] * A + B;
      const p = fApB >= 0 ? Math.exp(-fApB) / (1 + Math.exp(-fApB)) : 1 / (1 + Math.exp(fApB));
      const q = 1 - p;
      const d2 = p * q;
      h11 += z[i] * z[i] * d2;
      h22 += d2;
      h21 += z[i] * d2;
      const d1 = t[i] - p;
      g1 += z[i] * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < 1e-10 && Math.abs(g2) < 1e-10) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    let moved = false;
    while (step >= 1e-10) {
      const nA = A + step * dA;
      const nB = B + step * dB;
      const nf = objective(nA, nB);
      if (nf < f + 1e-4 * step * gd) {
        A = nA;
        B = nB;
        f = nf;
        moved = true;
        break;
      }
      step /= 2;
    }
    if (!moved) break;
  }
  return { a: -A, b: -B };
}

/** Mean log-loss and Brier score of probabilities against 0/1 targets. */
export function binaryScores(
  probs: readonly number[],
  y: readonly (0 | 1)[],
): { logLoss: number; brier: number } {
  let logLoss = 0;
  let brier = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probs[i]));
    logLoss -= y[i] === 1 ? Math.log(p) : Math.log(1 - p);
    brier += (probs[i] - y[i]) ** 2;
  }
  const n = Math.max(1, probs.length);
  return { logLoss: logLoss / n, brier: brier / n };
}
