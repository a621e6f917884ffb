import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import Database from 'better-sqlite3';
import type { BackupResult } from '../../../shared/backup';
import { notFound } from '../../core/errors';
import type { Paths } from '../../core/paths';
import { schemaVersion, type Db } from '../../core/store/db';
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
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BACKUP_EXTENSION,
  CHUNK_BYTES,
  type Manifest,
  type ManifestFile,
  pathPattern,
  hashTable,
  listFiles,
  safeFileName,
  moveFile,
  removeDbFiles,
  type Steps,
  NO_STEPS,
} from './format';

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

/**
 * Writes one file holding a project: its database rows (taken with SQLite's online backup, so the app may keep
 * working), the files its rows point at (models, checkpoints, run files, uploads), and a manifest with the schema
 * version and a SHA-256 of every table and file.
 */
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
