import { sep } from 'node:path';
import type { Db } from './db';

/**
 * Tables of people's texts and derived numbers: they never hold a path of the data folder, and they are large. Named
 * here as tables, not read through the label views: relocation rewrites stored paths and skips these by name.
 */
const CONTENT_TABLES = new Set([
  'examples',
  'annotations',
  'teacher_outputs',
  'import_staging',
  'teacher_run_targets',
  'metrics',
  'sqlite_sequence',
]);
const SETTING = 'dataDir';
const AREAS = ['runs', 'models', 'uploads', 'exports'];

function quoteId(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The folder an older database was in, read from the paths its rows hold (`<dir>/runs/...`, `<dir>/models/...`). */
function inferOldDataDir(db: Db): string | null {
  const candidates = [
    ...(db
      .prepare('SELECT model_path FROM student_runs WHERE model_path IS NOT NULL LIMIT 20')
      .pluck()
      .all() as string[]),
    ...(db.prepare('SELECT path FROM checkpoints LIMIT 20').pluck().all() as string[]),
    ...(db.prepare('SELECT file_path FROM teacher_models LIMIT 20').pluck().all() as string[]),
  ];
  for (const p of candidates) {
    for (const area of AREAS) {
      const at = p.lastIndexOf(`${sep}${area}${sep}`);
      if (at > 0) return p.slice(0, at);
    }
  }
  return null;
}

/** Every TEXT column of the tables that may hold paths (settings, models, runs, jobs, audit, datasets...). */
function pathColumns(db: Db): Array<{ table: string; column: string }> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")
    .pluck()
    .all() as string[];
  const virtual = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
    .pluck()
    .all() as string[];
  const out: Array<{ table: string; column: string }> = [];
  for (const table of tables) {
    if (CONTENT_TABLES.has(table) || virtual.some((v) => table.startsWith(`${v}_`))) continue;
    const cols = db.prepare(`PRAGMA table_info(${quoteId(table)})`).all() as Array<{
      name: string;
      type: string;
    }>;
    for (const c of cols) if (c.type.toUpperCase() === 'TEXT') out.push({ table, column: c.name });
  }
  return out;
}

/**
 * The data folder can be moved or copied: its database names files inside it (models, run folders, checkpoints,
 * uploads, exports, backups) by absolute path, and the folder it was last opened from is recorded. Opened from
 * somewhere else, every such path is rewritten to the new place before anything reads one, so that a copy never
 * reads the original's files and nothing reports a present file missing. Paths outside the data folder (a file
 * imported from the user's documents) are left as they are. Returns the number of values rewritten.
 */
/**
 * The folder the settings value records (a JSON string); undefined when there is none, or when it is damaged: the
 * old folder is then worked out from the stored paths, as for a database that never recorded it.
 */
function recordedDataDir(stored: string | undefined): string | undefined {
  if (stored === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(stored);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function relocateDataDir(db: Db, dataDir: string): number {
  // Settings values are JSON.
  const stored = db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(SETTING) as
    string | undefined;
  const recorded = recordedDataDir(stored);
  const from = recorded ?? inferOldDataDir(db);
  let changed = 0;
  db.transaction(() => {
    if (from && from !== dataDir) {
      const pairs: Array<[string, string]> = [[from + sep, dataDir + sep]];
      // The same paths inside JSON (a backslash is escaped there).
      const json = (s: string): string => JSON.stringify(s).slice(1, -1);
      if (json(from) !== from) pairs.push([json(from + sep), json(dataDir + sep)]);
      for (const { table, column } of pathColumns(db)) {
        for (const [a, b] of pairs) {
          changed += db
            .prepare(
              `UPDATE ${quoteId(table)} SET ${quoteId(column)} = replace(${quoteId(column)}, ?, ?)
               WHERE instr(${quoteId(column)}, ?) > 0`,
            )
            .run(a, b, a).changes;
        }
      }
    }
    if (recorded !== dataDir) {
      db.prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ).run(SETTING, JSON.stringify(dataDir));
    }
  })();
  return changed;
}
