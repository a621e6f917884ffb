import type * as TF from '@tensorflow/tfjs-core';
import { mulberry32 } from '../../../shared/random';
import type { TrainSettings } from '../../../shared/student';
import { softmax, teacherLogits, type DistillTarget } from './distill';
import { DEFAULT_FEATURIZER, tokenSequence, type FeaturizerConfig } from './featurizer';
import { createForward, type StudentModel } from './model';
import { initTf } from './tfBackend';
import {
  adamDense,
  adamRows,
  assignSlots,
  checkpointMismatch,
  exampleWeights,
  mergeRows,
  newRunProgress,
  readCheckpointFile,
  startOrResume,
  trainEpochs,
  slotsIn,
  writeCheckpointFile,
  type CheckpointHeader,
  type TrainHooks,
  type TrainInput,
  type TrainOutcome,
} from './trainer';

/**
 * The trainer of the students that read token sequences (CNN, transformer) with TensorFlow.js (tfjs-node-gpu,
 * tfjs-node or WebAssembly, see tfBackend.ts). tfjs computes each architecture's pooled features
 * (`TfArchitecture.pooled`), dropout, the common linear head, the distillation loss and their gradients; the parameters and Adam's moments live in Float32Arrays here, so that
 * checkpoints are exact and a resumed run ends like an uninterrupted one.
 *
 * The WebAssembly backend has no UnsortedSegmentSum kernel (the gradient of gather): the embedding rows of a batch
 * are gathered here into its input matrix, and the input's gradient is scattered back to the rows touched (lazy
 * Adam on those rows only). Its matMul with transpose flags is about eight times slower than with explicit
 * transposes, so every matMul's gradient uses explicit transposes (`transposingMatMul`).
 */

/** Added to a masked score or position before a max or a softmax. */
export const MASKED = -1e9;

export interface DenseParam {
  readonly w: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

export interface TfParams {
  readonly slotBucket: Uint32Array;
  readonly emb: Float32Array;
  readonly embM: Float32Array;
  readonly embV: Float32Array;
  /** By the name of the model's tensor each one becomes. */
  readonly dense: Readonly<Record<string, DenseParam>>;
}

/** The sizes a run's settings give (and the number of classes). */
export type Shape = Pick<TrainSettings, 'dim' | 'kernelSize' | 'filters' | 'maxTokens'> & {
  readonly classes: number;
};

/** A batch as the architecture lays it out: one input (float32) and extra constant inputs (masks). */
export interface Batch {
  readonly size: number;
  /** Positions (CNN) or tokens (transformer) per example after padding. */
  readonly length: number;
  readonly input: Float32Array;
  readonly inputShape: readonly number[];
  readonly constants: ReadonlyArray<{ readonly data: Float32Array; readonly shape: readonly number[] }>;
}

export type MatMul = (a: TF.Tensor, b: TF.Tensor) => TF.Tensor;

/** What differs between the sequence students. */
export interface TfArchitecture {
  readonly name: 'cnn' | 'transformer';
  /** The dense parameters (names of the model's tensors), in a fixed order, with their shapes. */
  denseShapes(s: Shape): ReadonlyArray<readonly [string, readonly number[]]>;
  /** Fresh dense parameters, drawing from `rnd` in a fixed order. */
  initDense(s: Shape, rnd: () => number): Record<string, Float32Array>;
  buildBatch(
    examples: ArrayLike<number>,
    sequences: readonly Int32Array[],
    emb: Float32Array,
    s: Shape,
  ): Batch;
  /** Width of the pooled features the linear head (`weight`, `bias`) reads. */
  width(s: Shape): number;
  /** The pooled features (batch x width) of the graph; the linear head (`weight`, `bias`) is common (tfStep). */
  pooled(
    tf: typeof TF,
    mm: MatMul,
    input: TF.Tensor,
    constants: readonly TF.Tensor[],
    dense: Readonly<Record<string, TF.Tensor>>,
    s: Shape,
    batch: Batch,
  ): TF.Tensor;
  /** Adds the input's gradient to the embedding rows (by slot) it was gathered from. */
  scatter(
    inputGrad: Float32Array,
    examples: ArrayLike<number>,
    sequences: readonly Int32Array[],
    batch: Batch,
    s: Shape,
    rows: RowGrad,
  ): void;
  /** model.json's fields of this architecture besides the tensors. */
  describe(s: Shape): Record<string, number>;
}

/**
 * The embedding rows' gradient of one step, compact (adamRows' layout): the gradient of touched[t] is
 * g[t * dim .. (t + 1) * dim); `add` lists a row on its first touch.
 */
export class RowGrad {
  readonly g: Float64Array;
  readonly touched: number[] = [];
  private readonly touchedAt: Int32Array;
  private readonly localOf: Int32Array;
  private step = 0;
  /** `maxRows`: the most rows one step can touch (default: all slots). */
  constructor(
    slots: number,
    private readonly dim: number,
    maxRows = slots,
  ) {
    this.g = new Float64Array(Math.min(slots, maxRows) * dim);
    this.touchedAt = new Int32Array(slots).fill(-1);
    this.localOf = new Int32Array(slots);
  }

  begin(step: number): void {
    this.step = step;
    this.touched.length = 0;
  }

  /** The gradient row of `slot` this step (zeroed when it is first touched). */
  rowOf(slot: number): number {
    const dim = this.dim;
    if (this.touchedAt[slot] !== this.step) {
      this.touchedAt[slot] = this.step;
      this.localOf[slot] = this.touched.length;
      this.g.fill(0, this.touched.length * dim, (this.touched.length + 1) * dim);
      this.touched.push(slot);
    }
    return this.localOf[slot];
  }

  /** The gradient of `slot` += src[from .. from + dim]. */
  add(slot: number, src: Float32Array, from: number): void {
    const dim = this.dim;
    const off = this.rowOf(slot) * dim;
    for (let d = 0; d < dim; d++) this.g[off + d] += src[from + d];
  }
}

export function uniform(n: number, limit: number, rnd: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rnd() * 2 - 1) * limit;
  return out;
}

/** Glorot-uniform weights of a fanIn x fanOut matrix. */
export function glorot(fanIn: number, fanOut: number, rnd: () => number): Float32Array {
  return uniform(fanIn * fanOut, Math.sqrt(6 / (fanIn + fanOut)), rnd);
}

function dense(w: Float32Array): DenseParam {
  return { w, m: new Float32Array(w.length), v: new Float32Array(w.length) };
}

function withRows(
  arch: TfArchitecture,
  s: Shape,
  slotBucket: Uint32Array,
  emb: Float32Array,
  weights: (name: string) => Float32Array,
): TfParams {
  const out: Record<string, DenseParam> = {};
  for (const [name] of arch.denseShapes(s)) out[name] = dense(weights(name));
  return {
    slotBucket,
    emb,
    embM: new Float32Array(emb.length),
    embV: new Float32Array(emb.length),
    dense: out,
  };
}

/** Embedding rows uniform in +-0.1 (in slot order), then the architecture's dense parameters. */
export function initParams(arch: TfArchitecture, slotBucket: Uint32Array, s: Shape, seed: number): TfParams {
  const rnd = mulberry32(seed);
  const emb = uniform(slotBucket.length * s.dim, 0.1, rnd);
  const init = arch.initDense(s, rnd);
  return withRows(arch, s, slotBucket, emb, (name) => init[name]);
}

function warmStart(arch: TfArchitecture, fresh: TfParams, model: StudentModel, s: Shape): TfParams {
  const { slotBucket, emb } = mergeRows(fresh.slotBucket, fresh.emb, model);
  const byName = model as unknown as Record<string, Float32Array>;
  return withRows(arch, s, slotBucket, emb, (name) => Float32Array.from(byName[name]));
}

function checkpointTensors(
  arch: TfArchitecture,
  p: TfParams,
  s: Shape,
): Array<readonly [string, Float32Array | Uint32Array]> {
  const out: Array<readonly [string, Float32Array | Uint32Array]> = [
    ['slotBucket', p.slotBucket],
    ['emb', p.emb],
    ['emb.m', p.embM],
    ['emb.v', p.embV],
  ];
  for (const [name] of arch.denseShapes(s)) {
    const d = p.dense[name];
    out.push([name, d.w], [`${name}.m`, d.m], [`${name}.v`, d.v]);
  }
  return out;
}

function readParams(
  arch: TfArchitecture,
  file: string,
  s: Shape,
): { params: TfParams; header: CheckpointHeader } {
  const ck = readCheckpointFile(file);
  const slotBucket = ck.uint('slotBucket');
  const out: Record<string, DenseParam> = {};
  for (const [name, shape] of arch.denseShapes(s)) {
    const d = { w: ck.float(name), m: ck.float(`${name}.m`), v: ck.float(`${name}.v`) };
    if (d.w.length !== shape.reduce((a, b) => a * b, 1)) throw checkpointMismatch(file);
    out[name] = d;
  }
  const params: TfParams = {
    slotBucket,
    emb: ck.float('emb'),
    embM: ck.float('emb.m'),
    embV: ck.float('emb.v'),
    dense: out,
  };
  if (params.emb.length !== slotBucket.length * s.dim) throw checkpointMismatch(file);
  return { params, header: ck.header };
}

/** The inference model of the parameters; `sorted` = rows by bucket (saved), else a view by slot (validation). */
export function toTfModel(
  arch: TfArchitecture,
  p: TfParams,
  s: Shape,
  labels: readonly string[],
  featurizer: FeaturizerConfig,
  sorted: boolean,
): StudentModel {
  let rowIds = p.slotBucket;
  let embeddings = p.emb;
  if (sorted) {
    const order = Array.from(p.slotBucket.keys()).sort((a, b) => p.slotBucket[a] - p.slotBucket[b]);
    rowIds = Uint32Array.from(order, (slot) => p.slotBucket[slot]);
    embeddings = new Float32Array(p.emb.length);
    order.forEach((slot, i) => embeddings.set(p.emb.subarray(slot * s.dim, (slot + 1) * s.dim), i * s.dim));
  }
  const tensors: Record<string, Float32Array> = {};
  for (const [name] of arch.denseShapes(s)) {
    const w = p.dense[name].w;
    tensors[name] = sorted ? Float32Array.from(w) : w;
  }
  return {
    architecture: arch.name,
    labels,
    featurizer,
    dim: s.dim,
    ...arch.describe(s),
    rowIds,
    embeddings,
    ...tensors,
  } as unknown as StudentModel;
}

/**
 * The distillation loss of a batch as tfjs constants: per example, softWeight * T^2 * KL(p || softmax(z/T)) +
 * hardWeight * CE(z, label) = const_i - sum_c A[i,c] * logSoftmax(z/T)[i,c] - sum_c H[i,c] * logSoftmax(z)[i,c],
 * with A = softWeight T^2 p, H = hardWeight one-hot and const_i = softWeight T^2 sum_c p log p (weights as in
 * distill.ts: an example with only one kind of label uses that term alone), each example's terms times its
 * weight in `weights` (class weights; 1 when absent).
 */
export function lossTargets(
  targets: readonly DistillTarget[],
  classes: number,
  opts: { alpha: number; temperature: number },
  weights?: ArrayLike<number>,
): { soft: Float32Array; hard: Float32Array; constant: number } {
  const T = opts.temperature;
  const soft = new Float32Array(targets.length * classes);
  const hard = new Float32Array(targets.length * classes);
  let constant = 0;
  targets.forEach((t, i) => {
    const hasLabel = t.label !== null;
    const hasTeacher = t.teacher !== null;
    const w = weights ? weights[i] : 1;
    const softWeight = w * (hasLabel && hasTeacher ? opts.alpha : hasTeacher ? 1 : 0);
    const hardWeight = w * (hasLabel && hasTeacher ? 1 - opts.alpha : hasLabel ? 1 : 0);
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

/**
 * matMul (2-D, or batched 3-D) whose gradient uses explicit transposes: matMul's transpose flags are ~8x slower on
 * WebAssembly.
 */
export function transposingMatMul(tf: typeof TF): MatMul {
  const swap = (t: TF.Tensor): TF.Tensor => (t.rank === 3 ? tf.transpose(t, [0, 2, 1]) : tf.transpose(t));
  const mm = tf.customGrad((...args: unknown[]) => {
    const [a, b, save] = args as [TF.Tensor, TF.Tensor, (ts: TF.Tensor[]) => void];
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const [sa, sb] = saved;
        return [tf.matMul(dy, swap(sb)), tf.matMul(swap(sa), dy)];
      },
    };
  });
  return (a, b) => mm(a, b);
}

export interface StepResult {
  /** The batch's summed loss. */
  readonly loss: number;
  readonly grads: Readonly<Record<string, Float64Array>>;
  readonly inputGrad: Float32Array;
}

/** One forward and backward pass in tfjs: the batch's loss and the gradients of its mean. */
export function tfStep(
  tf: typeof TF,
  mm: MatMul,
  arch: TfArchitecture,
  params: TfParams,
  s: Shape,
  batch: Batch,
  loss: { soft: Float32Array; hard: Float32Array; constant: number },
  temperature: number,
  dropout: Float32Array | null = null,
): StepResult {
  const B = batch.size;
  const shapes = arch.denseShapes(s);
  const names = shapes.map(([name]) => name);
  let result: StepResult | null = null;
  tf.tidy(() => {
    const input = tf.tensor(batch.input, [...batch.inputShape]);
    const constants = batch.constants.map((c) => tf.tensor(c.data, [...c.shape]));
    const soft = tf.tensor2d(loss.soft, [B, s.classes]);
    const hard = tf.tensor2d(loss.hard, [B, s.classes]);
    const denseTensors = shapes.map(([name, shape]) => tf.tensor(params.dense[name].w, [...shape]));
    const keep = dropout ? tf.tensor2d(dropout, [B, arch.width(s)]) : null;
    const f = (...xs: TF.Tensor[]): TF.Scalar => {
      const byName: Record<string, TF.Tensor> = {};
      names.forEach((name, i) => (byName[name] = xs[i + 1]));
      let pooled = arch.pooled(tf, mm, xs[0], constants, byName, s, batch);
      if (keep) pooled = tf.mul(pooled, keep);
      const logits = tf.add(mm(pooled, tf.transpose(byName.weight)), byName.bias);
      const softTerm = tf.sum(tf.mul(soft, tf.logSoftmax(tf.div(logits, temperature))));
      const hardTerm = tf.sum(tf.mul(hard, tf.logSoftmax(logits)));
      return tf.div(tf.sub(tf.sub(tf.scalar(loss.constant), softTerm), hardTerm), B);
    };
    const { value, grads } = tf.valueAndGrads(f)([input, ...denseTensors]);
    const out: Record<string, Float64Array> = {};
    names.forEach((name, i) => (out[name] = Float64Array.from(grads[i + 1].dataSync())));
    result = { loss: value.dataSync()[0] * B, inputGrad: grads[0].dataSync() as Float32Array, grads: out };
  });
  if (!result) throw new Error('unreachable: the training step produced nothing');
  return result;
}

/**
 * Inverted dropout of the pooled features while training: each is kept with probability 1 - rate and scaled by
 * 1 / (1 - rate) (prediction uses all of them, unscaled). The mask depends only on (seed, step), so a resumed run
 * draws the same masks. Null when rate is 0.
 */
export function dropoutMask(
  rate: number,
  rows: number,
  width: number,
  seed: number,
  step: number,
): Float32Array | null {
  if (rate <= 0) return null;
  const rnd = mulberry32((seed ^ Math.imul(step + 1, 0x85ebca6b)) >>> 0);
  const scale = 1 / (1 - rate);
  const out = new Float32Array(rows * width);
  for (let i = 0; i < out.length; i++) out[i] = rnd() < rate ? 0 : scale;
  return out;
}

export function shapeOf(settings: TrainSettings, classes: number): Shape {
  const { dim, kernelSize, filters, maxTokens } = settings;
  return { dim, kernelSize, filters, maxTokens, classes };
}

export async function runTfTraining(
  arch: TfArchitecture,
  input: TrainInput,
  hooks: TrainHooks,
): Promise<TrainOutcome> {
  const { data, settings } = input;
  const featurizer = input.featurizer ?? DEFAULT_FEATURIZER;
  const shape = shapeOf(settings, data.labels.length);
  const { tf, label: backend } = await initTf();
  const mm = transposingMatMul(tf);
  const trainIds = data.train.map((e) => tokenSequence(e.text, featurizer, settings.maxTokens));
  const { slotBucket: buckets, slots: sequences } = assignSlots(trainIds);
  const targets: DistillTarget[] = data.train.map((e) => ({ label: e.label, teacher: e.teacher }));
  const exampleWeight = exampleWeights(targets, shape.classes, settings.classBalance);

  const run = newRunProgress();
  const start = startOrResume(input, run, buckets, {
    read: (file) => readParams(arch, file, shape),
    fresh: () => initParams(arch, buckets, shape, settings.seed),
    warm: (fresh, model) => warmStart(arch, fresh, model, shape),
  });
  const { params } = start;
  const valSlots = slotsIn(
    params.slotBucket,
    data.validation.map((e) => tokenSequence(e.text, featurizer, settings.maxTokens)),
  );

  // A step touches at most the tokens of its batch: the gradient buffer need not be as large as the table.
  const rows = new RowGrad(
    params.slotBucket.length,
    shape.dim,
    settings.batchSize * Math.max(settings.maxTokens, settings.kernelSize),
  );
  const names = arch.denseShapes(shape).map(([name]) => name);
  return trainEpochs(input, hooks, run, start, {
    batch: (order, from, to, stepBefore, lrStep) => {
      const examples = order.subarray(from, to);
      const batch = arch.buildBatch(examples, sequences, params.emb, shape);
      const lossInput = lossTargets(
        Array.from(examples, (ex) => targets[ex]),
        shape.classes,
        settings,
        Array.from(examples, (ex) => exampleWeight[ex]),
      );
      const keep = dropoutMask(
        settings.dropout,
        examples.length,
        arch.width(shape),
        settings.seed,
        stepBefore,
      );
      const r = tfStep(tf, mm, arch, params, shape, batch, lossInput, settings.temperature, keep);
      if (!Number.isFinite(r.loss)) return r.loss;
      rows.begin(stepBefore);
      arch.scatter(r.inputGrad, examples, sequences, batch, shape, rows);
      const c1 = 1 - Math.pow(0.9, stepBefore + 1);
      const c2 = 1 - Math.pow(0.999, stepBefore + 1);
      for (const name of names) {
        const d = params.dense[name];
        adamDense(d.w, d.m, d.v, r.grads[name], lrStep, c1, c2);
      }
      adamRows(params.emb, params.embM, params.embV, rows.g, rows.touched, shape.dim, lrStep, c1, c2);
      return r.loss;
    },
    epochEnd: () => {
      const view = createForward(
        toTfModel(arch, params, shape, data.labels, featurizer, false),
        (slot) => slot,
      );
      return {
        validationLogits: (i) => view(valSlots[i]),
        model: () => toTfModel(arch, params, shape, data.labels, featurizer, true),
        writeCheckpoint: (file, header) =>
          writeCheckpointFile(file, checkpointTensors(arch, params, shape), header),
        backend,
      };
    },
  });
}
