/**
 * Owned by the teacher feature.
 * teacher_drafts: what a person set up in the Teacher step (model, prompt, mode...), kept per project so that leaving
 * the step and coming back loses nothing. teacher_outputs.truncated: the document was cut to fit the model's context.
 */
export const migration009TeacherDrafts = `
CREATE TABLE teacher_drafts (
  project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  draft TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

ALTER TABLE teacher_outputs ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1));
`;
