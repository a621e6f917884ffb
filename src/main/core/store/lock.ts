import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { AppError, isBusyError } from '../errors';

/** Who holds a data folder: written next to the lock so that a refused process can say who to ask. */
const LockOwner = z.object({
  host: z.string().optional(),
  pid: z.number().optional(),
  owner: z.string().optional(),
  at: z.string().optional(),
});
type LockOwner = z.output<typeof LockOwner>;

export const LOCK_FILE = 'distillery.lock';
export const LOCK_DATABASE = 'distillery.lock.sqlite';

/** What the lock's info file says (nothing, when it is missing or not what this writes: it is only for a message). */
function readOwner(file: string): LockOwner {
  try {
    const parsed = LockOwner.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * One process owns a data folder for its whole life. The lock is the operating system's: a small SQLite database
 * in `locking_mode=EXCLUSIVE` after a write keeps an exclusive file lock until its connection closes, which the
 * kernel also releases when the process dies (kill -9 included). A PID file cannot do this: a stale or replaced one
 * (a shared drive opened from a second machine looks exactly like that) let a second process in. `distillery.lock`
 * only records host and pid for the message; deleting or editing it changes nothing.
 */
export function acquireDataDirLock(dataDir: string, owner: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const infoFile = join(dataDir, LOCK_FILE);
  const lockFile = join(dataDir, LOCK_DATABASE);
  let lock: Database.Database;
  try {
    lock = new Database(lockFile, { timeout: 0 });
  } catch (e) {
    throw AppError.keyed('DB_LOCKED', 'core.cannotLockDataFolder', { dataDir, p1: (e as Error).message });
  }
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.pragma('journal_mode = MEMORY');
    // The first write takes the exclusive lock; exclusive locking mode keeps it after the commit.
    lock.exec('CREATE TABLE IF NOT EXISTS held (at TEXT NOT NULL)');
    lock.prepare('DELETE FROM held').run();
    lock.prepare('INSERT INTO held (at) VALUES (?)').run(new Date().toISOString());
  } catch (e) {
    lock.close();
    if (!isBusyError(e)) {
      throw AppError.keyed('DB_LOCKED', 'core.cannotLockDataFolder', { dataDir, p1: (e as Error).message });
    }
    const held = readOwner(infoFile);
    const who =
      held.pid !== undefined
        ? ` on host ${held.host ?? 'unknown'} (${held.owner ?? 'process'}, pid ${held.pid})`
        : '';
    throw AppError.keyed(
      'DB_LOCKED',
      'core.distilleryAlreadyRunningData',
      { who, dataDir },
      { pid: held.pid, host: held.host, owner: held.owner },
    );
  }
  const me: LockOwner = { host: hostname(), pid: process.pid, owner, at: new Date().toISOString() };
  writeFileSync(infoFile, JSON.stringify(me));
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const held = readOwner(infoFile);
    if (held.pid === me.pid && held.host === me.host) rmSync(infoFile, { force: true });
    lock.close();
  };
}
