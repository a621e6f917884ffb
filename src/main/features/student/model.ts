import type { FeaturizerConfig } from './featurizer';

/**
 * The fastText-style student: the mean of the embedding rows of a text's hashed features, then a linear layer
 * and a softmax. Pure (no Node API): the export runtime reproduces it from this file and docs/student-model.md.
 */
export interface FastTextModel {
  readonly architecture: 'fasttext';
  readonly labels: readonly string[];
  readonly featurizer: FeaturizerConfig;
  readonly dim: number;
  /** Bucket ids that have a trained row, ascending; every other bucket's row is all zeros. */
  readonly rowIds: Uint32Array;
  /** rowIds.length x dim, row-major. */
  readonly embeddings: Float32Array;
  /** classes x dim, row-major. */
  readonly weight: Float32Array;
  /** classes. */
  readonly bias: Float32Array;
}

/**
 * h = (sum of the rows of ids, in order, float64) / ids.length; a bucket without a row adds zeros but still counts
 * in the denominator; no ids gives h = 0.
 */
export function meanEmbedding(
  ids: ArrayLike<number>,
  rowOf: (bucket: number) => number,
  embeddings: Float32Array,
  dim: number,
  out: Float64Array,
): void {
  out.fill(0);
  const n = ids.length;
  if (n === 0) return;
  for (let i = 0; i < n; i++) {
    const r = rowOf(ids[i]);
    if (r < 0) continue;
    const off = r * dim;
    for (let d = 0; d < dim; d++) out[d] += embeddings[off + d];
  }
  for (let d = 0; d < dim; d++) out[d] /= n;
}

/** logits[c] = bias[c] + sum_d weight[c, d] * h[d], in float64. */
export function linearLogits(
  h: Float64Array,
  weight: Float32Array,
  bias: Float32Array,
  out: Float64Array,
): void {
  const dim = h.length;
  for (let c = 0; c < out.length; c++) {
    let s = bias[c];
    const off = c * dim;
    for (let d = 0; d < dim; d++) s += weight[off + d] * h[d];
    out[c] = s;
  }
}

export function rowLookup(rowIds: Uint32Array): (bucket: number) => number {
  const map = new Map<number, number>();
  for (let i = 0; i < rowIds.length; i++) map.set(rowIds[i], i);
  return (bucket) => map.get(bucket) ?? -1;
}
