import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const RESERVE_FILE = 'distillery.reserve';
const RESERVE_BYTES = 2 * 1024 * 1024;

/**
 * A little disk space put aside at start (a file of zeros in the data folder): when the disk fills up in the
 * middle of a job, releasing it leaves room to record the failure and drop the job's partial rows, instead of a
 * job that says "running" forever. Best effort: on a disk already too full for it, there is simply no reserve.
 */
export function makeReserve(dataDir: string): void {
  const file = join(dataDir, RESERVE_FILE);
  let fd = -1;
  try {
    fd = openSync(file, 'w');
    const zeros = Buffer.alloc(64 * 1024);
    for (let written = 0; written < RESERVE_BYTES; written += zeros.length) writeSync(fd, zeros);
  } catch {
    if (fd >= 0) closeSync(fd);
    fd = -1;
    rmSync(file, { force: true });
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Frees the reserve; returns whether there was one. */
export function releaseReserve(dataDir: string): boolean {
  try {
    rmSync(join(dataDir, RESERVE_FILE));
    return true;
  } catch {
    return false;
  }
}
