import { z } from 'zod';
import { channel } from './channel';
import { provideJobSchema } from './jobAnswer';
import { ImportResult, SearchIndexResult } from './dataset';
import { BackupResult } from './backup';
import { BatchPredictResult } from './export';
import { ERROR_CODES } from './result';
import { BulkAcceptResult } from './review';
import { TrainJobResult } from './student';
import { PromptTrialResult } from './teacherPrompts';
import { TeacherModel, TeacherRunResult } from './teacherResults';

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

/**
 * Every kind of long work. A feature adds its kind here, its result schema to JOB_RESULTS, its params and checkpoint
 * schemas to JOB_STORAGE (jobParams.ts), and registers a runner in the core (docs/development.md).
 */
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

/** True for a kind of the contract (not an extension's). */
export function isJobKind(kind: string): kind is JobKind {
  return (JOB_KINDS as readonly string[]).includes(kind);
}

export const JobProgress = z
  .object({
    done: z.number(),
    total: z.number(),
    /** Items per second, measured over the recent window. */
    rate: z.number().nullable(),
    /** Seconds left at the current rate. */
    etaSeconds: z.number().nullable(),
    /** A short human-readable phase, e.g. "Parsing", "Epoch 3/20". */
    phase: z.string().nullable(),
  })
  .readonly();
export type JobProgress = z.output<typeof JobProgress>;

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

const JobFields = z.object({
  id: z.number(),
  projectId: z.number().nullable(),
  title: z.string(),
  state: z.enum(JOB_STATES),
  progress: JobProgress,
  error: z.string().nullable(),
  /** What kind of failure a failed job had (null unless failed). */
  errorCode: z.enum(ERROR_CODES).nullable(),
  /**
   * A failed job's message key in the error catalogue (src/shared/errorMessages.ts) and its parameters, so that a
   * client words `error` in its own language; null when the failure had no key (or the job did not fail).
   */
  errorKey: z.string().nullable(),
  errorParams: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .readonly()
    .nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
type JobFields = Readonly<z.output<typeof JobFields>>;

/** A job of kind K: `result` is what it produced once completed (null before, or when it failed). */
export type JobOf<K extends JobKind> = JobFields & {
  readonly kind: K;
  readonly result: JobResultOf<K> | null;
};

/** A job of any kind, discriminated by `kind`. */
export type Job = { [K in JobKind]: JobOf<K> }[JobKind];

function jobSchemaOf<K extends JobKind, R extends z.ZodType>(kind: K, result: R) {
  return JobFields.extend({ kind: z.literal(kind), result: result.nullable() }).readonly();
}
const JOB_SCHEMAS = {
  'dataset.import': jobSchemaOf('dataset.import', JOB_RESULTS['dataset.import']),
  'dataset.searchIndex': jobSchemaOf('dataset.searchIndex', JOB_RESULTS['dataset.searchIndex']),
  'teacher.run': jobSchemaOf('teacher.run', JOB_RESULTS['teacher.run']),
  'teacher.import': jobSchemaOf('teacher.import', JOB_RESULTS['teacher.import']),
  'teacher.trial': jobSchemaOf('teacher.trial', JOB_RESULTS['teacher.trial']),
  'student.train': jobSchemaOf('student.train', JOB_RESULTS['student.train']),
  'export.predict': jobSchemaOf('export.predict', JOB_RESULTS['export.predict']),
  'export.backup': jobSchemaOf('export.backup', JOB_RESULTS['export.backup']),
  'review.bulkAccept': jobSchemaOf('review.bulkAccept', JOB_RESULTS['review.bulkAccept']),
} satisfies Record<JobKind, z.ZodType>;
type JobSchemaOf = (typeof JOB_SCHEMAS)[JobKind];

const KnownJob: z.ZodType<Job> = z.discriminatedUnion(
  'kind',
  Object.values(JOB_SCHEMAS) as [JobSchemaOf, ...JobSchemaOf[]],
);
/** A job of a kind a core extension adds (the tests' sleeping job): not in the contract, its result unknown. */
const ExtensionJob = JobFields.extend({
  kind: z.string().refine((k) => !isJobKind(k)),
  result: z.unknown(),
});

/**
 * A job as it crosses HTTP and WS: discriminated by `kind`, its result parsed by that kind's schema. (A job of an
 * extension's kind passes with its fields checked: it travels as a `Job` as it does inside the core.)
 */
export const JobSchema = z.union([KnownJob, ExtensionJob]) as z.ZodType<Job>;
provideJobSchema(JobSchema);

/** The result of `job` when it is a completed job of `kind` (parsed by the kind's schema), else null. */
export function jobResult<K extends JobKind>(job: Job | null | undefined, kind: K): JobResultOf<K> | null {
  if (!job || job.kind !== kind || job.state !== 'completed') return null;
  const parsed = JOB_RESULTS[kind].safeParse(job.result);
  return parsed.success ? (parsed.data as JobResultOf<K>) : null;
}

export const JobIdInput = z.object({ jobId: z.number().int().positive() });

export const jobsContract = {
  'jobs.list': channel(z.array(JobSchema))(
    z.object({ projectId: z.number().int().positive().optional(), activeOnly: z.boolean().optional() }),
  ),
  'jobs.get': channel(JobSchema)(JobIdInput),
  'jobs.pause': channel(JobSchema)(JobIdInput),
  'jobs.resume': channel(JobSchema)(JobIdInput),
  'jobs.cancel': channel(JobSchema)(JobIdInput),
} as const;
