import { open } from 'node:fs/promises';
import type { Db } from './db';

/**
 * Checkpoints held off while a large import writes (issue 19). In WAL mode SQLite copies the log into the database
 * file at a commit once the log holds `wal_autocheckpoint` pages; an import of a million rows wrote its pages twice
 * inside its own time that way (about 1.2 s of 15). Held off, the copy happens once, after the rows are usable: the
 * import's search index job runs it first (`resumeCheckpoints`), or closing the database does. The log meanwhile
 * grows to the size of what the import wrote; a full disk fails the batch's write and the import removes its rows, as
 * before.
 *
 * With synchronous = NORMAL only a checkpoint syncs the log, so while they are held off the import syncs it itself
 * now and then (`syncLog`), off the thread that writes: a power cut then loses no more than checkpoints would.
 */
const held = new WeakMap<Db, number>();

/** Holds checkpoints off on this connection until `resumeCheckpoints` (idempotent). */
export function deferCheckpoints(db: Db): void {
  if (held.has(db)) return;
  held.set(db, db.pragma('wal_autocheckpoint', { simple: true }) as number);
  db.pragma('wal_autocheckpoint = 0');
}

/**
 * Copies the log into the database now (a passive checkpoint: it waits for no reader) and restores the threshold.
 * Answers whether checkpoints were held off.
 */
export function resumeCheckpoints(db: Db): boolean {
  const threshold = held.get(db);
  if (threshold === undefined) return false;
  held.delete(db);
  db.pragma('wal_checkpoint(PASSIVE)');
  db.pragma(`wal_autocheckpoint = ${threshold}`);
  return true;
}

/** Whether checkpoints are held off on this connection. */
export function checkpointsDeferred(db: Db): boolean {
  return held.has(db);
}

/** Logs whose sync is under way: one at a time per database. */
const syncing = new Set<string>();

/**
 * While checkpoints are held off: syncs the log file to disk on a thread of Node's pool (the caller's thread goes
 * on), so that every transaction committed before the call survives a power cut (recovery reads the log's frames up
 * to the last whole commit). Skipped when one is under way. A failed sync is left to SQLite: the checkpoint that
 * follows syncs the same file and reports its error.
 */
export function syncLog(db: Db): void {
  if (!held.has(db) || db.memory) return;
  const wal = `${db.name}-wal`;
  if (syncing.has(wal)) return;
  syncing.add(wal);
  void (async () => {
    const file = await open(wal, 'r');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
  })()
    .catch(() => undefined)
    .finally(() => syncing.delete(wal));
}
