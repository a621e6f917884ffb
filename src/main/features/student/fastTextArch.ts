import { mulberry32 } from '../../../shared/random';
import type { DistillTarget, LossAndGrad } from './distill';
import { featurize } from './featurizer';
import { FASTTEXT_MODEL, linearLogits, meanEmbedding } from './model';
import { glorot, type BatchInput, type StudentArchitecture } from './training/architecture';
import type { RowGrad } from './training/slots';

/** The fastText student's backend: plain TypeScript sparse kernels in the training worker. */
export const FASTTEXT_BACKEND = 'cpu-sparse (worker thread)';

/** Checkpoint names of the Adam moments (kept from the first checkpoint format, so old runs still resume). */
const MOMENTS: Readonly<Record<string, readonly [string, string]>> = {
  emb: ['embM', 'embV'],
  weight: ['wM', 'wV'],
  bias: ['bM', 'bV'],
};

/**
 * The gradients of a batch for the fastText-style student (model.ts): h = mean of the embedding rows of the
 * example's slots, z = W h + b, loss_i = weight_i * distillLoss(z, target_i). With g = weight_i * dLoss/dz / B (B =
 * batch size, so the gradients are of the batch mean): dW[c, d] += g[c] h[d], db[c] += g[c], and every slot of
 * the example gets (sum_c g[c] W[c, :]) / n (n = its number of slots; a slot repeated in the text gets it once per
 * occurrence). Returns the summed weighted loss; the embedding gradients go into `rows`. `loss` is the loss of
 * one example's logits: `distillLoss` (softmax) here, `multiLabelDistillLoss` (independent sigmoids) for a
 * multi-label head.
 */
export function fastTextGradients<T = DistillTarget>(
  p: {
    readonly emb: Float32Array;
    readonly weight: Float32Array;
    readonly bias: Float32Array;
    readonly dim: number;
  },
  batch: Omit<BatchInput, 'targets' | 'loss'> & { readonly targets: readonly T[] },
  lossOf: (logits: Float64Array, target: T, example: number) => LossAndGrad,
  rows: RowGrad,
): { loss: number; weight: Float64Array; bias: Float64Array } {
  const { dim } = p;
  const classes = p.bias.length;
  const bs = batch.examples.length;
  const h = new Float64Array(dim);
  const logits = new Float64Array(classes);
  const dh = new Float64Array(dim);
  const gW = new Float64Array(classes * dim);
  const gB = new Float64Array(classes);
  const identity = (s: number): number => s;
  let batchLoss = 0;
  for (let k = 0; k < bs; k++) {
    const ex = batch.examples[k];
    const slots = batch.inputs[ex];
    meanEmbedding(slots, identity, p.emb, dim, h);
    linearLogits(h, p.weight, p.bias, logits);
    const { loss, grad } = lossOf(logits, batch.targets[ex], ex);
    const w = batch.weights[ex];
    batchLoss += w * loss;
    dh.fill(0);
    for (let c = 0; c < classes; c++) {
      const g = (w * grad[c]) / bs;
      if (g === 0) continue;
      gB[c] += g;
      const off = c * dim;
      for (let d = 0; d < dim; d++) {
        gW[off + d] += g * h[d];
        dh[d] += g * p.weight[off + d];
      }
    }
    const inv = slots.length ? 1 / slots.length : 0;
    for (let i = 0; i < slots.length; i++) rows.add(slots[i], dh, 0, inv);
  }
  return { loss: batchLoss, weight: gW, bias: gB };
}

/**
 * The fastText-style student: a hashed n-gram embedding bag (rows of the training set's features only,
 * zero-initialised) with lazy Adam on the rows a batch touches, and a linear head.
 */
export const FASTTEXT: StudentArchitecture = {
  name: 'fasttext',
  expectedBackend: () => FASTTEXT_BACKEND,
  initMismatch: () => null,
  modelDim: (settings) => settings.dim,
  lossFromLoop: true,
  open: ({ settings, labels, featurizer }) => {
    const dim = settings.dim;
    const classes = labels.length;
    return Promise.resolve({
      backend: FASTTEXT_BACKEND,
      denseShapes: FASTTEXT_MODEL.denseShapes(classes, dim, {}) ?? [],
      describe: () => ({}),
      featurize: (text) => featurize(text, featurizer),
      featureKey: `bag:${JSON.stringify(featurizer)}`,
      init: (rows, seed) => {
        const rnd = mulberry32(seed);
        return {
          emb: new Float32Array(rows * dim),
          dense: { weight: glorot(dim, classes, rnd), bias: new Float32Array(classes) },
        };
      },
      gradients: (params, batch, rows) => {
        const { weight, bias } = params.dense;
        const r = fastTextGradients(
          { emb: params.emb.w, weight: weight.w, bias: bias.w, dim },
          batch,
          (logits, _target, example) => batch.loss(logits, example),
          rows,
        );
        return { loss: r.loss, dense: { weight: r.weight, bias: r.bias } };
      },
      momentName: (name, moment) => MOMENTS[name][moment === 'm' ? 0 : 1],
    });
  },
};
