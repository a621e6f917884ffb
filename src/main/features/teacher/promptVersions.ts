import {
  DEFAULT_PROMPT_TEMPLATE,
  PROMPT_VERSION_FIELDS,
  type PromptDiff,
  type PromptVersion,
  type PromptVersionField,
  type TeacherMode,
} from '../../../shared/teacher';
import { currentActor } from '../../core/actor';
import { audit } from '../../core/audit';
import { AppError, notFound } from '../../core/errors';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { getSettings } from '../app/settings';
import { getProject } from '../projects/projects';
import { lineDiff } from './lineDiff';
import { checkTemplate } from './prompt';

interface VersionRow {
  id: number;
  project_id: number;
  number: number;
  name: string;
  template: string;
  task: string;
  mode: TeacherMode;
  few_shot: number;
  created_by: string;
  created_at: string;
}

type Content = Pick<PromptVersion, 'template' | 'task' | 'mode' | 'fewShot'>;

/** The fields in which two prompts differ. */
export function changedFields(a: Content | null, b: Content): PromptVersionField[] {
  if (!a) return [...PROMPT_VERSION_FIELDS];
  return PROMPT_VERSION_FIELDS.filter((f) => a[f] !== b[f]);
}

function toVersion(r: VersionRow, previous: Content | null): PromptVersion {
  const content: Content = { template: r.template, task: r.task, mode: r.mode, fewShot: r.few_shot };
  return {
    id: r.id,
    projectId: r.project_id,
    number: r.number,
    name: r.name,
    ...content,
    createdBy: r.created_by,
    createdAt: r.created_at,
    changed: changedFields(previous, content),
  };
}

/** The project's prompt versions, oldest first, each with what changed from the one before. */
export function listPromptVersions(db: Db, projectId: number): PromptVersion[] {
  getProject(db, projectId);
  const rows = db
    .prepare('SELECT * FROM teacher_prompt_versions WHERE project_id = ? ORDER BY number')
    .all(projectId) as VersionRow[];
  return rows.map((r, i) => toVersion(r, i ? toVersion(rows[i - 1], null) : null));
}

export function getPromptVersion(db: Db, versionId: number): PromptVersion {
  const row = db.prepare('SELECT project_id FROM teacher_prompt_versions WHERE id = ?').get(versionId) as
    { project_id: number } | undefined;
  if (!row) throw notFound('Prompt version', versionId);
  const found = listPromptVersions(db, row.project_id).find((v) => v.id === versionId);
  if (!found) throw notFound('Prompt version', versionId);
  return found;
}

/** Who is changing the prompt: the logged-in person in team mode, the local user's name otherwise. */
function actorName(db: Db): string {
  return currentActor()?.username ?? getSettings(db).annotator;
}

/** Saves a new version (numbered after the project's last one); the template must be usable by the teacher. */
export function savePromptVersion(
  db: Db,
  input: { projectId: number; name: string } & Content,
): PromptVersion {
  getProject(db, input.projectId);
  const template = input.template.trim() ? input.template : DEFAULT_PROMPT_TEMPLATE;
  checkTemplate(template);
  const name = input.name.trim();
  if (!name) throw AppError.keyed('INVALID_INPUT', 'teacher.givePromptVersionName', {});
  const id = db.transaction(() => {
    const last = db
      .prepare('SELECT COALESCE(MAX(number), 0) AS n FROM teacher_prompt_versions WHERE project_id = ?')
      .get(input.projectId) as { n: number };
    const info = db
      .prepare(
        `INSERT INTO teacher_prompt_versions (project_id, number, name, template, task, mode, few_shot, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.projectId,
        last.n + 1,
        name,
        template,
        input.task,
        input.mode,
        input.fewShot,
        actorName(db),
        nowIso(),
      );
    const versionId = Number(info.lastInsertRowid);
    audit(db, {
      projectId: input.projectId,
      actor: getSettings(db).annotator,
      action: 'prompt_version',
      entity: 'teacher_prompt_version',
      entityId: versionId,
      details: { number: last.n + 1, name },
    });
    return versionId;
  })();
  return getPromptVersion(db, id);
}

/** The line differences of two versions of one project, older first whatever order they are asked in. */
export function diffPromptVersions(db: Db, fromId: number, toId: number): PromptDiff {
  let from = getPromptVersion(db, fromId);
  let to = getPromptVersion(db, toId);
  if (from.projectId !== to.projectId) {
    throw AppError.keyed('INVALID_INPUT', 'teacher.theseTwoPromptVersions', {});
  }
  if (from.number > to.number) [from, to] = [to, from];
  return {
    from,
    to,
    changed: changedFields(from, to),
    template: lineDiff(from.template, to.template),
    task: lineDiff(from.task, to.task),
  };
}

/** The project's task description: what {{task}} is replaced by. */
export function projectTask(db: Db, projectId: number): string {
  getProject(db, projectId);
  return (
    db.prepare('SELECT task_description FROM projects WHERE id = ?').get(projectId) as {
      task_description: string;
    }
  ).task_description;
}

export function setProjectTask(db: Db, projectId: number, task: string): { task: string } {
  const before = projectTask(db, projectId);
  if (before === task) return { task };
  db.transaction(() => {
    db.prepare('UPDATE projects SET task_description = ?, updated_at = ? WHERE id = ?').run(
      task,
      nowIso(),
      projectId,
    );
    audit(db, {
      projectId,
      actor: getSettings(db).annotator,
      action: 'task_edit',
      entity: 'project',
      entityId: projectId,
      details: { before, after: task },
    });
  })();
  return { task };
}

/** The newest saved version with exactly this prompt, or null: what a run started without naming a version used. */
export function matchingVersion(db: Db, projectId: number, content: Content): PromptVersion | null {
  const versions = listPromptVersions(db, projectId);
  for (let i = versions.length - 1; i >= 0; i--) {
    if (!changedFields(versions[i], content).length) return versions[i];
  }
  return null;
}
