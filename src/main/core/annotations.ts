import type { PERSON_CHOSEN_SOURCES, TEACHER_ACCEPT_SOURCES } from './labels';
import type { Db } from './store/db';

/**
 * The one writer of the `annotations` table for review and team: labelling, accepting the teacher (one document or
 * in bulk), undo, merging another copy's annotations, a lead's decision. Annotations are a history: a label change
 * adds a row (the newest one that is not retracted is the document's label, core/labels.ts), an undo retracts rows,
 * nothing is updated in place or deleted. The rules about which label counts are read in core/labels.ts and the
 * views of migration 011; what a feature checks before it writes (the project's kind, the test split) stays in
 * the feature. The demo project's seed writes through it too. A file's labels are import annotations written
 * set-based here (`addImportedLabels`, one statement per batch of rows); only a re-import that updates rows by id
 * writes its own from its staging file (importCommit.ts).
 */

/** Where an annotation's label came from (see core/labels.ts `PERSON_CHOSEN_SOURCES`). */
export type AnnotationSource =
  (typeof PERSON_CHOSEN_SOURCES)[number] | (typeof TEACHER_ACCEPT_SOURCES)[number];

/** A new annotation: one answer for one document, by one annotator, at one time. */
export interface NewAnnotation {
  readonly projectId: number;
  readonly exampleId: number;
  /** Single-label: the label; null in a multi-label project. */
  readonly labelId: number | null;
  /** Multi-label: the label set, sorted ids without repeats ([] is "none of these"); null in a single-label one. */
  readonly labelSet: readonly number[] | null;
  readonly annotator: string;
  readonly source: AnnotationSource;
  /** Whether the answer is the teacher's (null: there was no teacher label to compare with, or it is not known). */
  readonly acceptedTeacher?: boolean | null;
  readonly timeSpentMs?: number | null;
  readonly createdAt: string;
}

/**
 * Prepares the insert once and returns a function that adds one annotation and answers its id: for a loop inside
 * the caller's transaction (a bulk accept, a merge), as for a single label.
 */
export function annotationWriter(db: Db): (a: NewAnnotation) => number {
  const insert = db.prepare(
    `INSERT INTO annotations (project_id, example_id, label_id, label_set, annotator, source, accepted_teacher,
       time_spent_ms, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return (a) => Number(insert.run(columnsOf(a)).lastInsertRowid);
}

/** Rows per statement of `addAnnotations` (9 parameters each, far below SQLite's limit). */
const ROWS_PER_STATEMENT = 100;

/**
 * Adds many annotations, a hundred rows per statement: with triggers on the table (migration 023) each statement
 * inside a transaction opens a statement journal, which a statement per row would pay for every row (a bulk accept).
 */
export function addAnnotations(db: Db, rows: readonly NewAnnotation[]): void {
  const statement = (n: number): ReturnType<Db['prepare']> =>
    db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, label_set, annotator, source, accepted_teacher,
         time_spent_ms, created_at)
       VALUES ${Array<string>(n).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    );
  const full = rows.length >= ROWS_PER_STATEMENT ? statement(ROWS_PER_STATEMENT) : null;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const part = rows.slice(i, i + ROWS_PER_STATEMENT);
    (part.length === ROWS_PER_STATEMENT && full ? full : statement(part.length)).run(part.flatMap(columnsOf));
  }
}

/** The insert's values of one annotation, in the order of `annotationWriter`'s columns. */
function columnsOf(a: NewAnnotation): Array<string | number | null> {
  return [
    a.projectId,
    a.exampleId,
    a.labelId,
    a.labelSet === null ? null : JSON.stringify(a.labelSet),
    a.annotator,
    a.source,
    a.acceptedTeacher === undefined || a.acceptedTeacher === null ? null : a.acceptedTeacher ? 1 : 0,
    a.timeSpentMs ?? null,
    a.createdAt,
  ];
}

/** Adds one annotation; answers its id. */
export function addAnnotation(db: Db, a: NewAnnotation): number {
  return annotationWriter(db)(a);
}

/** Retracts one annotation (an undo); answers how many rows it retracted (0 when it already was). */
export function retractAnnotation(db: Db, annotationId: number, at: string): number {
  return db
    .prepare('UPDATE annotations SET retracted_at = ? WHERE id = ? AND retracted_at IS NULL')
    .run(at, annotationId).changes;
}

/**
 * Retracts every row of one bulk accept (an annotator's `bulk` rows share the action's time stamp), so that one undo
 * takes the whole action back; answers how many rows it retracted.
 */
export function retractBulkAction(
  db: Db,
  projectId: number,
  annotator: string,
  stamp: string,
  at: string,
): number {
  return db
    .prepare(
      `UPDATE annotations SET retracted_at = ? WHERE project_id = ? AND annotator = ? AND source = 'bulk'
         AND created_at = ? AND retracted_at IS NULL`,
    )
    .run(at, projectId, annotator, stamp).changes;
}

/** SQL: the label ids (a sorted JSON array) of the names in e.imported_label, a multi-label row's JSON array. */
export const LABEL_SET_OF_IMPORTED = `(SELECT json_group_array(id) FROM (SELECT l.id FROM json_each(e.imported_label) j
    JOIN labels l ON l.project_id = e.project_id AND l.name = j.value ORDER BY l.id))`;

/**
 * Prepares the statement that writes a file's labels (`examples.imported_label`) as import annotations of the rows
 * one import added to a dataset after the row id `afterId`: one set-based INSERT ... SELECT per batch rather than a
 * call per row (a million rows are one statement per 10,000). Multi-label: the row's names as a label set; rows
 * without a label get none. The labels must exist already (the import creates them in the same transaction). Call it
 * inside a transaction, for rows the import has just added (their labels are counted per batch, migration 023).
 * A single-label import may pass the batch's labels as it counted them while reading (`tally`: split, '' for none,
 * label name and rows): they are added to the counts as they are, rather than read back from the rows written,
 * when they account for every annotation written (else, or for a label set, the rows are read back).
 */
export function importedLabelsWriter(
  db: Db,
  multiLabel: boolean,
): (batch: {
  readonly afterId: number;
  readonly datasetId: number;
  readonly createdAt: string;
  readonly tally?: ReadonlyArray<readonly [split: string, label: string, n: number]>;
}) => number {
  const insert = multiLabel
    ? db.prepare(
        `INSERT INTO annotations (project_id, example_id, label_id, label_set, annotator, source, created_at)
         SELECT e.project_id, e.id, NULL, ${LABEL_SET_OF_IMPORTED}, 'import', 'import', ?
         FROM examples e WHERE e.id > ? AND e.dataset_id = ? AND e.imported_label IS NOT NULL`,
      )
    : db.prepare(
        `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at)
         SELECT e.project_id, e.id, l.id, 'import', 'import', ?
         FROM examples e JOIN labels l ON l.project_id = e.project_id AND l.name = e.imported_label
         WHERE e.id > ? AND e.dataset_id = ?`,
      );
  // The rows are new (no earlier annotation, no teacher answer), so each one's label is its document's human answer:
  // the label counts (migration 023) take the batch in one grouped statement, the per-row triggers held off meanwhile.
  const lastId = db.prepare('SELECT COALESCE(MAX(id), 0) FROM annotations').pluck();
  const pause = db.prepare('INSERT INTO label_count_pause (one) VALUES (1)');
  const resume = db.prepare('DELETE FROM label_count_pause');
  const count = db.prepare(
    `INSERT INTO label_counts (project_id, split, human, n)
     SELECT e.project_id, COALESCE(e.split, ''), COALESCE(a.label_id, a.label_set), COUNT(*)
     FROM annotations a JOIN examples e ON e.id = a.example_id
     WHERE a.id > ? AND e.excluded = 0 GROUP BY 1, 2, 3
     ON CONFLICT (project_id, split, human) DO UPDATE SET n = n + excluded.n`,
  );
  const add = db.prepare(
    `INSERT INTO label_counts (project_id, split, human, n)
     SELECT d.project_id, ?, l.id, ? FROM datasets d JOIN labels l ON l.project_id = d.project_id AND l.name = ?
     WHERE d.id = ?
     ON CONFLICT (project_id, split, human) DO UPDATE SET n = n + excluded.n`,
  );
  return (b) => {
    const before = lastId.get() as number;
    pause.run();
    try {
      const added = insert.run(b.createdAt, b.afterId, b.datasetId).changes;
      const tallied = b.tally?.reduce((sum, [, , n]) => sum + n, 0);
      if (!multiLabel && b.tally && tallied === added) {
        for (const [split, name, n] of b.tally) add.run(split, n, name, b.datasetId);
      } else if (added > 0) count.run(before);
      return added;
    } finally {
      resume.run();
    }
  };
}
