import type * as TF from '@tensorflow/tfjs-core';
import { mulberry32 } from '../../../shared/random';
import type { StudentArchitectureName, TrainSettings } from '../../../shared/student';
import { softmax } from '../../../shared/math';
import { teacherLogits, type DistillTarget } from './distill';
import type { ModelKind, TensorShapes } from './model';
import { tokenSequence } from './featurizer';
import { expectedTfBackend, initTf, TF_BACKEND_LABELS } from './tfBackend';
import { uniform, type Params, type StudentArchitecture } from './training/architecture';
import type { RowGrad } from './training/slots';

/**
 * What the students that read token sequences (CNN, transformer) share: their training step in TensorFlow.js (tfjs-node-gpu,
 * tfjs-node or WebAssembly, see tfBackend.ts). tfjs computes each architecture's pooled features
 * (`TfGraph.pooled`), dropout, the common linear head, the distillation loss and their gradients; the parameters
 * and Adam's moments stay in Float32Arrays (trainer.ts), so that checkpoints are exact and a resumed run ends like an
 * uninterrupted one.
 *
 * The WebAssembly backend has no UnsortedSegmentSum kernel (the gradient of gather): the embedding rows of a batch
 * are gathered here into its input matrix, and the input's gradient is scattered back to the rows touched (lazy
 * Adam on those rows only). Its matMul with transpose flags is about eight times slower than with explicit
 * transposes, so every matMul's gradient uses explicit transposes (`transposingMatMul`).
 */

/** Added to a masked score or position before a max or a softmax. */
export const MASKED = -1e9;
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

/** What differs between the sequence students: their graph in TensorFlow.js, from the embedding rows to the pooled features. */
export interface TfGraph {
  /** The model this graph trains: its dense tensors' names and shapes come from it (`graphShapes`). */
  readonly model: ModelKind;
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
  arch: TfGraph,
  params: Params,
  s: Shape,
  batch: Batch,
  loss: { soft: Float32Array; hard: Float32Array; constant: number },
  temperature: number,
  dropout: Float32Array | null = null,
): StepResult {
  const B = batch.size;
  const shapes = graphShapes(arch, s);
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

/** The dense parameters of a graph (names of the model's tensors), in file order, with their shapes. */
export function graphShapes(graph: TfGraph, s: Shape): TensorShapes {
  const shapes = graph.model.denseShapes(s.classes, s.dim, graph.describe(s));
  if (!shapes) throw new Error(`The ${graph.model.name} graph does not describe all of its sizes.`);
  return shapes;
}

export function shapeOf(settings: TrainSettings, classes: number): Shape {
  const { dim, kernelSize, filters, maxTokens } = settings;
  return { dim, kernelSize, filters, maxTokens, classes };
}

/**
 * A student architecture from a sequence graph: token sequences (up to maxTokens) as input, embedding rows uniform
 * in +-0.1 then the graph's dense tensors, the batch's gradient in TensorFlow.js (`tfStep`) with dropout on the
 * pooled features, and the input's gradient scattered back to the embedding rows.
 */
export function sequenceStudent(
  name: StudentArchitectureName,
  graph: TfGraph,
  initMismatch: StudentArchitecture['initMismatch'],
): StudentArchitecture {
  return {
    name,
    expectedBackend: () => TF_BACKEND_LABELS[expectedTfBackend()],
    initMismatch,
    modelDim: (settings) => settings.dim,
    // The softmax head and its loss are in the TensorFlow.js graph (tfStep): single-label projects only.
    lossFromLoop: false,
    open: async ({ settings, labels, featurizer }) => {
      const shape = shapeOf(settings, labels.length);
      // Loaded only for these runs: TensorFlow.js and its backend take a moment to load.
      const { tf, label } = await initTf();
      const mm = transposingMatMul(tf);
      return {
        backend: label,
        denseShapes: graphShapes(graph, shape),
        describe: () => graph.describe(shape),
        featurize: (text) => tokenSequence(text, featurizer, settings.maxTokens),
        featureKey: `tokens:${settings.maxTokens}:${JSON.stringify(featurizer)}`,
        init: (rows, seed) => {
          const rnd = mulberry32(seed);
          const emb = uniform(rows * shape.dim, 0.1, rnd);
          return { emb, dense: graph.initDense(shape, rnd) };
        },
        gradients: (params, b, rows) => {
          const { examples, inputs } = b;
          const batch = graph.buildBatch(examples, inputs, params.emb.w, shape);
          const lossInput = lossTargets(
            Array.from(examples, (ex) => b.targets[ex]),
            shape.classes,
            settings,
            Array.from(examples, (ex) => b.weights[ex]),
          );
          const keep = dropoutMask(
            settings.dropout,
            examples.length,
            graph.width(shape),
            settings.seed,
            b.step,
          );
          const r = tfStep(tf, mm, graph, params, shape, batch, lossInput, settings.temperature, keep);
          if (Number.isFinite(r.loss)) graph.scatter(r.inputGrad, examples, inputs, batch, shape, rows);
          return { loss: r.loss, dense: r.grads };
        },
      };
    },
  };
}
