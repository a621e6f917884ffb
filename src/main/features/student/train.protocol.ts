import type { TrainSettings } from '../../../shared/student';
import type { ErrorCode } from '../../../shared/result';
import type { EpochReport, TrainOutcome } from './trainer';

/** What the training worker is started with (workerData). */
export interface TrainRequest {
  readonly dataPath: string;
  readonly settings: TrainSettings;
  readonly runDir: string;
  readonly resumeFrom: string | null;
  /** The earlier run's model folder to start from (a fresh run with settings.initFromRunId), or null. */
  readonly initFrom: string | null;
  readonly meta: Readonly<Record<string, unknown>>;
}

/** Worker -> caller. Progress and epoch messages wait for a `continue` (that is how pause works). */
export type WorkerMessage =
  | {
      readonly seq: number;
      readonly type: 'progress';
      readonly epoch: number;
      readonly done: number;
      readonly total: number;
      readonly examplesPerSecond: number;
    }
  | { readonly seq: number; readonly type: 'epoch'; readonly report: EpochReport }
  | { readonly seq: number; readonly type: 'done'; readonly outcome: TrainOutcome }
  | { readonly seq: number; readonly type: 'error'; readonly code: ErrorCode; readonly message: string };

/** Caller -> worker. */
export type CallerMessage = { readonly type: 'continue'; readonly seq: number };
