import { TeacherDraft } from '../../../shared/teacher';
import { parseStored } from '../../../shared/storedJson';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { getProject } from '../projects/projects';

/** The project's Teacher step as the person left it; null before they changed anything. */
export function getDraft(db: Db, projectId: number): TeacherDraft | null {
  getProject(db, projectId);
  const row = db.prepare('SELECT draft FROM teacher_drafts WHERE project_id = ?').get(projectId) as
    { draft: string } | undefined;
  if (!row) return null;
  // A draft is the person's unfinished form: one of another shape (an older version's) is forgotten, not an error.
  const read = parseStored(TeacherDraft.nullable(), row.draft);
  const draft = read.ok ? read.value : null;
  if (!draft) return null;
  // A model removed from the library since is not offered again.
  const model =
    draft.modelId === null
      ? null
      : db.prepare('SELECT id FROM teacher_models WHERE id = ?').get(draft.modelId);
  return model || draft.modelId === null ? draft : { ...draft, modelId: null };
}

export function saveDraft(db: Db, projectId: number, draft: TeacherDraft): void {
  getProject(db, projectId);
  db.prepare(
    `INSERT INTO teacher_drafts (project_id, draft, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (project_id) DO UPDATE SET draft = excluded.draft, updated_at = excluded.updated_at`,
  ).run(projectId, JSON.stringify(draft), nowIso());
}
