import { z } from 'zod';
import { JOB_RESULTS, isJobKind, type Job, type JobProgress, type JobState } from '../../../shared/jobs';
import { ERROR_CODES } from '../../../shared/result';
import { AppError } from '../errors';
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

/**
 * A job kind outside the contract (`JobManager.registerExtension`): its result schema, its runner, and the schemas
 * of its params and checkpoint (anything when absent).
 */
export interface ExtensionJob {
  readonly result: z.ZodType;
  readonly params?: z.ZodType;
  readonly checkpoint?: z.ZodType;
  readonly run: (ctl: JobControl<never, never>) => Promise<unknown>;
}

/** A JSON column as it was stored, or undefined when it is not JSON (a damaged row). */
export function storedJson(text: string | null): unknown {
  if (text === null || text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A job row's params and checkpoint, parsed with its kind's schemas; a row that does not parse (a damaged database,
 * a row edited by hand) gives the error its job fails with, saying which column and what is wrong, never a runner
 * that reads a wrong shape. A null checkpoint (none saved, or one cleared with `saveCheckpoint(null)`) is a start
 * from the beginning.
 */
export function readJobInput(
  row: Pick<JobRow, 'id' | 'kind' | 'params' | 'checkpoint'>,
  params: z.ZodType,
  checkpoint: z.ZodType,
): { readonly params: unknown; readonly checkpoint: unknown } | AppError {
  const storedParams = storedJson(row.params);
  if (storedParams === undefined) return damaged(row, 'core.jobParamsUnreadable', undefined);
  const p = params.safeParse(storedParams ?? {});
  if (!p.success) return damaged(row, 'core.jobParamsUnreadable', p.error);
  const stored = storedJson(row.checkpoint);
  if (stored === undefined) return damaged(row, 'core.jobCheckpointUnreadable', undefined);
  if (stored === null) return { params: p.data, checkpoint: null };
  const c = checkpoint.safeParse(stored);
  if (!c.success) return damaged(row, 'core.jobCheckpointUnreadable', c.error);
  return { params: p.data, checkpoint: c.data };
}

function damaged(
  row: Pick<JobRow, 'id' | 'kind'>,
  key: 'core.jobParamsUnreadable' | 'core.jobCheckpointUnreadable',
  error: z.ZodError | undefined,
): AppError {
  const issue = error?.issues[0];
  const detail = issue ? `${issue.path.join('.') || '(whole value)'}: ${issue.message}` : 'not JSON';
  return AppError.keyed('INTERNAL', key, { job: row.id, kind: row.kind, detail });
}

export function toJob(r: JobRow, extensions: ReadonlyMap<string, ExtensionJob>): Job {
  const progress: JobProgress = {
    done: r.progress_done,
    total: r.progress_total,
    rate: r.rate,
    etaSeconds: r.eta_seconds,
    phase: r.phase,
  };
  const stored = storedJson(r.result);
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
  if (isJobKind(kind)) return JOB_RESULTS[kind];
  return extensions.get(kind)?.result ?? null;
}
