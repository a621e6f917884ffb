import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AutoReport, FinalFitInfo, TrainSettings } from '../../../shared/student';
import { ERROR_CODES } from '../../../shared/result';
import { AppError } from '../../core/errors';
import type { EpochReport as TrainerEpochReport, TrainData, TrainOutcome as TrainerOutcome } from './trainer';
import type { Unread } from './training/data';
import type { RunDataSource } from './trainingTexts';

/**
 * The training worker's protocol, one zod schema per crossing, each parsed where it arrives: what the worker is
 * started with (`TrainRequest`, workerData) and the run's files it reads (`TrainDataFile`, `SelectionFile`), the worker's
 * messages (`WorkerMessage`, read by the client) and the client's (`CallerMessage`, read by the worker). A
 * malformed one fails the run with a TRAINING_ERROR (BAD_FILE for the data) that says what was wrong.
 */

const Id = z.number().int().positive();

/** What the training worker is started with (workerData): where its data is (and its texts, on a first start). */
export const TrainRequest = z
  .object({
    /** The frozen data (texts included); read as it is when it exists. */
    dataPath: z.string(),
    /** The chosen documents by id, written at run creation; replaced by `dataPath` once the texts are read. */
    selectionPath: z.string(),
    /** The data folder's database, opened read-only. */
    dbPath: z.string(),
    runId: Id,
    projectId: Id,
    settings: TrainSettings,
    runDir: z.string(),
    resumeFrom: z.string().nullable(),
    /** The earlier run's model folder to start from (a fresh run with settings.initFromRunId), or null. */
    initFrom: z.string().nullable(),
    /** Kept in checkpoints: the run and project ids. */
    meta: z.object({ runId: Id, projectId: Id }).readonly(),
  })
  .readonly();
export type TrainRequest = z.input<typeof TrainRequest>;

/** Any number, NaN and infinities included (a metric with no documents is NaN; a diverged loss is infinite). */
const Num = z.custom<number>((v) => typeof v === 'number', 'Expected a number');
const Count = z.number().int().nonnegative();

/** An epoch's report (trainer.ts `EpochReport`), as it crosses from the worker. */
export const EpochReport = z
  .object({
    epoch: Count,
    trainLoss: Num,
    valLoss: Num,
    valAccuracy: Num,
    valMacroF1: Num,
    valHumanCount: Num,
    valHumanAccuracy: Num,
    valHumanMacroF1: Num,
    valTeacherCount: Num,
    valTeacherAccuracy: Num,
    valTeacherMacroF1: Num,
    examplesPerSecond: Num,
    valMicroF1: Num.optional(),
    valSamplesF1: Num.optional(),
    valHumanMicroF1: Num.optional(),
    metric: Num,
    isBest: z.boolean(),
    bestEpoch: Count,
    checkpointPath: z.string(),
    modelPath: z.string(),
    modelBytes: Count,
    backend: z.string(),
  })
  .readonly();

/** How a run ended (trainer.ts `TrainOutcome`). */
export const TrainOutcome = z
  .object({
    bestEpoch: Count,
    bestMetric: Num,
    modelPath: z.string(),
    modelBytes: Count,
    epochsRun: Count,
    stoppedEarly: z.boolean(),
    finalFit: FinalFitInfo.optional(),
  })
  .readonly();

const Probabilities = z.array(Num).nullable();
const Index = z.number().int().nonnegative();

/**
 * A run's data with each document as `doc`: runs/<id>/data.json (training/data.ts `TrainData`, `{text}`) or its
 * selection.json before the texts are read (`Unread`, `{id}`). Single-label (no `kind`, as saved before) or multi.
 */
function runData<D extends z.ZodRawShape>(doc: D) {
  return z.discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('single').optional(),
        labels: z.array(z.string()).readonly(),
        train: z
          .array(z.object({ ...doc, label: Index.nullable(), teacher: Probabilities }).readonly())
          .readonly(),
        validation: z
          .array(z.object({ ...doc, label: Index, fromTeacher: z.boolean().optional() }).readonly())
          .readonly(),
      })
      .readonly(),
    z
      .object({
        kind: z.literal('multi'),
        labels: z.array(z.string()).readonly(),
        positiveWeights: z.array(Num).readonly(),
        train: z
          .array(z.object({ ...doc, labels: z.array(Index).nullable(), teacher: Probabilities }).readonly())
          .readonly(),
        validation: z
          .array(z.object({ ...doc, labels: z.array(Index), fromTeacher: z.boolean() }).readonly())
          .readonly(),
      })
      .readonly(),
  ]);
}
export const TrainDataFile = runData({ text: z.string() });
export const SelectionFile = runData({ id: Id });

// The schemas and the trainer's types are one shape: a field added to one and not the other fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameReport: Same<z.output<typeof EpochReport>, TrainerEpochReport> = true;
const sameOutcome: Same<z.output<typeof TrainOutcome>, TrainerOutcome> = true;
const sameData: Same<z.output<typeof TrainDataFile>, TrainData> = true;
const sameSelection: Same<z.output<typeof SelectionFile>, Unread<TrainData>> = true;
const sameRequest: Same<Pick<z.output<typeof TrainRequest>, keyof RunDataSource>, RunDataSource> = true;
void [sameReport, sameOutcome, sameData, sameSelection, sameRequest];

/** Worker -> caller. Progress and epoch messages wait for a `continue` (that is how pause works). */
export const WorkerMessage = z.discriminatedUnion('type', [
  z
    .object({
      seq: Count,
      type: z.literal('progress'),
      epoch: Count,
      done: Count,
      total: Count,
      examplesPerSecond: Num,
      /** While Auto mode tries a configuration: which (1-based) of how many. */
      auto: z.object({ trial: Count, of: Count }).readonly().optional(),
      /** During the final fit (finalFit.ts): its length in epochs. */
      finalFit: z.object({ epochs: Count }).readonly().optional(),
    })
    .readonly(),
  z.object({ seq: Count, type: z.literal('epoch'), report: EpochReport }).readonly(),
  /** A final-fit epoch, its checkpoint on disk (trainer.ts `FinalFitEpoch`); waits for a `continue`. */
  z
    .object({
      seq: Count,
      type: z.literal('finalFit'),
      report: z
        .object({ epoch: Count, epochs: Count, trainLoss: Num, checkpointPath: z.string() })
        .readonly(),
    })
    .readonly(),
  z
    .object({ seq: Count, type: z.literal('done'), outcome: TrainOutcome, auto: AutoReport.optional() })
    .readonly(),
  z
    .object({
      seq: Count,
      type: z.literal('error'),
      code: z.enum(ERROR_CODES),
      message: z.string(),
      /** The message's key in the error catalogue and its parameters, so that the UI words it in its language. */
      key: z.string().optional(),
      params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    })
    .readonly(),
]);
export type WorkerMessage = z.output<typeof WorkerMessage>;

/** Caller -> worker. */
export const CallerMessage = z.object({ type: z.literal('continue'), seq: Count }).readonly();
export type CallerMessage = z.output<typeof CallerMessage>;

/** A message from the client, checked: a malformed one is a TRAINING_ERROR naming what was wrong. */
export function readCallerMessage(raw: unknown): CallerMessage {
  const parsed = CallerMessage.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw AppError.keyed('TRAINING_ERROR', 'student.trainingWorkerReceivedMessage', {
    p1: problem(parsed.error),
  });
}

function problem(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? ` at "${issue.path.join('.')}"` : '';
  return `${where}: ${issue?.message ?? 'malformed'}`;
}

/** The worker's start request, checked: a malformed one is a TRAINING_ERROR naming the field. */
export function readTrainRequest(raw: unknown): z.output<typeof TrainRequest> {
  const parsed = TrainRequest.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw AppError.keyed('TRAINING_ERROR', 'student.trainingWorkerStartedWith', { p1: problem(parsed.error) });
}

/** A run's file (`TrainDataFile`, `SelectionFile`), read and checked; BAD_FILE naming the run when missing or damaged. */
export function readRunFile<S extends z.ZodType>(schema: S, file: string, runId: number): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw AppError.keyed('BAD_FILE', 'student.frozenDataTrainingRun', { runId, p1: (e as Error).message });
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw AppError.keyed('BAD_FILE', 'student.frozenDataTrainingRun', {
    runId,
    p1: `${issue?.message ?? 'malformed'} at "${issue?.path.join('.') ?? ''}"`,
  });
}

/** A run's frozen training data (runs/<id>/data.json), read and checked. */
export function readTrainData(file: string, runId: number): TrainData {
  return readRunFile(TrainDataFile, file, runId);
}

/**
 * A message from the training worker, checked against the protocol; a malformed one (a worker of another version,
 * a bug) becomes a TRAINING_ERROR that says what was wrong, instead of a crash further on.
 */
export function readWorkerMessage(raw: unknown): WorkerMessage {
  const parsed = WorkerMessage.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? ` at "${issue.path.join('.')}"` : '';
  throw AppError.keyed('TRAINING_ERROR', 'student.trainingWorkerSentMessage', {
    where,
    p1: issue?.message ?? 'malformed',
  });
}
