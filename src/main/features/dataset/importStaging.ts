import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Paths } from '../../core/paths';
import type { Db } from '../../core/store/db';
import type { LabelReaderOptions } from './multiLabelCells';
import type { SourceFingerprint } from './source';
import type { ResolvedSource } from './table';

/**
 * What an import job keeps (its params), and its staging file: the rows of an import in progress, written in
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

/** Live job states: an import in one of them may still commit its staged rows. */
const LIVE = `('queued', 'running', 'paused', 'interrupted')`;

/**
 * The staged rows live in a database file of their own, `tmp/import-<job>.staging.db`, attached to the connection
 * as `staging_<job>` while the job runs, rather than in a table of distillery.db: written without the write-ahead
 * log (a rollback journal, synchronous off: a killed process loses nothing committed, and a resume re-checks), and
 * thrown away by deleting the file. In distillery.db, with secure_delete on, dropping them meant writing every page
 * again as zeros (through the WAL and then into the file), and the file grew by a copy of every import.
 */
export function stagingPath(paths: Paths, jobId: number): string {
  return join(paths.tmp, `import-${jobId}.staging.db`);
}

/** The schema name of a job's attached staging file, and its rows table as SQL. */
export function stagingSchema(jobId: number): string {
  return `staging_${Math.trunc(jobId)}`;
}

export function stagingTable(jobId: number): string {
  return `${stagingSchema(jobId)}.rows`;
}

/** Attaches the job's staging file, created when missing; `fresh` starts it empty. */
export function attachStaging(db: Db, paths: Paths, jobId: number, fresh: boolean): void {
  const file = stagingPath(paths, jobId);
  const schema = stagingSchema(jobId);
  if (fresh) removeStagingFile(file);
  db.prepare(`ATTACH DATABASE ? AS ${schema}`).run(file);
  try {
    db.pragma(`${schema}.journal_mode = TRUNCATE`);
    db.pragma(`${schema}.synchronous = OFF`);
    // The file is deleted whole; zeroing freed pages in it would only cost time.
    db.pragma(`${schema}.secure_delete = OFF`);
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${schema}.rows (
         seq INTEGER PRIMARY KEY, source_row INTEGER NOT NULL, external_id TEXT, text TEXT NOT NULL,
         original_text TEXT, text_hash TEXT NOT NULL, length INTEGER NOT NULL, label TEXT, metadata TEXT, split TEXT
       ) STRICT`,
    );
  } catch (e) {
    detachStaging(db, jobId);
    throw e;
  }
}

/** Rows staged so far (a resume checks them against its checkpoint). */
export function stagedCount(db: Db, jobId: number): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM ${stagingTable(jobId)}`).get() as { n: number }).n;
}

/** Detaches the job's staging file if attached; with `remove`, deletes it too. Never throws. */
export function detachStaging(db: Db, jobId: number, paths?: Paths): void {
  try {
    if (isAttached(db, jobId)) db.exec(`DETACH DATABASE ${stagingSchema(jobId)}`);
  } catch (e) {
    console.error(`[dataset] could not detach the staging file of import ${jobId}:`, e);
  }
  if (paths) removeStagingFile(stagingPath(paths, jobId));
}

function isAttached(db: Db, jobId: number): boolean {
  const schema = stagingSchema(jobId);
  return (db.pragma('database_list') as Array<{ name: string }>).some((d) => d.name === schema);
}

/**
 * The staging file of an import that has ended, unless its runner still has it open (a cancel is recorded before the
 * runner stops; the runner then removes the file itself).
 */
export function removeEndedStaging(db: Db, paths: Paths, jobId: number): void {
  if (!isAttached(db, jobId)) removeStagingFile(stagingPath(paths, jobId));
}

function removeStagingFile(file: string): void {
  for (const f of [file, `${file}-journal`]) rmSync(f, { force: true });
}

const STAGING_FILE = /^import-(\d+)\.staging\.db(-journal)?$/;

/**
 * Staged rows of imports that will never finish (cancelled, failed, completed or deleted jobs): their staging files,
 * and rows that versions before the staging files left in distillery.db's import_staging table.
 */
export function dropOrphanStaging(db: Db, paths: Paths): number {
  const live = new Set(
    (
      db.prepare(`SELECT id FROM jobs WHERE kind = 'dataset.import' AND state IN ${LIVE}`).all() as Array<{
        id: number;
      }>
    ).map((j) => j.id),
  );
  let dropped = 0;
  if (existsSync(paths.tmp)) {
    for (const name of readdirSync(paths.tmp)) {
      const m = STAGING_FILE.exec(name);
      if (m && !live.has(Number(m[1]))) {
        rmSync(join(paths.tmp, name), { force: true });
        dropped++;
      }
    }
  }
  dropped += db
    .prepare(`DELETE FROM import_staging WHERE job_id NOT IN (SELECT id FROM jobs WHERE state IN ${LIVE})`)
    .run().changes;
  return dropped;
}

/** Rows an older version staged in distillery.db for this job (a resume of such a job starts over). */
export function dropLegacyStaging(db: Db, jobId: number): void {
  if (db.prepare('SELECT 1 FROM import_staging WHERE job_id = ? LIMIT 1').get(jobId)) {
    db.prepare('DELETE FROM import_staging WHERE job_id = ?').run(jobId);
  }
}
