/**
 * Small numeric helpers every process uses (main, renderer, the exported student runtime), one definition each.
 */

/** Softmax of logits / temperature, computed stably (the maximum is subtracted before exp) in float64. */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  return softmaxInto(logits, temperature, new Float64Array(logits.length));
}

/** `softmax` written into `out` (at least as long as `logits`; the same numbers), for loops that reuse a buffer. */
export function softmaxInto(logits: ArrayLike<number>, temperature: number, out: Float64Array): Float64Array {
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i] / temperature);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    out[i] = Math.exp(logits[i] / temperature - max);
    sum += out[i];
  }
  for (let i = 0; i < n; i++) out[i] /= sum;
  return out;
}

/** The logistic function 1 / (1 + e^-z), without overflow for large |z|. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(sum(exp(xs))), computed stably (the maximum is taken out first); the maximum itself when it is not finite. */
export function logSumExp(xs: readonly number[]): number {
  const max = Math.max(...xs);
  if (!Number.isFinite(max)) return max;
  return max + Math.log(xs.reduce((a, x) => a + Math.exp(x - max), 0));
}

/** The index of the largest value; the first one on ties (as numpy's argmax); 0 for an empty list. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** FNV-1a, 32 bits, over the UTF-16 code units s[from..to) (the featurizer's hash: changing it changes models). */
export function fnv1a(s: string, from = 0, to = s.length): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
