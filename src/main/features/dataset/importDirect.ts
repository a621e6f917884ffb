import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import type { DirectImportJobCheckpoint } from '../../../shared/jobParams';
import type { ImportResult } from '../../../shared/dataset';
import { importedLabelsWriter } from '../../core/annotations';
import { AppError } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import { JobCancelled, type JobControl } from '../../core/jobs/jobs';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { insertDataset, isTestLocked } from './importCommit';
import { buildDeferredIndexesNow, deferIndexes, DEFERRABLE_INDEXES } from './importIndexes';
import { batchArray, putRowValues, readImportRows, recordImport, type ReadState } from './importRows';
import type { ImportParams } from './importStaging';

/**
 * The checkpoint of an import that writes its rows straight into the project: committed with each batch, so after a
 * crash the project holds exactly the rows it counts (its schema: shared/jobParams.ts).
 */
export type DirectCheckpoint = z.output<typeof DirectImportJobCheckpoint>;

/** Rows per batch: each one transaction with its checkpoint, a short write on the server's thread. */
const BATCH = 10_000;
const ROWS_PER_INSERT = 100;
const COLUMNS = 12;
/** Below this many rows (estimated from the first batch), an import keeps every index in place. */
const DEFER_INDEXES_FROM = 50_000;
/** The write-ahead log's checkpoint threshold while an import writes (pages of 4 KiB: 32 MiB). */
const IMPORT_WAL_PAGES = 8192;

/**
 * Whether this import may write straight into the project: unless it reads ids and the project already has some.
 * Such a re-import (skip, update or add the ids already there) keeps the staging file: its matches are counted and
 * applied all at once at the end, so a failure leaves the existing rows untouched.
 */
export function canWriteDirect(db: Db, p: ImportParams): boolean {
  if (!p.idColumn) return true;
  return !db
    .prepare('SELECT 1 FROM examples WHERE project_id = ? AND external_id IS NOT NULL LIMIT 1')
    .get(p.projectId);
}

/**
 * The import job's direct path: reads the file once and writes its rows into `examples` in batches, each committed
 * with the job's checkpoint (the file's labels as import annotations in the same batch). A large import first drops
 * the indexes that take rows at random places (importIndexes.ts); the search-index job builds them again. A failure,
 * a bad row with "abort" or a cancel removes the import's rows again (removeImportRows); a shutdown keeps them for the
 * resume, which deletes rows past the checkpoint and goes on.
 */
export async function writeDirect(
  ctx: CoreContext,
  ctl: JobControl<ImportParams>,
  first: DirectCheckpoint | null,
): Promise<ImportResult> {
  const db = ctx.db;
  const p = ctl.params;
  const src = p.source;
  const now = nowIso();
  let cp: DirectCheckpoint = resumePoint(db, ctl, first);
  const state: ReadState = { records: cp.records, skipped: cp.skipped, badRows: [...cp.badRows] };

  const columns = `(${Array<string>(COLUMNS).fill('?').join(', ')})`;
  const insertSql = (rows: number): string =>
    `INSERT INTO examples (project_id, dataset_id, source_row, external_id, text, original_text, text_hash, length,
                           imported_label, metadata, split, created_at)
     VALUES ${Array<string>(rows).fill(columns).join(', ')}`;
  const insertMany = db.prepare(insertSql(ROWS_PER_INSERT));
  const insertOne = db.prepare(insertSql(1));
  const annotate = p.multiLabel || p.labelColumn ? importedLabelsWriter(db, !!p.multiLabel) : null;
  const knownLabels = new Set(
    db.prepare('SELECT name FROM labels WHERE project_id = ?').pluck().all(p.projectId) as string[],
  );

  const batch = batchArray(BATCH * COLUMNS);
  /** How many of batch's values belong to the batch being read. */
  let filled = 0;
  let batchLabels = new Set<string>();
  let batchTest = 0;
  const splits = { ...cp.splits };
  let nonEmpty = cp.nonEmpty;
  let written = cp.written;
  let bytes = 0;
  let writeMs = 0;

  const flush = (): void => {
    if (filled === 0) return;
    // A cancel lands between chunks; rows read after it are not written.
    if (ctl.signal.aborted) throw new JobCancelled();
    // The batch array is written synchronously here and refilled after.
    const values = batch;
    const length = filled;
    const names = batchLabels;
    const tests = batchTest;
    filled = 0;
    batchLabels = new Set();
    batchTest = 0;
    const rows = length / COLUMNS;
    const t = performance.now();
    const next = db.transaction((): DirectCheckpoint => {
      let datasetId = cp.datasetId;
      if (datasetId === null) {
        datasetId = insertDataset(db, p, 0, 0, now);
        const held = db.prepare('SELECT COALESCE(MAX(rowid), 0) AS n FROM examples').pluck().get() as number;
        const estimate = bytes > 0 ? (rows * src.size) / bytes : rows;
        if (estimate >= DEFER_INDEXES_FROM && estimate >= held) deferIndexes(db, DEFERRABLE_INDEXES);
      }
      if (tests > 0 && isTestLocked(db, p.projectId)) {
        throw AppError.keyed('CONFLICT', 'dataset.splitColumnPutsRows', { test: splits.test });
      }
      const created = createLabels(db, p.projectId, names, knownLabels, now);
      const many = COLUMNS * ROWS_PER_INSERT;
      let i = 0;
      for (; i + many <= length; i += many) {
        for (let k = i; k < i + many; k += COLUMNS) values[k + 1] = datasetId;
        insertMany.run(values.slice(i, i + many));
      }
      for (; i < length; i += COLUMNS) {
        values[i + 1] = datasetId;
        insertOne.run(values.slice(i, i + COLUMNS));
      }
      annotate?.({ afterId: cp.lastId, datasetId, createdAt: now });
      const lastId = db.prepare('SELECT MAX(id) FROM examples').pluck().get() as number;
      db.prepare('UPDATE datasets SET row_count = ?, skipped_count = ? WHERE id = ?').run(
        written,
        state.skipped,
        datasetId,
      );
      const saved: DirectCheckpoint = {
        direct: true,
        records: state.records,
        written,
        skipped: state.skipped,
        badRows: state.badRows,
        datasetId,
        lastId,
        labelsCreated: [...cp.labelsCreated, ...created],
        nonEmpty,
        splits: { ...splits },
      };
      ctl.saveCheckpoint(saved);
      return saved;
    })();
    writeMs += performance.now() - t;
    for (const n of next.labelsCreated) knownLabels.add(n);
    cp = next;
  };

  const started = performance.now();
  // SQLite copies the write-ahead log into the database file (and syncs it) at a commit once the log holds
  // wal_autocheckpoint pages: by default 1,000 (4 MiB), about once per batch. A larger threshold while the import
  // writes means an eighth of those syncs (a fifth off the time to usable); the log is the same log, copied later.
  const autoCheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${Math.max(autoCheckpoint, IMPORT_WAL_PAGES)}`);
  let read: Awaited<ReturnType<typeof readImportRows>>;
  try {
    read = await readImportRows(
      ctl,
      state,
      cp.records,
      (r) => {
        // The dataset id (null here) is set when the batch is written: the first batch creates the dataset.
        batch[filled] = p.projectId;
        batch[filled + 1] = null;
        filled = putRowValues(batch, filled + 2, r);
        batch[filled++] = now;
        written++;
        if (r.length > 0) nonEmpty = true;
        if (r.split) {
          splits[r.split as keyof typeof splits]++;
          if (r.split === 'test') batchTest++;
        }
        if (r.label !== null) {
          if (p.multiLabel) {
            for (const n of JSON.parse(r.label) as string[]) if (!knownLabels.has(n)) batchLabels.add(n);
          } else if (!knownLabels.has(r.label)) batchLabels.add(r.label);
        }
        if (filled >= BATCH * COLUMNS) flush();
      },
      (b) => {
        bytes = b;
        ctl.progress(b, src.size, { phase: 'Reading' });
      },
    );
    flush();
  } finally {
    db.pragma(`wal_autocheckpoint = ${autoCheckpoint}`);
  }
  const { recoded } = read;
  ctl.progress(src.size, src.size, { phase: 'Saving' });
  await ctl.yield();
  if (cp.written === 0 || cp.datasetId === null) {
    throw AppError.keyed(
      'BAD_FILE',
      'dataset.hasRowsCouldImported',
      { name: src.name, p1: state.skipped ? ` (${state.skipped} bad rows skipped)` : '' },
      { badRows: state.badRows },
    );
  }
  if (!cp.nonEmpty) {
    throw AppError.keyed('BAD_FILE', 'dataset.everyTextEmptyOnly', {
      name: src.name,
      textColumn: p.textColumn,
    });
  }
  const readMs = performance.now() - started;
  const t0 = performance.now();
  const result = finish(db, ctl, cp);
  return {
    ...result,
    ...(recoded ? { recoded } : {}),
    timings: {
      readMs: Math.round(readMs),
      writeMs: Math.round(writeMs),
      commitMs: Math.round(performance.now() - t0),
    },
  };
}

/** Where a run starts: the checkpoint's rows kept (any past it deleted), or a fresh start. */
function resumePoint(db: Db, ctl: JobControl<ImportParams>, cp: DirectCheckpoint | null): DirectCheckpoint {
  if (cp?.datasetId != null) {
    const exists = db
      .prepare('SELECT 1 FROM datasets WHERE id = ? AND project_id = ?')
      .get(cp.datasetId, ctl.params.projectId);
    if (exists) {
      db.prepare('DELETE FROM examples WHERE id > ? AND dataset_id = ?').run(cp.lastId, cp.datasetId);
      return cp;
    }
  }
  return {
    direct: true,
    records: 0,
    written: 0,
    skipped: 0,
    badRows: [],
    datasetId: null,
    lastId: 0,
    labelsCreated: [],
    nonEmpty: false,
    splits: { train: 0, validation: 0, test: 0 },
  };
}

/** Creates the batch's labels the project does not have yet (in name order, after the existing ones). */
function createLabels(
  db: Db,
  projectId: number,
  names: ReadonlySet<string>,
  known: ReadonlySet<string>,
  now: string,
): string[] {
  const fresh = [...names].filter((n) => !known.has(n)).sort();
  if (fresh.length === 0) return [];
  let position =
    (db
      .prepare('SELECT COALESCE(MAX(position), -1) FROM labels WHERE project_id = ?')
      .pluck()
      .get(projectId) as number) + 1;
  const insert = db.prepare(
    `INSERT INTO labels (project_id, name, description, position, created_at) VALUES (?, ?, '', ?, ?)
     ON CONFLICT DO NOTHING`,
  );
  const created: string[] = [];
  for (const n of fresh) if (insert.run(projectId, n, position++, now).changes > 0) created.push(n);
  return created;
}

/** The end of the import, in one transaction: the dataset's counts, the audit entry and the committed checkpoint. */
function finish(db: Db, ctl: JobControl<ImportParams>, cp: DirectCheckpoint): ImportResult {
  const p = ctl.params;
  return db.transaction(() => {
    if (cp.splits.test > 0 && isTestLocked(db, p.projectId)) {
      throw AppError.keyed('CONFLICT', 'dataset.splitColumnPutsRows', { test: cp.splits.test });
    }
    const now = nowIso();
    db.prepare('UPDATE datasets SET row_count = ?, skipped_count = ? WHERE id = ?').run(
      cp.written,
      cp.skipped,
      cp.datasetId,
    );
    const result: ImportResult = {
      datasetId: cp.datasetId ?? 0,
      imported: cp.written,
      skipped: cp.skipped,
      labelsCreated: cp.labelsCreated,
      badRows: cp.badRows,
      ...(p.splitColumn ? { splits: cp.splits } : {}),
    };
    recordImport(db, p.projectId, p.source.name, result, now);
    ctl.saveCheckpoint({ ...cp, badRows: [], committed: result } satisfies DirectCheckpoint);
    return result;
  })();
}

/**
 * Removes what an unfinished direct import wrote (its rows, their annotations, its dataset, the labels it created
 * that nothing else uses) and builds any index it dropped, so that the project is as before the import. Idempotent.
 */
export function removeImportRows(db: Db, projectId: number, cp: DirectCheckpoint): void {
  if (cp.committed || cp.datasetId === null) return;
  // Without zeroing the freed pages: the rows are a copy of the person's own file (as the staging file was, which was
  // simply deleted), and on a full disk the 2 MiB reserve must hold the delete, not a second copy of the rows.
  const secure = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = OFF');
  try {
    deleteRows(db, projectId, cp);
  } finally {
    db.pragma(`secure_delete = ${secure}`);
  }
  buildDeferredIndexesNow(db);
}

function deleteRows(db: Db, projectId: number, cp: DirectCheckpoint): void {
  db.transaction(() => {
    db.prepare('DELETE FROM examples WHERE dataset_id = ?').run(cp.datasetId);
    db.prepare('DELETE FROM datasets WHERE id = ?').run(cp.datasetId);
    const unused = db.prepare(
      `DELETE FROM labels WHERE project_id = ? AND name = ?
         AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.label_id = labels.id)
         AND NOT EXISTS (SELECT 1 FROM annotations a, json_each(a.label_set) j
                         WHERE a.project_id = labels.project_id AND a.label_set IS NOT NULL AND j.value = labels.id)
         AND NOT EXISTS (SELECT 1 FROM teacher_answers t WHERE t.predicted_label_id = labels.id)`,
    );
    for (const name of cp.labelsCreated) unused.run(projectId, name);
  })();
}
