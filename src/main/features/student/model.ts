import { sigmoid, softmax } from '../../../shared/math';
import { featurize, tokenSequence, type FeaturizerConfig } from './featurizer';
import type { StudentModel } from './modelKinds';

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

/**
 * How a model's outputs are read: absent or 'single', a softmax over the labels (one label per document); 'multi',
 * an independent sigmoid per label (multi-label projects), label k applying when sigmoid(logit k) >= thresholds[k].
 */
export interface ModelHead {
  readonly kind?: 'single' | 'multi';
  /** 'multi' only: one threshold per label, in `labels` order. */
  readonly thresholds?: readonly number[];
}

/**
 * What every student model has, whatever its architecture: the fields the loop, model.json and the runtime read
 * without knowing the architecture. `StudentModel` (modelKinds.ts) is the union of the registered models.
 */
export interface ModelBase extends ModelHead {
  readonly architecture: string;
  readonly labels: readonly string[];
  readonly featurizer: FeaturizerConfig;
  readonly dim: number;
  readonly rowIds: Uint32Array;
  readonly embeddings: Float32Array;
}

export type { StudentModel };
export type { SparseModel } from './sparse';
export type { TransformerModel } from './transformer';

/** The head fields of a description, checked: a multi-label model needs one threshold in [0, 1] per label. */
export function headOf(d: ModelDescription): ModelHead {
  if (d.kind !== 'multi') return {};
  const t = d.thresholds;
  if (
    !Array.isArray(t) ||
    t.length !== d.labels.length ||
    t.some((x) => typeof x !== 'number' || !(x >= 0 && x <= 1))
  ) {
    throw new Error(
      `model.json's thresholds must be ${d.labels.length} numbers between 0 and 1, one per label.`,
    );
  }
  return { kind: 'multi', thresholds: t };
}

/** The output probabilities of logits: a softmax (one label per document) or a sigmoid per label (multi-label). */
export function outputProbabilities(model: ModelHead, logits: ArrayLike<number>): number[] {
  if (model.kind === 'multi') return Array.from(logits, sigmoid);
  return Array.from(softmax(logits));
}

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

/** What the model.json of a student says besides its tensors (docs/student-model.md). */
export interface ModelDescription extends ModelHead {
  readonly architecture: string;
  readonly labels: readonly string[];
  readonly featurizer: FeaturizerConfig;
  readonly dim: number;
  /** The sizes of the architecture's own section (`ModelKind.section`: `cnn`, `transformer`), by section name. */
  readonly [section: string]: unknown;
}

/** Tensors by name and shape, in file order. */
export type TensorShapes = ReadonlyArray<readonly [string, readonly number[]]>;

/** The logits of a text, from its already featurized ids (`ModelKind.input`). */
export type Forward = (ids: ArrayLike<number>) => Float64Array;

/**
 * What an architecture's model is, apart from training: its tensors, its forward pass and its input. Pure (no Node
 * API), because the exported runtime bundles it; the training side of an architecture (a `StudentArchitecture`)
 * takes its tensor shapes from here. Registered in modelKinds.ts.
 */
export interface ModelKind<M extends ModelBase = StudentModel> {
  readonly name: M['architecture'];
  /** The key of model.json's section with this architecture's sizes (`cnn`, `transformer`), or null. */
  readonly section: string | null;
  /**
   * The tensors after `rowIds` and `embeddings` (which every architecture has), in file order, for `classes`
   * labels, embedding width `dim` and the sizes of the section; null when a size is missing.
   */
  denseShapes(classes: number, dim: number, sizes: Readonly<Record<string, number>>): TensorShapes | null;
  /** The section's sizes of a model (what `denseShapes` reads). */
  sizes(model: M): Readonly<Record<string, number>>;
  /** A forward pass over `model` with its own scratch buffers. */
  forward(model: M, rowOf: (bucket: number) => number): Forward;
  /** The ids the model reads from a text: a bag of hashed n-grams or a token sequence. */
  input(model: M, text: string): Uint32Array;
}

function head(classes: number, width: number): TensorShapes {
  return [
    ['weight', [classes, width]],
    ['bias', [classes]],
  ];
}

export const FASTTEXT_MODEL: ModelKind<FastTextModel> = {
  name: 'fasttext',
  section: null,
  denseShapes: (classes, dim) => head(classes, dim),
  sizes: () => ({}),
  forward: (model, rowOf) => {
    const logits = new Float64Array(model.labels.length);
    const h = new Float64Array(model.dim);
    return (ids) => {
      meanEmbedding(ids, rowOf, model.embeddings, model.dim, h);
      linearLogits(h, model.weight, model.bias, logits);
      return logits;
    };
  },
  input: (model, text) => featurize(text, model.featurizer),
};

export const CNN_MODEL: ModelKind<CnnModel> = {
  name: 'cnn',
  section: 'cnn',
  denseShapes: (classes, dim, { kernelSize: k, filters: F }) =>
    k === undefined || F === undefined
      ? null
      : [['convWeight', [k * dim, F]], ['convBias', [F]], ...head(classes, F)],
  sizes: ({ kernelSize, filters, maxTokens }) => ({ kernelSize, filters, maxTokens }),
  forward: (model, rowOf) => {
    const logits = new Float64Array(model.labels.length);
    const acc = new Float64Array(model.filters);
    const h = new Float64Array(model.filters);
    return (ids) => {
      cnnFeatures(ids, rowOf, model, acc, h);
      linearLogits(h, model.weight, model.bias, logits);
      return logits;
    };
  },
  input: (model, text) => tokenSequence(text, model.featurizer, model.maxTokens),
};
