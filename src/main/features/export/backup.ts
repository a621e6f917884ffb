import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { BackupResult, BackupSummary, RestoreResult } from '../../../shared/export';
import { audit } from '../../core/audit';
import { AppError, notFound } from '../../core/errors';
import { freeBytes } from '../../core/diskSpace';
import type { Paths } from '../../core/paths';
import { migrate, schemaVersion, type Db } from '../../core/store/db';
import { SCHEMA_VERSION } from '../../core/store/migrations';
import { nowIso } from '../../core/time';
import { APP_VERSION } from '../../core/version';
import {
  projectScopedTables,
  quoteId,
  readSchema,
  targetColumn,
  type TableInfo,
  virtualTables,
} from './schema';

export const BACKUP_FORMAT = 'distillery-project-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const BACKUP_EXTENSION = '.distillery-backup';
const CHUNK_BYTES = 8 * 1024 * 1024;
/** Folders of the data directory whose files a project's rows may point at. */
const AREAS = ['models', 'runs', 'uploads', 'exports'] as const;
const ACTIVE_JOB_STATES = ['queued', 'running', 'paused', 'interrupted'];

function hasControl(s: string): boolean {
  return /\p{Cc}/u.test(s);
}

/** One name of a path inside the backup: no separators, no `.`/`..`, no drive letters or control characters. */
const PlainName = z
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
type ManifestFile = z.infer<typeof ManifestFileSchema>;

/** A backup's manifest, parsed where it enters: a crafted one is refused before anything is used. */
const ManifestSchema = z.object({
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
type Manifest = z.infer<typeof ManifestSchema>;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches `<dataDir>/<area>/<first component>` inside any text (plain paths and JSON alike). */
function pathPattern(dataDir: string): RegExp {
  const s = escapeRegExp(sep);
  return new RegExp(`${escapeRegExp(dataDir + sep)}(${AREAS.join('|')})${s}([^${s}"\\n\\r\\t]+)`, 'g');
}

function orderBy(t: TableInfo): string {
  if (t.intPk) return quoteId(t.intPk);
  return t.columns.map((_c, i) => String(i + 1)).join(', ');
}

/** A checksum of a table's rows in a fixed order: a changed, added or removed row changes it. */
function hashTable(db: Db, t: TableInfo): { rows: number; sha256: string } {
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

function listFiles(root: string): string[] {
  const st = lstatSync(root);
  if (st.isSymbolicLink()) return [];
  if (st.isFile()) return [root];
  if (!st.isDirectory()) return [];
  return readdirSync(root)
    .sort()
    .flatMap((name) => listFiles(join(root, name)));
}

/** Deletes from a copy of the database everything that does not belong to the project. */
function pruneToProject(b: Db, projectId: number): void {
  const schema = readSchema(b);
  const scoped = projectScopedTables(schema);
  b.prepare('DELETE FROM projects WHERE id != ?').run(projectId);
  const keepCondition = (t: TableInfo, targets: (table: string) => boolean): string | null => {
    const terms = t.foreignKeys
      .filter((f) => targets(f.table))
      .map(
        (f) =>
          `(${quoteId(f.from)} IS NOT NULL AND ${quoteId(f.from)} IN (SELECT ${quoteId(targetColumn(schema, f))} FROM ${quoteId(f.table)}))`,
      );
    return terms.length ? terms.join(' OR ') : null;
  };
  // Rows reach the project through chains of references; repeat until nothing more is removed.
  for (let changed = true; changed;) {
    changed = false;
    for (const t of schema.values()) {
      if (!scoped.has(t.name) || t.name === 'projects') continue;
      const cond = keepCondition(t, (table) => scoped.has(table));
      if (!cond) continue;
      if (b.prepare(`DELETE FROM ${quoteId(t.name)} WHERE NOT (${cond})`).run().changes > 0) changed = true;
    }
  }
  // Shared tables (settings, the teacher model library): keep only the rows the project's rows point at.
  for (const t of schema.values()) {
    if (scoped.has(t.name)) continue;
    const refs: string[] = [];
    for (const s of schema.values()) {
      if (!scoped.has(s.name)) continue;
      for (const f of s.foreignKeys) {
        if (f.table !== t.name) continue;
        refs.push(
          `${quoteId(targetColumn(schema, f))} IN (SELECT ${quoteId(f.from)} FROM ${quoteId(s.name)} WHERE ${quoteId(f.from)} IS NOT NULL)`,
        );
      }
    }
    b.exec(`DELETE FROM ${quoteId(t.name)}${refs.length ? ` WHERE NOT (${refs.join(' OR ')})` : ''}`);
  }
}

/** The data-folder entries (`runs/7`, `models/abc`) that the project's rows point at. */
function referencedEntries(b: Db, dataDir: string): string[] {
  const schema = readSchema(b);
  const scoped = projectScopedTables(schema);
  const found = new Set<string>();
  const pattern = pathPattern(dataDir);
  for (const t of schema.values()) {
    if (!scoped.has(t.name)) continue;
    const stmt = b.prepare(`SELECT * FROM ${quoteId(t.name)}`).raw(true);
    for (const row of stmt.iterate() as Iterable<unknown[]>) {
      for (const v of row) {
        if (typeof v !== 'string' || !v.includes(dataDir)) continue;
        for (const m of v.matchAll(pattern)) found.add(`${m[1]}/${m[2]}`);
      }
    }
  }
  return [...found].filter((e) => e !== 'exports/backups').sort();
}

function safeFileName(name: string): string {
  return name.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 80) || 'project';
}

function moveFile(from: string, to: string): void {
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

function removeDbFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}

/**
 * Writes one file holding a project: its database rows (taken with SQLite's online backup, so the app may keep
 * working), the files its rows point at (models, checkpoints, run files, uploads), and a manifest with the schema
 * version and a SHA-256 of every table and file.
 */
/** How long work reports progress and lets itself be paused or cancelled (a job's control, or nothing). */
export interface Steps {
  progress(done: number, total: number, phase: string): void;
  yield(): Promise<void>;
}

const NO_STEPS: Steps = { progress: () => undefined, yield: async () => undefined };

export async function writeBackup(
  db: Db,
  paths: Paths,
  projectId: number,
  opts: { outFile?: string; steps?: Steps; ownJobId?: number } = {},
): Promise<BackupResult> {
  const steps = opts.steps ?? NO_STEPS;
  const outFile = opts.outFile;
  const project = db.prepare('SELECT id, name FROM projects WHERE id = ?').get(projectId) as
    { id: number; name: string } | undefined;
  if (!project) throw notFound('Project', projectId);
  const stamp = nowIso().replace(/[:.]/g, '-');
  const target =
    outFile ?? join(paths.exports, 'backups', `${safeFileName(project.name)}-${stamp}${BACKUP_EXTENSION}`);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(paths.tmp, `backup-${randomUUID()}.db`);
  try {
    steps.progress(0, 1, 'Copying the database');
    await db.backup(tmp, {
      progress: ({ totalPages, remainingPages }) => {
        steps.progress(totalPages - remainingPages, totalPages, 'Copying the database');
        return 1000;
      },
    });
    await steps.yield();
    const b = new Database(tmp);
    let rows = 0;
    let fileCount = 0;
    try {
      b.pragma('journal_mode = DELETE');
      b.pragma('foreign_keys = OFF');
      b.transaction(() => {
        pruneToProject(b, projectId);
        if (readSchema(b).has('jobs')) {
          // The backup's own job is not part of the project; work running at this moment is restored as
          // interrupted, resumable from the checkpoint that the copied rows match.
          if (opts.ownJobId !== undefined) b.prepare('DELETE FROM jobs WHERE id = ?').run(opts.ownJobId);
          b.prepare(
            `UPDATE jobs SET state = 'interrupted', rate = NULL, eta_seconds = NULL WHERE state IN ('queued', 'running', 'paused')`,
          ).run();
        }
        // A full-text index holds words of every project: drop it (and the triggers that feed it) from the copy.
        for (const v of virtualTables(b)) {
          const triggers = b
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE ?")
            .pluck()
            .all(`%${v}%`) as string[];
          for (const tr of triggers) b.exec(`DROP TRIGGER ${quoteId(tr)}`);
          b.exec(`DROP TABLE ${quoteId(v)}`);
        }
      })();
      const entries = referencedEntries(b, paths.dataDir);
      await steps.yield();
      steps.progress(0, 1, 'Compacting');
      // Rebuilds the file so that nothing of other projects survives in its free pages.
      b.exec('VACUUM');
      await steps.yield();
      b.exec(
        `CREATE TABLE distillery_backup_files (path TEXT NOT NULL, chunk INTEGER NOT NULL, data BLOB NOT NULL,
           PRIMARY KEY (path, chunk)) STRICT;
         CREATE TABLE distillery_backup_manifest (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL) STRICT;`,
      );
      const files: ManifestFile[] = [];
      const insertChunk = b.prepare(
        'INSERT INTO distillery_backup_files (path, chunk, data) VALUES (?, ?, ?)',
      );
      const toPack = entries.flatMap((entry) => {
        const abs = join(paths.dataDir, ...entry.split('/'));
        return existsSync(abs) ? listFiles(abs).filter((f) => !f.endsWith('.gguf')) : [];
      });
      for (const [index, file] of toPack.entries()) {
        steps.progress(index, toPack.length, 'Packing models and files');
        await steps.yield();
        const rel = relative(paths.dataDir, file).split(sep).join('/');
        const hash = createHash('sha256');
        const fd = openSync(file, 'r');
        let size = 0;
        try {
          b.transaction(() => {
            const buf = Buffer.alloc(CHUNK_BYTES);
            for (let chunk = 0; ; chunk++) {
              const n = readSync(fd, buf, 0, buf.length, null);
              if (n === 0 && chunk > 0) break;
              const data = Buffer.from(buf.subarray(0, n));
              hash.update(data);
              size += n;
              insertChunk.run(rel, chunk, data);
              if (n === 0) break;
            }
          })();
        } finally {
          closeSync(fd);
        }
        files.push({ path: rel, size, sha256: hash.digest('hex') });
      }
      steps.progress(0, 1, 'Computing checksums');
      const tables: Record<string, { rows: number; sha256: string }> = {};
      for (const t of readSchema(b).values()) {
        tables[t.name] = hashTable(b, t);
        rows += tables[t.name].rows;
      }
      steps.progress(1, 1, 'Computing checksums');
      fileCount = files.length;
      const manifest: Manifest = {
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        appVersion: APP_VERSION,
        schemaVersion: schemaVersion(b),
        createdAt: nowIso(),
        sourceDataDir: paths.dataDir,
        project,
        tables,
        files,
      };
      b.prepare('INSERT INTO distillery_backup_manifest (id, json) VALUES (1, ?)').run(
        JSON.stringify(manifest),
      );
    } finally {
      b.close();
    }
    const partial = `${target}.partial`;
    moveFile(tmp, partial);
    renameSync(partial, target);
    return { path: target, fileName: basename(target), bytes: statSync(target).size, rows, files: fileCount };
  } finally {
    removeDbFiles(tmp);
  }
}

/** Parses the manifest's JSON; refuses unknown areas, names that are not plain, duplicates and overlaps. */
function parseManifest(file: string, json: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw damaged(file, 'its manifest is not valid JSON (the file was edited or damaged).');
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    const value = issue?.path[0] === 'files' ? readAt(raw, issue.path) : undefined;
    throw damaged(
      file,
      `its manifest is not one Distillery writes: ${issue?.message ?? 'invalid'}${where}` +
        `${typeof value === 'string' ? ` "${value.slice(0, 200).replace(/\p{Cc}/gu, '?')}"` : ''}.` +
        `${issue?.path.at(-1) === 'path' ? ' It may have been crafted to write outside the data folder.' : ''}`,
    );
  }
  const manifest = parsed.data;
  const seen = new Set<string>();
  for (const f of manifest.files) {
    if (seen.has(f.path)) throw damaged(file, `its manifest lists ${f.path} twice (the file was edited).`);
    seen.add(f.path);
  }
  // A file that is also a folder of another (runs/a and runs/a/b) cannot be restored as listed.
  for (const f of manifest.files) {
    const parts = f.path.split('/');
    for (let i = 2; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (seen.has(prefix)) {
        throw damaged(
          file,
          `its manifest lists ${prefix} both as a file and as a folder (the file was edited).`,
        );
      }
    }
  }
  return manifest;
}

function readAt(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = value;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/**
 * The stored files must be exactly the listed ones, each in chunks 0..n-1 of bytes whose total is the declared
 * size: checked with SQL before any file is read, so a huge declared size is refused without allocating for it.
 */
function checkStoredFiles(file: string, b: Db, manifest: Manifest): void {
  const stored = b
    .prepare(
      `SELECT path, COUNT(*) AS chunks, MIN(chunk) AS first, MAX(chunk) AS last,
              SUM(length(data)) AS bytes, SUM(typeof(data) != 'blob') AS notBlob
       FROM distillery_backup_files GROUP BY path`,
    )
    .all() as Array<{
    path: unknown;
    chunks: number;
    first: number;
    last: number;
    bytes: number;
    notBlob: number;
  }>;
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  if (
    stored.length !== listed.size ||
    stored.some((r) => typeof r.path !== 'string' || !listed.has(r.path))
  ) {
    throw damaged(file, 'its files do not match its manifest (the file was edited).');
  }
  for (const r of stored) {
    const f = listed.get(r.path as string) as ManifestFile;
    if (r.notBlob > 0 || r.first !== 0 || r.last !== r.chunks - 1) {
      throw damaged(file, `the stored parts of ${f.path} are not in order (the file was edited).`);
    }
    if (r.bytes !== f.size) {
      throw damaged(
        file,
        `its manifest declares ${f.size} bytes for ${f.path} but it holds ${r.bytes} (the file was edited).`,
      );
    }
  }
}

function damaged(file: string, why: string): AppError {
  return new AppError(
    'BAD_FILE',
    `${basename(file)} is not a usable Distillery backup: ${why} Nothing was changed. ` +
      'Use another copy of the backup, or make a new one from the original data folder.',
  );
}

interface OpenedBackup {
  readonly db: Db;
  readonly manifest: Manifest;
  readonly bytes: number;
  close(): void;
}

/** Opens a backup and checks everything (format, schema version, every checksum) before anything is used. */
function openVerified(file: string, paths: Paths): OpenedBackup {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new AppError('NOT_FOUND', `There is no file at ${file}. Check the path and try again.`);
  }
  const bytes = statSync(file).size;
  const head = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== 'SQLite format 3\0') {
    throw damaged(file, 'it is not a backup file (wrong kind of file, or its beginning is damaged).');
  }
  let b: Db;
  try {
    b = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw damaged(file, `it cannot be opened (${(e as Error).message}).`);
  }
  let copy: string | null = null;
  const close = (): void => {
    b.close();
    if (copy) removeDbFiles(copy);
  };
  try {
    let manifest: Manifest;
    try {
      const check = b.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(String(check));
      const row = b.prepare('SELECT json FROM distillery_backup_manifest WHERE id = 1').get() as
        { json: string } | undefined;
      if (!row) throw new Error('no manifest');
      manifest = parseManifest(file, row.json);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw damaged(file, `it is truncated or damaged (${(e as Error).message}).`);
    }
    if (manifest.format !== BACKUP_FORMAT) throw damaged(file, 'it is not a Distillery project backup.');
    if (manifest.formatVersion > BACKUP_FORMAT_VERSION || manifest.schemaVersion > SCHEMA_VERSION) {
      throw new AppError(
        'DB_NEWER_VERSION',
        `${basename(file)} was made by a newer Distillery (${manifest.appVersion}, schema ${manifest.schemaVersion}; ` +
          `this version knows up to schema ${SCHEMA_VERSION}). Update Distillery to restore it. Nothing was changed.`,
      );
    }
    if (schemaVersion(b) !== manifest.schemaVersion) {
      throw damaged(file, 'its schema version does not match its manifest (the file was edited).');
    }
    try {
      const schema = readSchema(b);
      const names = [...schema.keys()].sort();
      const listed = Object.keys(manifest.tables).sort();
      if (JSON.stringify(names) !== JSON.stringify(listed)) {
        throw damaged(file, 'its tables do not match its manifest (the file was edited).');
      }
      for (const t of schema.values()) {
        const h = hashTable(b, t);
        if (h.sha256 !== manifest.tables[t.name].sha256) {
          throw damaged(
            file,
            `the checksum of its ${t.name} rows does not match (the file was edited or damaged).`,
          );
        }
      }
      const chunks = b
        .prepare('SELECT data FROM distillery_backup_files WHERE path = ? ORDER BY chunk')
        .raw(true);
      checkStoredFiles(file, b, manifest);
      for (const f of manifest.files) {
        const hash = createHash('sha256');
        for (const [data] of chunks.iterate(f.path) as Iterable<[Buffer]>) hash.update(data);
        if (hash.digest('hex') !== f.sha256) {
          throw damaged(file, `the checksum of ${f.path} does not match (the file was edited or damaged).`);
        }
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw damaged(file, `it is truncated or damaged (${(e as Error).message}).`);
    }
    if (manifest.schemaVersion < SCHEMA_VERSION) {
      // An older backup: bring a private copy up to this version's schema, the same way a data folder is.
      copy = join(paths.tmp, `restore-${randomUUID()}.db`);
      b.close();
      copyFileSync(file, copy);
      b = new Database(copy);
      b.pragma('foreign_keys = OFF');
      migrate(b);
    }
    return { db: b, manifest, bytes, close };
  } catch (e) {
    close();
    throw e;
  }
}

/** A name is taken by anything, a dangling symbolic link included (existsSync follows links and says no). */
function taken(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** `path`, after checking that it resolves inside `root`: the last guard against a path that escapes. */
function inside(root: string, path: string): string {
  const r = resolve(root);
  const p = resolve(path);
  if (!p.startsWith(r + sep)) {
    throw new AppError(
      'BAD_FILE',
      `The backup names a file outside the data folder (${path}). Nothing was changed.`,
    );
  }
  return p;
}

function formatMB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function nameTaken(db: Db, name: string): boolean {
  return Boolean(db.prepare('SELECT 1 FROM projects WHERE name = ? COLLATE NOCASE').get(name));
}

function freeName(db: Db, name: string): string {
  if (!nameTaken(db, name)) return name;
  for (let i = 1; ; i++) {
    const candidate = `${name} (restored${i > 1 ? ` ${i}` : ''})`;
    if (!nameTaken(db, candidate)) return candidate;
  }
}

export function inspectBackup(db: Db, paths: Paths, file: string): BackupSummary {
  const opened = openVerified(file, paths);
  try {
    const m = opened.manifest;
    return {
      projectName: m.project.name,
      createdAt: m.createdAt,
      appVersion: m.appVersion,
      schemaVersion: m.schemaVersion,
      rows: Object.values(m.tables).reduce((s, t) => s + t.rows, 0),
      files: m.files.length,
      bytes: opened.bytes,
      nameTaken: nameTaken(db, m.project.name),
      suggestedName: freeName(db, m.project.name),
    };
  } finally {
    opened.close();
  }
}

type IdMap = Map<number, number | null>;

/**
 * Restores a verified backup as a new project. Ids are kept where they are free (so a project moved to a clean
 * data folder is identical), and renumbered otherwise; files go to folders that do not exist yet. Nothing that
 * exists is overwritten: a taken name is refused, and a failure removes what was written.
 */
export function restoreBackup(
  db: Db,
  paths: Paths,
  file: string,
  opts: { name?: string; actor: string },
): RestoreResult {
  const opened = openVerified(file, paths);
  const written: string[] = [];
  let staging: string | null = null;
  try {
    const b = opened.db;
    const m = opened.manifest;
    const name = (opts.name ?? m.project.name).trim();
    if (nameTaken(db, name)) {
      throw new AppError(
        'CONFLICT',
        `A project named "${name}" already exists here. Restore the backup under another name, e.g. "${freeName(db, name)}".`,
        { suggestedName: freeName(db, name) },
      );
    }
    const target = readSchema(db);
    const source = readSchema(b);
    const scoped = projectScopedTables(target);
    for (const t of source.keys()) {
      if (!target.has(t) && scoped.has(t)) {
        throw damaged(file, `it holds a table (${t}) this version of Distillery does not know.`);
      }
    }

    // Ids: kept when none of them is taken here, else shifted past the largest one in use.
    const idMaps = new Map<string, IdMap>();
    let remapped = false;
    for (const t of target.values()) {
      if (!scoped.has(t.name) || !t.intPk || !source.has(t.name)) continue;
      const pk = quoteId(t.intPk);
      const ids = b
        .prepare(`SELECT ${pk} FROM ${quoteId(t.name)} ORDER BY ${pk}`)
        .pluck()
        .all() as number[];
      const exists = db.prepare(`SELECT 1 FROM ${quoteId(t.name)} WHERE ${pk} = ?`).pluck();
      const collides = ids.some((id) => exists.get(id) !== undefined);
      const map: IdMap = new Map();
      if (collides && ids.length) {
        remapped = true;
        const max =
          (db
            .prepare(`SELECT COALESCE(MAX(${pk}), 0) FROM ${quoteId(t.name)}`)
            .pluck()
            .get() as number) ?? 0;
        const shift = max + 1 - ids[0];
        for (const id of ids) map.set(id, id + shift);
      } else for (const id of ids) map.set(id, id);
      idMaps.set(t.name, map);
    }

    // Shared rows the project points at (a teacher model of the library): matched here by a unique column, else
    // the reference is dropped where it may be empty, else the row is added.
    const sharedInserts: Array<{ table: TableInfo; row: Record<string, unknown> }> = [];
    for (const t of target.values()) {
      if (scoped.has(t.name) || !source.has(t.name) || !t.intPk) continue;
      const pk = t.intPk;
      const referencing = [...target.values()].flatMap((s) =>
        scoped.has(s.name)
          ? s.foreignKeys
              .filter((f) => f.table === t.name)
              .map((f) => s.columns.find((c) => c.name === f.from)?.notNull ?? false)
          : [],
      );
      if (!referencing.length) continue;
      const nullable = referencing.every((notNull) => !notNull);
      const map: IdMap = new Map();
      let next =
        (db
          .prepare(`SELECT COALESCE(MAX(${quoteId(pk)}), 0) FROM ${quoteId(t.name)}`)
          .pluck()
          .get() as number) + 1;
      for (const row of b.prepare(`SELECT * FROM ${quoteId(t.name)}`).all() as Array<
        Record<string, unknown>
      >) {
        let match: number | undefined;
        for (const col of t.uniqueColumns) {
          if (row[col] === null || row[col] === undefined) continue;
          match = db
            .prepare(`SELECT ${quoteId(pk)} FROM ${quoteId(t.name)} WHERE ${quoteId(col)} = ?`)
            .pluck()
            .get(row[col]) as number | undefined;
          if (match !== undefined) break;
        }
        const oldId = row[pk] as number;
        if (match !== undefined) map.set(oldId, match);
        else if (nullable) map.set(oldId, null);
        else {
          map.set(oldId, next);
          sharedInserts.push({ table: t, row: { ...row, [pk]: next } });
          next++;
        }
      }
      idMaps.set(t.name, map);
    }

    // Files go where they were unless that name is taken here (restoring a copy beside the original). A taken
    // name includes a dangling symbolic link: nothing is ever written through one.
    const relocation = new Map<string, string>();
    const studentRuns = idMaps.get('student_runs');
    for (const f of m.files) {
      const [area, first] = f.path.split('/');
      const key = `${area}/${first}`;
      if (relocation.has(key)) continue;
      // The student feature finds a run's folder by its id (runs/student-<id>): a renumbered run moves with it.
      const run = area === 'runs' ? /^student-(\d+)$/.exec(first) : null;
      const newRunId = run ? studentRuns?.get(Number(run[1])) : null;
      const base = newRunId ? `student-${newRunId}` : first;
      let candidate = base;
      for (let i = 1; taken(join(paths.dataDir, area, candidate)); i++) {
        const dot = base.lastIndexOf('.');
        candidate =
          dot > 0 ? `${base.slice(0, dot)}-restored-${i}${base.slice(dot)}` : `${base}-restored-${i}`;
      }
      relocation.set(key, `${area}/${candidate}`);
    }
    const oldPattern = pathPattern(m.sourceDataDir);
    const rewritePaths = (text: string): string =>
      text.includes(m.sourceDataDir)
        ? text.replace(oldPattern, (_all, area: string, first: string) => {
            const rel = relocation.get(`${area}/${first}`) ?? `${area}/${first}`;
            return join(paths.dataDir, ...rel.split('/'));
          })
        : text;

    const labelMap = idMaps.get('labels');
    const labelsRenumbered = labelMap ? [...labelMap].some(([a, b2]) => a !== b2) : false;
    const remapLabelSnapshot = (text: string): string => {
      try {
        const parsed = JSON.parse(text) as unknown;
        if (!Array.isArray(parsed)) return text;
        return JSON.stringify(
          parsed.map((l: unknown) => {
            if (l && typeof l === 'object' && typeof (l as { id?: unknown }).id === 'number') {
              const id = (l as { id: number }).id;
              return { ...(l as object), id: labelMap?.get(id) ?? id };
            }
            return l;
          }),
        );
      } catch {
        return text;
      }
    };

    // Every file is written into a staging folder first, checked against its checksum as it is written, and
    // moved into place only when all are complete.
    const needed = m.files.reduce((sum, f) => sum + f.size, 0);
    const free = freeBytes(paths.tmp);
    if (free !== null && needed > free) {
      throw new AppError(
        'DISK_FULL',
        `Restoring needs ${formatMB(needed)} of free disk space and ${formatMB(free)} is free. Free some space ` +
          'and try again. Nothing was changed.',
      );
    }
    staging = join(paths.tmp, `restore-${randomUUID()}`);
    mkdirSync(staging, { mode: 0o700 });
    const chunks = b
      .prepare('SELECT data FROM distillery_backup_files WHERE path = ? ORDER BY chunk')
      .pluck();
    for (const f of m.files) {
      const [area, first, ...rest] = f.path.split('/');
      const rel = relocation.get(`${area}/${first}`) ?? `${area}/${first}`;
      const dest = inside(staging, join(staging, ...rel.split('/'), ...rest));
      mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
      const hash = createHash('sha256');
      let size = 0;
      const out = openSync(dest, 'wx', 0o600);
      try {
        for (const data of chunks.iterate(f.path) as Iterable<Buffer>) {
          size += data.length;
          if (size > f.size) break;
          hash.update(data);
          writeSync(out, data);
        }
      } finally {
        closeSync(out);
      }
      if (size !== f.size || hash.digest('hex') !== f.sha256) {
        throw damaged(file, `${f.path} changed while it was being restored.`);
      }
    }
    for (const rel of new Set(relocation.values())) {
      const [area, name] = rel.split('/');
      const areaDir = join(paths.dataDir, area);
      const final = inside(areaDir, join(areaDir, name));
      if (taken(final)) {
        throw new AppError('CONFLICT', `${rel} appeared in the data folder during the restore. Try again.`);
      }
      mkdirSync(areaDir, { recursive: true, mode: 0o700 });
      renameSync(join(staging, area, name), final);
      written.push(final);
    }

    let rows = 0;
    let projectId = 0;
    db.transaction(() => {
      db.pragma('defer_foreign_keys = ON');
      for (const { table, row } of sharedInserts) {
        const cols = table.columns.map((c) => c.name).filter((c) => c in row);
        db.prepare(
          `INSERT INTO ${quoteId(table.name)} (${cols.map(quoteId).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
        ).run(...cols.map((c) => row[c]));
      }
      for (const t of target.values()) {
        const src = source.get(t.name);
        if (!scoped.has(t.name) || !src) continue;
        const srcCols = new Set(src.columns.map((c) => c.name));
        const cols = t.columns.map((c) => c.name).filter((c) => srcCols.has(c));
        const insert = db.prepare(
          `INSERT INTO ${quoteId(t.name)} (${cols.map(quoteId).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
        );
        const fkByCol = new Map(t.foreignKeys.map((f) => [f.from, f]));
        const ownMap = t.intPk ? idMaps.get(t.name) : undefined;
        for (const row of b.prepare(`SELECT * FROM ${quoteId(t.name)}`).iterate() as Iterable<
          Record<string, unknown>
        >) {
          const values = cols.map((c) => {
            let v = row[c];
            if (c === t.intPk && ownMap && typeof v === 'number') return ownMap.get(v) ?? v;
            const fk = fkByCol.get(c);
            if (fk && typeof v === 'number' && targetColumn(target, fk) === target.get(fk.table)?.intPk) {
              const map = idMaps.get(fk.table);
              if (map?.has(v)) return map.get(v) ?? null;
            }
            if (typeof v === 'string') {
              v = rewritePaths(v);
              if (c === 'labels_snapshot' && labelsRenumbered) v = remapLabelSnapshot(v as string);
            }
            return v;
          });
          if (t.name === 'projects') {
            values[cols.indexOf('name')] = name;
            projectId = Number(values[cols.indexOf('id')]);
          }
          if (t.name === 'jobs' && remapped) {
            // Their parameters name rows by their old ids: resuming them here would touch the wrong rows.
            const si = cols.indexOf('state');
            if (si >= 0 && ACTIVE_JOB_STATES.includes(String(values[si]))) values[si] = 'cancelled';
          }
          insert.run(...values);
          rows++;
        }
      }
      audit(db, {
        projectId,
        actor: opts.actor,
        action: 'restore',
        entity: 'project',
        entityId: projectId,
        details: { from: basename(file), originalName: m.project.name, createdAt: m.createdAt },
      });
    })();
    return { projectId, name, rows, files: m.files.length, idsRemapped: remapped };
  } catch (e) {
    for (const root of written) rmSync(root, { recursive: true, force: true });
    throw e;
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
    opened.close();
  }
}
