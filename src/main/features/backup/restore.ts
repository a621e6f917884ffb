import { createHash, randomUUID } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { BackupSummary, RestoreResult } from '../../../shared/backup';
import { audit } from '../../core/audit';
import { AppError } from '../../core/errors';
import { freeBytes } from '../../core/diskSpace';
import { recountLabels } from '../../core/labelCounts';
import type { Paths } from '../../core/paths';
import { type Db } from '../../core/store/db';
import { projectScopedTables, quoteId, readSchema, targetColumn, type TableInfo } from './schema';
import { ACTIVE_JOB_STATES, pathPattern } from './format';
import { damaged, openVerified } from './verify';

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
    throw AppError.keyed('BAD_FILE', 'backup.backupNamesFileOutside', { path });
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
      throw AppError.keyed(
        'CONFLICT',
        'backup.projectNamedAlreadyExists',
        { name, p1: freeName(db, name) },
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
      throw AppError.keyed('DISK_FULL', 'backup.restoringNeedsFreeDisk', {
        needed: formatMB(needed),
        free: formatMB(free),
      });
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
        throw AppError.keyed('CONFLICT', 'backup.appearedDataFolderDuring', { rel });
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
      // The label counts' triggers follow a document's writes only once it exists: annotations come first here.
      recountLabels(db, projectId);
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
