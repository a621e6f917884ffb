/**
 * Sparse TF-IDF document vectors over the featurizer's hashed n-grams: the input of the sparse linear student
 * (sparseArch.ts), kept apart from any head so that another head (a sigmoid one for multi-label) can reuse it.
 * Pure (no Node API): the export runtime reproduces it from this file and docs/student-model.md.
 *
 * A vocabulary is the set of hash buckets seen in at least `minDf` training documents (rowIds, ascending), each with
 * idf = ln((1 + n) / (1 + df)) + 1 (n training documents, df = documents with the bucket; scikit-learn's smooth idf).
 * A document's vector: for each of its buckets with a row, count c of the bucket in the document,
 * value = (1 + ln c) * idf (sublinear tf); buckets without a row are dropped; then the vector is divided by its
 * Euclidean norm (a document with no known feature is the zero vector).
 */
import { featurize, type FeaturizerConfig } from './featurizer';
import type { ModelHead, ModelKind } from './model';

/**
 * The sparse student (the default): a linear layer over a TF-IDF vector of the text's hashed n-grams. `dim` is the
 * width of its rows, classes + 1: column 0 of a row is its feature's idf (from the training documents, not
 * trained), columns 1..classes its weight for each class (docs/student-model.md).
 */
export interface SparseModel extends ModelHead {
  readonly architecture: 'sparse';
  readonly labels: readonly string[];
  readonly featurizer: FeaturizerConfig;
  /** classes + 1. */
  readonly dim: number;
  /** Bucket ids that have a row, ascending; a bucket without one is left out of the text's vector. */
  readonly rowIds: Uint32Array;
  /** rowIds.length x dim, row-major: [idf, weight of class 1, ..., weight of class K]. */
  readonly embeddings: Float32Array;
  /** classes. */
  readonly bias: Float32Array;
}

export interface SparseVector {
  /** Row numbers (into rowIds), in order of first appearance in the document. */
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/** The TF-IDF vector of one document's feature ids, with the idf of each row from `idfOf`. */
export function tfidfOf(
  ids: ArrayLike<number>,
  rowOf: (bucket: number) => number,
  idfOf: (row: number) => number,
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
    raw[k] = (1 + Math.log(c)) * idfOf(r);
    norm += raw[k] * raw[k];
    k++;
  }
  norm = Math.sqrt(norm);
  const values = Float32Array.from(raw, (v) => (norm > 0 ? v / norm : 0));
  return { indices, values };
}

/**
 * The sparse student's table (model.ts `SparseModel`): one row per feature, `classes + 1` wide, column 0 its idf and
 * columns 1..classes its weight for each class. A document's vector (the file comment, idf from column 0), then
 * logits[c] = bias[c] + sum over k of values[k] * table[indices[k] * (classes + 1) + 1 + c], in float64.
 */
export function tableVector(
  ids: ArrayLike<number>,
  rowOf: (bucket: number) => number,
  table: ArrayLike<number>,
  classes: number,
): SparseVector {
  const width = classes + 1;
  return tfidfOf(ids, rowOf, (r) => table[r * width]);
}

export function tableLogits(
  v: SparseVector,
  table: ArrayLike<number>,
  bias: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  const classes = out.length;
  const width = classes + 1;
  const { indices, values } = v;
  // Class by class, summed in a local in the order of the rows: the same sums (each class adds its terms in the
  // same order) as row by row, but the loop over rows is short and independent of the others, so the rows'
  // memory reads overlap instead of waiting on the stores to `out`.
  for (let c = 0; c < classes; c++) {
    let z = bias[c];
    for (let k = 0; k < indices.length; k++) z += values[k] * table[indices[k] * width + 1 + c];
    out[c] = z;
  }
  return out;
}

/** How many of `docs` (slot lists) hold each of `rows` slots. */
export function slotDf(docs: readonly ArrayLike<number>[], rows: number): Float64Array {
  const df = new Float64Array(rows);
  const lastDoc = new Int32Array(rows).fill(-1);
  docs.forEach((slots, d) => {
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s >= 0 && s < rows && lastDoc[s] !== d) {
        lastDoc[s] = d;
        df[s]++;
      }
    }
  });
  return df;
}

/** idf = ln((1 + n) / (1 + df)) + 1 of each of `rows` slots over n documents given as slot lists. */
export function slotIdf(docs: readonly ArrayLike<number>[], rows: number): Float64Array {
  const n = docs.length;
  return slotDf(docs, rows).map((x) => Math.log((1 + n) / (1 + x)) + 1);
}

/** The sparse student's model (modelKinds.ts): rowIds, embeddings (rows x (classes + 1)) and the bias. */
export const SPARSE_MODEL: ModelKind<SparseModel> = {
  name: 'sparse',
  section: null,
  denseShapes: (classes, dim) => (dim === classes + 1 ? [['bias', [classes]]] : null),
  sizes: () => ({}),
  forward: (model, rowOf) => {
    const classes = model.labels.length;
    const logits = new Float64Array(classes);
    return (ids) =>
      tableLogits(tableVector(ids, rowOf, model.embeddings, classes), model.embeddings, model.bias, logits);
  },
  input: (model, text) => featurize(text, model.featurizer),
};
