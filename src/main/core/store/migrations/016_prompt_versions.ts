/**
 * Owned by the teacher feature (the prompt lab).
 * teacher_prompt_versions: a named, saved prompt of a project (template, task description, mode, few-shot count), with
 * who saved it and when; versions are never edited, a change is a new version. teacher_runs.prompt_version_id: the
 * version a run was started from (null for a prompt that was not saved as a version, or a version since deleted).
 */
export const migration016PromptVersions = `
CREATE TABLE teacher_prompt_versions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  name TEXT NOT NULL,
  template TEXT NOT NULL,
  task TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('direct', 'reasoning')),
  few_shot INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (project_id, number)
) STRICT;

ALTER TABLE teacher_runs ADD COLUMN prompt_version_id INTEGER REFERENCES teacher_prompt_versions(id) ON DELETE SET NULL;
`;
