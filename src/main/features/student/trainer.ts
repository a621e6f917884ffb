import { existsSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochMetrics, StoppingMetric, TrainSettings } from '../../../shared/student';
import { AppError } from '../../core/errors';
import { distillLoss, softmax, type DistillTarget } from './distill';
import { DEFAULT_FEATURIZER, featurize, type FeaturizerConfig } from './featurizer';
import { createForward, linearLogits, meanEmbedding, type FastTextModel, type StudentModel } from './model';
import {
  floatTensor,
  tensorParts,
  readModel,
  saveModel,
  uintTensor,
  writeFileAtomic,
  type TensorData,
  type TensorSpec,
} from './modelFile';
import { mulberry32 } from '../../../shared/random';

/** What a run trains on: frozen at run creation (runs/<id>/data.json) so that a resumed run sees the same data. */
export interface TrainData {
  readonly labels: readonly string[];
  readonly train: ReadonlyArray<{
    readonly text: string;
    readonly label: number | null;
    readonly teacher: number[] | null;
  }>;
  readonly validation: ReadonlyArray<{ readonly text: string; readonly label: number }>;
}

export interface TrainInput {
  readonly data: TrainData;
  readonly settings: TrainSettings;
  readonly featurizer?: FeaturizerConfig;
  readonly runDir: string;
  /** A checkpoint file to continue from, or null. */
  readonly resumeFrom: string | null;
  /**
   * The model folder of an earlier run to start from (settings.initFromRunId); used only when the run starts
   * fresh, never when it resumes from a checkpoint.
   */
  readonly initFrom?: string | null;
  readonly meta?: Readonly<Record<string, unknown>>;
}

export interface EpochReport extends EpochMetrics {
  readonly metric: number;
  readonly isBest: boolean;
  readonly bestEpoch: number;
  readonly checkpointPath: string;
  /** The best model folder so far. */
  readonly modelPath: string;
  readonly modelBytes: number;
  /** Where this run trains (stored with the run, shown in the UI). */
  readonly backend: string;
}

/** The fastText student's backend: plain TypeScript sparse kernels in the training worker. */
export const FASTTEXT_BACKEND = 'cpu-sparse (worker thread)';

export interface TrainOutcome {
  readonly bestEpoch: number;
  readonly bestMetric: number;
  readonly modelPath: string;
  readonly modelBytes: number;
  readonly epochsRun: number;
  readonly stoppedEarly: boolean;
}

export interface TrainHooks {
  /** Awaited: the caller may hold training here (pause) or throw (cancel). */
  onProgress(p: { epoch: number; done: number; total: number; examplesPerSecond: number }): Promise<void>;
  /** Awaited after the epoch's checkpoint is on disk; stale files are pruned only after it returns. */
  onEpoch(report: EpochReport): Promise<void>;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;
const PROGRESS_EVERY = 512;

export function shuffledOrder(n: number, seed: number, epoch: number): Uint32Array {
  const rnd = mulberry32((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** sklearn-style macro-F1: the mean F1 over the classes present in the gold labels or the predictions. */
export function macroF1(gold: ArrayLike<number>, pred: ArrayLike<number>, classes: number): number {
  const tp = new Float64Array(classes);
  const fp = new Float64Array(classes);
  const fn = new Float64Array(classes);
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] === pred[i]) tp[gold[i]]++;
    else {
      fp[pred[i]]++;
      fn[gold[i]]++;
    }
  }
  let sum = 0;
  let present = 0;
  for (let c = 0; c < classes; c++) {
    if (tp[c] + fp[c] + fn[c] === 0) continue;
    present++;
    sum += (2 * tp[c]) / (2 * tp[c] + fp[c] + fn[c]);
  }
  return present ? sum / present : 0;
}

export interface EarlyStopState {
  bestEpoch: number;
  bestMetric: number;
  badEpochs: number;
}

/** Higher is better for F1 and accuracy, lower for loss; returns whether this epoch is the new best. */
export function updateEarlyStop(
  state: EarlyStopState,
  epoch: number,
  value: number,
  metric: StoppingMetric,
): boolean {
  const better =
    state.bestEpoch < 0 || (metric === 'loss' ? value < state.bestMetric : value > state.bestMetric);
  if (better) {
    state.bestEpoch = epoch;
    state.bestMetric = value;
    state.badEpochs = 0;
  } else state.badEpochs++;
  return better;
}

/**
 * The loss weight of each class (settings.classBalance): (n / (K * n_c)) ^ power for the K classes present among
 * the n examples (class of an example: its label, else the teacher's top label), scaled so that the weights of the
 * examples average 1 (the learning rate keeps its meaning). power 0 gives all ones.
 */
export function classWeights(
  targets: readonly DistillTarget[],
  classes: number,
  power: number,
): Float64Array {
  const count = new Float64Array(classes);
  for (const t of targets) {
    const c = exampleClass(t);
    if (c >= 0) count[c]++;
  }
  const weights = new Float64Array(classes).fill(1);
  const n = count.reduce((a, b) => a + b, 0);
  const present = count.filter((x) => x > 0).length;
  if (power <= 0 || n === 0) return weights;
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    if (count[c] > 0) weights[c] = Math.pow(n / (present * count[c]), power);
    sum += weights[c] * count[c];
  }
  for (let c = 0; c < classes; c++) weights[c] *= n / sum;
  return weights;
}

/** The class an example counts for in class weights: its human label, else the teacher's top label (-1: none). */
function exampleClass(t: DistillTarget): number {
  if (t.label !== null) return t.label;
  if (t.teacher === null || t.teacher.length === 0) return -1;
  let arg = 0;
  for (let c = 1; c < t.teacher.length; c++) if (t.teacher[c] > t.teacher[arg]) arg = c;
  return arg;
}

/** The learning rate of optimizer step `step` (0-based) of a run of `totalSteps` steps. */
/** Each training example's weight in the loss: its class's weight (classWeights), 1 for an example without one. */
export function exampleWeights(
  targets: readonly DistillTarget[],
  classes: number,
  power: number,
): Float64Array {
  const weightOfClass = classWeights(targets, classes, power);
  return Float64Array.from(targets, (t) => {
    const c = exampleClass(t);
    return c >= 0 ? weightOfClass[c] : 1;
  });
}

export function learningRateAt(settings: TrainSettings, step: number, totalSteps: number): number {
  if (settings.lrSchedule === 'constant') return settings.learningRate;
  return settings.learningRate * Math.max(0, 1 - step / Math.max(1, totalSteps));
}

interface Params {
  readonly dim: number;
  readonly classes: number;
  /** Bucket of each slot (slot = row of the arrays below), in order of first appearance in the training data. */
  readonly slotBucket: Uint32Array;
  readonly emb: Float32Array;
  readonly embM: Float32Array;
  readonly embV: Float32Array;
  readonly weight: Float32Array;
  readonly wM: Float32Array;
  readonly wV: Float32Array;
  readonly bias: Float32Array;
  readonly bM: Float32Array;
  readonly bV: Float32Array;
}

export interface CheckpointHeader {
  readonly epoch: number;
  readonly step: number;
  readonly early: EarlyStopState;
  readonly bestModelPath: string;
  readonly bestModelBytes: number;
  readonly tensors: readonly TensorSpec[];
}

function initParams(slotBucket: Uint32Array, dim: number, classes: number, seed: number): Params {
  const rnd = mulberry32(seed);
  const weight = new Float32Array(classes * dim);
  const limit = Math.sqrt(6 / (dim + classes));
  for (let i = 0; i < weight.length; i++) weight[i] = (rnd() * 2 - 1) * limit;
  const rows = slotBucket.length * dim;
  return {
    dim,
    classes,
    slotBucket,
    emb: new Float32Array(rows),
    embM: new Float32Array(rows),
    embV: new Float32Array(rows),
    weight,
    wM: new Float32Array(classes * dim),
    wV: new Float32Array(classes * dim),
    bias: new Float32Array(classes),
    bM: new Float32Array(classes),
    bV: new Float32Array(classes),
  };
}

const CHECKPOINT_TENSORS = [
  'slotBucket',
  'emb',
  'embM',
  'embV',
  'weight',
  'wM',
  'wV',
  'bias',
  'bM',
  'bV',
] as const;

/**
 * A checkpoint file: u32 header length, the JSON header (space-padded to 4 bytes), then the named tensors
 * (tensorParts). Written atomically: a crash or a full disk leaves the previous checkpoint intact.
 */
export function writeCheckpointFile(
  file: string,
  tensors: ReadonlyArray<readonly [string, TensorData]>,
  header: Omit<CheckpointHeader, 'tensors'>,
): void {
  const { parts, specs } = tensorParts(tensors.map(([name, data]) => [name, data, [data.length]] as const));
  const head = Buffer.from(JSON.stringify({ ...header, tensors: specs }), 'utf8');
  const pad = (4 - ((4 + head.length) % 4)) % 4;
  const prefix = Buffer.alloc(4 + head.length + pad);
  prefix.writeUInt32LE(head.length + pad, 0);
  head.copy(prefix, 4);
  prefix.fill(0x20, 4 + head.length, 4 + head.length + pad);
  writeFileAtomic(file, [prefix, ...parts]);
}

export interface CheckpointReader {
  readonly header: CheckpointHeader;
  float(name: string): Float32Array;
  uint(name: string): Uint32Array;
}

export function readCheckpointFile(file: string): CheckpointReader {
  const buf = readFileSync(file);
  const headLen = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + headLen).toString('utf8')) as CheckpointHeader;
  const body = buf.subarray(4 + headLen);
  return {
    header,
    float: (name) => floatTensor(body, header.tensors, name),
    uint: (name) => uintTensor(body, header.tensors, name),
  };
}

export function checkpointMismatch(file: string): AppError {
  return new AppError(
    'BAD_FILE',
    `The checkpoint ${file} does not match this run's settings. Start a new run.`,
  );
}

function writeCheckpoint(file: string, params: Params, header: Omit<CheckpointHeader, 'tensors'>): void {
  writeCheckpointFile(
    file,
    CHECKPOINT_TENSORS.map((name) => [name, params[name]] as const),
    header,
  );
}

function readCheckpoint(
  file: string,
  dim: number,
  classes: number,
): { params: Params; header: CheckpointHeader } {
  const ck = readCheckpointFile(file);
  const f = (name: string): Float32Array => ck.float(name);
  const slotBucket = ck.uint('slotBucket');
  const params: Params = {
    dim,
    classes,
    slotBucket,
    emb: f('emb'),
    embM: f('embM'),
    embV: f('embV'),
    weight: f('weight'),
    wM: f('wM'),
    wV: f('wV'),
    bias: f('bias'),
    bM: f('bM'),
    bV: f('bV'),
  };
  if (params.emb.length !== slotBucket.length * dim || params.weight.length !== classes * dim) {
    throw checkpointMismatch(file);
  }
  return { params, header: ck.header };
}

function sameFeaturizer(a: FeaturizerConfig, b: FeaturizerConfig): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every(
    (k) => (a as unknown as Record<string, unknown>)[k] === (b as unknown as Record<string, unknown>)[k],
  );
}

/**
 * Refuses to start a run from an earlier model whose labels (names and order), featurizer or embedding size
 * differ from the new run's: its rows and head would mean something else.
 */
export function checkInitModel(
  model: StudentModel,
  expected: {
    labels: readonly string[];
    featurizer: FeaturizerConfig;
    settings: Pick<TrainSettings, 'architecture' | 'dim' | 'kernelSize' | 'filters' | 'maxTokens'>;
  },
  fromRunId: number | undefined,
): void {
  const which = fromRunId === undefined ? 'The earlier model' : `The model of training run ${fromRunId}`;
  const { settings } = expected;
  if (model.architecture !== settings.architecture) {
    throw new AppError(
      'CONFLICT',
      `${which} is a ${model.architecture} student; this run trains a ${settings.architecture} student. ` +
        `Choose the ${model.architecture} architecture, or start from scratch.`,
    );
  }
  const sameLabels =
    model.labels.length === expected.labels.length && model.labels.every((l, i) => l === expected.labels[i]);
  if (!sameLabels) {
    throw new AppError(
      'CONFLICT',
      `${which} was trained on other labels (${model.labels.join(', ')}) than this project has now ` +
        `(${expected.labels.join(', ')}), or in another order. Start from scratch, or choose a run trained on the current labels.`,
    );
  }
  if (!sameFeaturizer(model.featurizer, expected.featurizer)) {
    throw new AppError(
      'CONFLICT',
      `${which} reads text with another featurizer configuration than this run. Start from scratch, or choose a run ` +
        'trained with the current featurizer.',
    );
  }
  if (
    model.architecture === 'cnn' &&
    (model.kernelSize !== settings.kernelSize || model.filters !== settings.filters)
  ) {
    throw new AppError(
      'CONFLICT',
      `${which} has ${model.filters} filters of width ${model.kernelSize}, this run ${settings.filters} of width ` +
        `${settings.kernelSize}. Set the same filters and width, or start from scratch.`,
    );
  }
  if (model.architecture === 'transformer' && model.maxTokens !== settings.maxTokens) {
    throw new AppError(
      'CONFLICT',
      `${which} reads ${model.maxTokens} words per text, this run ${settings.maxTokens}. Set the same number of ` +
        'words, or start from scratch.',
    );
  }
  const dim = settings.dim;
  if (model.dim !== dim) {
    throw new AppError(
      'CONFLICT',
      `${which} has model size (embedding dimension) ${model.dim}, this run ${dim}. ` +
        `Set the model size to ${model.dim}, or start from scratch.`,
    );
  }
}

/**
 * Replaces freshly initialised parameters with an earlier model's: the head, and the embedding row of every bucket
 * the model has. Buckets of the model that the new training data does not contain are appended as extra slots
 * (ascending), so the starting point predicts exactly like the earlier model.
 */
function warmStart(fresh: Params, model: FastTextModel): Params {
  const { dim, classes } = fresh;
  const { slotBucket, emb } = mergeRows(fresh.slotBucket, fresh.emb, model);
  return {
    dim,
    classes,
    slotBucket,
    emb,
    embM: new Float32Array(emb.length),
    embV: new Float32Array(emb.length),
    weight: Float32Array.from(model.weight),
    wM: new Float32Array(classes * dim),
    wV: new Float32Array(classes * dim),
    bias: Float32Array.from(model.bias),
    bM: new Float32Array(classes),
    bV: new Float32Array(classes),
  };
}

/** The inference model of the current parameters: rows sorted by bucket. */
export function toModel(
  params: Params,
  labels: readonly string[],
  featurizer: FeaturizerConfig,
  sorted = true,
): FastTextModel {
  if (!sorted) {
    // A view of the parameters by slot (no copies), for validation with rowOf = identity.
    const { dim, slotBucket: rowIds, emb: embeddings, weight, bias } = params;
    return { architecture: 'fasttext', labels, featurizer, dim, rowIds, embeddings, weight, bias };
  }
  const n = params.slotBucket.length;
  // Buckets are distinct: sort them natively, then find each one's slot.
  const rowIds = Uint32Array.from(params.slotBucket).sort();
  const slotOf = new Map<number, number>();
  params.slotBucket.forEach((b, slot) => slotOf.set(b, slot));
  const embeddings = new Float32Array(n * params.dim);
  rowIds.forEach((b, i) => {
    const slot = slotOf.get(b) ?? 0;
    embeddings.set(params.emb.subarray(slot * params.dim, (slot + 1) * params.dim), i * params.dim);
  });
  return {
    architecture: 'fasttext',
    labels,
    featurizer,
    dim: params.dim,
    rowIds,
    embeddings,
    weight: Float32Array.from(params.weight),
    bias: Float32Array.from(params.bias),
  };
}

export function adamDense(
  w: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float64Array,
  lr: number,
  c1: number,
  c2: number,
): void {
  for (let i = 0; i < w.length; i++) {
    m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
    v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
    w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + EPS);
  }
}

/**
 * Lazy (sparse) Adam: updates only the embedding rows (slots) a batch touched; the gradient of touched[t] is
 * g[t * dim .. (t + 1) * dim) (a compact buffer, not one as large as the table).
 */
export function adamRows(
  emb: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float64Array,
  touched: readonly number[],
  dim: number,
  lr: number,
  c1: number,
  c2: number,
): void {
  for (let t = 0; t < touched.length; t++) {
    const off = touched[t] * dim;
    const goff = t * dim - off;
    for (let d = off; d < off + dim; d++) {
      const gd = g[goff + d];
      m[d] = BETA1 * m[d] + (1 - BETA1) * gd;
      v[d] = BETA2 * v[d] + (1 - BETA2) * gd * gd;
      emb[d] -= (lr * (m[d] / c1)) / (Math.sqrt(v[d] / c2) + EPS);
    }
  }
}

/**
 * The slots of a training set: each distinct bucket of `idLists` gets a slot (a row of the trainer's arrays) in
 * order of first appearance; returns each list as slots.
 */
export function assignSlots(idLists: readonly Uint32Array[]): {
  slotBucket: Uint32Array;
  slots: Int32Array[];
} {
  const slotOfBucket = new Map<number, number>();
  const buckets: number[] = [];
  const slots = idLists.map((ids) => {
    const out = new Int32Array(ids.length);
    ids.forEach((b, i) => {
      let s = slotOfBucket.get(b);
      if (s === undefined) {
        s = buckets.length;
        slotOfBucket.set(b, s);
        buckets.push(b);
      }
      out[i] = s;
    });
    return out;
  });
  return { slotBucket: Uint32Array.from(buckets), slots };
}

/** Each list of bucket ids as the slots that hold them in `slotBucket` (-1: a bucket without a row). */
export function slotsIn(slotBucket: Uint32Array, idLists: readonly Uint32Array[]): Int32Array[] {
  const slotOf = new Map<number, number>();
  slotBucket.forEach((b, slot) => slotOf.set(b, slot));
  return idLists.map((ids) => Int32Array.from(ids, (b) => slotOf.get(b) ?? -1));
}

/**
 * A warm start's embedding rows: the rows of `fresh` (slots of the training data, initialised as `freshEmb`) with
 * every bucket the earlier model has taking its row, and the model's other buckets appended as extra slots.
 */
export function mergeRows(
  slotBucket: Uint32Array,
  freshEmb: Float32Array,
  model: Pick<StudentModel, 'rowIds' | 'embeddings' | 'dim'>,
): { slotBucket: Uint32Array; emb: Float32Array } {
  const { dim } = model;
  const known = new Set(slotBucket);
  const extra: number[] = [];
  for (const b of model.rowIds) if (!known.has(b)) extra.push(b);
  const merged = new Uint32Array(slotBucket.length + extra.length);
  merged.set(slotBucket);
  merged.set(extra, slotBucket.length);
  const rowOf = new Map<number, number>();
  model.rowIds.forEach((b, i) => rowOf.set(b, i));
  const emb = new Float32Array(merged.length * dim);
  emb.set(freshEmb);
  merged.forEach((b, slot) => {
    const row = rowOf.get(b);
    if (row !== undefined) emb.set(model.embeddings.subarray(row * dim, (row + 1) * dim), slot * dim);
  });
  return { slotBucket: merged, emb };
}

export function checkpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}.ckpt`;
}

export function modelDirName(epoch: number): string {
  return `model-e${String(epoch).padStart(4, '0')}`;
}

export function nanError(lr: number): AppError {
  return new AppError(
    'TRAINING_ERROR',
    `Training stopped: the loss became NaN (not a number). The learning rate (${lr}) is most likely too high; ` +
      `start a new run with a learning rate ten times lower.`,
  );
}

/**
 * Trains the fastText-style student: hashed n-gram embedding bag (rows of the training set's features only,
 * zero-initialised) with lazy Adam on the rows a batch touches, and a linear head with Adam. Deterministic for a
 * seed: a run resumed from a checkpoint ends exactly where an uninterrupted run would.
 */
export async function runTraining(input: TrainInput, hooks: TrainHooks): Promise<TrainOutcome> {
  const architecture = input.settings.architecture;
  if (architecture === 'cnn' || architecture === 'transformer') {
    // Loaded only for these runs: TensorFlow.js and its backend take a moment to load.
    const [{ runTfTraining }, { CNN }, { TRANSFORMER }] = await Promise.all([
      import('./tfTrainer'),
      import('./cnnArch'),
      import('./transformerArch'),
    ]);
    return runTfTraining(architecture === 'cnn' ? CNN : TRANSFORMER, input, hooks);
  }
  return runFastTextTraining(input, hooks);
}

async function runFastTextTraining(input: TrainInput, hooks: TrainHooks): Promise<TrainOutcome> {
  const { data, settings } = input;
  const featurizer = input.featurizer ?? DEFAULT_FEATURIZER;
  const classes = data.labels.length;
  const dim = settings.dim;
  const trainIds = data.train.map((e) => featurize(e.text, featurizer));
  const valIds = data.validation.map((e) => featurize(e.text, featurizer));
  const { slotBucket: buckets, slots: trainSlots } = assignSlots(trainIds);
  const targets: DistillTarget[] = data.train.map((e) => ({ label: e.label, teacher: e.teacher }));
  const exampleWeight = exampleWeights(targets, classes, settings.classBalance);

  const run = newRunProgress();
  const start = startOrResume(input, run, buckets, {
    read: (file) => readCheckpoint(file, dim, classes),
    fresh: () => initParams(buckets, dim, classes, settings.seed),
    warm: (fresh, model) => {
      if (model.architecture !== 'fasttext') throw new Error('unreachable: architecture checked');
      return warmStart(fresh, model);
    },
  });
  const { params } = start;
  // Slots of every row the parameters hold (a warm start may add rows the training data does not touch).
  const valSlots = slotsIn(params.slotBucket, valIds);

  const identity = (s: number): number => s;
  const h = new Float64Array(dim);
  const logits = new Float64Array(classes);
  const dh = new Float64Array(dim);
  const gW = new Float64Array(classes * dim);
  const gB = new Float64Array(classes);
  // The batch's embedding gradients, one compact row per touched slot (in order of first touch), so that they stay
  // in cache; localOf[slot] is the slot's row when touchedAt[slot] === step.
  const maxBatchFeatures = trainSlots
    .map((sl) => sl.length)
    .sort((a, b) => b - a)
    .slice(0, settings.batchSize)
    .reduce((a, b) => a + b, 0);
  const gEmb = new Float64Array(Math.min(params.slotBucket.length, maxBatchFeatures) * dim);
  const touchedAt = new Int32Array(params.slotBucket.length).fill(-1);
  const localOf = new Int32Array(params.slotBucket.length);
  const touched: number[] = [];

  // The hot loop, in plain synchronous functions (which V8 optimises better than the body of the async loop).
  const p = params;
  /** Accumulates the gradients of examples order[start..end) into gW, gB and gEmb; returns their summed loss. */
  const batchGradients = (order: Uint32Array, start: number, end: number, step: number): number => {
    const bs = end - start;
    gW.fill(0);
    gB.fill(0);
    touched.length = 0;
    let batchLoss = 0;
    for (let k = start; k < end; k++) {
      const ex = order[k];
      const slots = trainSlots[ex];
      meanEmbedding(slots, identity, p.emb, dim, h);
      linearLogits(h, p.weight, p.bias, logits);
      const { loss, grad } = distillLoss(logits, targets[ex], settings);
      const w = exampleWeight[ex];
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
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i];
        if (touchedAt[s] !== step) {
          touchedAt[s] = step;
          localOf[s] = touched.length;
          gEmb.fill(0, touched.length * dim, (touched.length + 1) * dim);
          touched.push(s);
        }
        const off = localOf[s] * dim;
        for (let d = 0; d < dim; d++) gEmb[off + d] += dh[d] * inv;
      }
    }
    return batchLoss;
  };
  /** Adam on the head and lazy Adam on the touched embedding rows; `step` counts this update (1-based). */
  const applyUpdates = (lrStep: number, step: number): void => {
    const c1 = 1 - Math.pow(BETA1, step);
    const c2 = 1 - Math.pow(BETA2, step);
    adamDense(p.weight, p.wM, p.wV, gW, lrStep, c1, c2);
    adamDense(p.bias, p.bM, p.bV, gB, lrStep, c1, c2);
    adamRows(p.emb, p.embM, p.embV, gEmb, touched, dim, lrStep, c1, c2);
  };

  return trainEpochs(input, hooks, run, start, {
    batch: (order, from, to, stepBefore, lrStep) => {
      const batchLoss = batchGradients(order, from, to, stepBefore);
      if (Number.isFinite(batchLoss)) applyUpdates(lrStep, stepBefore + 1);
      return batchLoss;
    },
    epochEnd: () => {
      const identityForward = createForward(toModel(params, data.labels, featurizer, false), identity);
      return {
        validationLogits: (i) => identityForward(valSlots[i]),
        model: () => toModel(params, data.labels, featurizer),
        writeCheckpoint: (file, header) => writeCheckpoint(file, params, header),
        backend: FASTTEXT_BACKEND,
      };
    },
  });
}

/**
 * The parameters a run starts with: its checkpoint when it resumes (restoring `run`), else fresh ones, warm-started
 * from the earlier model of `input.initFrom` (checked against this run's labels, featurizer and sizes).
 */
export function startOrResume<P extends { readonly slotBucket: Uint32Array }>(
  input: TrainInput,
  run: RunProgress,
  buckets: Uint32Array,
  how: {
    read: (file: string) => { params: P; header: CheckpointHeader };
    fresh: () => P;
    warm: (fresh: P, model: StudentModel) => P;
  },
): { params: P; epoch: number; step: number } {
  if (input.resumeFrom && existsSync(input.resumeFrom)) {
    const ck = how.read(input.resumeFrom);
    // The checkpoint's first slots are the training features in order of first appearance (a warm start appends
    // more): anything else means another featurizer wrote it, and its rows would be read as the wrong features.
    const slots = ck.params.slotBucket;
    if (slots.length < buckets.length || buckets.some((b, i) => slots[i] !== b)) {
      throw new AppError(
        'BAD_FILE',
        `The checkpoint ${input.resumeFrom} was written with another featurizer than this version's. Start a new run.`,
      );
    }
    restoreRunProgress(run, ck.header);
    return { params: ck.params, epoch: ck.header.epoch + 1, step: ck.header.step };
  }
  let params = how.fresh();
  if (input.initFrom) {
    const model = readModel(input.initFrom);
    const { data, settings } = input;
    const featurizer = input.featurizer ?? DEFAULT_FEATURIZER;
    checkInitModel(model, { labels: data.labels, featurizer, settings }, settings.initFromRunId);
    params = how.warm(params, model);
  }
  return { params, epoch: 1, step: 0 };
}

/** Where a run stands between epochs: early-stopping state and the best model so far (kept in checkpoints). */
export interface RunProgress {
  readonly early: EarlyStopState;
  bestModelPath: string;
  bestModelBytes: number;
}

export function newRunProgress(): RunProgress {
  return { early: { bestEpoch: -1, bestMetric: 0, badEpochs: 0 }, bestModelPath: '', bestModelBytes: 0 };
}

export function restoreRunProgress(run: RunProgress, header: CheckpointHeader): void {
  Object.assign(run.early, header.early);
  run.bestModelPath = header.bestModelPath;
  run.bestModelBytes = header.bestModelBytes;
}

export function outcomeOf(run: RunProgress, epochsRun: number, stoppedEarly: boolean): TrainOutcome {
  return {
    bestEpoch: run.early.bestEpoch,
    bestMetric: run.early.bestMetric,
    modelPath: run.bestModelPath,
    modelBytes: run.bestModelBytes,
    epochsRun,
    stoppedEarly,
  };
}

/** What a trainer does per batch and at the end of each epoch; the loop around them is `trainEpochs`. */
export interface EpochSteps {
  /**
   * Computes the gradients of examples order[from..to) and, when their summed loss (returned) is finite, applies
   * one update with learning rate `lrStep` as update number stepBefore + 1.
   */
  batch(
    order: Uint32Array,
    from: number,
    to: number,
    stepBefore: number,
    lrStep: number,
  ): number | Promise<number>;
  /** After the epoch's updates: validation, the model and the checkpoint of the current parameters. */
  epochEnd(): Pick<EpochEnd, 'validationLogits' | 'model' | 'writeCheckpoint' | 'backend'>;
}

/**
 * The epochs of a run, whatever the architecture: the seeded shuffle of each epoch, batches, the learning-rate
 * schedule by step, NaN detection, progress (where pause and cancel happen), then `finishEpoch`; stops early or
 * after maxEpochs.
 */
export async function trainEpochs(
  input: TrainInput,
  hooks: TrainHooks,
  run: RunProgress,
  from: { epoch: number; step: number },
  steps: EpochSteps,
): Promise<TrainOutcome> {
  const { settings } = input;
  const n = input.data.train.length;
  const total = settings.maxEpochs * n;
  const totalSteps = settings.maxEpochs * Math.ceil(n / settings.batchSize);
  let step = from.step;
  let stoppedEarly = run.early.badEpochs >= settings.patience && run.early.bestEpoch >= 0;
  let epoch = from.epoch;
  for (; epoch <= settings.maxEpochs && !stoppedEarly; epoch++) {
    const started = Date.now();
    const order = shuffledOrder(n, settings.seed, epoch);
    let lossSum = 0;
    let sinceProgress = 0;
    for (let start = 0; start < n; start += settings.batchSize) {
      const end = Math.min(n, start + settings.batchSize);
      const batchLoss = await steps.batch(
        order,
        start,
        end,
        step,
        learningRateAt(settings, step, totalSteps),
      );
      if (!Number.isFinite(batchLoss)) throw nanError(settings.learningRate);
      lossSum += batchLoss;
      step++;
      sinceProgress += end - start;
      if (sinceProgress >= PROGRESS_EVERY || end === n) {
        sinceProgress = 0;
        const secs = Math.max(1e-3, (Date.now() - started) / 1000);
        await hooks.onProgress({ epoch, done: (epoch - 1) * n + end, total, examplesPerSecond: end / secs });
      }
    }
    const seconds = Math.max(1e-3, (Date.now() - started) / 1000);
    const stop = await finishEpoch(input, hooks, run, {
      epoch,
      step,
      trainLoss: lossSum / Math.max(1, n),
      seconds,
      examples: n,
      ...steps.epochEnd(),
    });
    if (stop) stoppedEarly = true;
  }
  return outcomeOf(run, epoch - 1, stoppedEarly);
}

/** What an architecture's trainer hands over at the end of an epoch. */
export interface EpochEnd {
  readonly epoch: number;
  /** Optimizer steps so far. */
  readonly step: number;
  /** Mean training loss of the epoch. */
  readonly trainLoss: number;
  readonly seconds: number;
  readonly examples: number;
  /** The logits of validation example i under the current parameters. */
  readonly validationLogits: (i: number) => ArrayLike<number>;
  /** The inference model of the current parameters (saved when the epoch is the best). */
  readonly model: () => StudentModel;
  readonly writeCheckpoint: (file: string, header: Omit<CheckpointHeader, 'tensors'>) => void;
  readonly backend: string;
}

/**
 * The end of every epoch, whatever the architecture: validation metrics, early stopping, the best model folder,
 * the checkpoint (atomically), the report to the caller, then pruning of stale files. Returns whether to stop.
 */
export async function finishEpoch(
  input: TrainInput,
  hooks: TrainHooks,
  run: RunProgress,
  e: EpochEnd,
): Promise<boolean> {
  const { data, settings, runDir } = input;
  const classes = data.labels.length;
  const lr = settings.learningRate;
  if (!Number.isFinite(e.trainLoss)) throw nanError(lr);
  const count = data.validation.length;
  const gold = new Int32Array(count);
  const pred = new Int32Array(count);
  let valLoss = 0;
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const p = softmax(e.validationLogits(i));
    let arg = 0;
    for (let c = 1; c < classes; c++) if (p[c] > p[arg]) arg = c;
    gold[i] = data.validation[i].label;
    pred[i] = arg;
    if (arg === gold[i]) correct++;
    valLoss += -Math.log(Math.max(p[gold[i]], 1e-300));
  }
  valLoss /= Math.max(1, count);
  const valAccuracy = correct / Math.max(1, count);
  const valMacroF1 = macroF1(gold, pred, classes);
  const value =
    settings.metric === 'loss' ? valLoss : settings.metric === 'accuracy' ? valAccuracy : valMacroF1;
  if (!Number.isFinite(valLoss)) throw nanError(lr);
  const { early } = run;
  const isBest = updateEarlyStop(early, e.epoch, value, settings.metric);
  if (isBest) {
    run.bestModelPath = join(runDir, modelDirName(e.epoch));
    run.bestModelBytes = saveModel(run.bestModelPath, e.model(), {
      ...input.meta,
      epoch: e.epoch,
      metric: settings.metric,
      value,
    });
  }
  const checkpointPath = join(runDir, checkpointName(e.epoch));
  e.writeCheckpoint(checkpointPath, {
    epoch: e.epoch,
    step: e.step,
    early: { ...early },
    bestModelPath: run.bestModelPath,
    bestModelBytes: run.bestModelBytes,
  });
  await hooks.onEpoch({
    epoch: e.epoch,
    trainLoss: e.trainLoss,
    valLoss,
    valAccuracy,
    valMacroF1,
    examplesPerSecond: e.examples / Math.max(1e-3, e.seconds),
    metric: value,
    isBest,
    bestEpoch: early.bestEpoch,
    checkpointPath,
    modelPath: run.bestModelPath,
    modelBytes: run.bestModelBytes,
    backend: e.backend,
  });
  pruneRunDir(runDir, e.epoch, early.bestEpoch);
  return early.badEpochs >= settings.patience;
}

/** Keeps the last checkpoint, the best one and the best model folder; removes the rest. */
export function pruneRunDir(runDir: string, lastEpoch: number, bestEpoch: number): void {
  const keep = new Set([
    checkpointName(lastEpoch),
    checkpointName(bestEpoch),
    modelDirName(bestEpoch),
    'data.json',
  ]);
  for (const name of readdirSync(runDir)) {
    if (keep.has(name)) continue;
    if (/^epoch-\d+\.ckpt$/.test(name) || /^model-e\d+$/.test(name))
      rmSync(join(runDir, name), { recursive: true, force: true });
  }
}
