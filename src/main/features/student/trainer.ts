import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_LABEL_THRESHOLD,
  MIN_HUMAN_VALIDATION,
  MIN_THRESHOLD_POSITIVES,
  type EpochMetrics,
  type TrainSettings,
} from '../../../shared/student';
import { AppError } from '../../core/errors';
import { macroF1 } from '../evaluation/metrics';
import { ARCHITECTURES } from './architectures';
import { argmax, softmax } from '../../../shared/math';
import { distillLoss, type DistillTarget, type LossAndGrad } from './distill';
import { multiLabelDistillLoss, sigmoid, type MultiLabelTarget } from './distillMultilabel';
import { predictSets, setMetrics, thresholdsWithSharedFallback } from '../evaluation/multilabelMetrics';
import { DEFAULT_FEATURIZER, featurizerFor, type FeaturizerConfig } from './featurizer';
import type { StudentModel } from './model';
import { createForward } from './modelKinds';
import { readModel, saveModel } from './modelFile';
import { adamCorrections, adamDense, adamRows } from './training/adam';
import type { OpenArchitecture, Params } from './training/architecture';
import {
  checkpointName,
  modelDirName,
  pruneRunDir,
  readCheckpoint,
  writeCheckpoint,
  type CheckpointHeader,
} from './training/checkpoint';
import { newEarlyStop, shouldStop, updateEarlyStop, type EarlyStopState } from './training/earlyStop';
import { initParams, toModel, warmStart } from './training/params';
import { learningRateAt, weightedTargets, shuffledOrder } from './training/schedule';
import { assignSlots, RowGrad, slotsIn } from './training/slots';

/**
 * The one training loop, whatever the student architecture (architectures.ts): featurize, slots, fresh or warm
 * or resumed parameters, the seeded shuffle of each epoch, batches, the learning-rate schedule, Adam, NaN
 * detection, progress (where pause and cancel happen), validation, early stopping, the best model folder and
 * checkpoints. Deterministic for a seed: a run resumed from a checkpoint ends exactly where an uninterrupted run
 * would.
 */

/**
 * What a run trains on: frozen at run creation (runs/<id>/data.json) so that a resumed run sees the same data.
 * A single-label run (no `kind`, as in data saved before multi-label runs existed) or a multi-label one.
 */
export type TrainData = SingleLabelData | MultiLabelData;

export interface SingleLabelData {
  readonly kind?: 'single';
  readonly labels: readonly string[];
  readonly train: ReadonlyArray<{
    readonly text: string;
    readonly label: number | null;
    readonly teacher: number[] | null;
  }>;
  /**
   * `fromTeacher`: the label is the teacher's top label (the document has no human label); absent in data saved
   * before it existed, which held human labels only where there were any.
   */
  readonly validation: ReadonlyArray<{
    readonly text: string;
    readonly label: number;
    readonly fromTeacher?: boolean;
  }>;
}

/**
 * A multi-label run (issue 16): label sets as sorted class indices ([] is "none of these"), the teacher's
 * independent per-label probabilities in `labels` order, and the positive weight of each label in the BCE term
 * (`positiveWeights` of distillMultilabel.ts, from the training documents' human label sets).
 */
export interface MultiLabelData {
  readonly kind: 'multi';
  readonly labels: readonly string[];
  readonly positiveWeights: readonly number[];
  readonly train: ReadonlyArray<{
    readonly text: string;
    readonly labels: number[] | null;
    readonly teacher: number[] | null;
  }>;
  /** `fromTeacher`: the set is the labels the teacher gives at least 0.5 (the document has no human label set). */
  readonly validation: ReadonlyArray<{
    readonly text: string;
    readonly labels: number[];
    readonly fromTeacher: boolean;
  }>;
}

/** Accuracy and macro-F1 of the validation documents selected by `keep` (NaN when there are none). */
function subsetScores(
  gold: Int32Array,
  pred: Int32Array,
  classes: number,
  keep: (i: number) => boolean,
): { count: number; accuracy: number; macroF1: number } {
  const g: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < gold.length; i++) {
    if (!keep(i)) continue;
    g.push(gold[i]);
    p.push(pred[i]);
  }
  if (!g.length) return { count: 0, accuracy: Number.NaN, macroF1: Number.NaN };
  const correct = g.filter((x, i) => x === p[i]).length;
  return { count: g.length, accuracy: correct / g.length, macroF1: macroF1(g, p, classes) };
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

const PROGRESS_EVERY = 512;

function sameFeaturizer(a: FeaturizerConfig, b: FeaturizerConfig): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every(
    (k) => (a as unknown as Record<string, unknown>)[k] === (b as unknown as Record<string, unknown>)[k],
  );
}

/**
 * Refuses to start a run from an earlier model whose architecture, labels (names and order), featurizer or sizes
 * differ from the new run's: its rows and head would mean something else.
 */
export function checkInitModel(
  model: StudentModel,
  expected: { labels: readonly string[]; featurizer: FeaturizerConfig; settings: TrainSettings },
  fromRunId: number | undefined,
): void {
  const which = fromRunId === undefined ? 'The earlier model' : `The model of training run ${fromRunId}`;
  const { settings } = expected;
  if (model.architecture !== settings.architecture) {
    throw AppError.keyed('CONFLICT', 'student.studentRunTrainsStudent', {
      which,
      architecture: model.architecture,
      architecture2: settings.architecture,
    });
  }
  const sameLabels =
    model.labels.length === expected.labels.length && model.labels.every((l, i) => l === expected.labels[i]);
  if (!sameLabels) {
    throw AppError.keyed('CONFLICT', 'student.trainedOtherLabelsProject', {
      which,
      labels: model.labels.join(', '),
      labels2: expected.labels.join(', '),
    });
  }
  if (!sameFeaturizer(model.featurizer, expected.featurizer)) {
    throw AppError.keyed('CONFLICT', 'student.readsTextAnotherFeaturizer', { which });
  }
  const sizes = ARCHITECTURES[settings.architecture].initMismatch(model, settings, which);
  if (sizes) throw AppError.keyed('CONFLICT', 'student.cannotStartFromRun', { reason: sizes });
  const dim = settings.architecture === 'sparse' ? expected.labels.length + 1 : settings.dim;
  if (model.dim !== dim) {
    throw AppError.keyed('CONFLICT', 'student.hasModelSizeEmbedding', { which, dim: model.dim, dim2: dim });
  }
}

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
  readonly progress: RunProgress;
  readonly model: (sorted: boolean) => StudentModel;
}

/** The featurizer a run reads text with: its `features` setting over the given (default) featurizer. */
export function runFeaturizer(input: Pick<TrainInput, 'featurizer' | 'settings'>): FeaturizerConfig {
  return featurizerFor(input.settings.features, input.featurizer ?? DEFAULT_FEATURIZER);
}

/** Trains a student of `input.settings.architecture` (see the file comment). */
export async function runTraining(input: TrainInput, hooks: TrainHooks): Promise<TrainOutcome> {
  const { data, settings } = input;
  const featurizer = runFeaturizer(input);
  const architecture = ARCHITECTURES[settings.architecture];
  const arch = await architecture.open({ settings, labels: data.labels, featurizer });
  const { slotBucket: buckets, slots: inputs } = assignSlots(data.train.map((e) => arch.featurize(e.text)));
  const { targets, weights, loss } = lossOfRun(data, settings);
  if (data.kind === 'multi' && !architecture.lossFromLoop) {
    throw AppError.keyed('INVALID_INPUT', 'student.studentTrainsSingleLabel', {
      architecture: settings.architecture,
    });
  }

  const progress: RunProgress = { early: newEarlyStop(), bestModelPath: '', bestModelBytes: 0 };
  const width = arch.rowWidth ?? settings.dim;
  const start = startOrResume(input, arch, progress, buckets, inputs, width);
  const { params } = start;
  const spec = { labels: data.labels, featurizer, dim: width };
  const run: Run = {
    input,
    hooks,
    arch,
    params,
    progress,
    model: (sorted) => toModel(arch, architecture.name, params, spec, sorted),
  };
  // Slots of every row the parameters hold (a warm start may add rows the training data does not touch).
  const valInputs = slotsIn(
    params.slotBucket,
    data.validation.map((e) => arch.featurize(e.text)),
  );
  // A step touches at most the features of its batch's largest examples: the gradient buffer need not be as large
  // as the table.
  const maxBatchRows = inputs
    .map((sl) => sl.length)
    .sort((a, b) => b - a)
    .slice(0, settings.batchSize)
    .reduce((a, b) => a + b, 0);
  const rows = new RowGrad(params.slotBucket.length, width, maxBatchRows);
  const update = (examples: Uint32Array, step: number, lr: number): number => {
    rows.begin(step);
    const g = arch.gradients(params, { examples, inputs, targets, weights, step, loss }, rows);
    if (!Number.isFinite(g.loss)) return g.loss;
    const [c1, c2] = adamCorrections(step + 1);
    for (const [name] of arch.denseShapes) {
      const d = params.dense[name];
      adamDense(d.w, d.m, d.v, g.dense[name], lr, c1, c2);
    }
    adamRows(params.emb.w, params.emb.m, params.emb.v, rows.g, rows.touched, width, lr, c1, c2);
    return g.loss;
  };
  return trainEpochs(run, start, update, valInputs);
}

/**
 * The per-example loss of a run and the targets and weights it reads. Single-label: `distillLoss` with class weights
 * (settings.classBalance). Multi-label: `multiLabelDistillLoss` with the data's per-label positive weights (class
 * imbalance per label replaces class balance: every example weighs 1).
 */
function lossOfRun(
  data: TrainData,
  settings: TrainSettings,
): {
  targets: DistillTarget[];
  weights: Float64Array;
  loss: (logits: Float64Array, example: number) => LossAndGrad;
} {
  const classes = data.labels.length;
  if (data.kind === 'multi') {
    const sets: MultiLabelTarget[] = data.train.map((e) => ({
      labels: e.labels === null ? null : indicator(e.labels, classes),
      teacher: e.teacher,
    }));
    const opts = {
      alpha: settings.alpha,
      temperature: settings.temperature,
      positiveWeights: data.positiveWeights,
    };
    return {
      targets: data.train.map(() => ({ label: null, teacher: null })),
      weights: new Float64Array(data.train.length).fill(1),
      loss: (logits, i) => multiLabelDistillLoss(logits, sets[i], opts),
    };
  }
  const { targets, weights } = weightedTargets(
    data.train.map((e) => ({ label: e.label, teacher: e.teacher })),
    classes,
    settings.classBalance,
  );
  return { targets, weights, loss: (logits, i) => distillLoss(logits, targets[i], settings) };
}

/** A label set (class indices) as 0/1 per class. */
export function indicator(set: readonly number[], classes: number): number[] {
  const out = new Array<number>(classes).fill(0);
  for (const c of set) out[c] = 1;
  return out;
}

/**
 * The parameters a run starts with: its checkpoint when it resumes (restoring `progress`), else fresh ones,
 * warm-started from the earlier model of `input.initFrom` (checked against this run's labels, featurizer and sizes).
 */
function startOrResume(
  input: TrainInput,
  arch: OpenArchitecture,
  progress: RunProgress,
  buckets: Uint32Array,
  inputs: readonly Int32Array[],
  width: number,
): { params: Params; epoch: number; step: number } {
  const { data, settings } = input;
  if (input.resumeFrom && existsSync(input.resumeFrom)) {
    const ck = readCheckpoint(input.resumeFrom, arch, width);
    // The checkpoint's first slots are the training features in order of first appearance (a warm start appends
    // more): anything else means another featurizer wrote it, and its rows would be read as the wrong features.
    const slots = ck.params.slotBucket;
    if (slots.length < buckets.length || buckets.some((b, i) => slots[i] !== b)) {
      throw AppError.keyed('BAD_FILE', 'student.checkpointWrittenAnotherFeaturizer', {
        resumeFrom: input.resumeFrom,
      });
    }
    restoreProgress(progress, ck.header);
    return { params: ck.params, epoch: ck.header.epoch + 1, step: ck.header.step };
  }
  let params = initParams(arch, buckets, settings.seed, inputs);
  if (input.initFrom) {
    const model = readModel(input.initFrom);
    const featurizer = runFeaturizer(input);
    checkInitModel(model, { labels: data.labels, featurizer, settings }, settings.initFromRunId);
    params = warmStart(arch, params, model);
  }
  return { params, epoch: 1, step: 0 };
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
  const { settings } = run.input;
  const n = run.input.data.train.length;
  const total = settings.maxEpochs * n;
  const totalSteps = settings.maxEpochs * Math.ceil(n / settings.batchSize);
  let step = from.step;
  let stoppedEarly = shouldStop(run.progress.early, settings.patience);
  let epoch = from.epoch;
  for (; epoch <= settings.maxEpochs && !stoppedEarly; epoch++) {
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
    if (await finishEpoch(run, { epoch, step, trainLoss, seconds, examples: n }, valInputs))
      stoppedEarly = true;
  }
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

/** An epoch's validation figures (see EpochMetrics), and for a multi-label run its tuned thresholds. */
interface Validation {
  readonly valLoss: number;
  readonly valAccuracy: number;
  readonly valMacroF1: number;
  readonly human: { count: number; accuracy: number; macroF1: number };
  readonly teacher: { count: number; accuracy: number; macroF1: number };
  readonly multi?: { valMicroF1: number; valSamplesF1: number; valHumanMicroF1: number };
  readonly thresholds?: number[];
}

function singleLabelValidation(
  data: SingleLabelData,
  forward: (ids: ArrayLike<number>) => Float64Array,
  valInputs: readonly Int32Array[],
): Validation {
  const classes = data.labels.length;
  const count = data.validation.length;
  const gold = new Int32Array(count);
  const pred = new Int32Array(count);
  const losses = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const p = softmax(forward(valInputs[i]));
    const arg = argmax(p);
    gold[i] = data.validation[i].label;
    pred[i] = arg;
    losses[i] = -Math.log(Math.max(p[gold[i]], 1e-300));
  }
  const byPeople = (i: number): boolean => data.validation[i].fromTeacher !== true;
  const human = subsetScores(gold, pred, classes, byPeople);
  const teacher = subsetScores(gold, pred, classes, (i) => !byPeople(i));
  // The stopping set: people's labels alone when there are enough of them (MIN_HUMAN_VALIDATION), else all.
  const onPeople = human.count >= MIN_HUMAN_VALIDATION;
  const stopping = onPeople ? human : subsetScores(gold, pred, classes, () => true);
  let valLoss = 0;
  for (let i = 0; i < count; i++) if (!onPeople || byPeople(i)) valLoss += losses[i];
  valLoss /= Math.max(1, stopping.count);
  return { valLoss, valAccuracy: stopping.accuracy, valMacroF1: stopping.macroF1, human, teacher };
}

/**
 * A multi-label run's validation: sigmoid outputs, label sets predicted at the global threshold 0.5, and
 * setMetrics of multilabelMetrics.ts: valMacroF1 = macro-F1 over labels (what `metric: 'macro_f1'`, the default,
 * stops on), valAccuracy = subset accuracy, valLoss = mean BCE summed over labels (unweighted). The stopping set is
 * the human-labelled documents when there are at least MIN_HUMAN_VALIDATION, else all (teacher sets at 0.5 on the
 * rest). Thresholds are tuned on the stopping set (`thresholdsWithSharedFallback`: F1 per label with at least
 * MIN_THRESHOLD_POSITIVES positives, one cut shared by the other labels).
 */
function multiLabelValidation(
  data: MultiLabelData,
  forward: (ids: ArrayLike<number>) => Float64Array,
  valInputs: readonly Int32Array[],
): Validation {
  const classes = data.labels.length;
  const y = data.validation.map((e) => indicator(e.labels, classes));
  const scores = valInputs.map((ids) => Array.from(forward(ids), sigmoid));
  const predicted = predictSets(scores, new Array<number>(classes).fill(DEFAULT_LABEL_THRESHOLD));
  const rowsWhere = (keep: (i: number) => boolean): number[] => [...y.keys()].filter(keep);
  const byPeople = (i: number): boolean => !data.validation[i].fromTeacher;
  const score = (
    rows: number[],
  ): { count: number; accuracy: number; macroF1: number; microF1: number; samplesF1: number } => {
    if (!rows.length) return { count: 0, accuracy: NaN, macroF1: NaN, microF1: NaN, samplesF1: NaN };
    const m = setMetrics(y, predicted, rows);
    return {
      count: rows.length,
      accuracy: m.subsetAccuracy,
      macroF1: m.macroF1,
      microF1: m.microF1,
      samplesF1: m.samplesF1,
    };
  };
  const humanRows = rowsWhere(byPeople);
  const human = score(humanRows);
  const teacher = score(rowsWhere((i) => !byPeople(i)));
  const stoppingRows = human.count >= MIN_HUMAN_VALIDATION ? humanRows : rowsWhere(() => true);
  const stopping = score(stoppingRows);
  let valLoss = 0;
  for (const i of stoppingRows) {
    for (let k = 0; k < classes; k++) {
      const p = Math.min(1 - 1e-12, Math.max(1e-12, scores[i][k]));
      valLoss -= y[i][k] ? Math.log(p) : Math.log1p(-p);
    }
  }
  valLoss /= Math.max(1, stoppingRows.length);
  const thresholds = thresholdsWithSharedFallback(
    stoppingRows.map((i) => y[i]),
    stoppingRows.map((i) => scores[i]),
    DEFAULT_LABEL_THRESHOLD,
    MIN_THRESHOLD_POSITIVES,
  );
  return {
    valLoss,
    valAccuracy: stopping.accuracy,
    valMacroF1: stopping.macroF1,
    human,
    teacher,
    multi: { valMicroF1: stopping.microF1, valSamplesF1: stopping.samplesF1, valHumanMicroF1: human.microF1 },
    thresholds,
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
  const forward = createForward(run.model(false), (slot) => slot);
  const v =
    data.kind === 'multi'
      ? multiLabelValidation(data, forward, valInputs)
      : singleLabelValidation(data, forward, valInputs);
  const { valLoss, valAccuracy, valMacroF1, human, teacher } = v;
  const value =
    settings.metric === 'loss' ? valLoss : settings.metric === 'accuracy' ? valAccuracy : valMacroF1;
  if (!Number.isFinite(valLoss)) throw nanError(lr);
  const { early } = progress;
  const isBest = updateEarlyStop(early, e.epoch, value, settings.metric);
  if (isBest) {
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
  const checkpointPath = join(runDir, checkpointName(e.epoch));
  writeCheckpoint(checkpointPath, run.arch, run.params, {
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
  pruneRunDir(runDir, e.epoch, early.bestEpoch);
  return early.badEpochs >= settings.patience;
}
