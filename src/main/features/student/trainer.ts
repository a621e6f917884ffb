import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochMetrics, FinalFitInfo, TrainSettings } from '../../../shared/student';
import { AppError } from '../../core/errors';
import { ARCHITECTURES } from './architectures';
import { DEFAULT_FEATURIZER, featurizerFor, type FeaturizerConfig } from './featurizer';
import type { StudentModel } from './model';
import { createForward } from './modelKinds';
import { readModel, saveModel } from './modelFile';
import { adamCorrections, adamDense, adamRows } from './training/adam';
import type { OpenArchitecture, Params } from './training/architecture';
import { addEpochToAverage, newAverage } from './training/average';
import {
  checkpointName,
  modelDirName,
  pruneRunDir,
  readCheckpoint,
  writeCheckpoint,
  type CheckpointHeader,
  type ValidatedOutcome,
} from './training/checkpoint';
import type { TrainData } from './training/data';
import { newEarlyStop, shouldStop, updateEarlyStop, type EarlyStopState } from './training/earlyStop';
import { checkInitModel } from './training/initModel';
import { lossOfRun } from './training/loss';
import { initParams, toModel, warmStart } from './training/params';
import { learningRateAt, shuffledOrder } from './training/schedule';
import { assignSlots, extendSlots, RowGrad, slotsIn } from './training/slots';
import { validate } from './training/validation';

export type { MultiLabelData, SingleLabelData, TrainData } from './training/data';
export { indicator } from './training/data';
export { checkInitModel } from './training/initModel';

/**
 * The one training loop, whatever the student architecture (architectures.ts): featurize, slots, fresh or warm
 * or resumed parameters, the seeded shuffle of each epoch, batches, the learning-rate schedule, Adam, NaN
 * detection, progress (where pause and cancel happen), validation, early stopping, the best model folder and
 * checkpoints. Deterministic for a seed: a run resumed from a checkpoint ends exactly where an uninterrupted run
 * would.
 */

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
  /**
   * false: write nothing to `runDir` (no checkpoint, no model folder; the reports' paths are empty). For Auto's
   * trials, which are scored by their epochs' figures and never resumed (an interrupted trial starts over).
   * Default true.
   */
  readonly persist?: boolean;
  /**
   * Set: this is the run's final fit (finalFit.ts): train on the training documents and the human-labelled
   * validation ones for `epochs` epochs (no validation, no early stopping), writing `final-NNNN.ckpt` after each
   * epoch (the main run's result kept in it) and the model folder `model-final` at the end.
   */
  readonly finalFit?: { readonly epochs: number; readonly main: TrainOutcome };
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

export interface TrainOutcome extends ValidatedOutcome {
  /** Set when the model is the final fit's (bestEpoch and bestMetric are still the validated run's). */
  readonly finalFit?: FinalFitInfo;
}

/** An epoch of the final fit, its checkpoint on disk. */
export interface FinalFitEpoch {
  readonly epoch: number;
  readonly epochs: number;
  readonly trainLoss: number;
  readonly checkpointPath: string;
}

export interface TrainHooks {
  /** Awaited: the caller may hold training here (pause) or throw (cancel). */
  onProgress(p: { epoch: number; done: number; total: number; examplesPerSecond: number }): Promise<void>;
  /** Awaited after the epoch's checkpoint is on disk; stale files are pruned only after it returns. */
  onEpoch(report: EpochReport): Promise<void>;
  /** Awaited after each final-fit epoch's checkpoint is on disk (finalFit runs only). */
  onFinalFitEpoch?(report: FinalFitEpoch): Promise<void>;
}

const PROGRESS_EVERY = 512;

function nanError(lr: number): AppError {
  return AppError.keyed('TRAINING_ERROR', 'student.trainingStoppedLossBecame', { lr });
}

/** Where a run stands between epochs: early-stopping state and the best model so far (kept in checkpoints). */
interface RunProgress {
  readonly early: EarlyStopState;
  bestModelPath: string;
  bestModelBytes: number;
}

/** A run once its architecture is open and its data featurized. */
interface Run {
  readonly input: TrainInput;
  readonly hooks: TrainHooks;
  readonly arch: OpenArchitecture;
  readonly params: Params;
  /**
   * The mean of the weights over the ends of the epochs so far (training/average.ts), when the run averages them:
   * what it validates and saves. Null: the trained weights are the model.
   */
  readonly average: Params | null;
  readonly progress: RunProgress;
  /** `sorted`: to save, its arrays overwritten by the next sorted call; else a view of the parameters. */
  readonly model: (sorted: boolean) => StudentModel;
  /** A final fit: how many of its training documents are validation ones (0 otherwise). */
  readonly validationAdded: number;
}

/**
 * Feature ids already computed, by the documents' array (a run's `data.train` or `data.validation`, the same
 * objects for Auto's trials and the run they choose) and the architecture's `featureKey`: Auto's trials that read the
 * same features, and the run itself, featurize each text once. Held only as long as the data is.
 */
const featureCache = new WeakMap<object, Map<string, readonly Uint32Array[]>>();

/** Each document's feature ids (`arch.featurize`), computed once per data and `featureKey` (featureCache). */
function featurized(
  arch: OpenArchitecture,
  docs: ReadonlyArray<{ readonly text: string }>,
): readonly Uint32Array[] {
  const key = arch.featureKey;
  if (key === undefined) return docs.map((e) => arch.featurize(e.text));
  let byKey = featureCache.get(docs);
  if (byKey === undefined) featureCache.set(docs, (byKey = new Map()));
  let ids = byKey.get(key);
  if (ids === undefined) byKey.set(key, (ids = docs.map((e) => arch.featurize(e.text))));
  return ids;
}

/** Slots of feature id lists (`assignSlots`), computed once per list (featureCache keeps the lists of a data). */
const slotCache = new WeakMap<readonly Uint32Array[], { slotBucket: Uint32Array; slots: Int32Array[] }>();

function slotsOf(ids: readonly Uint32Array[]): { slotBucket: Uint32Array; slots: Int32Array[] } {
  let s = slotCache.get(ids);
  if (s === undefined) slotCache.set(ids, (s = assignSlots(ids)));
  return s;
}

/** The featurizer a run reads text with: its `features` setting over the given (default) featurizer. */
export function runFeaturizer(input: Pick<TrainInput, 'featurizer' | 'settings'>): FeaturizerConfig {
  return featurizerFor(input.settings.features, input.featurizer ?? DEFAULT_FEATURIZER);
}

/** Trains a student of `input.settings.architecture` (see the file comment). */
export async function runTraining(given: TrainInput, hooks: TrainHooks): Promise<TrainOutcome> {
  const { settings } = given;
  const featurizer = runFeaturizer(given);
  const architecture = ARCHITECTURES[settings.architecture];
  const arch = await architecture.open({
    settings,
    labels: given.data.labels,
    featurizer,
    kind: given.data.kind,
  });
  // A final fit trains on the training documents, then the human-labelled validation ones (each featurized once).
  const extra = given.finalFit ? finalFitExtra(given.data) : null;
  const input: TrainInput = extra ? { ...given, data: extra.data } : given;
  const { data } = input;
  const base = slotsOf(featurized(arch, given.data.train));
  const validationIds = extra ? featurized(arch, given.data.validation) : [];
  const { slotBucket: buckets, slots: inputs } = extra
    ? extendSlots(
        base,
        extra.indices.map((i) => validationIds[i]),
      )
    : base;
  const { targets, weights, loss } = lossOfRun(data, settings);
  if (data.kind === 'multi' && !architecture.lossFromLoop) {
    throw AppError.keyed('INVALID_INPUT', 'student.studentTrainsSingleLabel', {
      architecture: settings.architecture,
    });
  }

  const progress: RunProgress = { early: newEarlyStop(), bestModelPath: '', bestModelBytes: 0 };
  const width = arch.rowWidth ?? settings.dim;
  // Sparse single-label runs can average their weights over epochs (settings.averageWeights, training/average.ts).
  const averaged = settings.averageWeights && settings.architecture === 'sparse' && data.kind !== 'multi';
  const start = startOrResume(input, arch, progress, { buckets, inputs, width, averaged });
  const { params, average } = start;
  const shown = average ?? params;
  const spec = { labels: data.labels, featurizer, dim: width };
  // The arrays of the last model saved, overwritten by the next save (each is written to disk, then dropped).
  let saved: StudentModel | undefined;
  const run: Run = {
    input,
    hooks,
    arch,
    params,
    average,
    progress,
    model: (sorted) => {
      if (!sorted) return toModel(arch, architecture.name, shown, spec, false);
      saved = toModel(arch, architecture.name, shown, spec, true, saved);
      return saved;
    },
    validationAdded: extra?.indices.length ?? 0,
  };
  // Slots of every row the parameters hold (a warm start may add rows the training data does not touch).
  const valInputs = extra ? [] : slotsIn(params.slotBucket, featurized(arch, data.validation));
  // A step touches at most the features of its batch's largest examples: the gradient buffer need not be as large
  // as the table.
  const maxBatchRows = inputs
    .map((sl) => sl.length)
    .sort((a, b) => b - a)
    .slice(0, settings.batchSize)
    .reduce((a, b) => a + b, 0);
  const rows = new RowGrad(params.slotBucket.length, width, maxBatchRows);
  const frozen = arch.frozenColumns ?? 0;
  const update = (examples: Uint32Array, step: number, lr: number): number => {
    rows.begin();
    const g = arch.gradients(params, { examples, inputs, targets, weights, step, loss }, rows);
    if (!Number.isFinite(g.loss)) return g.loss;
    const [c1, c2] = adamCorrections(step + 1);
    for (const [name] of arch.denseShapes) {
      const d = params.dense[name];
      adamDense(d.w, d.m, d.v, g.dense[name], lr, c1, c2);
    }
    const decay = arch.rowDecay?.() ?? null;
    adamRows(
      params.emb.w,
      params.emb.m,
      params.emb.v,
      rows.g,
      rows.touched,
      width,
      lr,
      c1,
      c2,
      frozen,
      decay,
    );
    return g.loss;
  };
  return trainEpochs(run, start, update, valInputs);
}

/**
 * The parameters a run starts with: its checkpoint when it resumes (restoring `progress`), else fresh ones,
 * warm-started from the earlier model of `input.initFrom` (checked against this run's labels, featurizer and sizes);
 * with their average over epochs when the run keeps one (`averaged`).
 */
function startOrResume(
  input: TrainInput,
  arch: OpenArchitecture,
  progress: RunProgress,
  run: { buckets: Uint32Array; inputs: readonly Int32Array[]; width: number; averaged: boolean },
): { params: Params; average: Params | null; epoch: number; step: number } {
  const { data, settings } = input;
  const { buckets, inputs, width, averaged } = run;
  if (input.resumeFrom && existsSync(input.resumeFrom)) {
    const ck = readCheckpoint(input.resumeFrom, arch, width, averaged);
    // The checkpoint's first slots are the training features in order of first appearance (a warm start appends
    // more): anything else means another featurizer wrote it, and its rows would be read as the wrong features.
    const slots = ck.params.slotBucket;
    if (slots.length < buckets.length || buckets.some((b, i) => slots[i] !== b)) {
      throw AppError.keyed('BAD_FILE', 'student.checkpointWrittenAnotherFeaturizer', {
        resumeFrom: input.resumeFrom,
      });
    }
    restoreProgress(progress, ck.header);
    return { params: ck.params, average: ck.average, epoch: ck.header.epoch + 1, step: ck.header.step };
  }
  let params = initParams(arch, buckets, settings.seed, inputs);
  if (input.initFrom) {
    const model = readModel(input.initFrom);
    const featurizer = runFeaturizer(input);
    checkInitModel(model, { labels: data.labels, featurizer, settings }, settings.initFromRunId);
    params = warmStart(arch, params, model);
  }
  // Epoch 1's end replaces this copy entirely (the mean of one epoch).
  return { params, average: averaged ? newAverage(params) : null, epoch: 1, step: 0 };
}

function restoreProgress(progress: RunProgress, header: CheckpointHeader): void {
  Object.assign(progress.early, header.early);
  progress.bestModelPath = header.bestModelPath;
  progress.bestModelBytes = header.bestModelBytes;
}

/** The epochs of a run: stops early or after maxEpochs. `update` trains on one batch and returns its loss. */
async function trainEpochs(
  run: Run,
  from: { epoch: number; step: number },
  update: (examples: Uint32Array, step: number, lr: number) => number,
  valInputs: readonly Int32Array[],
): Promise<TrainOutcome> {
  const { settings, finalFit } = run.input;
  const n = run.input.data.train.length;
  const last = finalFit ? Math.min(finalFit.epochs, settings.maxEpochs) : settings.maxEpochs;
  const total = last * n;
  const totalSteps = settings.maxEpochs * Math.ceil(n / settings.batchSize);
  let step = from.step;
  let stoppedEarly = shouldStop(run.progress.early, settings.patience);
  let epoch = from.epoch;
  for (; epoch <= last && !stoppedEarly; epoch++) {
    const started = Date.now();
    const order = shuffledOrder(n, settings.seed, epoch);
    let lossSum = 0;
    let sinceProgress = 0;
    for (let start = 0; start < n; start += settings.batchSize) {
      const end = Math.min(n, start + settings.batchSize);
      const batchLoss = update(order.subarray(start, end), step, learningRateAt(settings, step, totalSteps));
      if (!Number.isFinite(batchLoss)) throw nanError(settings.learningRate);
      lossSum += batchLoss;
      step++;
      sinceProgress += end - start;
      if (sinceProgress >= PROGRESS_EVERY || end === n) {
        sinceProgress = 0;
        const secs = Math.max(1e-3, (Date.now() - started) / 1000);
        await run.hooks.onProgress({
          epoch,
          done: (epoch - 1) * n + end,
          total,
          examplesPerSecond: end / secs,
        });
      }
    }
    const seconds = Math.max(1e-3, (Date.now() - started) / 1000);
    const trainLoss = lossSum / Math.max(1, n);
    if (run.average) addEpochToAverage(run.average, run.params, epoch);
    if (finalFit) await finishFinalFitEpoch(run, { epoch, step, trainLoss, epochs: last });
    else if (await finishEpoch(run, { epoch, step, trainLoss, seconds, examples: n }, valInputs))
      stoppedEarly = true;
  }
  if (finalFit) return finalFitOutcome(run, finalFit.main, last);
  const { early } = run.progress;
  return {
    bestEpoch: early.bestEpoch,
    bestMetric: early.bestMetric,
    modelPath: run.progress.bestModelPath,
    modelBytes: run.progress.bestModelBytes,
    epochsRun: epoch - 1,
    stoppedEarly,
  };
}

/**
 * The end of every epoch: validation metrics, early stopping, the best model folder, the checkpoint (atomically),
 * the report to the caller, then pruning of stale files. Returns whether to stop.
 */
async function finishEpoch(
  run: Run,
  e: { epoch: number; step: number; trainLoss: number; seconds: number; examples: number },
  valInputs: readonly Int32Array[],
): Promise<boolean> {
  const { input, progress } = run;
  const { data, settings, runDir } = input;
  const lr = settings.learningRate;
  if (!Number.isFinite(e.trainLoss)) throw nanError(lr);
  const forward = run.arch.forward
    ? run.arch.forward(run.average ?? run.params)
    : createForward(run.model(false), (slot) => slot);
  const v = validate(data, forward, valInputs);
  const { valLoss, valAccuracy, valMacroF1, human, teacher } = v;
  const value =
    settings.metric === 'loss' ? valLoss : settings.metric === 'accuracy' ? valAccuracy : valMacroF1;
  if (!Number.isFinite(valLoss)) throw nanError(lr);
  const { early } = progress;
  const isBest = updateEarlyStop(early, e.epoch, value, settings.metric);
  const persist = input.persist !== false;
  if (isBest && persist) {
    progress.bestModelPath = join(runDir, modelDirName(e.epoch));
    const head = v.thresholds ? { kind: 'multi' as const, thresholds: v.thresholds } : {};
    progress.bestModelBytes = saveModel(
      progress.bestModelPath,
      { ...run.model(true), ...head },
      {
        ...input.meta,
        epoch: e.epoch,
        metric: settings.metric,
        value,
      },
    );
  }
  const checkpointPath = persist ? join(runDir, checkpointName(e.epoch)) : '';
  if (persist)
    saveCheckpoint(run, checkpointPath, {
      epoch: e.epoch,
      step: e.step,
      early: { ...early },
      bestModelPath: progress.bestModelPath,
      bestModelBytes: progress.bestModelBytes,
    });
  await run.hooks.onEpoch({
    epoch: e.epoch,
    trainLoss: e.trainLoss,
    valLoss,
    valAccuracy,
    valMacroF1,
    valHumanCount: human.count,
    valHumanAccuracy: human.accuracy,
    valHumanMacroF1: human.macroF1,
    valTeacherCount: teacher.count,
    valTeacherAccuracy: teacher.accuracy,
    valTeacherMacroF1: teacher.macroF1,
    examplesPerSecond: e.examples / Math.max(1e-3, e.seconds),
    ...v.multi,
    metric: value,
    isBest,
    bestEpoch: early.bestEpoch,
    checkpointPath,
    modelPath: progress.bestModelPath,
    modelBytes: progress.bestModelBytes,
    backend: run.arch.backend,
  });
  if (persist) pruneRunDir(runDir, e.epoch, early.bestEpoch);
  return early.badEpochs >= settings.patience;
}

/** A run's checkpoint: its parameters, their Adam moments and, when it averages them, the averaged weights. */
function saveCheckpoint(run: Run, file: string, header: Parameters<typeof writeCheckpoint>[3]): void {
  writeCheckpoint(file, run.arch, run.params, header, run.average);
}

/** The final fit's documents: the training ones, then the validation ones people labelled (by index). */
function finalFitExtra(data: TrainData): { data: TrainData; indices: number[] } {
  if (data.kind === 'multi') throw new Error('A multi-label run has no final fit.');
  const indices = data.validation.flatMap((v, i) => (v.fromTeacher ? [] : [i]));
  const added = indices.map((i) => ({
    text: data.validation[i].text,
    label: data.validation[i].label,
    teacher: null,
  }));
  return { data: { ...data, train: [...data.train, ...added], validation: [] }, indices };
}

export const FINAL_MODEL_DIR = 'model-final';

export function finalCheckpointName(epoch: number): string {
  return `final-${String(epoch).padStart(4, '0')}.ckpt`;
}

/** Whether `file` is a final fit's checkpoint (a run interrupted during its final fit resumes from one). */
export function isFinalCheckpoint(file: string): boolean {
  return /(^|[\\/])final-\d+\.ckpt$/.test(file);
}

/**
 * Removes a run folder's final-fit checkpoints: once the run is recorded as completed nothing resumes from them, and
 * the folder keeps the best and last checkpoints of the validated run only (job.ts).
 */
export function removeFinalCheckpoints(runDir: string): void {
  if (!existsSync(runDir)) return;
  for (const name of readdirSync(runDir))
    if (isFinalCheckpoint(name)) rmSync(join(runDir, name), { force: true });
}

/** The end of a final-fit epoch: its checkpoint (the main run's result in its header), the report, pruning. */
async function finishFinalFitEpoch(
  run: Run,
  e: { epoch: number; step: number; trainLoss: number; epochs: number },
): Promise<void> {
  const { input, progress } = run;
  if (!Number.isFinite(e.trainLoss)) throw nanError(input.settings.learningRate);
  const main = input.finalFit?.main;
  const checkpointPath = join(input.runDir, finalCheckpointName(e.epoch));
  saveCheckpoint(run, checkpointPath, {
    epoch: e.epoch,
    step: e.step,
    early: { ...progress.early },
    bestModelPath: main?.modelPath ?? '',
    bestModelBytes: main?.modelBytes ?? 0,
    ...(main ? { finalFit: { epochs: e.epochs, main } } : {}),
  });
  await run.hooks.onFinalFitEpoch?.({
    epoch: e.epoch,
    epochs: e.epochs,
    trainLoss: e.trainLoss,
    checkpointPath,
  });
  const keep = finalCheckpointName(e.epoch);
  for (const name of readdirSync(input.runDir))
    if (name !== keep && isFinalCheckpoint(name)) rmSync(join(input.runDir, name), { force: true });
}

/**
 * After the final fit's last epoch: its model folder (written here, not in the epoch, so that a run resumed from
 * the last checkpoint writes it too) and the outcome, the validated run's figures with the final model.
 */
function finalFitOutcome(run: Run, main: TrainOutcome, epochs: number): TrainOutcome {
  const { input } = run;
  const finalFit: FinalFitInfo = {
    epochs,
    documents: input.data.train.length,
    validation: run.validationAdded,
  };
  const modelPath = join(input.runDir, FINAL_MODEL_DIR);
  const modelBytes = saveModel(modelPath, run.model(true), {
    ...input.meta,
    epoch: main.bestEpoch,
    metric: input.settings.metric,
    value: main.bestMetric,
    finalFit,
  });
  return { ...main, modelPath, modelBytes, finalFit };
}
