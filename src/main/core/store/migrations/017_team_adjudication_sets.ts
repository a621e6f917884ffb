/**
 * Owned by team mode (multi-label adjudication, issue 16).
 * team_adjudications.label_set: a lead's decision in a multi-label project is a whole label set (canonical sorted JSON
 * array of ids, [] for "none of these"), and then label_id is NULL; in a single-label project label_id as before.
 * SQLite cannot drop a NOT NULL constraint, so the table is rebuilt with its rows (nothing references it); through a
 * copy rather than a rename, so that the schema keeps its plain CREATE statement.
 */
export const migration017TeamAdjudicationSets = `
CREATE TEMP TABLE team_adjudications_copy AS SELECT * FROM team_adjudications;
DROP TABLE team_adjudications;
CREATE TABLE team_adjudications (
  example_id INTEGER PRIMARY KEY REFERENCES examples(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  annotation_id INTEGER NOT NULL,
  label_id INTEGER,
  label_set TEXT CHECK (label_set IS NULL OR (json_valid(label_set) AND json_type(label_set) = 'array')),
  adjudicator TEXT NOT NULL,
  at TEXT NOT NULL,
  CHECK ((label_id IS NULL) <> (label_set IS NULL))
) STRICT;
INSERT INTO team_adjudications (example_id, project_id, annotation_id, label_id, label_set, adjudicator, at)
  SELECT example_id, project_id, annotation_id, label_id, NULL, adjudicator, at FROM team_adjudications_copy;
DROP TABLE team_adjudications_copy;
`;
