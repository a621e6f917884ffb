import type { Project } from '../../../shared/projects';
import { AppError, notFound } from '../../core/errors';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { audit } from '../../core/audit';

interface ProjectRow {
  id: number;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
  is_demo: number;
  example_count: number;
  label_count: number;
}

const SELECT = `
  SELECT p.*, 
    (SELECT COUNT(*) FROM examples e WHERE e.project_id = p.id) AS example_count,
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
  if (clash) throw new AppError('CONFLICT', `A project named "${name}" already exists. Choose another name.`);
}

export function createProject(
  db: Db,
  input: { name: string; description?: string; isDemo?: boolean; taskDescription?: string },
  actor = 'me',
): Project {
  assertNameFree(db, input.name);
  const now = nowIso();
  const info = db
    .prepare(
      'INSERT INTO projects (name, description, task_description, is_demo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(input.name, input.description ?? '', input.taskDescription ?? '', input.isDemo ? 1 : 0, now, now);
  const id = Number(info.lastInsertRowid);
  audit(db, {
    projectId: id,
    actor,
    action: 'create',
    entity: 'project',
    entityId: id,
    details: { name: input.name },
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
export function deleteProject(db: Db, id: number, confirmName: string, actor = 'me'): void {
  const project = getProject(db, id);
  if (confirmName.trim() !== project.name) {
    throw new AppError('INVALID_INPUT', `To delete it, type the project's name exactly: "${project.name}".`);
  }
  db.transaction(() => {
    db.prepare('DELETE FROM projects WHERE id = ?').run(id);
    // The project's own audit trail goes with it; the deletion itself is kept at the app level.
    audit(db, {
      projectId: null,
      actor,
      action: 'delete',
      entity: 'project',
      entityId: id,
      details: { name: project.name },
    });
  })();
}

export function touchProject(db: Db, id: number): void {
  db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(nowIso(), id);
}
