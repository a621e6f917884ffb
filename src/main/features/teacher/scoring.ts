import { argmax, softmax } from '../../../shared/math';
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
  const max = Math.max(...logLikelihoods);
  const lse = max + Math.log(logLikelihoods.reduce((a, l) => a + Math.exp(l - max), 0));
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
