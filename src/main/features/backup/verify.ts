import { createHash, randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../core/errors';
import type { Paths } from '../../core/paths';
import { migrate, schemaVersion, type Db } from '../../core/store/db';
import { SCHEMA_VERSION } from '../../core/store/migrations';
import { readSchema } from './schema';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  ManifestSchema,
  type Manifest,
  type ManifestFile,
  hashTable,
  removeDbFiles,
} from './format';

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

export function damaged(file: string, why: string): AppError {
  return AppError.keyed('BAD_FILE', 'backup.usableDistilleryBackupNothing', { file: basename(file), why });
}

export interface OpenedBackup {
  readonly db: Db;
  readonly manifest: Manifest;
  readonly bytes: number;
  close(): void;
}

/** Opens a backup and checks everything (format, schema version, every checksum) before anything is used. */
export function openVerified(file: string, paths: Paths): OpenedBackup {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw AppError.keyed('NOT_FOUND', 'backup.fileCheckPathTry', { file });
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
      throw AppError.keyed('DB_NEWER_VERSION', 'backup.madeNewerDistillerySchema', {
        file: basename(file),
        appVersion: manifest.appVersion,
        schemaVersion: manifest.schemaVersion,
        SCHEMA_VERSION,
      });
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
