import type { Db } from './store/db';

/**
 * Shared reads of a project's labels, human annotations and teacher outputs: every feature (review, train,
 * evaluate, export) reads them through these functions so that "the human label" means one thing everywhere.
 */

export interface LabelRow {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly color: string | null;
  readonly hotkey: string | null;
  readonly position: number;
}

export function projectLabels(db: Db, projectId: number): LabelRow[] {
  return db
    .prepare(
      'SELECT id, name, description, color, hotkey, position FROM labels WHERE project_id = ? ORDER BY position, id',
    )
    .all(projectId) as LabelRow[];
}

/**
 * Where an annotation's label came from, by who chose it. `import` (a file's label column), `human` (a person
 * picked it, even when it agrees with the teacher) and `merge` (a person elsewhere picked it) are a person's
 * choice; `teacher_accept` and `bulk` take the teacher's label on a person's say-so without their reading the
 * document against the labels, so they may train a student but never enter the gold test set.
 */
export const PERSON_CHOSEN_SOURCES = ['import', 'human', 'merge'] as const;
export const TEACHER_ACCEPT_SOURCES = ['teacher_accept', 'bulk'] as const;

/** SQL: true when the annotation alias `a` holds a label a person chose (see PERSON_CHOSEN_SOURCES). */
export function personChosenSql(a: string): string {
  return `${a}.source IN (${PERSON_CHOSEN_SOURCES.map((s) => `'${s}'`).join(', ')})`;
}

/**
 * The current annotation of each example (alias `a`): its latest that is not retracted and has a label, among the
 * sources `personOnly` allows. One definition for `humanLabels`, `goldLabels` and the report's "who labelled".
 */
export function currentAnnotationSql(
  a: string,
  personOnly: boolean,
  column: 'label_id' | 'label_set' = 'label_id',
): string {
  const only = (x: string): string => (personOnly ? ` AND ${personChosenSql(x)}` : '');
  return `${a}.retracted_at IS NULL AND ${a}.${column} IS NOT NULL${only(a)}
         AND ${a}.id = (SELECT a2.id FROM annotations a2
                     WHERE a2.example_id = ${a}.example_id AND a2.retracted_at IS NULL AND a2.${column} IS NOT NULL${only('a2')}
                     ORDER BY a2.created_at DESC, a2.id DESC LIMIT 1)`;
}

/**
 * SQL: the human label of the examples alias `e` (its latest annotation that is not retracted and has a label,
 * whoever made it), or NULL: the same rule as `humanLabels`, for use inside a query.
 */
export function humanLabelSql(e: string): string {
  return `(SELECT a.label_id FROM annotations a
  WHERE a.example_id = ${e}.id AND a.retracted_at IS NULL AND a.label_id IS NOT NULL
  ORDER BY a.created_at DESC, a.id DESC LIMIT 1)`;
}

/**
 * Each example's current annotation's `column`: label_id (single-label) or label_set (multi-label, where an empty
 * set, "none of these", is a label so the example counts as labelled).
 */
function currentValues<T>(
  db: Db,
  projectId: number,
  split: 'train' | 'validation' | 'test' | null,
  personOnly: boolean,
  column: 'label_id' | 'label_set',
): Array<{ exampleId: number; value: T }> {
  return db
    .prepare(
      `SELECT a.example_id AS exampleId, a.${column} AS value
       FROM annotations a
       JOIN examples e ON e.id = a.example_id
       WHERE a.project_id = ? AND e.excluded = 0 AND (? IS NULL OR e.split = ?)
         AND ${currentAnnotationSql('a', personOnly, column)}`,
    )
    .all(projectId, split, split) as Array<{ exampleId: number; value: T }>;
}

function currentLabels(
  db: Db,
  projectId: number,
  split: 'train' | 'validation' | 'test' | null,
  personOnly: boolean,
): Map<number, number> {
  const rows = currentValues<number>(db, projectId, split, personOnly, 'label_id');
  return new Map(rows.map((r) => [r.exampleId, r.value]));
}

/**
 * The human label of each example: its latest annotation that is not retracted, whoever made it
 * (an import's label column counts as human; a teacher label counts once a person accepted it).
 * Excluded examples (removed by cleaning) are left out. For the test split use `goldLabels`.
 */
export function humanLabels(
  db: Db,
  projectId: number,
  opts: { split?: 'train' | 'validation' | 'test' } = {},
): Map<number, number> {
  return currentLabels(db, projectId, opts.split ?? null, false);
}

export interface TeacherRunLabels {
  readonly runId: number;
  /** The label set as the teacher saw it: probabilities are in this order. */
  readonly labels: ReadonlyArray<{ id: number; name: string }>;
}

/** The project's most recent teacher run, or null. */
export function latestTeacherRun(db: Db, projectId: number): TeacherRunLabels | null {
  const row = db
    .prepare('SELECT id, labels_snapshot FROM teacher_runs WHERE project_id = ? ORDER BY id DESC LIMIT 1')
    .get(projectId) as { id: number; labels_snapshot: string } | undefined;
  if (!row) return null;
  return { runId: row.id, labels: JSON.parse(row.labels_snapshot) as Array<{ id: number; name: string }> };
}

/** A teacher run's distributions by example id (probabilities in the order of the run's label snapshot). */
export function teacherDistributions(db: Db, runId: number): Map<number, number[]> {
  const rows = db
    .prepare('SELECT example_id, probs FROM teacher_outputs WHERE run_id = ?')
    .all(runId) as Array<{
    example_id: number;
    probs: string;
  }>;
  return new Map(rows.map((r) => [r.example_id, JSON.parse(r.probs) as number[]]));
}

/**
 * Each annotator's own current label per example: their latest non-retracted annotation (the same rule as
 * `humanLabels`, per annotator). Used for agreement between annotators. Excluded examples are left out.
 */
export function annotatorLabels(db: Db, projectId: number): Map<string, Map<number, number>> {
  const rows = db
    .prepare(
      `SELECT a.annotator AS annotator, a.example_id AS exampleId, a.label_id AS labelId
       FROM annotations a
       JOIN examples e ON e.id = a.example_id
       WHERE a.project_id = ? AND a.retracted_at IS NULL AND a.label_id IS NOT NULL AND e.excluded = 0
         AND a.id = (SELECT a2.id FROM annotations a2
                     WHERE a2.example_id = a.example_id AND a2.annotator = a.annotator
                       AND a2.retracted_at IS NULL AND a2.label_id IS NOT NULL
                     ORDER BY a2.created_at DESC, a2.id DESC LIMIT 1)`,
    )
    .all(projectId) as Array<{ annotator: string; exampleId: number; labelId: number }>;
  const out = new Map<string, Map<number, number>>();
  for (const r of rows) {
    let m = out.get(r.annotator);
    if (!m) out.set(r.annotator, (m = new Map()));
    m.set(r.exampleId, r.labelId);
  }
  return out;
}

/**
 * The gold test set: the labels a person chose for the examples on the test split (their latest such label). An
 * accepted teacher label is never gold: a test document labelled only that way is unlabelled for evaluation.
 */
export function goldLabels(db: Db, projectId: number): Map<number, number> {
  return currentLabels(db, projectId, 'test', true);
}

// ---------- multi-label projects ----------

/** Whether the project takes one label per document or a set (issue 16). */
export function projectKind(db: Db, projectId: number): 'single' | 'multi' {
  const row = db.prepare('SELECT kind FROM projects WHERE id = ?').get(projectId) as
    { kind: 'single' | 'multi' } | undefined;
  return row?.kind ?? 'single';
}

function currentLabelSets(
  db: Db,
  projectId: number,
  split: 'train' | 'validation' | 'test' | null,
  personOnly: boolean,
): Map<number, number[]> {
  const rows = currentValues<string>(db, projectId, split, personOnly, 'label_set');
  return new Map(rows.map((r) => [r.exampleId, JSON.parse(r.value) as number[]]));
}

/** A multi-label project's human label sets (the rule of `humanLabels`); [] is "none of these". */
export function humanLabelSets(
  db: Db,
  projectId: number,
  opts: { split?: 'train' | 'validation' | 'test' } = {},
): Map<number, number[]> {
  return currentLabelSets(db, projectId, opts.split ?? null, false);
}

/** A multi-label project's gold test set: label sets a person chose on the test split (the rule of `goldLabels`). */
export function goldLabelSets(db: Db, projectId: number): Map<number, number[]> {
  return currentLabelSets(db, projectId, 'test', true);
}
