/**
 * Schema v4: owned by the review feature.
 * review_positions: where each annotator was in a project (reopening resumes there).
 * The indexes keep "next document" a seek, not a scan, on projects with a million documents.
 */
export const migration004 = `
CREATE TABLE review_positions (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  annotator TEXT NOT NULL,
  queue TEXT NOT NULL,
  example_id INTEGER,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (project_id, annotator)
) STRICT;

CREATE INDEX review_examples_live ON examples (project_id, split) WHERE excluded = 0;
CREATE INDEX review_annotations_annotator ON annotations (project_id, annotator, created_at);
CREATE INDEX review_teacher_entropy ON teacher_outputs (run_id, entropy, example_id);
CREATE INDEX review_teacher_margin ON teacher_outputs (run_id, margin, example_id);
`;
