import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import type { DirectImportJobCheckpoint } from '../../../shared/jobParams';
import type { ImportResult } from '../../../shared/dataset';
import { importedLabelsWriter } from '../../core/annotations';
import { AppError } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import { JobCancelled, type JobControl } from '../../core/jobs/jobs';
import { deferCheckpoints, resumeCheckpoints, syncLog } from '../../core/store/checkpoints';
import type { Db } from '../../core/store/db';
import { LENGTH_BIN_BOUNDS } from '../../core/store/migrations/022_example_counts';
import { nowIso } from '../../core/time';
import { insertDataset, isTestLocked } from './importCommit';
import {
  buildDeferredIndexesNow,
  deferIndexes,
  DEFERRABLE_ANNOTATION_INDEXES,
  DEFERRABLE_INDEXES,
} from './importIndexes';
import {
  BATCH,
  fillStatements,
  ROW_VALUES,
  ROWS_PER_INSERT,
  SPLIT_NAMES,
  TEXT_VALUES,
  type RowBatch,
} from './importBatch';
import { readBatches, type ReadBatchesResult } from './importReader';
import { recordImport, type ReadState } from './importRows';
import type { ImportParams } from './importStaging';

/**
 * The checkpoint of an import that writes its rows straight into the project: committed with each batch, so after a
 * crash the project holds exactly the rows it counts (its schema: shared/jobParams.ts).
 */
export type DirectCheckpoint = z.output<typeof DirectImportJobCheckpoint>;

/**
 * Below this many rows (estimated from the first batch), an import keeps every index in place and the log's
 * checkpoints on (core/store/checkpoints.ts).
 */
const DEFER_INDEXES_FROM = 50_000;
/** While checkpoints are held off, the log is synced after every this many batches (80,000 rows, about 40 MB of log). */
const SYNC_EVERY = 8;

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

  const inserts = rowInserts(db, p.projectId, now);
  const annotate = p.multiLabel || p.labelColumn ? importedLabelsWriter(db, !!p.multiLabel) : null;
  const counts = batchCounter(db);
  const knownLabels = new Set(
    db.prepare('SELECT name FROM labels WHERE project_id = ?').pluck().all(p.projectId) as string[],
  );

  // The batch's values: one array per insert statement of a hundred rows, allocated once per import and refilled
  // for each batch (fillStatements), which is written synchronously.
  const statements = Array.from({ length: BATCH / ROWS_PER_INSERT }, () =>
    Array.from<string | number | Buffer | null>({ length: ROW_VALUES * ROWS_PER_INSERT }).fill(null),
  );
  /** The import's label values, by the index the reader gave each (importBatch.ts). */
  const labelValues: string[] = [];
  const splits = { ...cp.splits };
  let nonEmpty = cp.nonEmpty;
  let written = cp.written;
  let writeMs = 0;
  let batches = 0;

  const write = (batch: RowBatch): void => {
    // A cancel lands between batches; rows read after it are not written.
    if (ctl.signal.aborted) throw new JobCancelled();
    labelValues.push(...batch.newValues);
    Object.assign(state, batch.state);
    const rows = batch.rows;
    // Nothing to write, nothing new to keep (a file whose rows were all bad, or whose last batch ended at its end).
    if (rows === 0 && (cp.datasetId === null || state.records === cp.records)) return;
    written += rows;
    nonEmpty ||= batch.nonEmpty;
    for (const s of ['train', 'validation', 'test'] as const) splits[s] += batch.splits[s];
    const t = performance.now();
    fillStatements(batch, labelValues, statements);
    const next = withoutForeignKeys(db, (): DirectCheckpoint => {
      let datasetId = cp.datasetId;
      if (datasetId === null) {
        datasetId = insertDataset(db, p, 0, 0, now);
        const estimate = batch.bytesRead > 0 ? (rows * src.size) / batch.bytesRead : rows;
        if (estimate >= DEFER_INDEXES_FROM) {
          if (estimate >= maxRowid(db, 'examples')) deferIndexes(db, DEFERRABLE_INDEXES);
          if (annotate && estimate >= maxRowid(db, 'annotations'))
            deferIndexes(db, DEFERRABLE_ANNOTATION_INDEXES);
          deferCheckpoints(db);
        }
      }
      // The foreign keys are off for the batch: what they would check, checked once.
      ensureTargets(db, p.projectId, datasetId);
      if (batch.splits.test > 0 && isTestLocked(db, p.projectId)) {
        throw AppError.keyed('CONFLICT', 'dataset.splitColumnPutsRows', { test: splits.test });
      }
      const created = createLabels(db, p.projectId, new Set(batch.names), knownLabels, now);
      const restoreTriggers = dropInsertTriggers(db);
      const insert = inserts(datasetId);
      const whole = Math.floor(rows / ROWS_PER_INSERT);
      for (let s = 0; s < whole; s++) insert.many.run(statements[s]);
      const rest = statements[whole] ?? [];
      const restValues = (rows - whole * ROWS_PER_INSERT) * ROW_VALUES;
      for (let i = 0; i < restValues; i += ROW_VALUES) insert.one.run(rest.slice(i, i + ROW_VALUES));
      annotate?.({ afterId: cp.lastId, datasetId, createdAt: now, tally: batch.labelled });
      counts.add(p.projectId, batch.tally);
      restoreTriggers();
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
    });
    writeMs += performance.now() - t;
    // While checkpoints are held off nothing syncs the log (synchronous = NORMAL syncs it at checkpoints): every
    // SYNC_EVERY-th batch has it synced off this thread, so that a power cut loses at most about that much of the
    // import, and of anything else written meanwhile, as the usual checkpoints would risk.
    if (++batches % SYNC_EVERY === 0) syncLog(db);
    for (const n of next.labelsCreated) knownLabels.add(n);
    cp = next;
  };

  const started = performance.now();
  let read: ReadBatchesResult;
  let ok = false;
  try {
    read = await readBatches(ctl, state, cp.records, write, (b) =>
      ctl.progress(b, src.size, { phase: 'Reading' }),
    );
    ok = true;
  } finally {
    // A large import's checkpoints stay held off until its search index job (searchIndex.ts), after the rows are
    // usable; a failed one's are taken now, before its rows are removed.
    if (!ok) resumeCheckpoints(db);
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
  syncLog(db);
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

/**
 * The row inserts of one import, prepared once per dataset (the first batch creates it): a hundred rows per statement
 * and one; the project, the dataset and the time are the same for every row, so they are in the SQL, not bound (a
 * quarter of the values a million rows would bind).
 */
function rowInserts(
  db: Db,
  projectId: number,
  now: string,
): (datasetId: number) => { many: ReturnType<Db['prepare']>; one: ReturnType<Db['prepare']> } {
  let prepared: {
    datasetId: number;
    many: ReturnType<Db['prepare']>;
    one: ReturnType<Db['prepare']>;
  } | null = null;
  const sql = (datasetId: number, rows: number): string => {
    const values = Array.from({ length: ROW_VALUES }, (_, i) =>
      TEXT_VALUES.has(i) ? 'CAST(? AS TEXT)' : '?',
    );
    const row = `(${Math.trunc(projectId)}, ${Math.trunc(datasetId)}, ${values.join(', ')}, ${sqlString(now)})`;
    return `INSERT INTO examples (project_id, dataset_id, source_row, external_id, text, original_text, text_hash,
                                  length, imported_label, metadata, split, created_at)
            VALUES ${Array<string>(rows).fill(row).join(', ')}`;
  };
  return (datasetId) => {
    if (prepared?.datasetId !== datasetId) {
      prepared = {
        datasetId,
        many: db.prepare(sql(datasetId, ROWS_PER_INSERT)),
        one: db.prepare(sql(datasetId, 1)),
      };
    }
    return prepared;
  };
}

/** A string as an SQL literal. */
function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function maxRowid(db: Db, table: 'examples' | 'annotations'): number {
  return db.prepare(`SELECT COALESCE(MAX(rowid), 0) FROM ${table}`).pluck().get() as number;
}

/**
 * Runs `write` in a transaction with the connection's foreign keys off (restored after it, whatever happens): an
 * import's batch inserts ten thousand rows whose references it has just made or checked (`ensureTargets`), and each
 * row's checks cost about 5% of the write. The setting cannot change inside a transaction, so it wraps one.
 */
function withoutForeignKeys<T>(db: Db, write: () => T): T {
  const on = db.pragma('foreign_keys', { simple: true }) as number;
  if (on) db.pragma('foreign_keys = OFF');
  try {
    return db.transaction(write)();
  } finally {
    if (on) db.pragma('foreign_keys = ON');
  }
}

/** The project and the dataset a batch refers to still exist (deleted meanwhile: the import ends, writing nothing). */
function ensureTargets(db: Db, projectId: number, datasetId: number): void {
  const found = db
    .prepare('SELECT 1 FROM datasets d JOIN projects p ON p.id = d.project_id WHERE d.id = ? AND p.id = ?')
    .get(datasetId, projectId);
  if (!found) throw AppError.keyed('NOT_FOUND', 'dataset.importTargetGone', { projectId });
}

/** The example counts (migration 022) of an import's batches: the rows counted as read (`tallyCell`), added in a few upserts. */
function batchCounter(db: Db): { add(projectId: number, tally: Int32Array): void } {
  const upsert = db.prepare(
    `INSERT INTO example_counts (project_id, split, length_bin, n) VALUES (?, ?, ?, ?)
     ON CONFLICT (project_id, split, length_bin) DO UPDATE SET n = n + excluded.n`,
  );
  return {
    add: (projectId, tally) => {
      tally.forEach((n, cell) => {
        if (n === 0) return;
        const split = SPLIT_NAMES[Math.floor(cell / LENGTH_BIN_BOUNDS.length)];
        upsert.run(projectId, split, LENGTH_BIN_BOUNDS[cell % LENGTH_BIN_BOUNDS.length], n);
      });
    },
  };
}

/**
 * The per-row triggers an import's inserts would fire: the example counts' (migration 022) and the label counts'
 * (migration 023). For rows the batch has just added they change nothing the batch does not count itself (a new
 * document has no earlier label, no teacher answer and one annotator), yet each row ran them, their WHEN clause
 * included: about a second per million labelled rows (a WHEN clause that held them off still started each trigger's
 * program for every row).
 */
export const INSERT_TRIGGERS = [
  'example_counts_insert',
  'label_counts_annotation_before_insert',
  'label_counts_annotation_after_insert',
] as const;

/**
 * Drops INSERT_TRIGGERS inside the batch's transaction and returns what creates them again, from their own stored
 * SQL, before it commits: no other write can see the tables without them, and a failed batch rolls the drop back
 * with everything else.
 */
function dropInsertTriggers(db: Db): () => void {
  if (!db.inTransaction) throw new Error('dropInsertTriggers: call it inside the batch transaction.');
  const stored = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?").pluck();
  const dropped: string[] = [];
  for (const name of INSERT_TRIGGERS) {
    const sql = stored.get(name) as string | undefined;
    if (sql === undefined) continue;
    db.exec(`DROP TRIGGER ${name}`);
    dropped.push(sql);
  }
  return () => {
    for (const sql of dropped) db.exec(sql);
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
