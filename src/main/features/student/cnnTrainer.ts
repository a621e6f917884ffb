import { existsSync } from 'node:fs';
import type * as TF from '@tensorflow/tfjs-core';
import { mulberry32 } from '../../../shared/random';
import { softmax, teacherLogits, type DistillTarget } from './distill';
import { DEFAULT_FEATURIZER, tokenSequence, type FeaturizerConfig } from './featurizer';
import { createForward, type CnnModel } from './model';
import { readModel } from './modelFile';
import { initTf } from './tfBackend';
import {
  adamDense,
  adamRows,
  assignSlots,
  checkInitModel,
  checkpointMismatch,
  finishEpoch,
  mergeRows,
  nanError,
  newRunProgress,
  outcomeOf,
  readCheckpointFile,
  restoreRunProgress,
  shuffledOrder,
  writeCheckpointFile,
  type TrainHooks,
  type TrainInput,
  type TrainOutcome,
} from './trainer';

/**
 * The CNN student's trainer. TensorFlow.js (tfjs-node-gpu, tfjs-node or WebAssembly, see tfBackend.ts) computes the
 * convolution, the pooling, the head and the distillation loss with their gradients; the parameters and Adam's
 * moments live in Float32Arrays here, so that checkpoints are exact and a resumed run ends like an uninterrupted
 * one. Two workarounds for the WebAssembly backend, which has no UnsortedSegmentSum (the gradient of gather) and no
 * Conv2DBackpropFilter (the gradient of conv1d): the embedding rows are gathered here into an im2col matrix of
 * windows (batch x positions, kernelSize x dim), so the convolution is a plain matMul whose input gradient is
 * scattered back to the rows touched (lazy Adam on those rows only); and the matMul's gradient uses explicit
 * transposes, about eight times faster on WebAssembly than matMul's transpose flags.
 */

const PROGRESS_EVERY = 256;
const MASKED = -1e9;
const DENSE = ['convWeight', 'convBias', 'weight', 'bias'] as const;
type DenseName = (typeof DENSE)[number];

interface DenseParam {
  readonly w: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

export interface CnnParams {
  readonly slotBucket: Uint32Array;
  readonly emb: Float32Array;
  readonly embM: Float32Array;
  readonly embV: Float32Array;
  readonly dense: Record<DenseName, DenseParam>;
}

export interface Shape {
  readonly dim: number;
  readonly kernelSize: number;
  readonly filters: number;
  readonly classes: number;
}

function denseSizes(s: Shape): Record<DenseName, number> {
  return {
    convWeight: s.kernelSize * s.dim * s.filters,
    convBias: s.filters,
    weight: s.classes * s.filters,
    bias: s.classes,
  };
}

function uniform(n: number, limit: number, rnd: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rnd() * 2 - 1) * limit;
  return out;
}

function dense(w: Float32Array): DenseParam {
  return { w, m: new Float32Array(w.length), v: new Float32Array(w.length) };
}

/** Embedding rows uniform in +-0.1 (in slot order), convolution and head Glorot-uniform, biases zero. */
export function initParams(slotBucket: Uint32Array, s: Shape, seed: number): CnnParams {
  const rnd = mulberry32(seed);
  const k = s.kernelSize * s.dim;
  const emb = uniform(slotBucket.length * s.dim, 0.1, rnd);
  return {
    slotBucket,
    emb,
    embM: new Float32Array(emb.length),
    embV: new Float32Array(emb.length),
    dense: {
      convWeight: dense(uniform(k * s.filters, Math.sqrt(6 / (k + s.filters)), rnd)),
      convBias: dense(new Float32Array(s.filters)),
      weight: dense(uniform(s.classes * s.filters, Math.sqrt(6 / (s.filters + s.classes)), rnd)),
      bias: dense(new Float32Array(s.classes)),
    },
  };
}

function warmStart(fresh: CnnParams, model: CnnModel): CnnParams {
  const { slotBucket, emb } = mergeRows(fresh.slotBucket, fresh.emb, model);
  return {
    slotBucket,
    emb,
    embM: new Float32Array(emb.length),
    embV: new Float32Array(emb.length),
    dense: {
      convWeight: dense(Float32Array.from(model.convWeight)),
      convBias: dense(Float32Array.from(model.convBias)),
      weight: dense(Float32Array.from(model.weight)),
      bias: dense(Float32Array.from(model.bias)),
    },
  };
}

function checkpointTensors(p: CnnParams): Array<readonly [string, Float32Array | Uint32Array]> {
  const out: Array<readonly [string, Float32Array | Uint32Array]> = [
    ['slotBucket', p.slotBucket],
    ['emb', p.emb],
    ['emb.m', p.embM],
    ['emb.v', p.embV],
  ];
  for (const name of DENSE) {
    const d = p.dense[name];
    out.push([name, d.w], [`${name}.m`, d.m], [`${name}.v`, d.v]);
  }
  return out;
}

function readParams(
  file: string,
  s: Shape,
): { params: CnnParams; header: ReturnType<typeof readCheckpointFile>['header'] } {
  const ck = readCheckpointFile(file);
  const slotBucket = ck.uint('slotBucket');
  const sizes = denseSizes(s);
  const read = (name: DenseName): DenseParam => {
    const d = { w: ck.float(name), m: ck.float(`${name}.m`), v: ck.float(`${name}.v`) };
    if (d.w.length !== sizes[name]) throw checkpointMismatch(file);
    return d;
  };
  const params: CnnParams = {
    slotBucket,
    emb: ck.float('emb'),
    embM: ck.float('emb.m'),
    embV: ck.float('emb.v'),
    dense: {
      convWeight: read('convWeight'),
      convBias: read('convBias'),
      weight: read('weight'),
      bias: read('bias'),
    },
  };
  if (params.emb.length !== slotBucket.length * s.dim) throw checkpointMismatch(file);
  return { params, header: ck.header };
}

/** The inference model of the parameters; `sorted` = rows by bucket (saved), else a view by slot (validation). */
export function toCnnModel(
  p: CnnParams,
  s: Shape & { maxTokens: number },
  labels: readonly string[],
  featurizer: FeaturizerConfig,
  sorted: boolean,
): CnnModel {
  let rowIds = p.slotBucket;
  let embeddings = p.emb;
  if (sorted) {
    const order = Array.from(p.slotBucket.keys()).sort((a, b) => p.slotBucket[a] - p.slotBucket[b]);
    rowIds = Uint32Array.from(order, (slot) => p.slotBucket[slot]);
    embeddings = new Float32Array(p.emb.length);
    order.forEach((slot, i) => embeddings.set(p.emb.subarray(slot * s.dim, (slot + 1) * s.dim), i * s.dim));
  }
  const copy = (a: Float32Array): Float32Array => (sorted ? Float32Array.from(a) : a);
  return {
    architecture: 'cnn',
    labels,
    featurizer,
    dim: s.dim,
    kernelSize: s.kernelSize,
    filters: s.filters,
    maxTokens: s.maxTokens,
    rowIds,
    embeddings,
    convWeight: copy(p.dense.convWeight.w),
    convBias: copy(p.dense.convBias.w),
    weight: copy(p.dense.weight.w),
    bias: copy(p.dense.bias.w),
  };
}

/** Positions of a sequence of n tokens: padded to at least kernelSize tokens. */
function positionsOf(n: number, k: number): number {
  return Math.max(n, k) - k + 1;
}

/**
 * The distillation loss of a batch as tfjs constants: per example, softWeight * T^2 * KL(p || softmax(z/T)) +
 * hardWeight * CE(z, label) = const_i - sum_c A[i,c] * logSoftmax(z/T)[i,c] - sum_c H[i,c] * logSoftmax(z)[i,c],
 * with A = softWeight T^2 p, H = hardWeight one-hot and const_i = softWeight T^2 sum_c p log p (weights as in
 * distill.ts: an example with only one kind of label uses that term alone).
 */
export function lossTargets(
  targets: readonly DistillTarget[],
  classes: number,
  opts: { alpha: number; temperature: number },
): { soft: Float32Array; hard: Float32Array; constant: number } {
  const T = opts.temperature;
  const soft = new Float32Array(targets.length * classes);
  const hard = new Float32Array(targets.length * classes);
  let constant = 0;
  targets.forEach((t, i) => {
    const hasLabel = t.label !== null;
    const hasTeacher = t.teacher !== null;
    const softWeight = hasLabel && hasTeacher ? opts.alpha : hasTeacher ? 1 : 0;
    const hardWeight = hasLabel && hasTeacher ? 1 - opts.alpha : hasLabel ? 1 : 0;
    if (softWeight > 0 && t.teacher !== null) {
      const p = softmax(teacherLogits(t.teacher), T);
      for (let c = 0; c < classes; c++) {
        soft[i * classes + c] = softWeight * T * T * p[c];
        if (p[c] > 0) constant += softWeight * T * T * p[c] * Math.log(p[c]);
      }
    }
    if (hardWeight > 0 && t.label !== null) hard[i * classes + t.label] = hardWeight;
  });
  return { soft, hard, constant };
}

type MatMul = (a: TF.Tensor, b: TF.Tensor) => TF.Tensor;

/** matMul whose gradient uses explicit transposes (matMul's transpose flags are ~8x slower on WebAssembly). */
export function transposingMatMul(tf: typeof TF): MatMul {
  const mm = tf.customGrad((...args: unknown[]) => {
    const [a, b, save] = args as [TF.Tensor2D, TF.Tensor2D, (ts: TF.Tensor[]) => void];
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const [sa, sb] = saved as [TF.Tensor2D, TF.Tensor2D];
        return [
          tf.matMul(dy as TF.Tensor2D, tf.transpose(sb)),
          tf.matMul(tf.transpose(sa), dy as TF.Tensor2D),
        ];
      },
    };
  });
  return (a, b) => mm(a, b);
}

export interface Batch {
  readonly size: number;
  readonly positions: number;
  /** size * positions x kernelSize * dim windows of embedding rows (zeros past a text's end). */
  readonly windows: Float32Array;
  /** size x positions x 1: 0 for a real position, MASKED for padding. */
  readonly mask: Float32Array;
}

export function buildBatch(
  examples: ArrayLike<number>,
  sequences: readonly Int32Array[],
  emb: Float32Array,
  s: Shape,
): Batch {
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
  return { size: examples.length, positions, windows, mask };
}

export interface StepResult {
  readonly loss: number;
  readonly grads: Record<DenseName, Float64Array>;
  readonly windowGrad: Float32Array;
}

/** One forward and backward pass in tfjs: the batch's mean loss and the gradients. */
export function tfStep(
  tf: typeof TF,
  mm: MatMul,
  params: CnnParams,
  s: Shape,
  batch: Batch,
  loss: { soft: Float32Array; hard: Float32Array; constant: number },
  temperature: number,
): StepResult {
  const { dim, kernelSize: k, filters: F, classes: C } = s;
  const B = batch.size;
  const P = batch.positions;
  let result: StepResult | null = null;
  tf.tidy(() => {
    const windows = tf.tensor2d(batch.windows, [B * P, k * dim]);
    const mask = tf.tensor3d(batch.mask, [B, P, 1]);
    const soft = tf.tensor2d(loss.soft, [B, C]);
    const hard = tf.tensor2d(loss.hard, [B, C]);
    const d = params.dense;
    const convW = tf.tensor2d(d.convWeight.w, [k * dim, F]);
    const convB = tf.tensor1d(d.convBias.w);
    const headW = tf.tensor2d(d.weight.w, [C, F]);
    const headB = tf.tensor1d(d.bias.w);
    const f = (...xs: TF.Tensor[]): TF.Scalar => {
      const [x, cw, cb, hw, hb] = xs;
      const conv = tf.reshape(tf.relu(tf.add(mm(x, cw), cb)), [B, P, F]);
      const pooled = tf.max(tf.add(conv, mask), 1) as TF.Tensor2D;
      const logits = tf.add(mm(pooled, tf.transpose(hw)), hb);
      const softTerm = tf.sum(tf.mul(soft, tf.logSoftmax(tf.div(logits, temperature))));
      const hardTerm = tf.sum(tf.mul(hard, tf.logSoftmax(logits)));
      return tf.div(tf.sub(tf.sub(tf.scalar(loss.constant), softTerm), hardTerm), B);
    };
    const { value, grads } = tf.valueAndGrads(f)([windows, convW, convB, headW, headB]);
    result = {
      loss: value.dataSync()[0] * B,
      windowGrad: grads[0].dataSync() as Float32Array,
      grads: {
        convWeight: Float64Array.from(grads[1].dataSync()),
        convBias: Float64Array.from(grads[2].dataSync()),
        weight: Float64Array.from(grads[3].dataSync()),
        bias: Float64Array.from(grads[4].dataSync()),
      },
    };
  });
  if (!result) throw new Error('unreachable: the training step produced nothing');
  return result;
}

/**
 * Adds the gradient of each window (batch row i, position p, token offset j) to the embedding row it was gathered
 * from (gEmb, by slot); `touched` lists the slots of this step, their rows zeroed on first touch.
 */
export function scatterWindowGrad(
  windowGrad: Float32Array,
  examples: ArrayLike<number>,
  sequences: readonly Int32Array[],
  positions: number,
  s: Pick<Shape, 'dim' | 'kernelSize'>,
  step: number,
  gEmb: Float64Array,
  touchedAt: Int32Array,
  touched: number[],
): void {
  const { dim, kernelSize: k } = s;
  const K = k * dim;
  touched.length = 0;
  for (let i = 0; i < examples.length; i++) {
    const seq = sequences[examples[i]];
    const own = positionsOf(seq.length, k);
    for (let p = 0; p < own; p++) {
      const base = (i * positions + p) * K;
      for (let j = 0; j < k && p + j < seq.length; j++) {
        const slot = seq[p + j];
        const off = slot * dim;
        if (touchedAt[slot] !== step) {
          touchedAt[slot] = step;
          touched.push(slot);
          gEmb.fill(0, off, off + dim);
        }
        const g = base + j * dim;
        for (let d = 0; d < dim; d++) gEmb[off + d] += windowGrad[g + d];
      }
    }
  }
}

export async function runCnnTraining(input: TrainInput, hooks: TrainHooks): Promise<TrainOutcome> {
  const { data, settings } = input;
  const featurizer = input.featurizer ?? DEFAULT_FEATURIZER;
  const shape: Shape = {
    dim: settings.dim,
    kernelSize: settings.kernelSize,
    filters: settings.filters,
    classes: data.labels.length,
  };
  const { dim } = shape;
  const { tf, label: backend } = await initTf();
  const mm = transposingMatMul(tf);
  const trainIds = data.train.map((e) => tokenSequence(e.text, featurizer, settings.maxTokens));
  const { slotBucket: buckets, slots: sequences } = assignSlots(trainIds);
  const targets: DistillTarget[] = data.train.map((e) => ({ label: e.label, teacher: e.teacher }));

  let params: CnnParams;
  let startEpoch = 1;
  let step = 0;
  const run = newRunProgress();
  if (input.resumeFrom && existsSync(input.resumeFrom)) {
    const ck = readParams(input.resumeFrom, shape);
    params = ck.params;
    startEpoch = ck.header.epoch + 1;
    step = ck.header.step;
    restoreRunProgress(run, ck.header);
  } else {
    params = initParams(buckets, shape, settings.seed);
    if (input.initFrom) {
      const model = readModel(input.initFrom);
      checkInitModel(model, { labels: data.labels, featurizer, settings }, settings.initFromRunId);
      if (model.architecture !== 'cnn') throw new Error('unreachable: architecture checked');
      params = warmStart(params, model);
    }
  }
  const slotOfRow = new Map<number, number>();
  params.slotBucket.forEach((b, slot) => slotOfRow.set(b, slot));
  const valSlots = data.validation.map((e) =>
    Int32Array.from(tokenSequence(e.text, featurizer, settings.maxTokens), (b) => slotOfRow.get(b) ?? -1),
  );

  const n = data.train.length;
  const total = settings.maxEpochs * n;
  const lr = settings.learningRate;
  const gEmb = new Float64Array(params.emb.length);
  const touchedAt = new Int32Array(params.slotBucket.length).fill(-1);
  const touched: number[] = [];
  let stoppedEarly = run.early.badEpochs >= settings.patience && run.early.bestEpoch >= 0;
  let epoch = startEpoch;
  for (; epoch <= settings.maxEpochs && !stoppedEarly; epoch++) {
    const started = Date.now();
    const order = shuffledOrder(n, settings.seed, epoch);
    let lossSum = 0;
    let sinceProgress = 0;
    for (let start = 0; start < n; start += settings.batchSize) {
      const end = Math.min(n, start + settings.batchSize);
      const examples = order.subarray(start, end);
      const batch = buildBatch(examples, sequences, params.emb, shape);
      const lossInput = lossTargets(
        Array.from(examples, (ex) => targets[ex]),
        shape.classes,
        settings,
      );
      const r = tfStep(tf, mm, params, shape, batch, lossInput, settings.temperature);
      if (!Number.isFinite(r.loss)) throw nanError(lr);
      lossSum += r.loss;
      scatterWindowGrad(
        r.windowGrad,
        examples,
        sequences,
        batch.positions,
        shape,
        step,
        gEmb,
        touchedAt,
        touched,
      );
      step++;
      const c1 = 1 - Math.pow(0.9, step);
      const c2 = 1 - Math.pow(0.999, step);
      for (const name of DENSE) {
        const d = params.dense[name];
        adamDense(d.w, d.m, d.v, r.grads[name], lr, c1, c2);
      }
      adamRows(params.emb, params.embM, params.embV, gEmb, touched, dim, lr, c1, c2);
      sinceProgress += examples.length;
      if (sinceProgress >= PROGRESS_EVERY || end === n) {
        sinceProgress = 0;
        const secs = Math.max(1e-3, (Date.now() - started) / 1000);
        await hooks.onProgress({ epoch, done: (epoch - 1) * n + end, total, examplesPerSecond: end / secs });
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const full = { ...shape, maxTokens: settings.maxTokens };
    const view = createForward(toCnnModel(params, full, data.labels, featurizer, false), (slot) => slot);
    const stop = await finishEpoch(input, hooks, run, {
      epoch,
      step,
      trainLoss: lossSum / Math.max(1, n),
      seconds,
      examples: n,
      validationLogits: (i) => view(valSlots[i]),
      model: () => toCnnModel(params, full, data.labels, featurizer, true),
      writeCheckpoint: (file, header) => writeCheckpointFile(file, checkpointTensors(params), header),
      backend,
    });
    if (stop) stoppedEarly = true;
  }
  return outcomeOf(run, epoch - 1, stoppedEarly);
}
