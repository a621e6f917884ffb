import { tokenSequence, type FeaturizerConfig } from './featurizer';
import { linearLogits, type ModelKind } from './model';

/**
 * The tiny transformer student: one pre-norm encoder layer (single-head self-attention and a ReLU feed-forward
 * block, each with a residual connection) over the token sequence with learned positions, mean-pooled, then a
 * linear layer and a softmax. Pure (no Node API): the app and the exported runtime predict with `transformerPooled`;
 * the trainer (tfStudent.ts + transformerArch.ts) builds the same graph in TensorFlow.js.
 */
export interface TransformerModel {
  readonly architecture: 'transformer';
  readonly labels: readonly string[];
  readonly featurizer: FeaturizerConfig;
  readonly dim: number;
  /** Width of the feed-forward block. */
  readonly hidden: number;
  /** Tokens after the first maxTokens are ignored; also the number of learned positions. */
  readonly maxTokens: number;
  readonly rowIds: Uint32Array;
  /** rowIds.length x dim. */
  readonly embeddings: Float32Array;
  /** maxTokens x dim: added to the token at each position. */
  readonly position: Float32Array;
  /** dim each: layer norm before attention. */
  readonly norm1Gain: Float32Array;
  readonly norm1Bias: Float32Array;
  /** dim x dim each (x row-vector times matrix). */
  readonly query: Float32Array;
  readonly key: Float32Array;
  readonly value: Float32Array;
  readonly output: Float32Array;
  /** dim each: layer norm before the feed-forward block. */
  readonly norm2Gain: Float32Array;
  readonly norm2Bias: Float32Array;
  /** dim x hidden, hidden, hidden x dim, dim. */
  readonly ffn1: Float32Array;
  readonly ffn1Bias: Float32Array;
  readonly ffn2: Float32Array;
  readonly ffn2Bias: Float32Array;
  /** classes x dim, classes. */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

export const LAYER_NORM_EPS = 1e-5;

/** out[t] = (x[t] - mean) / sqrt(var + eps) * gain + bias, per row of n x dim. */
function layerNorm(
  x: Float64Array,
  n: number,
  dim: number,
  gain: Float32Array,
  bias: Float32Array,
): Float64Array {
  const out = new Float64Array(n * dim);
  for (let t = 0; t < n; t++) {
    const o = t * dim;
    let mean = 0;
    for (let d = 0; d < dim; d++) mean += x[o + d];
    mean /= dim;
    let v = 0;
    for (let d = 0; d < dim; d++) v += (x[o + d] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / dim + LAYER_NORM_EPS);
    for (let d = 0; d < dim; d++) out[o + d] = (x[o + d] - mean) * inv * gain[d] + bias[d];
  }
  return out;
}

/** x (n x a) times w (a x b), plus bias (b) when given. */
function matmul(
  x: Float64Array,
  n: number,
  a: number,
  w: Float32Array,
  b: number,
  bias?: Float32Array,
): Float64Array {
  const out = new Float64Array(n * b);
  for (let t = 0; t < n; t++) {
    const o = t * b;
    if (bias) for (let j = 0; j < b; j++) out[o + j] = bias[j];
    for (let i = 0; i < a; i++) {
      const xv = x[t * a + i];
      if (xv === 0) continue;
      const wo = i * b;
      for (let j = 0; j < b; j++) out[o + j] += xv * w[wo + j];
    }
  }
  return out;
}

/**
 * The pooled features of one token sequence (float64), n' = max(n, 1) tokens (an empty text reads one zero token):
 * x[t] = E[ids[t]] + position[t]; h = x + softmax(q k^T / sqrt(dim)) v * output with q, k, v = LN1(x) * query, key,
 * value; z = h + relu(LN2(h) * ffn1 + ffn1Bias) * ffn2 + ffn2Bias; out = mean over t of z[t].
 */
export function transformerPooled(
  ids: ArrayLike<number>,
  rowOf: (bucket: number) => number,
  m: Omit<TransformerModel, 'architecture' | 'labels' | 'featurizer' | 'rowIds' | 'weight' | 'bias'>,
  out: Float64Array,
): void {
  const { dim, hidden } = m;
  const n = Math.max(1, Math.min(ids.length, m.maxTokens));
  const x = new Float64Array(n * dim);
  for (let t = 0; t < n; t++) {
    const r = t < ids.length ? rowOf(ids[t]) : -1;
    for (let d = 0; d < dim; d++) {
      x[t * dim + d] = (r >= 0 ? m.embeddings[r * dim + d] : 0) + m.position[t * dim + d];
    }
  }
  const a = layerNorm(x, n, dim, m.norm1Gain, m.norm1Bias);
  const q = matmul(a, n, dim, m.query, dim);
  const k = matmul(a, n, dim, m.key, dim);
  const v = matmul(a, n, dim, m.value, dim);
  const scale = 1 / Math.sqrt(dim);
  const att = new Float64Array(n * dim);
  const p = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let max = -Infinity;
    for (let u = 0; u < n; u++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += q[t * dim + d] * k[u * dim + d];
      p[u] = s * scale;
      if (p[u] > max) max = p[u];
    }
    let sum = 0;
    for (let u = 0; u < n; u++) {
      p[u] = Math.exp(p[u] - max);
      sum += p[u];
    }
    for (let u = 0; u < n; u++) {
      const w = p[u] / sum;
      for (let d = 0; d < dim; d++) att[t * dim + d] += w * v[u * dim + d];
    }
  }
  const proj = matmul(att, n, dim, m.output, dim);
  for (let i = 0; i < x.length; i++) x[i] += proj[i];
  const b = layerNorm(x, n, dim, m.norm2Gain, m.norm2Bias);
  const f1 = matmul(b, n, dim, m.ffn1, hidden, m.ffn1Bias);
  for (let i = 0; i < f1.length; i++) if (f1[i] < 0) f1[i] = 0;
  const f2 = matmul(f1, n, hidden, m.ffn2, dim, m.ffn2Bias);
  out.fill(0);
  for (let t = 0; t < n; t++) for (let d = 0; d < dim; d++) out[d] += x[t * dim + d] + f2[t * dim + d];
  for (let d = 0; d < dim; d++) out[d] /= n;
}

export const TRANSFORMER_MODEL: ModelKind<TransformerModel> = {
  name: 'transformer',
  section: 'transformer',
  denseShapes: (classes, D, { hidden: H, maxTokens }) =>
    H === undefined || maxTokens === undefined
      ? null
      : [
          ['position', [maxTokens, D]],
          ['norm1Gain', [D]],
          ['norm1Bias', [D]],
          ['query', [D, D]],
          ['key', [D, D]],
          ['value', [D, D]],
          ['output', [D, D]],
          ['norm2Gain', [D]],
          ['norm2Bias', [D]],
          ['ffn1', [D, H]],
          ['ffn1Bias', [H]],
          ['ffn2', [H, D]],
          ['ffn2Bias', [D]],
          ['weight', [classes, D]],
          ['bias', [classes]],
        ],
  sizes: ({ hidden, maxTokens }) => ({ hidden, maxTokens }),
  forward: (model, rowOf) => {
    const logits = new Float64Array(model.labels.length);
    const h = new Float64Array(model.dim);
    return (ids) => {
      transformerPooled(ids, rowOf, model, h);
      linearLogits(h, model.weight, model.bias, logits);
      return logits;
    };
  },
  input: (model, text) => tokenSequence(text, model.featurizer, model.maxTokens),
};
