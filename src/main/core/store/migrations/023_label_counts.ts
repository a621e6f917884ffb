/**
 * Owned by review (issue 19): a project's labels and its teacher runs' answers counted by split, kept by triggers in
 * the same statement as every write that changes them, whoever writes (a label, an undo, a bulk accept, an import, a
 * re-import, a teacher run, a calibration, cleaning, splitting, a restore, a deletion). review.counts and
 * student.overview read these few rows (core/labelCounts.ts) instead of a pass over every label and answer.
 * - label_counts: the live documents (not removed by cleaning) with a human answer, by project, split ('' for none)
 *   and answer: the document's label id (the view human_labels), else its label set as JSON text (human_label_sets;
 *   a project holds one kind, chosen at its creation).
 * - answer_counts: a teacher run's answers on live documents, by run, split, the document's human answer as above
 *   (0: none) and the teacher's (a single-label project: predicted_label_id, 0 for none; multi-label: the view
 *   teacher_answers' predicted_set). Its rows with a human answer are the labelled documents the teacher answered.
 * - label_count_pause: while it holds a row (inside one transaction) the annotations' triggers do nothing: an import
 *   adds the counts of a batch of new rows' labels in one grouped statement instead (core/annotations.ts
 *   `importedLabelsWriter`).
 * How: each trigger takes the changed document's (or output's) cells away before the change and adds them from
 * what the database holds after it, so that the rule of "the current label" is the views' own. A document's deletion
 * takes its cells away before the row goes (its annotations and outputs then go by cascade without a document to
 * count). A project's or a run's deletion deletes its rows. No foreign key: a backup carries none of these rows, and a
 * restore's inserts count again.
 * Costs: an annotation's write or a teacher output's a few index seeks (a document's cells are one row, plus one per
 * teacher run that answered it); a document's change of split or cleaning the same. Filling reads every current label
 * and every teacher answer once.
 */

/** SQL: the human answer of document `id` (a label id, else a label set's JSON), or NULL. */
export function humanAnswerSql(id: string): string {
  return `COALESCE((SELECT hl.label_id FROM human_labels hl WHERE hl.example_id = ${id}),
    (SELECT hs.label_set FROM human_label_sets hs WHERE hs.example_id = ${id}))`;
}

/** SQL: the teacher's answer in answer_counts, for the teacher_answers alias `t` in project alias `p`. */
const TEACHER_VALUE = `CASE WHEN p.kind = 'multi' THEN t.predicted_set ELSE COALESCE(t.predicted_label_id, 0) END`;

/** The label_counts cell of document `id` (columns project_id, split, human, n). */
function labelCell(id: string): string {
  return `SELECT e.project_id AS project_id, COALESCE(e.split, '') AS split, h.v AS human, 1 AS n
    FROM examples e, (SELECT ${humanAnswerSql(id)} AS v) h
    WHERE e.id = ${id} AND e.excluded = 0 AND h.v IS NOT NULL
      AND EXISTS (SELECT 1 FROM projects p WHERE p.id = e.project_id)`;
}

/** The answer_counts cells of the teacher outputs matching `where` (alias t): one per output, each of its own run. */
function answerCells(where: string): string {
  return `SELECT t.run_id AS run_id, COALESCE(e.split, '') AS split, COALESCE(${humanAnswerSql('e.id')}, 0) AS human,
      ${TEACHER_VALUE} AS teacher, 1 AS n
    FROM teacher_answers t JOIN examples e ON e.id = t.example_id JOIN projects p ON p.id = e.project_id
    WHERE ${where} AND e.excluded = 0 AND EXISTS (SELECT 1 FROM teacher_runs r WHERE r.id = t.run_id)`;
}

const ADD_LABEL = (id: string): string => `INSERT INTO label_counts (project_id, split, human, n)
    ${labelCell(id)} ON CONFLICT (project_id, split, human) DO UPDATE SET n = n + 1;`;
const TAKE_LABEL = (id: string): string => `UPDATE label_counts SET n = n - 1
    WHERE (project_id, split, human) IN (SELECT c.project_id, c.split, c.human FROM (${labelCell(id)}) c);`;
const ADD_ANSWERS = (where: string): string => `INSERT INTO answer_counts (run_id, split, human, teacher, n)
    ${answerCells(where)} ON CONFLICT (run_id, split, human, teacher) DO UPDATE SET n = n + 1;`;
const TAKE_ANSWERS = (where: string): string => `UPDATE answer_counts SET n = n - 1
    WHERE (run_id, split, human, teacher) IN (SELECT c.run_id, c.split, c.human, c.teacher FROM (${answerCells(where)}) c);`;

/** SQL: the annotators' current labels (sets) of document `id` are not all the same (a conflict for a lead). */
function conflicted(id: string): string {
  // First the cheap test (two people answered at all), which most documents fail.
  return `(SELECT COUNT(DISTINCT m.annotator) FROM annotations m
      WHERE m.example_id = ${id} AND m.retracted_at IS NULL) > 1
    AND ((SELECT COUNT(DISTINCT a.label_id) FROM annotator_labels a WHERE a.example_id = ${id}) > 1
    OR (SELECT COUNT(DISTINCT s.label_set) FROM annotator_label_sets s WHERE s.example_id = ${id}) > 1)`;
}

/** SQL: a lead's decision of document `e.id` is in force (the view current_adjudications). */
const ADJUDICATED_NOW = 'EXISTS (SELECT 1 FROM current_adjudications j WHERE j.example_id = e.id)';

/** SQL: the decision whose annotation is `annotation` is in force (current_adjudications' rule, for a removed row). */
function adjudicatedBy(annotation: string): string {
  return `${annotation} IN (SELECT hl.id FROM human_labels hl WHERE hl.example_id = e.id
    UNION ALL SELECT hs.id FROM human_label_sets hs WHERE hs.example_id = e.id)`;
}

/** The conflict_counts cell of document `id` (an open conflict), a lead's decision in force when `adjudicated`. */
function conflictCell(id: string, adjudicated: string): string {
  return `SELECT e.project_id AS project_id, COALESCE(e.split, '') AS split, 1 AS n FROM examples e
    WHERE e.id = ${id} AND e.excluded = 0 AND EXISTS (SELECT 1 FROM projects p WHERE p.id = e.project_id)
      AND ${conflicted('e.id')} AND NOT (${adjudicated})`;
}

const ADD_CONFLICT = (id: string, adjudicated = ADJUDICATED_NOW): string => `INSERT INTO conflict_counts
    (project_id, split, n) ${conflictCell(id, adjudicated)} ON CONFLICT (project_id, split) DO UPDATE SET n = n + 1;`;
const TAKE_CONFLICT = (
  id: string,
  adjudicated = ADJUDICATED_NOW,
): string => `UPDATE conflict_counts SET n = n - 1
    WHERE (project_id, split) IN (SELECT c.project_id, c.split FROM (${conflictCell(id, adjudicated)}) c);`;

/** Every cell of a document: its label, every run's answer on it, an open conflict. */
const TAKE_DOCUMENT = (id: string): string =>
  [TAKE_LABEL(id), TAKE_ANSWERS(`t.example_id = ${id}`), TAKE_CONFLICT(id)].join('\n  ');
const ADD_DOCUMENT = (id: string): string =>
  [ADD_LABEL(id), ADD_ANSWERS(`t.example_id = ${id}`), ADD_CONFLICT(id)].join('\n  ');

const LIVE = 'NOT EXISTS (SELECT 1 FROM label_count_pause)';

/**
 * SQL: document `id` has an annotation or a teacher output (two index probes): a document with neither has no cell,
 * so that cleaning, splitting or deleting unlabelled documents costs no more than these probes.
 */
const ANSWERED = (id: string): string => `(EXISTS (SELECT 1 FROM annotations x WHERE x.example_id = ${id})
    OR EXISTS (SELECT 1 FROM teacher_outputs o WHERE o.example_id = ${id}))`;
const ONE_OUTPUT = (row: 'new' | 'old'): string =>
  `t.run_id = ${row}.run_id AND t.example_id = ${row}.example_id`;

/**
 * The two triggers of one kind of write to annotations: the document's cells taken away before it (the document of
 * row `before`) and added back after it (of row `after`).
 */
function annotationTriggers(name: string, event: string, before: 'new' | 'old', after = before): string {
  return `CREATE TRIGGER label_counts_annotation_before_${name} BEFORE ${event} ON annotations WHEN ${LIVE} BEGIN
  ${TAKE_DOCUMENT(`${before}.example_id`)}
END;
CREATE TRIGGER label_counts_annotation_after_${name} AFTER ${event} ON annotations WHEN ${LIVE} BEGIN
  ${ADD_DOCUMENT(`${after}.example_id`)}
END;`;
}

/** The triggers, on their own: the schema test and a repair after a fault read them. */
export const LABEL_COUNT_TRIGGERS = `
${annotationTriggers('insert', 'INSERT', 'new')}
${annotationTriggers('update', 'UPDATE OF label_id, label_set, retracted_at, created_at', 'old', 'new')}
${annotationTriggers('delete', 'DELETE', 'old')}

CREATE TRIGGER label_counts_output_insert AFTER INSERT ON teacher_outputs BEGIN
  ${ADD_ANSWERS(ONE_OUTPUT('new'))}
END;
CREATE TRIGGER label_counts_output_before_update BEFORE UPDATE OF predicted_label_id, probs ON teacher_outputs BEGIN
  ${TAKE_ANSWERS(ONE_OUTPUT('old'))}
END;
CREATE TRIGGER label_counts_output_after_update AFTER UPDATE OF predicted_label_id, probs ON teacher_outputs BEGIN
  ${ADD_ANSWERS(ONE_OUTPUT('new'))}
END;
CREATE TRIGGER label_counts_output_delete BEFORE DELETE ON teacher_outputs BEGIN
  ${TAKE_ANSWERS(ONE_OUTPUT('old'))}
END;

CREATE TRIGGER label_counts_example_before_update BEFORE UPDATE OF split, excluded ON examples
WHEN (old.split IS NOT new.split OR old.excluded IS NOT new.excluded) AND ${ANSWERED('old.id')} BEGIN
  ${TAKE_DOCUMENT('old.id')}
END;
CREATE TRIGGER label_counts_example_after_update AFTER UPDATE OF split, excluded ON examples
WHEN (old.split IS NOT new.split OR old.excluded IS NOT new.excluded) AND ${ANSWERED('new.id')} BEGIN
  ${ADD_DOCUMENT('new.id')}
END;
CREATE TRIGGER label_counts_example_delete BEFORE DELETE ON examples
WHEN old.excluded = 0 AND EXISTS (SELECT 1 FROM projects p WHERE p.id = old.project_id) AND ${ANSWERED('old.id')}
BEGIN
  ${TAKE_DOCUMENT('old.id')}
END;

-- A decision written by an upsert takes the update path (no AFTER INSERT): before an insert there was no decision.
CREATE TRIGGER label_counts_adjudication_insert AFTER INSERT ON team_adjudications BEGIN
  ${TAKE_CONFLICT('new.example_id', '0')}
  ${ADD_CONFLICT('new.example_id')}
END;
CREATE TRIGGER label_counts_adjudication_update AFTER UPDATE ON team_adjudications BEGIN
  ${TAKE_CONFLICT('old.example_id', adjudicatedBy('old.annotation_id'))}
  ${ADD_CONFLICT('new.example_id')}
END;
CREATE TRIGGER label_counts_adjudication_delete AFTER DELETE ON team_adjudications BEGIN
  ${TAKE_CONFLICT('old.example_id', adjudicatedBy('old.annotation_id'))}
  ${ADD_CONFLICT('old.example_id')}
END;

CREATE TRIGGER label_counts_run_delete AFTER DELETE ON teacher_runs BEGIN
  DELETE FROM answer_counts WHERE run_id = old.id;
END;
CREATE TRIGGER label_counts_project_delete AFTER DELETE ON projects BEGIN
  DELETE FROM label_counts WHERE project_id = old.id;
  DELETE FROM conflict_counts WHERE project_id = old.id;
END;
`;

/**
 * SQL that adds (`sign` 1) or takes away (-1) the cells of some documents in grouped statements: the labels of the
 * documents `labelDocs` lists (a query of ids named id), the teacher outputs that `answerWhere` selects (a condition on
 * the teacher_answers alias t and the examples alias e), the open conflicts of the documents `conflictDocs` lists.
 */
function cellsSql(d: { labelDocs: string; answerWhere: string; conflictDocs: string }, sign: 1 | -1): string {
  return `
INSERT INTO label_counts (project_id, split, human, n)
SELECT e.project_id, COALESCE(e.split, ''), h.v, ${sign} * COUNT(*)
FROM (SELECT d.id, ${humanAnswerSql('d.id')} AS v FROM (${d.labelDocs}) d) h
JOIN examples e ON e.id = h.id
WHERE e.excluded = 0 AND h.v IS NOT NULL
GROUP BY 1, 2, 3
ON CONFLICT (project_id, split, human) DO UPDATE SET n = n + excluded.n;

INSERT INTO answer_counts (run_id, split, human, teacher, n)
SELECT c.run_id, c.split, c.human, c.teacher, ${sign} * COUNT(*) FROM (${answerCells(d.answerWhere)}) c
GROUP BY 1, 2, 3, 4
ON CONFLICT (run_id, split, human, teacher) DO UPDATE SET n = n + excluded.n;

INSERT INTO conflict_counts (project_id, split, n)
SELECT e.project_id, COALESCE(e.split, ''), ${sign} * COUNT(*)
FROM (${d.conflictDocs}) m JOIN examples e ON e.id = m.id
WHERE e.excluded = 0 AND ${conflicted('e.id')} AND NOT ${ADJUDICATED_NOW}
GROUP BY 1, 2
ON CONFLICT (project_id, split) DO UPDATE SET n = n + excluded.n;
`;
}

/**
 * SQL that counts every current label, teacher answer and open conflict of project `projectId` (every project when
 * null) into the tables, where they have no rows yet: what the triggers would have counted.
 */
export function fillLabelCountsSql(projectId: number | null): string {
  const a = projectId === null ? '' : `AND a.project_id = ${projectId}`;
  return cellsSql(
    {
      labelDocs: `SELECT DISTINCT a.example_id AS id FROM annotations a WHERE a.retracted_at IS NULL ${a}`,
      answerWhere: projectId === null ? '1' : `e.project_id = ${projectId}`,
      conflictDocs: `SELECT a.example_id AS id FROM annotations a WHERE a.retracted_at IS NULL ${a}
        GROUP BY a.example_id HAVING COUNT(DISTINCT a.annotator) > 1`,
    },
    1,
  );
}

/**
 * SQL that takes away (-1) or adds back (1) the cells of the documents in the temporary table `docs` (column id): a
 * batch of writes with the annotation triggers held off is counted by these two grouped passes instead
 * (core/labelCounts.ts `withLabelCountsBatched`).
 */
export function documentCellsSql(docs: string, sign: 1 | -1): string {
  const ids = `SELECT id FROM ${docs}`;
  return cellsSql({ labelDocs: ids, answerWhere: `t.example_id IN (${ids})`, conflictDocs: ids }, sign);
}

export const migration023LabelCounts = `
CREATE TABLE label_counts (
  project_id INTEGER NOT NULL,
  split TEXT NOT NULL,
  human ANY NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (project_id, split, human)
) STRICT;
CREATE TABLE answer_counts (
  run_id INTEGER NOT NULL,
  split TEXT NOT NULL,
  human ANY NOT NULL,
  teacher ANY NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (run_id, split, human, teacher)
) STRICT;
CREATE TABLE conflict_counts (
  project_id INTEGER NOT NULL,
  split TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (project_id, split)
) STRICT;
CREATE TABLE label_count_pause (
  one INTEGER PRIMARY KEY CHECK (one = 1)
) STRICT;

${fillLabelCountsSql(null)}
${LABEL_COUNT_TRIGGERS}`;
