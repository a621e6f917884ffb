import type { Project, ProjectKind } from '../../../shared/projects';
import { AppError, notFound } from '../../core/errors';
import type { Db } from '../../core/store/db';
import type { Paths } from '../../core/paths';
import { existsSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { nowIso } from '../../core/time';
import { audit } from '../../core/audit';

interface ProjectRow {
  id: number;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
  is_demo: number;
  kind: ProjectKind;
  example_count: number;
  label_count: number;
}

const SELECT = `
  SELECT p.*, 
    -- The live documents as migration 022's triggers keep them, and the few removed ones (index examples_excluded):
    -- a project of a million documents is not counted one by one on every read.
    (SELECT COALESCE(SUM(c.n), 0) FROM example_counts c WHERE c.project_id = p.id)
      + (SELECT COUNT(*) FROM examples e WHERE e.project_id = p.id AND e.excluded = 1) AS example_count,
    (SELECT COUNT(*) FROM labels l WHERE l.project_id = p.id) AS label_count
  FROM projects p`;

function toProject(r: ProjectRow): Project {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    exampleCount: r.example_count,
    labelCount: r.label_count,
    isDemo: r.is_demo === 1,
    kind: r.kind,
  };
}

export function listProjects(db: Db): Project[] {
  return (db.prepare(`${SELECT} ORDER BY p.updated_at DESC, p.id DESC`).all() as ProjectRow[]).map(toProject);
}

export function getProject(db: Db, id: number): Project {
  const row = db.prepare(`${SELECT} WHERE p.id = ?`).get(id) as ProjectRow | undefined;
  if (!row) throw notFound('Project', id);
  return toProject(row);
}

function assertNameFree(db: Db, name: string, exceptId?: number): void {
  const clash = db
    .prepare('SELECT id FROM projects WHERE name = ? COLLATE NOCASE AND id IS NOT ?')
    .get(name, exceptId ?? null);
  if (clash) throw AppError.keyed('CONFLICT', 'projectNameTaken', { name });
}

export function createProject(
  db: Db,
  input: {
    name: string;
    description?: string;
    isDemo?: boolean;
    taskDescription?: string;
    kind?: ProjectKind;
  },
  actor = 'me',
): Project {
  assertNameFree(db, input.name);
  const now = nowIso();
  const info = db
    .prepare(
      `INSERT INTO projects (name, description, task_description, is_demo, kind, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      input.name,
      input.description ?? '',
      input.taskDescription ?? '',
      input.isDemo ? 1 : 0,
      input.kind ?? 'single',
      now,
      now,
    );
  const id = Number(info.lastInsertRowid);
  audit(db, {
    projectId: id,
    actor,
    action: 'create',
    entity: 'project',
    entityId: id,
    details: { name: input.name, ...(input.kind === 'multi' ? { kind: 'multi' } : {}) },
  });
  return getProject(db, id);
}

export function renameProject(db: Db, id: number, name: string, actor = 'me'): Project {
  const before = getProject(db, id);
  assertNameFree(db, name, id);
  db.prepare('UPDATE projects SET name = ?, updated_at = ? WHERE id = ?').run(name, nowIso(), id);
  audit(db, {
    projectId: id,
    actor,
    action: 'rename',
    entity: 'project',
    entityId: id,
    details: { from: before.name, to: name },
  });
  return getProject(db, id);
}

/** Deletes a project and everything in it; the caller must repeat its name, so a slip cannot delete data. */
const BACKUP_SUFFIX = '.distillery-backup';

/**
 * The files and folders of the data folder a project owns: its student run folders, and every path under runs/,
 * uploads/ or exports/ its rows name (jobs' parameters and results, the audit trail, dataset sources, run files).
 * exports/backups and exports/predictions hold many projects' files: there the entry is the file itself. The shared
 * model library (models/) is never a project's.
 */
export function projectFiles(db: Db, paths: Paths, projectId: number): string[] {
  const found = new Set<string>();
  const runs = db
    .prepare('SELECT id, model_path FROM student_runs WHERE project_id = ?')
    .all(projectId) as Array<{
    id: number;
    model_path: string | null;
  }>;
  for (const r of runs) found.add(join(paths.runs, `student-${r.id}`));
  const texts: Array<string | null> = [
    ...runs.map((r) => r.model_path),
    ...db
      .prepare('SELECT params, checkpoint, result FROM jobs WHERE project_id = ?')
      .raw(true)
      .all(projectId)
      .flat(),
    ...db.prepare('SELECT details FROM audit_log WHERE project_id = ?').pluck().all(projectId),
    ...db.prepare('SELECT source_path FROM datasets WHERE project_id = ?').pluck().all(projectId),
    ...db
      .prepare(
        'SELECT c.path FROM checkpoints c JOIN student_runs r ON r.id = c.run_id WHERE r.project_id = ?',
      )
      .pluck()
      .all(projectId),
  ] as Array<string | null>;
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const s = esc(sep);
  const pattern = new RegExp(
    `${esc(paths.dataDir + sep)}(runs|uploads|exports)${s}((?:backups|predictions)${s})?([^${s}"\\n\\r\\t]+)`,
    'g',
  );
  for (const text of texts) {
    if (typeof text !== 'string' || !text.includes(paths.dataDir)) continue;
    for (const m of text.matchAll(pattern)) {
      const entry = join(paths.dataDir, m[1], ...(m[2] ? [m[2].slice(0, -1)] : []), m[3]);
      found.add(entry);
      // A student export folder in exports/ comes with its zip.
      if (m[1] === 'exports' && !m[2]) found.add(`${entry}.zip`);
    }
  }
  return [...found].filter((f) => existsSync(f)).sort();
}

/**
 * Deletes a project and everything it owns: its rows (with secure_delete on, their pages are overwritten), the
 * staged rows of its imports, its search-index entries (merged away), its files in the data folder (run folders,
 * uploads, exports, backups unless kept), and the write-ahead log that still held old copies of its pages.
 */
export function deleteProject(
  db: Db,
  paths: Paths,
  id: number,
  confirmName: string,
  opts: { actor?: string; keepBackups?: boolean } = {},
): { removedFiles: number; keptBackups: string[] } {
  const project = getProject(db, id);
  if (confirmName.trim() !== project.name) {
    throw AppError.keyed('INVALID_INPUT', 'projects.deleteTypeProjectS', { name: project.name });
  }
  const active = db
    .prepare(`SELECT id FROM jobs WHERE project_id = ? AND state IN ('queued', 'running', 'paused')`)
    .pluck()
    .get(id) as number | undefined;
  if (active !== undefined) {
    throw AppError.keyed('CONFLICT', 'projects.jobProjectStillWorking', { active });
  }
  const files = projectFiles(db, paths, id);
  const backups = files.filter((f) => f.endsWith(BACKUP_SUFFIX));
  const keptBackups = opts.keepBackups ? backups : [];
  const jobIds = db.prepare('SELECT id FROM jobs WHERE project_id = ?').pluck().all(id) as number[];
  db.transaction(() => {
    const dropStaged = db.prepare('DELETE FROM import_staging WHERE job_id = ?');
    for (const j of jobIds) dropStaged.run(j);
    db.prepare('DELETE FROM projects WHERE id = ?').run(id);
    // The project's own audit trail goes with it; the deletion itself is kept at the app level.
    audit(db, {
      projectId: null,
      actor: opts.actor ?? 'me',
      action: 'delete',
      entity: 'project',
      entityId: id,
      details: { name: project.name, files: files.length - keptBackups.length },
    });
  })();
  // The trigram index keeps deleted entries until its segments are merged.
  db.prepare(`INSERT INTO examples_fts (examples_fts) VALUES ('optimize')`).run();
  // Old page images of the project live on in the write-ahead log until it is checkpointed and emptied.
  db.pragma('wal_checkpoint(TRUNCATE)');
  let removedFiles = 0;
  for (const f of files) {
    if (keptBackups.includes(f)) continue;
    const rel = relative(paths.dataDir, f);
    if (rel.startsWith('..') || isAbsolute(rel)) continue;
    rmSync(f, { recursive: true, force: true });
    removedFiles++;
  }
  return { removedFiles, keptBackups };
}

export function touchProject(db: Db, id: number): void {
  db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(nowIso(), id);
}
