/**
 * Schema v3: owned by the teacher feature. Which examples a teacher run covers, and each one's state, so that a
 * run resumes after a crash with no example labelled twice or lost, and failures (non-finite outputs) are reported.
 */
export const migration003 = `
CREATE TABLE teacher_run_targets (
  run_id INTEGER NOT NULL REFERENCES teacher_runs(id) ON DELETE CASCADE,
  example_id INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
  error TEXT,
  PRIMARY KEY (run_id, example_id)
) STRICT;
CREATE INDEX teacher_run_targets_status ON teacher_run_targets (run_id, status, position);
`;
