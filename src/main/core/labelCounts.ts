import type { Db } from './store/db';
import { documentCellsSql, fillLabelCountsSql } from './store/migrations/023_label_counts';
import { storedNumbers } from './store/storedJson';

/**
 * A project's labels and a teacher run's answers as the triggers of migration 023 count them (tables label_counts and
 * answer_counts): a few rows, read in a few index probes, however many documents the project holds. Only live
 * documents (not removed by cleaning) are counted; `split` is '' for a document in no split.
 */

/** A human answer as counted: a label id (single-label), or a label set's JSON text (multi-label). */
export type CountedAnswer = number | string;

export interface HumanCell {
  readonly split: string;
  readonly human: CountedAnswer;
  readonly n: number;
}

export interface AnswerCell {
  readonly split: string;
  /** The document's human answer, 0 for none. */
  readonly human: CountedAnswer;
  /** The teacher's answer: its label id (0: none) in a single-label project, its set's JSON in a multi-label one. */
  readonly teacher: CountedAnswer;
  readonly n: number;
}

export interface LabelCounts {
  readonly human: readonly HumanCell[];
  /** The answers of the run asked for (none when no run). */
  readonly answers: readonly AnswerCell[];
  /** Documents whose annotators' current answers are not all the same, not decided by a lead. */
  readonly conflicts: ReadonlyArray<{ readonly split: string; readonly n: number }>;
}

/** The counted labels of a project and the answers of its teacher run `runId` (null: none), in every split. */
export function labelCounts(db: Db, projectId: number, runId: number | null): LabelCounts {
  const human = db
    .prepare('SELECT split, human, n FROM label_counts WHERE project_id = ? AND n <> 0')
    .all(projectId) as HumanCell[];
  const answers =
    runId === null
      ? []
      : (db
          .prepare('SELECT split, human, teacher, n FROM answer_counts WHERE run_id = ? AND n <> 0')
          .all(runId) as AnswerCell[]);
  const conflicts = db
    .prepare('SELECT split, n FROM conflict_counts WHERE project_id = ? AND n <> 0')
    .all(projectId) as Array<{ split: string; n: number }>;
  return { human, answers, conflicts };
}

/** The labels of a counted label set (its JSON text); a label id stands for itself. */
export function countedLabels(answer: CountedAnswer): number[] {
  return typeof answer === 'number' ? [answer] : storedNumbers(answer, 'label_counts.human', 0);
}

/**
 * Counts a project's labels again from its rows, replacing what its rows in the tables hold: for a writer that
 * inserts rows in an order the triggers cannot follow (a restore inserts annotations before their documents), inside
 * its transaction.
 */
export function recountLabels(db: Db, projectId: number): void {
  if (!Number.isSafeInteger(projectId)) throw new Error(`recountLabels: not a project id: ${projectId}`);
  db.prepare('DELETE FROM label_counts WHERE project_id = ?').run(projectId);
  db.prepare('DELETE FROM conflict_counts WHERE project_id = ?').run(projectId);
  db.prepare(
    'DELETE FROM answer_counts WHERE run_id IN (SELECT id FROM teacher_runs WHERE project_id = ?)',
  ).run(projectId);
  db.exec(fillLabelCountsSql(projectId));
}

/**
 * Runs `write`, a batch of annotation writes that touches only the documents `exampleIds`, with the annotation
 * triggers held off (table label_count_pause), and counts those documents' cells in two grouped passes instead: taken
 * away before the batch, added back after it. A single-row write that fires the triggers costs a statement journal
 * of its own; a bulk accept of thousands of documents would hold the server's thread for that long. Call it inside
 * the batch's transaction.
 */
export function withLabelCountsBatched<T>(db: Db, exampleIds: readonly number[], write: () => T): T {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS label_count_docs (id INTEGER PRIMARY KEY)');
  db.exec('DELETE FROM temp.label_count_docs');
  const add = db.prepare('INSERT OR IGNORE INTO temp.label_count_docs (id) VALUES (?)');
  for (const id of exampleIds) add.run(id);
  db.exec(documentCellsSql('temp.label_count_docs', -1));
  db.exec('INSERT INTO label_count_pause (one) VALUES (1)');
  let result: T;
  try {
    result = write();
  } finally {
    db.exec('DELETE FROM label_count_pause');
  }
  db.exec(documentCellsSql('temp.label_count_docs', 1));
  db.exec('DELETE FROM temp.label_count_docs');
  return result;
}
