import { z } from 'zod';
import { isJobKind, type Job, type JobKind, type JobResultOf, type JobState } from '../../../shared/jobs';
import { JOB_STORAGE, type JobCheckpointOf, type JobParamsOf } from '../../../shared/jobParams';
import type { Db } from '../store/db';
import { retryBusy } from '../store/db';
import { AppError, isBusyError, notFound, toErrorInfo } from '../errors';
import type { EventBus } from '../events';
import { nowIso } from '../time';
import { readJobInput, resultSchema, storedJson, toJob, type ExtensionJob, type JobRow } from './jobRow';

export type { ExtensionJob } from './jobRow';

/** Thrown out of `JobControl.yield()` when the user cancels; the manager records the job as cancelled. */
export class JobCancelled extends Error {
  constructor() {
    super('Cancelled by the user.');
    this.name = 'JobCancelled';
  }
}

/** What a runner of a job with params P and checkpoint C gets: both parsed with the kind's schemas. */
export interface JobControl<P = unknown, C = unknown> {
  readonly jobId: number;
  readonly projectId: number | null;
  readonly params: P;
  /** What the last run saved with `saveCheckpoint`, or null on a first start. */
  readonly checkpoint: C | null;
  /** Aborted when the job is cancelled (or the core shuts down): pass it to I/O that can be interrupted. */
  readonly signal: AbortSignal;
  /** Reports progress; persisted and pushed at most a few times a second. `rate` overrides the measured rate. */
  progress(done: number, total: number, extra?: { phase?: string; rate?: number }): void;
  /** Persists a resume point at once: after a crash the job restarts from here (null: from the start). */
  saveCheckpoint(data: C | null): void;
  /** Call between units of work: returns at once when running, waits while paused, throws JobCancelled when cancelled. */
  yield(): Promise<void>;
  readonly isPaused: () => boolean;
}

/**
 * Runs a job of kind K with its params and checkpoint (parsed with JOB_STORAGE, shared/jobParams.ts): resolves with
 * what the job produced (checked against the kind's schema, JOB_RESULTS).
 */
export type JobRunner<K extends JobKind> = (
  ctl: JobControl<JobParamsOf<K>, JobCheckpointOf<K>>,
) => Promise<JobResultOf<K>>;

interface Live {
  paused: boolean;
  cancelled: boolean;
  abort: AbortController;
  wake: (() => void) | null;
  /** (time ms, done) samples for the rate, over the last few seconds. */
  samples: Array<[number, number]>;
  lastFlush: number;
  pending: { done: number; total: number; phase?: string; rate?: number } | null;
  promise: Promise<void>;
}

/** JSON with object keys sorted, so that two equal values give one string whatever their key order. */
export function stableKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

export interface StartOptions<P> {
  readonly projectId?: number | null;
  readonly title: string;
  readonly params: P;
  /**
   * What makes two starts "the same work" (with the kind and the project): the params by default. A feature whose
   * params hold something made fresh per start (a run id, a time stamp, an output file) passes its request here.
   */
  readonly key?: string;
}

const FLUSH_MS = 250;
const RATE_WINDOW_MS = 10_000;

function dedupKey(kind: string, projectId: number | null, key: string): string {
  return `${kind}|${projectId ?? ''}|${key}`;
}

/**
 * Persisted long work. A job row is the truth: state, progress and a resume checkpoint live in SQLite, so that a
 * crash or kill leaves the job `interrupted`, and resuming it runs the same runner from its last checkpoint.
 */
export class JobManager {
  /** Each kind's runner; what it gets was parsed with its kind's schemas (`paramsSchema`, `checkpointSchema`). */
  private readonly runners = new Map<string, (ctl: JobControl) => Promise<unknown>>();
  private readonly extensions = new Map<string, ExtensionJob>();
  private readonly live = new Map<number, Live>();
  /** The dedup key of each job started (or resumed) by this manager: kind, project and `StartOptions.key`. */
  private readonly keys = new Map<number, string>();

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    /** Called when a job failed because the disk is full, before its failure is recorded: frees some space. */
    private readonly onDiskFull: () => void = () => undefined,
  ) {}

  register<K extends JobKind>(kind: K, runner: JobRunner<K>): void {
    this.runners.set(kind, runner as (ctl: JobControl) => Promise<unknown>);
  }

  /**
   * A job kind outside the contract, with its own result schema: only tests register one (a core created with a
   * `CoreExtension`, tests/helpers/testJob.ts); the app, the server and the CLI run the contract's kinds only.
   */
  registerExtension(kind: string, job: ExtensionJob): void {
    if (isJobKind(kind)) {
      throw new Error(`${kind} is a job kind of the contract, not an extension.`);
    }
    this.extensions.set(kind, job);
    this.runners.set(kind, job.run as (ctl: JobControl) => Promise<unknown>);
  }

  /** At start-up: whatever was running when the last process died is interrupted, not silently lost. */
  markInterrupted(): number {
    const info = this.db
      .prepare(
        `UPDATE jobs SET state = 'interrupted', updated_at = ?, rate = NULL, eta_seconds = NULL
         WHERE state IN ('queued', 'running', 'paused')`,
      )
      .run(nowIso());
    return info.changes;
  }

  list(filter: { projectId?: number; activeOnly?: boolean } = {}): Job[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.projectId !== undefined) {
      where.push('project_id = ?');
      args.push(filter.projectId);
    }
    if (filter.activeOnly) where.push(`state IN ('queued', 'running', 'paused', 'interrupted')`);
    const sql = `SELECT * FROM jobs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT 200`;
    return (this.db.prepare(sql).all(...args) as JobRow[]).map((r) => toJob(r, this.extensions));
  }

  get(jobId: number): Job {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobRow | undefined;
    if (!row) throw notFound('Job', jobId);
    return toJob(row, this.extensions);
  }

  /**
   * Starts a job, or returns the one already queued, running or paused for the same kind, project and key: a double
   * click, a second window or a retried request never starts the same work twice.
   */
  start<P extends JobParamsOf<K>, K extends JobKind = JobKind>(kind: K, opts: StartOptions<P>): Job {
    return this.startKind(kind, opts);
  }

  /** `start` for a kind registered with `registerExtension`. */
  startExtension<P>(kind: string, opts: StartOptions<P>): Job {
    if (!this.extensions.has(kind)) throw AppError.keyed('UNSUPPORTED', 'core.runnerJobsKind', { kind });
    return this.startKind(kind, opts);
  }

  private startKind<P>(kind: string, opts: StartOptions<P>): Job {
    if (!this.runners.has(kind)) throw AppError.keyed('UNSUPPORTED', 'core.runnerJobsKind', { kind });
    // What is stored is what a run will parse back: a start that would not is a bug, refused before the row exists.
    this.paramsSchema(kind).parse(opts.params ?? {});
    const projectId = opts.projectId ?? null;
    const key = opts.key ?? stableKey(opts.params ?? {});
    // An extension's kind is not a JobKind, but `active` only compares it with the rows' kinds.
    const same = this.active(kind as JobKind, projectId, key);
    if (same) return same;
    const now = nowIso();
    const info = this.db
      .prepare(
        `INSERT INTO jobs (project_id, kind, title, state, params, created_at, updated_at)
         VALUES (?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(projectId, kind, opts.title, JSON.stringify(opts.params ?? {}), now, now);
    const id = Number(info.lastInsertRowid);
    this.keys.set(id, dedupKey(kind, projectId, key));
    this.launch(id);
    return this.get(id);
  }

  /**
   * The job of this kind and project that is queued, running or paused in this process, or null; with `key`, only
   * one started with that key. For a feature that must not even prepare (a run row) a start that would be refused.
   */
  active(kind: JobKind, projectId: number | null, key?: string): Job | null {
    for (const jobId of this.live.keys()) {
      const job = this.get(jobId);
      if (job.kind !== kind || job.projectId !== projectId) continue;
      if (!['queued', 'running', 'paused'].includes(job.state)) continue;
      if (key !== undefined && this.keys.get(jobId) !== dedupKey(kind, projectId, key)) continue;
      return job;
    }
    return null;
  }

  pause(jobId: number): Job {
    const job = this.get(jobId);
    const live = this.live.get(jobId);
    if (job.state !== 'running' || !live) {
      throw AppError.keyed('JOB_STATE', 'core.onlyRunningJobCan', { state: job.state });
    }
    live.paused = true;
    this.setState(jobId, 'paused');
    return this.get(jobId);
  }

  resume(jobId: number): Job {
    const job = this.get(jobId);
    const live = this.live.get(jobId);
    if (job.state === 'paused' && live) {
      live.paused = false;
      live.samples = [];
      this.setState(jobId, 'running');
      live.wake?.();
      return this.get(jobId);
    }
    if (job.state === 'interrupted' || job.state === 'failed' || (job.state === 'paused' && !live)) {
      this.db
        .prepare(
          `UPDATE jobs SET state = 'running', error = NULL, finished_at = NULL, updated_at = ? WHERE id = ?`,
        )
        .run(nowIso(), jobId);
      this.launch(jobId);
      return this.get(jobId);
    }
    throw AppError.keyed('JOB_STATE', 'core.jobOnlyPausedInterrupted', { state: job.state });
  }

  cancel(jobId: number): Job {
    const job = this.get(jobId);
    const live = this.live.get(jobId);
    if (live) {
      live.cancelled = true;
      live.abort.abort(new JobCancelled());
      live.wake?.();
      this.setState(jobId, 'cancelled', { finished: true });
      return this.get(jobId);
    }
    if (
      job.state === 'interrupted' ||
      job.state === 'paused' ||
      job.state === 'queued' ||
      job.state === 'failed'
    ) {
      this.setState(jobId, 'cancelled', { finished: true });
      return this.get(jobId);
    }
    throw AppError.keyed('JOB_STATE', 'core.jobAlready', { state: job.state });
  }

  /** Resolves when the job's current run has ended (any final state). */
  async wait(jobId: number): Promise<Job> {
    const live = this.live.get(jobId);
    if (live) await live.promise;
    return this.get(jobId);
  }

  /** Stops every running job (they become `interrupted`, resumable on the next start). */
  async dispose(): Promise<void> {
    const running = [...this.live.entries()];
    for (const [, live] of running) {
      live.abort.abort(new Error('shutdown'));
      live.wake?.();
    }
    await Promise.allSettled(running.map(([, l]) => l.promise));
  }

  /** The params schema of a kind: the contract's (`JOB_STORAGE`), else an extension's (anything, by default). */
  private paramsSchema(kind: string): z.ZodType {
    if (isJobKind(kind)) return JOB_STORAGE[kind].params;
    return this.extensions.get(kind)?.params ?? z.unknown();
  }

  /** The checkpoint schema of a kind: the contract's (`JOB_STORAGE`), else an extension's. */
  private checkpointSchema(kind: string): z.ZodType {
    if (isJobKind(kind)) return JOB_STORAGE[kind].checkpoint;
    return this.extensions.get(kind)?.checkpoint ?? z.unknown();
  }

  private setState(
    jobId: number,
    state: JobState,
    opts: { error?: string; finished?: boolean; result?: unknown } = {},
  ) {
    const now = nowIso();
    retryBusy(() =>
      this.db
        .prepare(
          `UPDATE jobs SET state = ?, updated_at = ?, error = COALESCE(?, error),
           finished_at = CASE WHEN ? THEN ? ELSE finished_at END,
           result = COALESCE(?, result),
           rate = CASE WHEN ? IN ('running') THEN rate ELSE NULL END,
           eta_seconds = CASE WHEN ? IN ('running') THEN eta_seconds ELSE NULL END
         WHERE id = ?`,
        )
        .run(
          state,
          now,
          opts.error ?? null,
          opts.finished ? 1 : 0,
          now,
          opts.result === undefined ? null : JSON.stringify(opts.result),
          state,
          state,
          jobId,
        ),
    );
    this.events.emit('job.updated', this.get(jobId));
  }

  private launch(jobId: number): void {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobRow;
    const runner = this.runners.get(row.kind);
    if (!runner) {
      this.setState(jobId, 'failed', { error: `No runner for jobs of kind ${row.kind}.`, finished: true });
      return;
    }
    if (!this.keys.has(jobId)) {
      // Resumed after a restart: its key is its params, as for a start without a key of its own.
      this.keys.set(jobId, dedupKey(row.kind, row.project_id, stableKey(storedJson(row.params) ?? {})));
    }
    const abort = new AbortController();
    const live: Live = {
      paused: false,
      cancelled: false,
      abort,
      wake: null,
      samples: [],
      lastFlush: 0,
      pending: null,
      promise: Promise.resolve(),
    };
    this.live.set(jobId, live);
    // A row that does not parse (a damaged database, an edit by hand) fails its job below, with what is wrong.
    const input = readJobInput(row, this.paramsSchema(row.kind), this.checkpointSchema(row.kind));
    const ctl: JobControl = {
      jobId,
      projectId: row.project_id,
      params: input instanceof AppError ? null : input.params,
      checkpoint: input instanceof AppError ? null : input.checkpoint,
      signal: abort.signal,
      progress: (done, total, extra) => this.progress(jobId, live, done, total, extra),
      saveCheckpoint: (data) => {
        const json = JSON.stringify(data);
        retryBusy(() =>
          this.db
            .prepare('UPDATE jobs SET checkpoint = ?, updated_at = ? WHERE id = ?')
            .run(json, nowIso(), jobId),
        );
      },
      yield: async () => {
        while (live.paused && !live.cancelled && !abort.signal.aborted) {
          this.flush(jobId, live);
          await new Promise<void>((resolve) => {
            live.wake = resolve;
          });
          live.wake = null;
        }
        if (live.cancelled) throw new JobCancelled();
        if (abort.signal.aborted) throw new JobCancelled();
      },
      isPaused: () => live.paused,
    };
    this.events.emit('job.updated', this.get(jobId));
    live.promise = (async () => {
      // Let the caller receive the job before work starts.
      await new Promise((r) => setImmediate(r));
      try {
        // What reaches the database and every client is checked against the kind's schema.
        const schema = resultSchema(row.kind, this.extensions);
        if (!schema) throw new Error(`No result schema for jobs of kind ${row.kind}.`);
        if (input instanceof AppError) throw input;
        const result = schema.parse(await runner(ctl));
        this.flush(jobId, live);
        if (live.cancelled) return;
        if (abort.signal.aborted) {
          this.setState(jobId, 'interrupted');
          return;
        }
        this.setState(jobId, 'completed', { finished: true, result });
      } catch (e) {
        try {
          this.flush(jobId, live);
        } catch {
          // The last progress is secondary: what must be recorded is the end below. On a full disk this write
          // fails before the room is made for the failure (seen with 12 MiB free).
        }
        if (live.cancelled) return; // already recorded as cancelled
        if (abort.signal.aborted) {
          this.setState(jobId, 'interrupted');
          return;
        }
        if (e instanceof JobCancelled) {
          this.setState(jobId, 'cancelled', { finished: true });
          return;
        }
        const info = toErrorInfo(e);
        const record = (): void =>
          // The code travels with the failed job so that the CLI and UI can say what kind of failure it was.
          this.setState(jobId, 'failed', {
            error: info.message,
            finished: true,
            result: {
              errorCode: info.code,
              ...(info.key ? { errorKey: info.key, errorParams: info.params ?? {} } : {}),
            },
          });
        if (info.code !== 'DISK_FULL') return record();
        // A full disk: make room first, so that the failure is recorded and the job does not stay "running". No
        // checkpoint meanwhile: it would grow the database file into the room just made.
        this.onDiskFull();
        const autoCheckpoint = this.db.pragma('wal_autocheckpoint', { simple: true }) as number;
        this.db.pragma('wal_autocheckpoint = 0');
        try {
          record();
        } finally {
          this.db.pragma(`wal_autocheckpoint = ${autoCheckpoint}`);
        }
      } finally {
        this.live.delete(jobId);
        this.keys.delete(jobId);
      }
    })().catch((e: unknown) => {
      // Only the bookkeeping of the end can land here (the database stayed busy or the disk is full): the row
      // still says running, and the next start shows it interrupted, resumable. The process must not go down.
      console.error(`[jobs] could not record the end of job ${jobId}:`, e);
    });
  }

  private progress(
    jobId: number,
    live: Live,
    done: number,
    total: number,
    extra?: { phase?: string; rate?: number },
  ): void {
    const t = Date.now();
    live.samples.push([t, done]);
    while (live.samples.length > 2 && t - live.samples[0][0] > RATE_WINDOW_MS) live.samples.shift();
    live.pending = { done, total, phase: extra?.phase, rate: extra?.rate };
    if (t - live.lastFlush >= FLUSH_MS || done >= total) this.flush(jobId, live);
  }

  private flush(jobId: number, live: Live): void {
    const p = live.pending;
    if (!p) return;
    live.pending = null;
    live.lastFlush = Date.now();
    let rate: number | null = p.rate ?? null;
    if (rate === null && live.samples.length >= 2) {
      const [t0, d0] = live.samples[0];
      const [t1, d1] = live.samples[live.samples.length - 1];
      if (t1 > t0) rate = ((d1 - d0) * 1000) / (t1 - t0);
    }
    const eta = rate && rate > 0 ? Math.max(0, (p.total - p.done) / rate) : null;
    try {
      this.db
        .prepare(
          `UPDATE jobs SET progress_done = ?, progress_total = ?, rate = ?, eta_seconds = ?, phase = COALESCE(?, phase),
           updated_at = ? WHERE id = ?`,
        )
        .run(p.done, p.total, rate, eta, p.phase ?? null, nowIso(), jobId);
    } catch (e) {
      // Progress is a display: when another connection holds the database, keep it for the next flush.
      if (!isBusyError(e)) throw e;
      live.pending ??= p;
      return;
    }
    this.events.emit('job.updated', this.get(jobId));
  }
}
