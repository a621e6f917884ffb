import { z } from 'zod';
import { channel } from './channel';

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
  'student.train',
  'export.predict',
  'export.backup',
  'review.bulkAccept',
  'test.sleep',
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * Exist only for tests: a core answers them (and runs their jobs) only when created with test channels on
 * (`DISTILLERY_TEST_CHANNELS=1`, set by the test configurations), never in the app, the server or the CLI.
 */
export const TEST_ONLY_CHANNELS: readonly string[] = ['jobs.startTestJob'];
export const TEST_ONLY_JOB_KINDS: readonly JobKind[] = ['test.sleep'];
export const TEST_CHANNELS_ENV = 'DISTILLERY_TEST_CHANNELS';

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

export interface Job {
  readonly id: number;
  readonly projectId: number | null;
  readonly kind: JobKind;
  readonly title: string;
  readonly state: JobState;
  readonly progress: JobProgress;
  readonly error: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
  /** What the job produced when it completed (feature specific, JSON). */
  readonly result: unknown;
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
  /** A job that sleeps in steps: lets tests and the status bar exercise the job machinery. */
  'jobs.startTestJob': channel<Job>()(
    z.object({ steps: z.number().int().min(1).max(10_000), stepMs: z.number().int().min(0).max(10_000) }),
  ),
} as const;
