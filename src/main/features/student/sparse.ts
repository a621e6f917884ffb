/**
 * Sparse TF-IDF document vectors over the featurizer's hashed n-grams: the input of the sparse linear student
 * (sparseLinear.ts), kept apart from any head so that another head (a sigmoid one for multi-label) can reuse it.
 * Pure (no Node API): the export runtime reproduces it from this file and docs/student-model.md.
 *
 * A vocabulary is the set of hash buckets seen in at least `minDf` training documents (rowIds, ascending), each with
 * idf = ln((1 + n) / (1 + df)) + 1 (n training documents, df = documents with the bucket; scikit-learn's smooth idf).
 * A document's vector: for each of its buckets with a row, count c of the bucket in the document,
 * value = (1 + ln c) * idf (sublinear tf); buckets without a row are dropped; then the vector is divided by its
 * Euclidean norm (a document with no known feature is the zero vector).
 */
import { featurize, type FeaturizerConfig } from './featurizer';

export interface SparseVector {
  /** Row numbers (into rowIds), in order of first appearance in the document. */
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export interface Vocabulary {
  /** Bucket ids that have a row, ascending. */
  readonly rowIds: Uint32Array;
  /** Inverse document frequency of each row. */
  readonly idf: Float32Array;
}

/** The vocabulary of a training set's feature id lists (see the file comment). */
export function buildVocabulary(idLists: readonly ArrayLike<number>[], minDf = 1): Vocabulary {
  const df = new Map<number, number>();
  const seen = new Set<number>();
  for (const ids of idLists) {
    seen.clear();
    for (let i = 0; i < ids.length; i++) seen.add(ids[i]);
    for (const b of seen) df.set(b, (df.get(b) ?? 0) + 1);
  }
  const kept = [...df.entries()].filter(([, d]) => d >= minDf).map(([b]) => b);
  const rowIds = Uint32Array.from(kept).sort();
  const n = idLists.length;
  const idf = Float32Array.from(rowIds, (b) => Math.log((1 + n) / (1 + (df.get(b) ?? 0))) + 1);
  return { rowIds, idf };
}

/** bucket -> row number, or -1 when the bucket has no row. */
export function rowIndex(rowIds: Uint32Array): (bucket: number) => number {
  const map = new Map<number, number>();
  for (let i = 0; i < rowIds.length; i++) map.set(rowIds[i], i);
  return (bucket) => map.get(bucket) ?? -1;
}

/** The TF-IDF vector of one document's feature ids (see the file comment). */
export function tfidfVector(
  ids: ArrayLike<number>,
  rowOf: (bucket: number) => number,
  idf: Float32Array,
): SparseVector {
  const counts = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) {
    const r = rowOf(ids[i]);
    if (r >= 0) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  const indices = new Int32Array(counts.size);
  const raw = new Float64Array(counts.size);
  let k = 0;
  let norm = 0;
  for (const [r, c] of counts) {
    indices[k] = r;
    raw[k] = (1 + Math.log(c)) * idf[r];
    norm += raw[k] * raw[k];
    k++;
  }
  norm = Math.sqrt(norm);
  const values = Float32Array.from(raw, (v) => (norm > 0 ? v / norm : 0));
  return { indices, values };
}

/** A text's TF-IDF vector under a featurizer and vocabulary. */
export function textVector(
  text: string,
  featurizer: FeaturizerConfig,
  rowOf: (bucket: number) => number,
  idf: Float32Array,
): SparseVector {
  return tfidfVector(featurize(text, featurizer), rowOf, idf);
}

/**
 * logits[c] = bias[c] + sum over k of values[k] * weight[indices[k] * classes + c] (weight rows x classes,
 * row-major), in float64.
 */
export function sparseLogits(
  v: SparseVector,
  weight: ArrayLike<number>,
  bias: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  const classes = out.length;
  for (let c = 0; c < classes; c++) out[c] = bias[c];
  for (let k = 0; k < v.indices.length; k++) {
    const off = v.indices[k] * classes;
    const x = v.values[k];
    for (let c = 0; c < classes; c++) out[c] += x * weight[off + c];
  }
  return out;
}
