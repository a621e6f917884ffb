import type { LabelReaderOptions } from './multiLabelCells';
import type { Db } from '../../core/store/db';
import type { SourceFingerprint } from './source';
import type { ResolvedSource } from './table';

/**
 * What an import job keeps (its params), and its staging table: the rows of an import in progress, written in
 * committed batches while the file is read and moved into the project in one transaction at the end (importCommit.ts).
 */
export interface ImportParams {
  readonly projectId: number;
  readonly source: ResolvedSource;
  readonly textColumn: string;
  readonly labelColumn: string | null;
  /**
   * A multi-label project's import with labels: how each row's label set is read (staged as a JSON array of names).
   * Absent for single-label projects and imports without labels.
   */
  readonly multiLabel?: LabelReaderOptions;
  readonly idColumn: string | null;
  /** Absent in jobs from older versions. */
  readonly splitColumn?: string | null;
  /** What to do with ids already in the project (absent: add, as older versions did). */
  readonly onExisting?: 'skip' | 'update' | 'add';
  readonly keepExtras: boolean;
  readonly onBadRow: 'skip' | 'abort';
  readonly name: string;
  /** The file as it was when the import started (absent in jobs from older versions). */
  readonly fingerprint?: SourceFingerprint;
}

/** Staged rows of imports that will never finish (cancelled, failed, completed or deleted jobs). */
export function dropOrphanStaging(db: Db): number {
  return db
    .prepare(
      `DELETE FROM import_staging WHERE job_id NOT IN
         (SELECT id FROM jobs WHERE state IN ('queued', 'running', 'paused', 'interrupted'))`,
    )
    .run().changes;
}

/**
 * Staged rows of imports that have ended, after a failure whose own clean-up could not run (a full disk). When no
 * live import has staged rows the table is emptied in one step, without secure_delete: a few pages written instead
 * of every freed page zeroed, so it works on a full disk (the rows are copies of the user's own file).
 */
export function dropEndedStaging(db: Db): void {
  const live = db
    .prepare(
      `SELECT 1 FROM import_staging WHERE job_id IN
         (SELECT id FROM jobs WHERE state IN ('queued', 'running', 'paused', 'interrupted')) LIMIT 1`,
    )
    .get();
  if (live) {
    dropOrphanStaging(db);
    return;
  }
  if (!db.prepare('SELECT 1 FROM import_staging LIMIT 1').get()) return;
  const secure = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = OFF');
  try {
    db.prepare('DELETE FROM import_staging').run();
  } finally {
    db.pragma(`secure_delete = ${secure}`);
  }
}

export function dropStaging(db: Db, jobId: number): void {
  const others = db.prepare('SELECT 1 FROM import_staging WHERE job_id <> ? LIMIT 1').get(jobId);
  // Without a WHERE clause SQLite truncates the table instead of deleting row by row.
  if (others) db.prepare('DELETE FROM import_staging WHERE job_id = ?').run(jobId);
  else db.prepare('DELETE FROM import_staging').run();
}
