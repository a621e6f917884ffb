import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Paths {
  readonly dataDir: string;
  readonly database: string;
  readonly models: string;
  readonly runs: string;
  readonly uploads: string;
  readonly exports: string;
  readonly tmp: string;
}

export const DATA_DIR_ENV = 'DISTILLERY_DATA_DIR';

/** The data directory: `--data-dir`, else $DISTILLERY_DATA_DIR, else the platform's per-user data folder. */
export function defaultDataDir(): string {
  const fromEnv = process.env[DATA_DIR_ENV];
  if (fromEnv) return resolve(fromEnv);
  const home = homedir();
  switch (process.platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Distillery');
    case 'win32':
      return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Distillery');
    default:
      return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'distillery');
  }
}

export function makePaths(dataDir: string): Paths {
  const root = resolve(dataDir);
  const paths: Paths = {
    dataDir: root,
    database: join(root, 'distillery.db'),
    models: join(root, 'models'),
    runs: join(root, 'runs'),
    uploads: join(root, 'uploads'),
    exports: join(root, 'exports'),
    tmp: join(root, 'tmp'),
  };
  for (const dir of [paths.dataDir, paths.models, paths.runs, paths.uploads, paths.exports, paths.tmp]) {
    mkdirSync(dir, { recursive: true });
  }
  return paths;
}

/** The app's bundled read-only files (`resources/`), found from sources, the build, or a packaged app. */
export function resourcesDir(): string {
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  const candidates: string[] = [];
  if (packaged) candidates.push(join(packaged, 'resources'), packaged);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    candidates.push(join(dir, 'resources'));
    dir = dirname(dir);
  }
  for (const c of candidates) if (existsSync(join(c, 'demo'))) return c;
  throw new Error('The bundled resources folder is missing: reinstall Distillery.');
}

/** A file written atomically (`writeFileAtomic`, reports) is `<name>.tmp-<pid>` until it is renamed into place. */
const PARTIAL_FILE = /\.tmp-\d+$/;

/**
 * Removes partial files a killed or failed writer left behind (a half-written checkpoint can be tens of MB), under
 * `dir`, depth first. At start-up the data folder is ours alone (the lock), so every such file is a leftover.
 */
export function removePartialFiles(dir: string, depth = 4): number {
  let removed = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory() && depth > 0) removed += removePartialFiles(full, depth - 1);
    else if (e.isFile() && PARTIAL_FILE.test(e.name)) {
      rmSync(full, { force: true });
      removed++;
    }
  }
  return removed;
}
