import { featurize, tokenSequence, type FeaturizerConfig } from './featurizer';
import { transformerPooled, type TransformerModel } from './transformer';

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

/**
 * The CNN student: the tokens' embedding rows (a sequence, not a bag), one 1-D convolution of width `kernelSize`
 * with `filters` filters and ReLU, max-pooling over positions, then a linear layer and a softmax. Trained with
 * TensorFlow.js (cnnArch.ts); this pure forward pass is what the app and the exported runtime predict with.
 */
export interface CnnModel {
  readonly architecture: 'cnn';
  readonly labels: readonly string[];
  readonly featurizer: FeaturizerConfig;
  readonly dim: number;
  readonly kernelSize: number;
  readonly filters: number;
  /** Tokens after the first maxTokens are ignored. */
  readonly maxTokens: number;
  readonly rowIds: Uint32Array;
  /** rowIds.length x dim, row-major. */
  readonly embeddings: Float32Array;
  /** (kernelSize * dim) x filters, row-major: row j * dim + d holds the weights of token offset j, dimension d. */
  readonly convWeight: Float32Array;
  /** filters. */
  readonly convBias: Float32Array;
  /** classes x filters, row-major. */
  readonly weight: Float32Array;
  /** classes. */
  readonly bias: Float32Array;
}

export type StudentModel = FastTextModel | CnnModel | TransformerModel;
export type { TransformerModel };

/**
 * The CNN's pooled features of one token sequence (float64): the sequence is padded with zero rows to at least
 * kernelSize tokens; positions p = 0 .. max(n, k) - k; h[f] = max over p of relu(convBias[f] + sum over j < k,
 * d < dim of E[ids[p + j]][d] * convWeight[j * dim + d][f]), a padded or row-less token contributing zeros.
 */
export function cnnFeatures(
  ids: ArrayLike<number>,
  rowOf: (bucket: number) => number,
  model: Pick<CnnModel, 'dim' | 'kernelSize' | 'filters' | 'embeddings' | 'convWeight' | 'convBias'>,
  acc: Float64Array,
  out: Float64Array,
): void {
  const { dim, kernelSize: k, filters: F, embeddings, convWeight, convBias } = model;
  const n = ids.length;
  const positions = Math.max(n, k) - k + 1;
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = rowOf(ids[i]);
  out.fill(0);
  for (let p = 0; p < positions; p++) {
    for (let f = 0; f < F; f++) acc[f] = convBias[f];
    for (let j = 0; j < k; j++) {
      const t = p + j;
      if (t >= n || rows[t] < 0) continue;
      const eOff = rows[t] * dim;
      for (let d = 0; d < dim; d++) {
        const e = embeddings[eOff + d];
        if (e === 0) continue;
        const wOff = (j * dim + d) * F;
        for (let f = 0; f < F; f++) acc[f] += e * convWeight[wOff + f];
      }
    }
    // out starts at 0, so max(out, acc) is max over positions of relu(acc).
    for (let f = 0; f < F; f++) if (acc[f] > out[f]) out[f] = acc[f];
  }
}

/** The logits of a text for either student, from its already featurized ids (featurize or tokenSequence). */
export type Forward = (ids: ArrayLike<number>) => Float64Array;

/** A forward pass over `model` with its own scratch buffers; `rowOf` defaults to a lookup of model.rowIds. */
export function createForward(
  model: StudentModel,
  rowOf: (bucket: number) => number = rowLookup(model.rowIds),
): Forward {
  const logits = new Float64Array(model.labels.length);
  if (model.architecture === 'fasttext') {
    const h = new Float64Array(model.dim);
    return (ids) => {
      meanEmbedding(ids, rowOf, model.embeddings, model.dim, h);
      linearLogits(h, model.weight, model.bias, logits);
      return logits;
    };
  }
  if (model.architecture === 'transformer') {
    const h = new Float64Array(model.dim);
    return (ids) => {
      transformerPooled(ids, rowOf, model, h);
      linearLogits(h, model.weight, model.bias, logits);
      return logits;
    };
  }
  const acc = new Float64Array(model.filters);
  const h = new Float64Array(model.filters);
  return (ids) => {
    cnnFeatures(ids, rowOf, model, acc, h);
    linearLogits(h, model.weight, model.bias, logits);
    return logits;
  };
}

/** What the model.json of a student says besides its tensors (docs/student-model.md). */
export interface ModelDescription {
  readonly architecture: string;
  readonly labels: readonly string[];
  readonly featurizer: FeaturizerConfig;
  readonly dim: number;
  readonly cnn?: { readonly kernelSize: number; readonly filters: number; readonly maxTokens: number };
  readonly transformer?: { readonly hidden: number; readonly maxTokens: number };
}

type Shapes = ReadonlyArray<readonly [string, 'float32' | 'uint32', readonly number[]]>;

/** The tensors each architecture stores, in file order, with their shapes; null for an unknown architecture. */
export function modelTensorShapes(d: ModelDescription, rows: number): Shapes | null {
  const classes = d.labels.length;
  const D = d.dim;
  const head = (width: number): Shapes => [
    ['weight', 'float32', [classes, width]],
    ['bias', 'float32', [classes]],
  ];
  const table: Shapes = [
    ['rowIds', 'uint32', [rows]],
    ['embeddings', 'float32', [rows, D]],
  ];
  if (d.architecture === 'fasttext') return [...table, ...head(D)];
  if (d.architecture === 'cnn' && d.cnn) {
    const { kernelSize: k, filters: F } = d.cnn;
    return [...table, ['convWeight', 'float32', [k * D, F]], ['convBias', 'float32', [F]], ...head(F)];
  }
  if (d.architecture === 'transformer' && d.transformer) {
    const { hidden: H, maxTokens } = d.transformer;
    return [
      ...table,
      ['position', 'float32', [maxTokens, D]],
      ['norm1Gain', 'float32', [D]],
      ['norm1Bias', 'float32', [D]],
      ['query', 'float32', [D, D]],
      ['key', 'float32', [D, D]],
      ['value', 'float32', [D, D]],
      ['output', 'float32', [D, D]],
      ['norm2Gain', 'float32', [D]],
      ['norm2Bias', 'float32', [D]],
      ['ffn1', 'float32', [D, H]],
      ['ffn1Bias', 'float32', [H]],
      ['ffn2', 'float32', [H, D]],
      ['ffn2Bias', 'float32', [D]],
      ...head(D),
    ];
  }
  return null;
}

/**
 * Builds a model from its description and a tensor reader; throws an Error with a plain message when the
 * architecture is unknown or a tensor's size does not match (callers wrap it in their own error type).
 */
export function buildModel(
  d: ModelDescription,
  tensor: (name: string, dtype: 'float32' | 'uint32') => Float32Array | Uint32Array,
): StudentModel {
  const rowIds = tensor('rowIds', 'uint32') as Uint32Array;
  const shapes = modelTensorShapes(d, rowIds.length);
  if (!shapes) {
    throw new Error(
      d.architecture === 'cnn' || d.architecture === 'transformer'
        ? `model.json has no "${d.architecture}" section with the model's sizes.`
        : `Unknown student architecture "${d.architecture}".`,
    );
  }
  const out: Record<string, Float32Array | Uint32Array> = { rowIds };
  for (const [name, dtype, shape] of shapes) {
    const t = name === 'rowIds' ? rowIds : tensor(name, dtype);
    const expected = shape.reduce((a, b) => a * b, 1);
    if (t.length !== expected) {
      throw new Error(`The "${name}" weights have ${t.length} values instead of ${expected}.`);
    }
    out[name] = t;
  }
  const base = { labels: d.labels, featurizer: d.featurizer, dim: d.dim, ...out };
  if (d.architecture === 'cnn') return { ...base, architecture: 'cnn', ...d.cnn } as unknown as CnnModel;
  if (d.architecture === 'transformer')
    return { ...base, architecture: 'transformer', ...d.transformer } as unknown as TransformerModel;
  return { ...base, architecture: 'fasttext' } as unknown as FastTextModel;
}

/** The ids a model reads from a text: the hashed n-gram bag (fastText) or the token sequence (CNN, transformer). */
export function modelInput(model: StudentModel, text: string): Uint32Array {
  return model.architecture === 'fasttext'
    ? featurize(text, model.featurizer)
    : tokenSequence(text, model.featurizer, model.maxTokens);
}
