import { createHash } from 'node:crypto';
import { copyFileSync, lstatSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
import { z } from 'zod';
import type { Paths } from '../../core/paths';
import { type Db } from '../../core/store/db';
import { quoteId, type TableInfo } from './schema';

/** The backup file's format: its manifest (parsed where it enters), checksums, and file helpers shared by writing and restoring. */
export const BACKUP_FORMAT = 'distillery-project-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const BACKUP_EXTENSION = '.distillery-backup';
export const CHUNK_BYTES = 8 * 1024 * 1024;
/** Folders of the data directory whose files a project's rows may point at. */
export const AREAS = ['models', 'runs', 'uploads', 'exports'] as const;
export const ACTIVE_JOB_STATES = ['queued', 'running', 'paused', 'interrupted'];

function hasControl(s: string): boolean {
  return /\p{Cc}/u.test(s);
}

/** One name of a path inside the backup: no separators, no `.`/`..`, no drive letters or control characters. */
export const PlainName = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => n !== '.' && n !== '..' && !/[/\\:]/.test(n) && !hasControl(n), 'not a plain file name');

/** Relative to the data folder, with forward slashes: a known area, then plain names. */
const BackupPath = z
  .string()
  .max(4096)
  .refine((p) => {
    const parts = p.split('/');
    return (
      parts.length >= 2 &&
      (AREAS as readonly string[]).includes(parts[0]) &&
      parts.every((n) => PlainName.safeParse(n).success)
    );
  }, 'not a path inside a known folder of the data folder');

const ManifestFileSchema = z.object({
  path: BackupPath,
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ManifestFile = z.infer<typeof ManifestFileSchema>;

/** A backup's manifest, parsed where it enters: a crafted one is refused before anything is used. */
export const ManifestSchema = z.object({
  format: z.string(),
  formatVersion: z.number().int(),
  appVersion: z.string().max(100),
  schemaVersion: z.number().int().nonnegative(),
  createdAt: z.string().max(100),
  sourceDataDir: z
    .string()
    .min(2)
    .max(4096)
    .refine((d) => isAbsolute(d), 'not an absolute folder'),
  project: z.object({ id: z.number().int().positive(), name: z.string().min(1).max(200) }),
  tables: z.record(z.string(), z.object({ rows: z.number().int().nonnegative(), sha256: z.string() })),
  files: z.array(ManifestFileSchema).max(1_000_000),
});
export type Manifest = z.infer<typeof ManifestSchema>;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches `<dataDir>/<area>/<first component>` inside any text (plain paths and JSON alike). */
export function pathPattern(dataDir: string): RegExp {
  const s = escapeRegExp(sep);
  return new RegExp(`${escapeRegExp(dataDir + sep)}(${AREAS.join('|')})${s}([^${s}"\\n\\r\\t]+)`, 'g');
}

function orderBy(t: TableInfo): string {
  if (t.intPk) return quoteId(t.intPk);
  return t.columns.map((_c, i) => String(i + 1)).join(', ');
}

/** A checksum of a table's rows in a fixed order: a changed, added or removed row changes it. */
export function hashTable(db: Db, t: TableInfo): { rows: number; sha256: string } {
  const hash = createHash('sha256');
  let rows = 0;
  const stmt = db.prepare(`SELECT * FROM ${quoteId(t.name)} ORDER BY ${orderBy(t)}`).raw(true);
  for (const row of stmt.iterate() as Iterable<unknown[]>) {
    hash.update(
      JSON.stringify(row.map((v) => (Buffer.isBuffer(v) ? { blob: v.toString('base64') } : v))) + '\n',
    );
    rows++;
  }
  return { rows, sha256: hash.digest('hex') };
}

export function listFiles(root: string): string[] {
  const st = lstatSync(root);
  if (st.isSymbolicLink()) return [];
  if (st.isFile()) return [root];
  if (!st.isDirectory()) return [];
  return readdirSync(root)
    .sort()
    .flatMap((name) => listFiles(join(root, name)));
}

export function safeFileName(name: string): string {
  return name.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 80) || 'project';
}

export function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    copyFileSync(from, to);
    rmSync(from, { force: true });
  }
}

/** Removes what killed backups and restores left in the data folder; returns how many entries. */
export function removeLeftovers(paths: Paths): number {
  let removed = 0;
  const sweep = (dir: string, match: (name: string) => boolean): void => {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!match(name)) continue;
      rmSync(join(dir, name), { recursive: true, force: true });
      removed++;
    }
  };
  sweep(paths.tmp, (n) => /^(backup|restore)-[0-9a-f-]{36}/.test(n));
  sweep(join(paths.exports, 'backups'), (n) => n.endsWith(`${BACKUP_EXTENSION}.partial`));
  return removed;
}

export function removeDbFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}

export interface Steps {
  progress(done: number, total: number, phase: string): void;
  yield(): Promise<void>;
}

export const NO_STEPS: Steps = { progress: () => undefined, yield: async () => undefined };
