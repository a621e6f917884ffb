import { z } from 'zod';
import {
  JOB_KINDS,
  JOB_RESULTS,
  type Job,
  type JobKind,
  type JobProgress,
  type JobState,
} from '../../../shared/jobs';
import { ERROR_CODES } from '../../../shared/result';
import { parseJson } from '../store/db';
import type { JobControl } from './jobs';

/** A job's row in the `jobs` table, and how it becomes the `Job` every client sees (its result checked). */
/** What a failed job stores in its result column: the kind of failure, and its message's key and parameters. */
const FailedResult = z.object({
  errorCode: z.enum(ERROR_CODES),
  errorKey: z.string().optional(),
  errorParams: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

export interface JobRow {
  id: number;
  project_id: number | null;
  kind: string;
  title: string;
  state: JobState;
  params: string;
  checkpoint: string | null;
  result: string | null;
  progress_done: number;
  progress_total: number;
  rate: number | null;
  eta_seconds: number | null;
  phase: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** A job kind outside the contract (`JobManager.registerExtension`): its result schema and its runner. */
export interface ExtensionJob {
  readonly result: z.ZodType;
  readonly run: (ctl: JobControl<never>) => Promise<unknown>;
}

export function toJob(r: JobRow, extensions: ReadonlyMap<string, ExtensionJob>): Job {
  const progress: JobProgress = {
    done: r.progress_done,
    total: r.progress_total,
    rate: r.rate,
    etaSeconds: r.eta_seconds,
    phase: r.phase,
  };
  const stored = parseJson<unknown>(r.result, null);
  const schema = resultSchema(r.kind, extensions);
  const result = r.state === 'completed' && schema ? schema.safeParse(stored) : null;
  const failed = r.state === 'failed' ? FailedResult.safeParse(stored) : null;
  // A row's kind and its result are checked above; TypeScript cannot pair the two members of the union itself.
  return {
    id: r.id,
    projectId: r.project_id,
    kind: r.kind,
    title: r.title,
    state: r.state,
    progress,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
    result: result?.success ? result.data : null,
    errorCode: failed?.success ? failed.data.errorCode : r.state === 'failed' ? 'INTERNAL' : null,
    errorKey: failed?.success ? (failed.data.errorKey ?? null) : null,
    errorParams: failed?.success ? (failed.data.errorParams ?? null) : null,
  } as Job;
}

/** The result schema of a kind: the contract's (`JOB_RESULTS`), else an extension's; null for an unknown kind. */
export function resultSchema(kind: string, extensions: ReadonlyMap<string, ExtensionJob>): z.ZodType | null {
  if ((JOB_KINDS as readonly string[]).includes(kind)) return JOB_RESULTS[kind as JobKind];
  return extensions.get(kind)?.result ?? null;
}
