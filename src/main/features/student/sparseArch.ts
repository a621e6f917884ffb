import type { DistillTarget, LossAndGrad } from './distill';
import { featurize } from './featurizer';
import { slotDf, slotIdf, SPARSE_MODEL, tableLogits, tableVector, type SparseVector } from './sparse';
import type { BatchInput, StudentArchitecture } from './training/architecture';
import type { RowGrad } from './training/slots';

/** The sparse student's backend: plain TypeScript sparse kernels in the training worker. */
export const SPARSE_BACKEND = 'cpu-sparse (worker thread)';

const identity = (s: number): number => s;

/**
 * Scratch arrays of `slotVector`, grown as needed and shared by every call (the training worker runs one loop at a
 * time, and a call does not yield): a run computes one vector per document, and five small typed arrays a call cost
 * more than the arithmetic.
 */
let scratchRows = new Int32Array(256);
let scratchCounts = new Int32Array(256);
let scratchRaw = new Float64Array(256);

/**
 * `tableVector(slots, identity, table, classes)` (sparse.ts) with typed scratch arrays instead of a Map: the same
 * rows in the same order (first appearance) and the same arithmetic, so the same float32 values (a count of 1 skips
 * its Math.log, which is exactly 0). `pos` holds -1 for every row on entry and on return (a row of the table each).
 */
export function slotVector(
  slots: ArrayLike<number>,
  table: ArrayLike<number>,
  classes: number,
  pos: Int32Array,
): SparseVector {
  const width = classes + 1;
  if (scratchRows.length < slots.length) {
    const size = Math.max(slots.length, 2 * scratchRows.length);
    scratchRows = new Int32Array(size);
    scratchCounts = new Int32Array(size);
    scratchRaw = new Float64Array(size);
  }
  const rows = scratchRows;
  const counts = scratchCounts;
  const raw = scratchRaw;
  let k = 0;
  for (let i = 0; i < slots.length; i++) {
    const r = slots[i];
    if (r < 0) continue;
    const p = pos[r];
    if (p >= 0) counts[p]++;
    else {
      pos[r] = k;
      rows[k] = r;
      counts[k++] = 1;
    }
  }
  const indices = rows.slice(0, k);
  let norm = 0;
  for (let j = 0; j < k; j++) {
    const r = indices[j];
    pos[r] = -1;
    const c = counts[j];
    const x = (c === 1 ? 1 : 1 + Math.log(c)) * table[r * width];
    raw[j] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  const values = new Float32Array(k);
  if (norm > 0) for (let j = 0; j < k; j++) values[j] = raw[j] / norm;
  return { indices, values };
}

/**
 * A run's TF-IDF vectors, each computed once: column 0 of the table (the idf) gets no gradient, so an example's
 * vector does not change while the run trains (a warm start or a resumed checkpoint sets the idf before the first
 * step). Keyed by the example's slot list, which the loop keeps for the whole run.
 */
export function vectorCache(
  table: () => ArrayLike<number>,
  classes: number,
): (input: ArrayLike<number>) => SparseVector {
  const cache = new WeakMap<ArrayLike<number>, SparseVector>();
  let pos = new Int32Array(0);
  return (input) => {
    let v = cache.get(input);
    if (v === undefined) {
      const t = table();
      const rows = Math.floor(t.length / (classes + 1));
      if (pos.length !== rows) pos = new Int32Array(rows).fill(-1);
      v = slotVector(input, t, classes, pos);
      cache.set(input, v);
    }
    return v;
  };
}

/**
 * The gradients of a batch for the sparse student (model.ts `SparseModel`): x = the TF-IDF vector of the example's
 * slots (sparse.ts, idf from column 0 of each row), z = bias + sum_k x_k W[slot_k], loss_i = weight_i * loss(z,
 * target_i). With g = weight_i * dLoss/dz / B (B = batch size, so the gradients are of the batch mean):
 * dW[slot_k, c] += x_k g[c], db[c] += g[c]; column 0 (the idf) gets no gradient, so Adam never moves it. Then
 * every row the batch touched gets l2 * s[row] * W[row] (not in the loss returned), s = `p.l2Scale` (1 for every
 * row when absent: a penalty on the rows read, once per batch). `lossOf` is the loss of one example's logits, as the loop gives it: `distillLoss` (softmax) for a
 * single-label project, `multiLabelDistillLoss` (a sigmoid per label) for a multi-label one. Returns the summed weighted loss; row gradients go into `rows`.
 */
export function sparseGradients<T = DistillTarget>(
  p: {
    readonly table: Float32Array;
    readonly bias: Float32Array;
    readonly l2: number;
    readonly l2Scale?: Float32Array;
  },
  batch: Omit<BatchInput, 'targets' | 'loss'> & { readonly targets: readonly T[] },
  lossOf: (logits: Float64Array, target: T, example: number) => LossAndGrad,
  rows: RowGrad,
  vectorOf: (input: ArrayLike<number>) => SparseVector = (input) =>
    tableVector(input, identity, p.table, p.bias.length),
): { loss: number; bias: Float64Array } {
  const classes = p.bias.length;
  const width = classes + 1;
  const bs = batch.examples.length;
  const logits = new Float64Array(classes);
  const gB = new Float64Array(classes);
  let batchLoss = 0;
  for (let k = 0; k < bs; k++) {
    const ex = batch.examples[k];
    const v = vectorOf(batch.inputs[ex]);
    tableLogits(v, p.table, p.bias, logits);
    const { loss, grad } = lossOf(logits, batch.targets[ex], ex);
    const w = batch.weights[ex];
    batchLoss += w * loss;
    for (let c = 0; c < classes; c++) {
      grad[c] *= w / bs;
      gB[c] += grad[c];
    }
    const g = rows.g;
    const { indices, values } = v;
    for (let j = 0; j < indices.length; j++) {
      const x = values[j];
      const off = rows.rowOf(indices[j]) * width + 1;
      for (let c = 0; c < classes; c++) g[off + c] += x * grad[c];
    }
  }
  if (p.l2 > 0) {
    for (const slot of rows.touched) {
      const off = rows.rowOf(slot) * width;
      const woff = slot * width;
      const l2 = p.l2Scale ? p.l2 * p.l2Scale[slot] : p.l2;
      for (let c = 1; c < width; c++) rows.g[off + c] += l2 * p.table[woff + c];
    }
  }
  return { loss: batchLoss, bias: gB };
}

/**
 * The sparse student: a linear softmax layer over TF-IDF vectors of the featurizer's hashed n-grams (rows of the
 * training set's features only), trained by the loop's lazy Adam on the exact distillation loss, with an L2 penalty
 * (settings.l2). Single-label runs penalise every row as the objective `mean loss + l2/2 * |W|^2` does: lazy Adam
 * only updates the rows a batch reads, so a row read by a fraction q of the batches gets l2 / q * W[row] when it is
 * read (`touchRates`), the full penalty on average; with l2 once per batch read instead, a feature seen in one
 * document was held back about 100 times less than a common one and the student overfitted after a few epochs
 * (docs/student-model.md). Multi-label runs keep the penalty on the rows read, what their Auto values were tuned with,
 * and so do runs with settings.l2Rows 'read' (those created before, so that they resume as they started).
 * Its rows are classes + 1 wide: the feature's idf (fixed at the start from the training documents:
 * ln((1 + n) / (1 + df)) + 1) and its weight for each class (zero at the start).
 */
export const SPARSE: StudentArchitecture = {
  name: 'sparse',
  expectedBackend: () => SPARSE_BACKEND,
  initMismatch: () => null,
  modelDim: (_settings, classes) => classes + 1,
  lossFromLoop: true,
  open: ({ settings, labels, featurizer, kind }) => {
    const classes = labels.length;
    const width = SPARSE.modelDim(settings, classes);
    let table: Float32Array = new Float32Array(0);
    const vectorOf = vectorCache(() => table, classes);
    let l2Scale: Float32Array | undefined;
    return Promise.resolve({
      backend: SPARSE_BACKEND,
      rowWidth: width,
      // Column 0, the idf, gets no gradient.
      frozenColumns: 1,
      denseShapes: SPARSE_MODEL.denseShapes(classes, width, {}) ?? [],
      describe: () => ({}),
      featurize: (text) => featurize(text, featurizer),
      featureKey: `bag:${JSON.stringify(featurizer)}`,
      init: (rows, _seed, inputs) => {
        const emb = new Float32Array(rows * width);
        const idf = inputs ? slotIdf(inputs, rows) : null;
        for (let r = 0; r < rows; r++) emb[r * width] = idf ? idf[r] : 1;
        return { emb, dense: { bias: new Float32Array(classes) } };
      },
      // Validation: the model's forward pass (sparse.ts) with each document's vector computed once per run.
      forward: (params) => {
        table = params.emb.w;
        const logits = new Float64Array(classes);
        return (slots) => tableLogits(vectorOf(slots), params.emb.w, params.dense.bias.w, logits);
      },
      // The L2 penalty: added by the loop's lazy Adam to the rows a step touched (the same numbers as
      // sparseGradients' `l2`, in the pass Adam makes over them anyway).
      rowDecay: () => (settings.l2 > 0 ? { l2: settings.l2, scale: l2Scale ?? null } : null),
      gradients: (params, batch, rows) => {
        table = params.emb.w;
        if (kind !== 'multi' && settings.l2Rows === 'all' && l2Scale === undefined)
          l2Scale = touchRates(batch.inputs, params.emb.w.length / width, settings.batchSize);
        const r = sparseGradients(
          { table: params.emb.w, bias: params.dense.bias.w, l2: 0 },
          batch,
          (logits, _target, example) => batch.loss(logits, example),
          rows,
          vectorOf,
        );
        return { loss: r.loss, dense: { bias: r.bias } };
      },
    });
  },
};

/**
 * Per slot, 1 / q with q the chance that a batch of b = min(batchSize, n) of the n training documents, drawn without
 * replacement as the loop's shuffled batches are, reads it: q = 1 - prod_{i<b} (n - df - i) / (n - i), df = the
 * documents holding it; 1 for a slot no training document holds (a warm start's extra rows).
 */
export function touchRates(
  docs: readonly ArrayLike<number>[],
  rows: number,
  batchSize: number,
): Float32Array {
  const df = slotDf(docs, rows);
  const n = docs.length;
  const b = Math.min(batchSize, n);
  // By df (at most n): each value computed once, in a typed array rather than a Map (a run has tens of thousands of
  // rows and a few hundred distinct df).
  const byDf = new Float64Array(n + 1);
  const scale = (x: number): number => {
    let missed = 1;
    for (let i = 0; i < b && missed > 0; i++) missed *= Math.max(0, n - x - i) / (n - i);
    return 1 / (1 - missed);
  };
  const out = new Float32Array(df.length);
  for (let s = 0; s < df.length; s++) {
    const x = df[s];
    if (x <= 0) out[s] = 1;
    else {
      if (byDf[x] === 0) byDf[x] = scale(x);
      out[s] = byDf[x];
    }
  }
  return out;
}
