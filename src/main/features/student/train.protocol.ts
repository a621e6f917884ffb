import { z } from 'zod';
import { AutoReport, type TrainSettings } from '../../../shared/student';
import { ERROR_CODES } from '../../../shared/result';
import { AppError } from '../../core/errors';
import type { EpochReport as TrainerEpochReport, TrainOutcome as TrainerOutcome } from './trainer';
import type { RunDataSource } from './trainingTexts';

/** What the training worker is started with (workerData): where its data is (and its texts, on a first start). */
export interface TrainRequest extends RunDataSource {
  readonly settings: TrainSettings;
  readonly runDir: string;
  readonly resumeFrom: string | null;
  /** The earlier run's model folder to start from (a fresh run with settings.initFromRunId), or null. */
  readonly initFrom: string | null;
  readonly meta: Readonly<Record<string, unknown>>;
}

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
  })
  .readonly();

// The schemas and the trainer's types are one shape: a field added to one and not the other fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameReport: Same<z.output<typeof EpochReport>, TrainerEpochReport> = true;
const sameOutcome: Same<z.output<typeof TrainOutcome>, TrainerOutcome> = true;
void sameReport;
void sameOutcome;

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
    })
    .readonly(),
  z.object({ seq: Count, type: z.literal('epoch'), report: EpochReport }).readonly(),
  z
    .object({ seq: Count, type: z.literal('done'), outcome: TrainOutcome, auto: AutoReport.optional() })
    .readonly(),
  z
    .object({ seq: Count, type: z.literal('error'), code: z.enum(ERROR_CODES), message: z.string() })
    .readonly(),
]);
export type WorkerMessage = z.output<typeof WorkerMessage>;

/** Caller -> worker. */
export const CallerMessage = z.object({ type: z.literal('continue'), seq: Count }).readonly();
export type CallerMessage = z.output<typeof CallerMessage>;

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
