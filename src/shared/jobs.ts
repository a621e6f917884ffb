import { z } from 'zod';
import { channel } from './channel';
import { ImportResult, SearchIndexResult } from './dataset';
import { BackupResult } from './backup';
import { BatchPredictResult } from './export';
import type { ErrorCode } from './result';
import { BulkAcceptResult } from './review';
import { TrainJobResult } from './student';
import { PromptTrialResult, TeacherModel, TeacherRunResult } from './teacher';

export const JOB_STATES = [
  'queued',
  'running',
  'paused',
  'interrupted',
  'completed',
  'failed',
  'cancelled',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Every kind of long work. A feature adds its kind here and registers a runner in the core. */
export const JOB_KINDS = [
  'dataset.import',
  'dataset.searchIndex',
  'teacher.run',
  'teacher.import',
  'teacher.trial',
  'student.train',
  'export.predict',
  'export.backup',
  'review.bulkAccept',
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface JobProgress {
  readonly done: number;
  readonly total: number;
  /** Items per second, measured over the recent window. */
  readonly rate: number | null;
  /** Seconds left at the current rate. */
  readonly etaSeconds: number | null;
  /** A short human-readable phase, e.g. "Parsing", "Epoch 3/20". */
  readonly phase: string | null;
}

/**
 * What a job of each kind produces when it completes: one schema per kind. The job manager parses a runner's result
 * with it before storing it, and `jobResult` parses it again where a client reads it.
 */
export const JOB_RESULTS = {
  'dataset.import': ImportResult,
  'dataset.searchIndex': SearchIndexResult,
  'teacher.run': TeacherRunResult,
  'teacher.import': TeacherModel,
  'teacher.trial': PromptTrialResult,
  'student.train': TrainJobResult,
  'export.predict': BatchPredictResult,
  'export.backup': BackupResult,
  'review.bulkAccept': BulkAcceptResult,
} as const satisfies Record<JobKind, z.ZodType>;
export type JobResultOf<K extends JobKind> = z.output<(typeof JOB_RESULTS)[K]>;

interface JobFields {
  readonly id: number;
  readonly projectId: number | null;
  readonly title: string;
  readonly state: JobState;
  readonly progress: JobProgress;
  readonly error: string | null;
  /** What kind of failure a failed job had (null unless failed). */
  readonly errorCode: ErrorCode | null;
  /**
   * A failed job's message key in the error catalogue (src/shared/errorMessages.ts) and its parameters, so that a
   * client words `error` in its own language; null when the failure had no key (or the job did not fail).
   */
  readonly errorKey: string | null;
  readonly errorParams: Readonly<Record<string, string | number>> | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

/** A job of kind K: `result` is what it produced once completed (null before, or when it failed). */
export type JobOf<K extends JobKind> = JobFields & {
  readonly kind: K;
  readonly result: JobResultOf<K> | null;
};

/** A job of any kind, discriminated by `kind`. */
export type Job = { [K in JobKind]: JobOf<K> }[JobKind];

/** The result of `job` when it is a completed job of `kind` (parsed by the kind's schema), else null. */
export function jobResult<K extends JobKind>(job: Job | null | undefined, kind: K): JobResultOf<K> | null {
  if (!job || job.kind !== kind || job.state !== 'completed') return null;
  const parsed = JOB_RESULTS[kind].safeParse(job.result);
  return parsed.success ? (parsed.data as JobResultOf<K>) : null;
}

export const JobIdInput = z.object({ jobId: z.number().int().positive() });

export const jobsContract = {
  'jobs.list': channel<Job[]>()(
    z.object({ projectId: z.number().int().positive().optional(), activeOnly: z.boolean().optional() }),
  ),
  'jobs.get': channel<Job>()(JobIdInput),
  'jobs.pause': channel<Job>()(JobIdInput),
  'jobs.resume': channel<Job>()(JobIdInput),
  'jobs.cancel': channel<Job>()(JobIdInput),
} as const;
