import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process owns a data directory at a time (the database has one owner). A lock left by a crashed process
 * is taken over; a lock held by a live process is refused with a message that says what to do.
 */
export function acquireDataDirLock(dataDir: string, owner: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'distillery.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, owner, at: new Date().toISOString() }), {
        flag: 'wx',
      });
      return () => {
        try {
          const held = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
          if (held.pid === process.pid) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let held: { pid?: number; owner?: string } = {};
      try {
        held = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number; owner?: string };
      } catch {
        // unreadable lock: treat as stale
      }
      if (held.pid && held.pid !== process.pid && isAlive(held.pid)) {
        throw new AppError(
          'DB_LOCKED',
          `This data folder (${dataDir}) is in use by another Distillery (${held.owner ?? 'process'} ${held.pid}). ` +
            'Use that window, or close it and try again.',
          { pid: held.pid, owner: held.owner },
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new AppError('DB_LOCKED', `Could not lock the data folder ${dataDir}.`);
}
