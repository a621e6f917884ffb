import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AppError, isBusyError } from '../errors';
import { nativeModuleProblem } from '../nativeModules';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';
import type { Migration } from './migrations/types';

export type Db = Database.Database;

const SQLITE_MAGIC = 'SQLite format 3\0';

function assertSqliteFile(file: string): void {
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  if (size === 0) return; // an empty file is a new database
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    if (n < 16 || buf.toString('latin1') !== SQLITE_MAGIC) {
      throw AppError.keyed('DB_NOT_SQLITE', 'core.fileDistilleryDatabaseSqlite', { file });
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens (creating if needed) the one database of a data directory and brings its schema up to date.
 * Refuses a file that is not SQLite and a database written by a newer Distillery, changing nothing in either case.
 */
export function openDatabase(file: string): Db {
  assertSqliteFile(file);
  let db: Db;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (e) {
    // better-sqlite3 loads its addon here, on first use: a build for another runtime fails now, not at import.
    throw (
      nativeModuleProblem(e, 'better-sqlite3') ??
      AppError.keyed('DB_NOT_SQLITE', 'core.cannotOpenDatabase', { file, p1: (e as Error).message })
    );
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    // Deleted rows are overwritten, not left readable in free pages (see docs/architecture.md on deletion).
    db.pragma('secure_delete = ON');
    migrate(db);
  } catch (e) {
    db.close();
    const code = (e as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') {
      throw AppError.keyed('DB_NOT_SQLITE', 'core.fileDistilleryDatabaseSqlite2', { file });
    }
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw AppError.keyed('DB_LOCKED', 'core.databaseLockedAnotherProgram', { file });
    }
    throw e;
  }
  return db;
}

/** How long one statement waits for another connection's write lock before SQLite reports it busy. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Runs a write, retrying while the database is busy (each attempt already waits BUSY_TIMEOUT_MS inside SQLite),
 * for bookkeeping that must not be lost to a backup tool or a viewer holding the database a little too long.
 */
export function retryBusy<T>(fn: () => T, attempts = 6): T {
  for (let i = 1; ; i++) {
    try {
      return fn();
    } catch (e) {
      if (!isBusyError(e) || i >= attempts) throw e;
    }
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies the missing migrations, all in one transaction: a failure leaves the database as it was. */
export function migrate(db: Db, target: number = SCHEMA_VERSION): void {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw AppError.keyed('DB_NEWER_VERSION', 'core.dataWrittenNewerVersion', { current, SCHEMA_VERSION });
  }
  if (current >= target) return;
  // Rebuilding a table (a migration may) with foreign keys on would cascade its DROP into every child table.
  // They cannot be switched inside a transaction: off around it, checked before the commit, on again after.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      for (let v = current; v < target; v++) applyMigration(db, MIGRATIONS[v]);
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`A migration left ${broken.length} broken references.`);
      db.pragma(`user_version = ${target}`);
    }).immediate();
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys}`);
  }
}

export function applyMigration(db: Db, m: Migration): void {
  if (typeof m === 'function') m(db);
  else if (m.trim()) db.exec(m);
}
