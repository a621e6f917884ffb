import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  MultiLabelOptions,
  type BadRow,
  type ImportRequestInput,
  type ImportResult,
} from '../../../shared/dataset';
import type { Job } from '../../../shared/jobs';
import { AppError } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import { JobCancelled, type JobControl } from '../../core/jobs/jobs';
import { getProject } from '../projects/projects';
import { labelSetReader, type LabelReaderOptions } from './multiLabelCells';
import { resumeCheckpoints } from '../../core/store/checkpoints';
import { startSearchIndex } from './searchIndex';
import { commit } from './importCommit';
import { canWriteDirect, removeImportRows, writeDirect, type DirectCheckpoint } from './importDirect';
import { buildDeferredIndexesNow } from './importIndexes';
import { batchArray, putRowValues, readImportRows, type ReadState } from './importRows';
import {
  attachStaging,
  detachStaging,
  dropLegacyStaging,
  stagingPath,
  stagingTable,
  type ImportParams,
} from './importStaging';
import { fingerprintChange, fingerprintSource, resolveSource, type SourceFingerprint } from './source';
import { readingCounter } from './parse';
import { openTable } from './table';
import { readStoredJsonOr, storedColumn } from '../../core/store/storedJson';
import { JOB_STORAGE } from '../../../shared/jobParams';

interface Checkpoint {
  readonly direct?: undefined;
  /** Source records (good and bad) already handled. */
  readonly records: number;
  /** Rows staged so far (next seq). */
  readonly staged: number;
  readonly skipped: number;
  readonly badRows: BadRow[];
  /** Set once the staged rows are in the project: a resume after that only reports. */
  readonly committed?: ImportResult;
}

const BATCH = 5000;
/** Rows per INSERT statement while staging: one call into SQLite per 100 rows rather than per row. */
const ROWS_PER_INSERT = 100;
const STAGED_COLUMNS = 10;

/** Checks the request against the file (the text column must exist) and starts the import job. */
export async function startImport(
  ctx: CoreContext,
  req: ImportRequestInput & { onBadRow: 'skip' | 'abort' },
): Promise<Job> {
  const project = getProject(ctx.db, req.projectId);
  const source = resolveSource(req);
  const table = await openTable(source, readingCounter(source));
  await table.close();
  const columns = table.columns;
  const check = (col: string | null | undefined, what: string): void => {
    if (col && !columns.includes(col)) {
      throw AppError.keyed('INVALID_INPUT', 'dataset.columnDoesExistColumns', {
        what,
        col,
        name: source.name,
        columns: columns.join(', '),
      });
    }
  };
  check(req.textColumn, 'text');
  check(req.labelColumn, 'label');
  check(req.idColumn, 'id');
  check(req.splitColumn, 'split');
  let multiLabel: LabelReaderOptions | undefined;
  if (project.kind === 'multi') {
    const opts = MultiLabelOptions.parse(req.multiLabel ?? {});
    if (req.labelColumn || opts.format === 'columns') {
      // Checks the columns now, so a wrong one is said before the job starts.
      labelSetReader(columns, req.labelColumn ?? null, opts);
      multiLabel = opts.format === 'columns' ? opts : { format: opts.format, delimiter: opts.delimiter };
    }
  } else if (req.multiLabel) {
    throw AppError.keyed('INVALID_INPUT', 'dataset.singleLabelProjectEach', { name: project.name });
  }
  if (req.idColumn && !req.onExisting) {
    const known = ctx.db
      .prepare('SELECT COUNT(*) AS n FROM examples WHERE project_id = ? AND external_id IS NOT NULL')
      .get(project.id) as { n: number };
    if (known.n > 0) {
      throw AppError.keyed(
        'CONFLICT',
        'dataset.projectAlreadyHasExamples',
        { n: known.n, name: source.name },
        { onExisting: 'required', examplesWithIds: known.n },
      );
    }
  }
  const params: ImportParams = {
    projectId: project.id,
    source,
    textColumn: req.textColumn,
    labelColumn: multiLabel?.format === 'columns' ? null : (req.labelColumn ?? null),
    ...(multiLabel ? { multiLabel } : {}),
    idColumn: req.idColumn ?? null,
    splitColumn: req.splitColumn ?? null,
    onExisting: req.onExisting ?? 'add',
    keepExtras: req.keepExtras ?? true,
    onBadRow: req.onBadRow,
    name: req.name?.trim() || source.name,
    fingerprint: fingerprintSource(source.path),
  };
  return ctx.jobs.start<ImportParams>('dataset.import', {
    projectId: project.id,
    title: `Import ${params.name}`,
    params,
  });
}

/**
 * The import job: streams the source, stages rows in batches in the job's staging file (importStaging.ts; each batch
 * committed with a checkpoint, so a crash resumes where it stopped), then moves everything into the project in one
 * transaction. Until that transaction, the project is untouched: a failure, an abort on a bad row or a cancel leaves
 * it exactly as before.
 */
export function makeImportRunner(ctx: CoreContext): (ctl: JobControl<ImportParams>) => Promise<ImportResult> {
  return async (ctl) => {
    const db = ctx.db;
    const p = ctl.params;
    const saved = (ctl.checkpoint as Checkpoint | DirectCheckpoint | null) ?? null;
    if (saved?.committed) {
      // The rows are in; a resume only removes the staging file and makes sure their search index is being built.
      detachStaging(db, ctl.jobId, ctx.paths);
      startSearchIndex(ctx, p.projectId, p.name, saved.committed.datasetId);
      return saved.committed;
    }
    const direct = saved ? saved.direct === true : canWriteDirect(db, p);
    let result: ImportResult;
    try {
      checkUnchanged(p);
      if (direct) {
        result = await writeDirect(ctx, ctl, saved as DirectCheckpoint | null);
      } else {
        const cp = openStaging(ctx, ctl.jobId, saved as Checkpoint | null);
        result = await stageAndCommit(ctx, ctl, cp);
      }
    } catch (caught) {
      const e = diskFull(caught);
      const shutdown = ctl.signal.aborted && !(ctl.signal.reason instanceof JobCancelled);
      // On shutdown the staging file (or the rows written) stays for the resume; otherwise the import is over.
      if (direct) {
        if (!shutdown) removeEndedImport(ctx, ctl.jobId);
      } else {
        detachStaging(db, ctl.jobId, shutdown ? undefined : ctx.paths);
        if (!shutdown) {
          try {
            ctl.saveCheckpoint(null);
          } catch {
            // A full disk can refuse even this; the job is recorded as failed all the same.
          }
          settleDeferred(ctx, ctl.jobId);
        }
      }
      throw e;
    }
    detachStaging(db, ctl.jobId, ctx.paths);
    ctx.events.emit('project.changed', { projectId: p.projectId, what: 'dataset.import' });
    // The rows are usable now; the search index is built by a job of its own that no step waits for.
    const index = startSearchIndex(ctx, p.projectId, p.name, result.datasetId);
    return { ...result, searchIndexJobId: index.id };
  };
}

/**
 * After a staged import that failed or was cancelled: what a large direct import left for its search-index job (the
 * log's checkpoints held off, indexes dropped) is settled now when that job skipped it because this import was still
 * running, and no other import is: otherwise the log would grow and the queries scan until the next start. Never
 * throws (the next start builds the indexes).
 */
function settleDeferred(ctx: CoreContext, jobId: number): void {
  try {
    const other = ctx.db
      .prepare(
        `SELECT 1 FROM jobs WHERE kind IN ('dataset.import', 'dataset.searchIndex') AND id <> ?
           AND state IN ('queued', 'running', 'paused') LIMIT 1`,
      )
      .get(jobId);
    if (other) return;
    resumeCheckpoints(ctx.db);
    buildDeferredIndexesNow(ctx.db);
  } catch (e) {
    console.error('[dataset] could not build the indexes an import deferred; the next start will:', e);
  }
}

/**
 * Removes the rows of a direct import that ended without finishing (failed or cancelled, by its runner or while it
 * was not running), then forgets its checkpoint. When that fails (a full disk), the checkpoint stays and the next
 * start tries again (removeUnfinishedImports). Never throws.
 */
export function removeEndedImport(ctx: CoreContext, jobId: number): void {
  const db = ctx.db;
  try {
    const row = db.prepare('SELECT project_id, checkpoint FROM jobs WHERE id = ?').get(jobId) as
      { project_id: number; checkpoint: string | null } | undefined;
    const cp = readStoredJsonOr(
      JOB_STORAGE['dataset.import'].checkpoint.nullable(),
      row?.checkpoint,
      null,
      storedColumn('jobs.checkpoint', { id: jobId }),
    );
    if (!row || !cp || !('direct' in cp) || cp.committed) return;
    try {
      removeImportRows(db, row.project_id, cp);
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'SQLITE_FULL') throw e;
      // A full disk: the write-ahead log holds the batches; moved into the database file, its room serves the delete.
      db.pragma('wal_checkpoint(TRUNCATE)');
      removeImportRows(db, row.project_id, cp);
    }
    db.prepare('UPDATE jobs SET checkpoint = NULL WHERE id = ?').run(jobId);
    ctx.events.emit('project.changed', { projectId: row.project_id, what: 'dataset.import' });
  } catch (e) {
    console.error(
      `[dataset] could not remove the rows of the unfinished import ${jobId}; the next start will:`,
      e,
    );
  }
}

/**
 * At start-up: the rows of direct imports that failed or were cancelled and could not be removed then, and indexes
 * left deferred by an import that is no longer running (its job was deleted, or it crashed while cleaning up).
 */
export function removeUnfinishedImports(ctx: CoreContext): void {
  const ended = ctx.db
    .prepare(
      `SELECT id FROM jobs WHERE kind = 'dataset.import' AND state IN ('failed', 'cancelled')
         AND checkpoint LIKE '%"direct":true%'`,
    )
    .pluck()
    .all() as number[];
  for (const id of ended) removeEndedImport(ctx, id);
  const live = ctx.db
    .prepare(
      `SELECT 1 FROM jobs WHERE kind IN ('dataset.import', 'dataset.searchIndex')
         AND state IN ('queued', 'running', 'paused', 'interrupted') LIMIT 1`,
    )
    .get();
  if (!live) buildDeferredIndexesNow(ctx.db);
}

/**
 * Attaches the job's staging file. A resume keeps the rows its checkpoint counts (rows staged after it, before a
 * crash, are deleted); when the file is missing or does not hold them (a machine crash with it half written, a job
 * started by a version that staged into distillery.db), the import starts over from the first row.
 */
function openStaging(ctx: CoreContext, jobId: number, cp: Checkpoint | null): Checkpoint | null {
  const db = ctx.db;
  if (cp && existsSync(stagingPath(ctx.paths, jobId))) {
    try {
      attachStaging(db, ctx.paths, jobId, false);
      db.prepare(`DELETE FROM ${stagingTable(jobId)} WHERE seq >= ?`).run(cp.staged);
      const last = db.prepare(`SELECT MAX(seq) AS m FROM ${stagingTable(jobId)}`).get() as {
        m: number | null;
      };
      if ((last.m ?? -1) === cp.staged - 1) return cp;
    } catch (e) {
      console.error(`[dataset] the staging file of import ${jobId} is unreadable; starting over:`, e);
    }
    detachStaging(db, jobId);
  }
  dropLegacyStaging(db, jobId);
  attachStaging(db, ctx.paths, jobId, true);
  return null;
}

/** SQLite's "database or disk is full" as the error a person can act on. */
function diskFull(e: unknown): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return AppError.keyed('DISK_FULL', 'dataset.diskHoldingDataFolder', {});
  }
  return e;
}

/** A resume must read the very file the first run read: otherwise rows of two versions would be mixed. */
function checkUnchanged(p: ImportParams): void {
  if (!p.fingerprint) return;
  let now: SourceFingerprint;
  try {
    now = fingerprintSource(p.source.path);
  } catch {
    throw AppError.keyed('NOT_FOUND', 'dataset.longerSoImportCannot', { path: p.source.path });
  }
  const change = fingerprintChange(p.fingerprint, now);
  if (change) {
    throw AppError.keyed('CONFLICT', 'dataset.changedSinceImportStarted', { name: p.source.name, change });
  }
}

async function stageAndCommit(
  ctx: CoreContext,
  ctl: JobControl<ImportParams>,
  cp: Checkpoint | null,
): Promise<ImportResult> {
  const db = ctx.db;
  const p = ctl.params;
  const src = p.source;
  let staged = cp?.staged ?? 0;
  const state: ReadState = {
    records: cp?.records ?? 0,
    skipped: cp?.skipped ?? 0,
    badRows: [...(cp?.badRows ?? [])],
  };

  const staging = stagingTable(ctl.jobId);
  const insertSql = (rows: number): string =>
    `INSERT INTO ${staging}
       (seq, source_row, external_id, text, original_text, text_hash, length, label, metadata, split)
     VALUES ${Array<string>(rows)
       .fill(`(${Array<string>(STAGED_COLUMNS).fill('?').join(', ')})`)
       .join(', ')}`;
  const insertMany = db.prepare(insertSql(ROWS_PER_INSERT));
  const insertOne = db.prepare(insertSql(1));
  // The batch's values, flat: STAGED_COLUMNS per row, bound 100 rows at a time.
  // (one array for every batch, written synchronously in flush and refilled after: see putRowValues).
  const batch = batchArray(BATCH * STAGED_COLUMNS);
  let filled = 0;
  const flush = (): void => {
    const values = batch;
    const length = filled;
    filled = 0;
    db.transaction(() => {
      const many = STAGED_COLUMNS * ROWS_PER_INSERT;
      let i = 0;
      for (; i + many <= length; i += many) insertMany.run(values.slice(i, i + many));
      for (; i < length; i += STAGED_COLUMNS) insertOne.run(values.slice(i, i + STAGED_COLUMNS));
      ctl.saveCheckpoint({
        records: state.records,
        staged,
        skipped: state.skipped,
        badRows: state.badRows,
      } satisfies Checkpoint);
    })();
  };
  const total = src.size;
  const phase = 'Reading';
  const started = performance.now();
  let bytes = 0;

  const { recoded } = await readImportRows(
    ctl,
    state,
    cp?.records ?? 0,
    (r) => {
      batch[filled] = staged++;
      filled = putRowValues(batch, filled + 1, r);
      if (filled >= BATCH * STAGED_COLUMNS) {
        flush();
        ctl.progress(bytes, total, { phase });
      }
    },
    (b) => (bytes = b),
  );
  flush();
  ctl.progress(total, total, { phase: 'Saving' });
  await ctl.yield();
  if (staged === 0) {
    throw AppError.keyed(
      'BAD_FILE',
      'dataset.hasRowsCouldImported',
      { name: src.name, p1: state.skipped ? ` (${state.skipped} bad rows skipped)` : '' },
      { badRows: state.badRows },
    );
  }
  if (!db.prepare(`SELECT 1 FROM ${staging} WHERE length > 0 LIMIT 1`).get()) {
    throw AppError.keyed('BAD_FILE', 'dataset.everyTextEmptyOnly', {
      name: src.name,
      textColumn: p.textColumn,
    });
  }
  checkUnchanged(p);
  const readMs = performance.now() - started;
  const t0 = performance.now();
  const result = commit(ctx, ctl, {
    staged,
    skipped: state.skipped,
    badRows: state.badRows,
    records: state.records,
  });
  return {
    ...result,
    ...(recoded ? { recoded } : {}),
    timings: { readMs: Math.round(readMs), commitMs: Math.round(performance.now() - t0) },
  };
}
