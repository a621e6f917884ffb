import type * as TF from '@tensorflow/tfjs-core';
import { CNN_MODEL } from './model';
import { glorot } from './training/architecture';
import type { RowGrad } from './training/slots';
import { MASKED, sequenceStudent, type Batch, type TfGraph } from './tfStudent';

/**
 * The CNN student's graph: one 1-D convolution of width kernelSize over the token embeddings, ReLU, max-pooling
 * over positions, a linear head (model.ts `cnnFeatures` is the same computation in float64). The WebAssembly
 * backend has no Conv2DBackpropFilter kernel (the gradient of conv1d), so the convolution is an im2col matMul: the
 * batch's input is its windows (batch x positions rows, kernelSize x dim columns) and their gradient goes back to
 * the rows each window was gathered from.
 */

/** Positions of a sequence of n tokens: padded to at least kernelSize tokens. */
export function positionsOf(n: number, k: number): number {
  return Math.max(n, k) - k + 1;
}

export const CNN_GRAPH: TfGraph = {
  model: CNN_MODEL,
  initDense: (s, rnd) => ({
    convWeight: glorot(s.kernelSize * s.dim, s.filters, rnd),
    convBias: new Float32Array(s.filters),
    weight: glorot(s.filters, s.classes, rnd),
    bias: new Float32Array(s.classes),
  }),
  width: (s) => s.filters,
  describe: (s) => ({ kernelSize: s.kernelSize, filters: s.filters, maxTokens: s.maxTokens }),

  buildBatch(examples, sequences, emb, s): Batch {
    const { dim, kernelSize: k } = s;
    const K = k * dim;
    let positions = 1;
    for (let i = 0; i < examples.length; i++)
      positions = Math.max(positions, positionsOf(sequences[examples[i]].length, k));
    const windows = new Float32Array(examples.length * positions * K);
    const mask = new Float32Array(examples.length * positions);
    for (let i = 0; i < examples.length; i++) {
      const seq = sequences[examples[i]];
      const own = positionsOf(seq.length, k);
      for (let p = 0; p < positions; p++) {
        if (p >= own) {
          mask[i * positions + p] = MASKED;
          continue;
        }
        const base = (i * positions + p) * K;
        for (let j = 0; j < k && p + j < seq.length; j++) {
          const slot = seq[p + j];
          windows.set(emb.subarray(slot * dim, (slot + 1) * dim), base + j * dim);
        }
      }
    }
    return {
      size: examples.length,
      length: positions,
      input: windows,
      inputShape: [examples.length * positions, K],
      constants: [{ data: mask, shape: [examples.length, positions, 1] }],
    };
  },

  pooled(tf: typeof TF, mm, input, constants, d, s, batch) {
    const conv = tf.reshape(tf.relu(tf.add(mm(input, d.convWeight), d.convBias)), [
      batch.size,
      batch.length,
      s.filters,
    ]);
    return tf.max(tf.add(conv, constants[0]), 1);
  },

  scatter(inputGrad, examples, sequences, batch, s, rows: RowGrad) {
    const { dim, kernelSize: k } = s;
    const K = k * dim;
    for (let i = 0; i < examples.length; i++) {
      const seq = sequences[examples[i]];
      const own = positionsOf(seq.length, k);
      for (let p = 0; p < own; p++) {
        const base = (i * batch.length + p) * K;
        for (let j = 0; j < k && p + j < seq.length; j++) rows.add(seq[p + j], inputGrad, base + j * dim);
      }
    }
  },
};

/** The CNN student (registered in architectures.ts). */
export const CNN = sequenceStudent('cnn', CNN_GRAPH, (model, settings, which) =>
  model.architecture === 'cnn' &&
  (model.kernelSize !== settings.kernelSize || model.filters !== settings.filters)
    ? `${which} has ${model.filters} filters of width ${model.kernelSize}, this run ${settings.filters} of width ` +
      `${settings.kernelSize}. Set the same filters and width, or start from scratch.`
    : null,
);
