import { existsSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochMetrics, StoppingMetric, TrainSettings } from '../../../shared/student';
import { AppError } from '../../core/errors';
import { distillLoss, softmax, type DistillTarget } from './distill';
import { DEFAULT_FEATURIZER, featurize, type FeaturizerConfig } from './featurizer';
import { linearLogits, meanEmbedding, type FastTextModel } from './model';
import {
  floatTensor,
  packTensors,
  readModel,
  saveModel,
  uintTensor,
  writeFileAtomic,
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
}

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

interface CheckpointHeader {
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

function writeCheckpoint(file: string, params: Params, header: Omit<CheckpointHeader, 'tensors'>): void {
  const { bytes, specs } = packTensors(
    CHECKPOINT_TENSORS.map((name) => [name, params[name], [params[name].length]] as const),
  );
  const head = Buffer.from(JSON.stringify({ ...header, tensors: specs }), 'utf8');
  const pad = (4 - ((4 + head.length) % 4)) % 4;
  const out = Buffer.alloc(4 + head.length + pad + bytes.length);
  out.writeUInt32LE(head.length + pad, 0);
  head.copy(out, 4);
  out.fill(0x20, 4 + head.length, 4 + head.length + pad);
  out.set(bytes, 4 + head.length + pad);
  writeFileAtomic(file, out);
}

function readCheckpoint(
  file: string,
  dim: number,
  classes: number,
): { params: Params; header: CheckpointHeader } {
  const buf = readFileSync(file);
  const headLen = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + headLen).toString('utf8')) as CheckpointHeader;
  const body = buf.subarray(4 + headLen);
  const f = (name: string): Float32Array => floatTensor(body, header.tensors, name);
  const slotBucket = uintTensor(body, header.tensors, 'slotBucket');
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
    throw new AppError(
      'BAD_FILE',
      `The checkpoint ${file} does not match this run's settings. Start a new run.`,
    );
  }
  return { params, header };
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
  model: FastTextModel,
  expected: { labels: readonly string[]; featurizer: FeaturizerConfig; dim: number },
  fromRunId: number | undefined,
): void {
  const which = fromRunId === undefined ? 'The earlier model' : `The model of training run ${fromRunId}`;
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
  if (model.dim !== expected.dim) {
    throw new AppError(
      'CONFLICT',
      `${which} has model size (embedding dimension) ${model.dim}, this run ${expected.dim}. ` +
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
  const known = new Set(fresh.slotBucket);
  const extra: number[] = [];
  for (const b of model.rowIds) if (!known.has(b)) extra.push(b);
  const slotBucket = new Uint32Array(fresh.slotBucket.length + extra.length);
  slotBucket.set(fresh.slotBucket);
  slotBucket.set(extra, fresh.slotBucket.length);
  const rowOf = new Map<number, number>();
  model.rowIds.forEach((b, i) => rowOf.set(b, i));
  const rows = slotBucket.length * dim;
  const emb = new Float32Array(rows);
  slotBucket.forEach((b, slot) => {
    const row = rowOf.get(b);
    if (row !== undefined) emb.set(model.embeddings.subarray(row * dim, (row + 1) * dim), slot * dim);
  });
  return {
    dim,
    classes,
    slotBucket,
    emb,
    embM: new Float32Array(rows),
    embV: new Float32Array(rows),
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
): FastTextModel {
  const n = params.slotBucket.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => params.slotBucket[a] - params.slotBucket[b],
  );
  const rowIds = new Uint32Array(n);
  const embeddings = new Float32Array(n * params.dim);
  order.forEach((slot, i) => {
    rowIds[i] = params.slotBucket[slot];
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

function adamDense(
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

function checkpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}.ckpt`;
}

function modelDirName(epoch: number): string {
  return `model-e${String(epoch).padStart(4, '0')}`;
}

function nanError(lr: number): AppError {
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
  const { data, settings, runDir } = input;
  const featurizer = input.featurizer ?? DEFAULT_FEATURIZER;
  const classes = data.labels.length;
  const dim = settings.dim;
  const trainIds = data.train.map((e) => featurize(e.text, featurizer));
  const valIds = data.validation.map((e) => featurize(e.text, featurizer));
  const slotOfBucket = new Map<number, number>();
  const buckets: number[] = [];
  const trainSlots = trainIds.map((ids) => {
    const slots = new Int32Array(ids.length);
    ids.forEach((b, i) => {
      let s = slotOfBucket.get(b);
      if (s === undefined) {
        s = buckets.length;
        slotOfBucket.set(b, s);
        buckets.push(b);
      }
      slots[i] = s;
    });
    return slots;
  });
  const targets: DistillTarget[] = data.train.map((e) => ({ label: e.label, teacher: e.teacher }));

  let params: Params;
  let startEpoch = 1;
  let step = 0;
  const early: EarlyStopState = { bestEpoch: -1, bestMetric: 0, badEpochs: 0 };
  let bestModelPath = '';
  let bestModelBytes = 0;
  if (input.resumeFrom && existsSync(input.resumeFrom)) {
    const ck = readCheckpoint(input.resumeFrom, dim, classes);
    params = ck.params;
    startEpoch = ck.header.epoch + 1;
    step = ck.header.step;
    Object.assign(early, ck.header.early);
    bestModelPath = ck.header.bestModelPath;
    bestModelBytes = ck.header.bestModelBytes;
  } else {
    params = initParams(Uint32Array.from(buckets), dim, classes, settings.seed);
    if (input.initFrom) {
      const model = readModel(input.initFrom);
      checkInitModel(model, { labels: data.labels, featurizer, dim }, settings.initFromRunId);
      params = warmStart(params, model);
    }
  }
  // Slots of every row the parameters hold (a warm start may add rows the training data does not touch).
  const slotOfRow = new Map<number, number>();
  params.slotBucket.forEach((b, s) => slotOfRow.set(b, s));
  const valSlots = valIds.map((ids) => Int32Array.from(ids, (b) => slotOfRow.get(b) ?? -1));

  const n = data.train.length;
  const total = settings.maxEpochs * n;
  const identity = (s: number): number => s;
  const h = new Float64Array(dim);
  const logits = new Float64Array(classes);
  const dh = new Float64Array(dim);
  const gW = new Float64Array(classes * dim);
  const gB = new Float64Array(classes);
  const gEmb = new Float64Array(params.slotBucket.length * dim);
  const touchedAt = new Int32Array(params.slotBucket.length).fill(-1);
  const touched: number[] = [];
  const lr = settings.learningRate;
  let stoppedEarly = false;
  let epoch = startEpoch;

  if (early.badEpochs >= settings.patience && early.bestEpoch >= 0) stoppedEarly = true;
  for (; epoch <= settings.maxEpochs && !stoppedEarly; epoch++) {
    const started = Date.now();
    const order = shuffledOrder(n, settings.seed, epoch);
    let lossSum = 0;
    let sinceProgress = 0;
    for (let start = 0; start < n; start += settings.batchSize) {
      const end = Math.min(n, start + settings.batchSize);
      const bs = end - start;
      gW.fill(0);
      gB.fill(0);
      touched.length = 0;
      let batchLoss = 0;
      for (let k = start; k < end; k++) {
        const ex = order[k];
        const slots = trainSlots[ex];
        meanEmbedding(slots, identity, params.emb, dim, h);
        linearLogits(h, params.weight, params.bias, logits);
        const { loss, grad } = distillLoss(logits, targets[ex], settings);
        batchLoss += loss;
        dh.fill(0);
        for (let c = 0; c < classes; c++) {
          const g = grad[c] / bs;
          if (g === 0) continue;
          gB[c] += g;
          const off = c * dim;
          for (let d = 0; d < dim; d++) {
            gW[off + d] += g * h[d];
            dh[d] += g * params.weight[off + d];
          }
        }
        const inv = slots.length ? 1 / slots.length : 0;
        for (let i = 0; i < slots.length; i++) {
          const s = slots[i];
          if (touchedAt[s] !== step) {
            touchedAt[s] = step;
            touched.push(s);
            gEmb.fill(0, s * dim, (s + 1) * dim);
          }
          const off = s * dim;
          for (let d = 0; d < dim; d++) gEmb[off + d] += dh[d] * inv;
        }
      }
      if (!Number.isFinite(batchLoss)) throw nanError(lr);
      lossSum += batchLoss;
      step++;
      const c1 = 1 - Math.pow(BETA1, step);
      const c2 = 1 - Math.pow(BETA2, step);
      adamDense(params.weight, params.wM, params.wV, gW, lr, c1, c2);
      adamDense(params.bias, params.bM, params.bV, gB, lr, c1, c2);
      const { emb, embM, embV } = params;
      for (const s of touched) {
        const off = s * dim;
        for (let d = off; d < off + dim; d++) {
          const g = gEmb[d];
          embM[d] = BETA1 * embM[d] + (1 - BETA1) * g;
          embV[d] = BETA2 * embV[d] + (1 - BETA2) * g * g;
          emb[d] -= (lr * (embM[d] / c1)) / (Math.sqrt(embV[d] / c2) + EPS);
        }
      }
      sinceProgress += bs;
      if (sinceProgress >= PROGRESS_EVERY || end === n) {
        sinceProgress = 0;
        const secs = Math.max(1e-3, (Date.now() - started) / 1000);
        await hooks.onProgress({ epoch, done: (epoch - 1) * n + end, total, examplesPerSecond: end / secs });
      }
    }
    const seconds = Math.max(1e-3, (Date.now() - started) / 1000);
    const trainLoss = lossSum / Math.max(1, n);
    if (!Number.isFinite(trainLoss)) throw nanError(lr);

    const gold = new Int32Array(valSlots.length);
    const pred = new Int32Array(valSlots.length);
    let valLoss = 0;
    let correct = 0;
    valSlots.forEach((slots, i) => {
      meanEmbedding(slots, identity, params.emb, dim, h);
      linearLogits(h, params.weight, params.bias, logits);
      const p = softmax(logits);
      let arg = 0;
      for (let c = 1; c < classes; c++) if (p[c] > p[arg]) arg = c;
      gold[i] = data.validation[i].label;
      pred[i] = arg;
      if (arg === gold[i]) correct++;
      valLoss += -Math.log(Math.max(p[gold[i]], 1e-300));
    });
    const count = Math.max(1, valSlots.length);
    valLoss /= count;
    const valAccuracy = correct / count;
    const valMacroF1 = macroF1(gold, pred, classes);
    const value =
      settings.metric === 'loss' ? valLoss : settings.metric === 'accuracy' ? valAccuracy : valMacroF1;
    if (!Number.isFinite(valLoss)) throw nanError(lr);
    const isBest = updateEarlyStop(early, epoch, value, settings.metric);
    if (isBest) {
      bestModelPath = join(runDir, modelDirName(epoch));
      bestModelBytes = saveModel(bestModelPath, toModel(params, data.labels, featurizer), {
        ...input.meta,
        epoch,
        metric: settings.metric,
        value,
      });
    }
    const checkpointPath = join(runDir, checkpointName(epoch));
    writeCheckpoint(checkpointPath, params, {
      epoch,
      step,
      early: { ...early },
      bestModelPath,
      bestModelBytes,
    });
    await hooks.onEpoch({
      epoch,
      trainLoss,
      valLoss,
      valAccuracy,
      valMacroF1,
      examplesPerSecond: n / seconds,
      metric: value,
      isBest,
      bestEpoch: early.bestEpoch,
      checkpointPath,
      modelPath: bestModelPath,
      modelBytes: bestModelBytes,
    });
    pruneRunDir(runDir, epoch, early.bestEpoch);
    if (early.badEpochs >= settings.patience) stoppedEarly = true;
  }
  return {
    bestEpoch: early.bestEpoch,
    bestMetric: early.bestMetric,
    modelPath: bestModelPath,
    modelBytes: bestModelBytes,
    epochsRun: epoch - 1,
    stoppedEarly,
  };
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
