import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The data folder holds confidential texts: only its owner may read it. The process creates everything with
 * umask 077 (folders 0700, files 0600: the database and its WAL/SHM, models, runs, uploads, exports, backups,
 * logs, and what the teacher process and training worker write), and a folder left readable by an older version
 * or another tool is tightened at start. Links are not followed. Windows has no such modes: nothing to do there.
 */
export function restrictDataDir(dataDir: string): { tightened: number } {
  if (process.platform === 'win32') return { tightened: 0 };
  process.umask(0o077);
  let tightened = 0;
  const walk = (path: string): void => {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) return;
    if ((st.mode & 0o077) !== 0) {
      try {
        chmodSync(path, st.mode & 0o700);
        tightened++;
      } catch {
        // A file of another owner: left as it is (the folder above it is closed anyway).
      }
    }
    if (st.isDirectory()) {
      let names: string[] = [];
      try {
        names = readdirSync(path);
      } catch {
        return;
      }
      for (const name of names) walk(join(path, name));
    }
  };
  walk(dataDir);
  return { tightened };
}
