/**
 * Owned by the dataset feature (issue 19): how many live documents (not removed by cleaning) a project holds, by
 * split and by length bin, kept by triggers on `examples` in the same statement as every write, whoever writes (the
 * import, cleaning, splitting, a restore, a project's deletion). The Data step's totals, split counts and length
 * histogram, and the review queues' document count, read these few rows instead of a million documents.
 * - split is '' for a document in no split (a primary key column cannot be NULL here).
 * - length_bin is the lower bound of the document's length bin in characters (LENGTH_BIN_BOUNDS, frozen here: other
 *   bins need a migration that rebuilds the table).
 * - No foreign key: a backup carries no rows of this table (its restore's inserts rebuild them); a project's
 *   deletion deletes its rows by trigger.
 * - team_adjudications_annotation: whether an annotation is a lead's decision (agreement leaves those out) is one seek,
 *   not a scan of the decisions per annotation.
 * Each insert costs one upsert into this small table (about a microsecond). Filling it reads each document once
 * (about a second at a million documents).
 */
export const LENGTH_BIN_BOUNDS = [0, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;

/** SQL: the length bin of a length expression (its lower bound). */
function binOf(length: string): string {
  const whens = LENGTH_BIN_BOUNDS.slice(0, -1).map(
    (b, i) => `WHEN ${length} < ${LENGTH_BIN_BOUNDS[i + 1]} THEN ${b}`,
  );
  return `CASE ${whens.join(' ')} ELSE ${LENGTH_BIN_BOUNDS[LENGTH_BIN_BOUNDS.length - 1]} END`;
}

const ADD_NEW = `INSERT INTO example_counts (project_id, split, length_bin, n)
    SELECT new.project_id, COALESCE(new.split, ''), ${binOf('new.length')}, 1 WHERE new.excluded = 0
    ON CONFLICT (project_id, split, length_bin) DO UPDATE SET n = n + 1;`;

const REMOVE_OLD = `UPDATE example_counts SET n = n - 1
    WHERE old.excluded = 0 AND project_id = old.project_id AND split = COALESCE(old.split, '')
      AND length_bin = ${binOf('old.length')};`;

export const migration022ExampleCounts = `
CREATE TABLE example_counts (
  project_id INTEGER NOT NULL,
  split TEXT NOT NULL,
  length_bin INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (project_id, split, length_bin)
) STRICT;

INSERT INTO example_counts (project_id, split, length_bin, n)
SELECT project_id, COALESCE(split, ''), ${binOf('length')}, COUNT(*) FROM examples NOT INDEXED WHERE excluded = 0
GROUP BY 1, 2, 3;

CREATE TRIGGER example_counts_insert AFTER INSERT ON examples WHEN new.excluded = 0 BEGIN
  ${ADD_NEW}
END;
CREATE TRIGGER example_counts_delete AFTER DELETE ON examples WHEN old.excluded = 0 BEGIN
  ${REMOVE_OLD}
END;
CREATE TRIGGER example_counts_update AFTER UPDATE OF project_id, split, length, excluded ON examples
WHEN old.excluded = 0 OR new.excluded = 0 BEGIN
  ${REMOVE_OLD}
  ${ADD_NEW}
END;
CREATE INDEX team_adjudications_annotation ON team_adjudications (annotation_id);

CREATE TRIGGER example_counts_project_delete AFTER DELETE ON projects BEGIN
  DELETE FROM example_counts WHERE project_id = old.id;
END;
`;
