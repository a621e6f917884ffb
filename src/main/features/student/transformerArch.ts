import type * as TF from '@tensorflow/tfjs-core';
import { LAYER_NORM_EPS, TRANSFORMER_MODEL } from './transformer';
import { glorot, uniform } from './training/architecture';
import type { RowGrad } from './training/slots';
import { MASKED, sequenceStudent, type Batch, type MatMul, type TfGraph } from './tfStudent';

/**
 * The tiny transformer's graph (transformer.ts `transformerPooled` is the same computation in float64): token
 * embeddings plus learned positions, one pre-norm encoder layer (single-head attention, ReLU feed-forward block of
 * width 2 x dim, residual connections), mean-pooled over the real tokens, then a linear head. Padding tokens are
 * masked out of the attention's keys and out of the mean. The batch's input is its token embeddings (batch x
 * tokens x dim), gathered here; their gradient goes back to the rows.
 */

/** Tokens of a sequence of n tokens: an empty text reads one (zero) token. */
function tokensOf(n: number, maxTokens: number): number {
  return Math.max(1, Math.min(n, maxTokens));
}

export function hiddenOf(dim: number): number {
  return 2 * dim;
}

function layerNorm(tf: typeof TF, x: TF.Tensor, gain: TF.Tensor, bias: TF.Tensor): TF.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.div(centered, tf.sqrt(tf.add(variance, LAYER_NORM_EPS))), gain), bias);
}

/** x (B x L x a) times w (a x b) as one 2-D matMul. */
function dense3(tf: typeof TF, mm: MatMul, x: TF.Tensor, w: TF.Tensor, B: number, L: number): TF.Tensor {
  const [a, b] = w.shape;
  return tf.reshape(mm(tf.reshape(x, [B * L, a]), w), [B, L, b]);
}

export const TRANSFORMER_GRAPH: TfGraph = {
  model: TRANSFORMER_MODEL,
  initDense: (s, rnd) => {
    const D = s.dim;
    const H = hiddenOf(D);
    return {
      position: uniform(s.maxTokens * D, 0.05, rnd),
      norm1Gain: new Float32Array(D).fill(1),
      norm1Bias: new Float32Array(D),
      query: glorot(D, D, rnd),
      key: glorot(D, D, rnd),
      value: glorot(D, D, rnd),
      output: glorot(D, D, rnd),
      norm2Gain: new Float32Array(D).fill(1),
      norm2Bias: new Float32Array(D),
      ffn1: glorot(D, H, rnd),
      ffn1Bias: new Float32Array(H),
      ffn2: glorot(H, D, rnd),
      ffn2Bias: new Float32Array(D),
      weight: glorot(D, s.classes, rnd),
      bias: new Float32Array(s.classes),
    };
  },
  width: (s) => s.dim,
  describe: (s) => ({ hidden: hiddenOf(s.dim), maxTokens: s.maxTokens }),

  buildBatch(examples, sequences, emb, s): Batch {
    const D = s.dim;
    let L = 1;
    for (let i = 0; i < examples.length; i++)
      L = Math.max(L, tokensOf(sequences[examples[i]].length, s.maxTokens));
    const B = examples.length;
    const x = new Float32Array(B * L * D);
    const keyMask = new Float32Array(B * L);
    const poolWeight = new Float32Array(B * L);
    for (let i = 0; i < B; i++) {
      const seq = sequences[examples[i]];
      const own = tokensOf(seq.length, s.maxTokens);
      for (let t = 0; t < L; t++) {
        if (t >= own) {
          keyMask[i * L + t] = MASKED;
          continue;
        }
        poolWeight[i * L + t] = 1 / own;
        if (t < seq.length) x.set(emb.subarray(seq[t] * D, (seq[t] + 1) * D), (i * L + t) * D);
      }
    }
    return {
      size: B,
      length: L,
      input: x,
      inputShape: [B, L, D],
      constants: [
        { data: keyMask, shape: [B, 1, L] },
        { data: poolWeight, shape: [B, L, 1] },
      ],
    };
  },

  pooled(tf: typeof TF, mm, input, constants, d, s, batch) {
    const B = batch.size;
    const L = batch.length;
    const D = s.dim;
    const [keyMask, poolWeight] = constants;
    const x = tf.add(input, tf.slice(d.position, [0, 0], [L, D]));
    const a = layerNorm(tf, x, d.norm1Gain, d.norm1Bias);
    const q = dense3(tf, mm, a, d.query, B, L);
    const k = dense3(tf, mm, a, d.key, B, L);
    const v = dense3(tf, mm, a, d.value, B, L);
    const scores = tf.add(tf.mul(mm(q, tf.transpose(k, [0, 2, 1])), 1 / Math.sqrt(D)), keyMask);
    const attention = mm(tf.softmax(scores), v);
    const h = tf.add(x, dense3(tf, mm, attention, d.output, B, L));
    const b = layerNorm(tf, h, d.norm2Gain, d.norm2Bias);
    const f1 = tf.relu(tf.add(dense3(tf, mm, b, d.ffn1, B, L), d.ffn1Bias));
    const z = tf.add(h, tf.add(dense3(tf, mm, f1, d.ffn2, B, L), d.ffn2Bias));
    return tf.sum(tf.mul(z, poolWeight), 1);
  },

  scatter(inputGrad, examples, sequences, batch, s, rows: RowGrad) {
    const D = s.dim;
    for (let i = 0; i < examples.length; i++) {
      const seq = sequences[examples[i]];
      const n = Math.min(seq.length, s.maxTokens);
      for (let t = 0; t < n; t++) rows.add(seq[t], inputGrad, (i * batch.length + t) * D);
    }
  },
};

/** The transformer student (registered in architectures.ts). */
export const TRANSFORMER = sequenceStudent('transformer', TRANSFORMER_GRAPH, (model, settings, which) =>
  model.architecture === 'transformer' && model.maxTokens !== settings.maxTokens
    ? `${which} reads ${model.maxTokens} words per text, this run ${settings.maxTokens}. Set the same number of ` +
      'words, or start from scratch.'
    : null,
);
