/**
 * Schema v6: owned by the evaluation feature.
 * Documents a person sent from Evaluate to the Review queue; the review feature reads the open ones
 * (`done_at IS NULL`) and marks them done. At most one open request per document.
 */
export const migration006 = `
CREATE TABLE eval_review_requests (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  example_id INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
  reason TEXT NOT NULL DEFAULT '',
  requested_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  done_at TEXT
) STRICT;
CREATE UNIQUE INDEX eval_review_requests_open ON eval_review_requests (example_id) WHERE done_at IS NULL;
CREATE INDEX eval_review_requests_project ON eval_review_requests (project_id, done_at);
`;
