import type { ProjectLabel } from '../../shared/dataset';
import { MULTI_LABEL_THRESHOLD } from '../../shared/review';
import { z } from 'zod';
import type { Db } from './store/db';
import { readStoredJson, storedColumn, storedNumbers } from './store/storedJson';

/**
 * Shared reads of a project's labels, human annotations and teacher outputs: every feature (review, train,
 * evaluate, export) reads them through these functions, or in SQL through the views `human_labels`,
 * `person_labels` and `annotator_labels` (migration 011_label_views.ts), so that "the human label" means one
 * thing everywhere.
 */

/** A project's label as stored (the contract's `ProjectLabel`). */
export type LabelRow = ProjectLabel;

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

/**
 * SQL: the human label of the examples alias `e` (its latest annotation that is not retracted and has a label,
 * whoever made it), or NULL. Reads the view `human_labels` (migration 011), the one definition of the rule.
 */
export function humanLabelSql(e: string): string {
  return `(SELECT hl.label_id FROM human_labels hl WHERE hl.example_id = ${e}.id)`;
}

/**
 * SQL: true when the examples alias `e` has a human label (a row in `human_labels`): the view picks the latest of the
 * example's live labelled annotations, so it has a row exactly when one exists. Asked that way it is one probe of
 * index annotations_live_label (migration 021), not the view's search for the latest, for every document a queue,
 * a count or a bulk accept looks at.
 */
export function hasHumanLabelSql(e: string): string {
  return `EXISTS (SELECT 1 FROM annotations hl
    WHERE hl.example_id = ${e}.id AND hl.retracted_at IS NULL AND hl.label_id IS NOT NULL)`;
}

/**
 * SQL: the document `exampleColumn` (of a label or teacher view's row) is not removed by cleaning, for a count driven
 * by labels or answers: a probe of the project's few removed documents (index examples_excluded, migration 021), so
 * that no labelled document is looked up. The project is the named parameter @project.
 */
export function notExcludedSql(exampleColumn: string): string {
  return `${exampleColumn} NOT IN (SELECT z.id FROM examples z WHERE z.project_id = @project AND z.excluded = 1)`;
}

type Split = 'train' | 'validation' | 'test';

/**
 * Each example's `column` in a current-label view (one row per example: migrations 011 and 012), for the project's
 * examples not excluded by cleaning, in `split` (every split when null).
 */
function viewRows<V>(
  db: Db,
  projectId: number,
  split: Split | null,
  view: 'human_labels' | 'person_labels' | 'human_label_sets' | 'person_label_sets',
  column: 'label_id' | 'label_set',
): Array<{ exampleId: number; value: V }> {
  // Each view's rows are documents with a human answer, which label_counts (migration 023) counts by split: a split
  // that holds none (the validation split before anyone labels there, which the Train step's teacher check reads)
  // costs one probe, not a pass over the project's labels.
  if (
    split !== null &&
    !db
      .prepare('SELECT 1 FROM label_counts WHERE project_id = ? AND split = ? AND n > 0')
      .get(projectId, split)
  ) {
    return [];
  }
  return db
    .prepare(
      `SELECT a.example_id AS exampleId, a.${column} AS value
       FROM ${view} a
       JOIN examples e ON e.id = a.example_id
       WHERE a.project_id = ? AND e.excluded = 0 AND (? IS NULL OR e.split = ?)`,
    )
    .all(projectId, split, split) as Array<{ exampleId: number; value: V }>;
}

function currentLabels(
  db: Db,
  projectId: number,
  split: Split | null,
  view: 'human_labels' | 'person_labels',
): Map<number, number> {
  return new Map(viewRows<number>(db, projectId, split, view, 'label_id').map((r) => [r.exampleId, r.value]));
}

/**
 * The human label of each example: its latest annotation that is not retracted, whoever made it
 * (an import's label column counts as human; a teacher label counts once a person accepted it).
 * Excluded examples (removed by cleaning) are left out. For the test split use `goldLabels`.
 */
export function humanLabels(db: Db, projectId: number, opts: { split?: Split } = {}): Map<number, number> {
  return currentLabels(db, projectId, opts.split ?? null, 'human_labels');
}

export interface TeacherRunLabels {
  readonly runId: number;
  /** The label set as the teacher saw it: probabilities are in this order. */
  readonly labels: ReadonlyArray<{ id: number; name: string }>;
}

/**
 * A teacher run's label snapshot (`teacher_runs.labels_snapshot`, written when the run starts): the labels as the
 * teacher saw them, in the order of its outputs' probabilities.
 */
export function teacherLabelSnapshot(json: string): Array<{ id: number; name: string }> {
  return readStoredJson(TeacherLabelSnapshot, json, storedColumn('teacher_runs.labels_snapshot'));
}

/** `teacher_runs.labels_snapshot`: the labels in the order of the run's probabilities. */
export const TeacherLabelSnapshot = z.array(z.object({ id: z.number(), name: z.string() }));

/** The project's most recent teacher run, or null. */
export function latestTeacherRun(db: Db, projectId: number): TeacherRunLabels | null {
  const row = db
    .prepare('SELECT id, labels_snapshot FROM teacher_runs WHERE project_id = ? ORDER BY id DESC LIMIT 1')
    .get(projectId) as { id: number; labels_snapshot: string } | undefined;
  if (!row) return null;
  return { runId: row.id, labels: teacherLabelSnapshot(row.labels_snapshot) };
}

/** One example's output of a teacher run, parsed. */
export interface TeacherOutputRow {
  /** Probabilities in the order of the run's label snapshot. */
  readonly probs: number[];
  readonly predictedLabelId: number | null;
  readonly entropy: number;
  readonly margin: number;
  readonly reasoning: string | null;
}

/**
 * Reads examples' outputs of one teacher run: one primary-key lookup (run_id, example_id) per call, so paging
 * costs the same at any table size. With `latestTeacherRun`, "the teacher's current output for a document".
 */
export function teacherOutputReader(db: Db, runId: number): (exampleId: number) => TeacherOutputRow | null {
  const stmt = db.prepare(
    'SELECT probs, predicted_label_id, entropy, margin, reasoning FROM teacher_outputs WHERE run_id = ? AND example_id = ?',
  );
  return (exampleId) => {
    const o = stmt.get(runId, exampleId) as
      | {
          probs: string;
          predicted_label_id: number | null;
          entropy: number;
          margin: number;
          reasoning: string | null;
        }
      | undefined;
    if (!o) return null;
    return {
      probs: storedNumbers(o.probs, 'teacher_outputs.probs', exampleId),
      predictedLabelId: o.predicted_label_id,
      entropy: o.entropy,
      margin: o.margin,
      reasoning: o.reasoning,
    };
  };
}

/** The teacher's answer in one output: a label (single-label) or a set (multi-label), and how sure it is. */
export interface TeacherAnswer {
  readonly labelId: number | null;
  readonly labelSet: number[] | null;
  readonly confidence: number;
}

/**
 * The teacher's answer in one output of a run, the one rule for review (the teacher panel, accepting it, bulk
 * accept). Single-label: the stored predicted label, else the most probable label (the first of equals; none when
 * every probability is 0), its probability the confidence. Multi-label: the labels at or above
 * MULTI_LABEL_THRESHOLD, sorted by id (the SQL twin is the view teacher_answers' `predicted_set`, migration 019),
 * the confidence min_k max(p_k, 1 - p_k): how sure it is of its least sure label.
 */
export function teacherAnswer(
  labels: ReadonlyArray<{ readonly id: number }>,
  out: { readonly probs: readonly number[]; readonly predictedLabelId: number | null },
  kind: 'single' | 'multi',
): TeacherAnswer {
  const probs = labels.map((l, i) => ({ labelId: l.id, prob: out.probs[i] ?? 0 }));
  if (kind === 'multi') {
    return {
      labelId: null,
      labelSet: probs
        .filter((p) => p.prob >= MULTI_LABEL_THRESHOLD)
        .map((p) => p.labelId)
        .sort((a, b) => a - b),
      confidence: probs.reduce((c, p) => Math.min(c, Math.max(p.prob, 1 - p.prob)), 1),
    };
  }
  let labelId = out.predictedLabelId;
  let confidence = 0;
  for (const p of probs) {
    if (p.prob > confidence) {
      confidence = p.prob;
      if (out.predictedLabelId === null) labelId = p.labelId;
    }
  }
  if (out.predictedLabelId !== null) {
    confidence = probs.find((p) => p.labelId === out.predictedLabelId)?.prob ?? confidence;
  }
  return { labelId, labelSet: null, confidence };
}

/** A teacher run's distributions by example id (probabilities in the order of the run's label snapshot). */
export function teacherDistributions(db: Db, runId: number): Map<number, number[]> {
  const rows = db
    .prepare('SELECT example_id, probs FROM teacher_outputs WHERE run_id = ?')
    .all(runId) as Array<{
    example_id: number;
    probs: string;
  }>;
  return new Map(
    rows.map((r) => [r.example_id, storedNumbers(r.probs, 'teacher_outputs.probs', r.example_id)]),
  );
}

/** The ids of the documents a teacher run has an output for. */
export function teacherOutputIds(db: Db, runId: number): Set<number> {
  return new Set(
    db.prepare('SELECT example_id FROM teacher_outputs WHERE run_id = ?').pluck().all(runId) as number[],
  );
}

/** A teacher run's mean labelling time per document in milliseconds (null before any was timed). */
export function teacherMsPerDocument(db: Db, runId: number): number | null {
  return db
    .prepare('SELECT AVG(time_ms) FROM teacher_outputs WHERE run_id = ? AND time_ms > 0')
    .pluck()
    .get(runId) as number | null;
}

/**
 * Each annotator's own current label per example: their latest non-retracted annotation (the same rule as
 * `humanLabels`, per annotator). Used for agreement between annotators. Excluded examples are left out, and so is a lead's decision of a
 * conflict (team mode): it is not a third annotator's judgement.
 */
export function annotatorLabels(db: Db, projectId: number): Map<string, Map<number, number>> {
  return perAnnotator(db, projectId, 'annotator_labels', 'label_id', (v) => v as number);
}

/** Rows of an annotator view (annotator_labels, annotator_label_sets) by annotator and example, adjudications left out. */
function perAnnotator<T>(
  db: Db,
  projectId: number,
  view: 'annotator_labels' | 'annotator_label_sets',
  column: 'label_id' | 'label_set',
  parse: (value: unknown, exampleId: number) => T,
): Map<string, Map<number, T>> {
  const rows = db
    .prepare(
      `SELECT a.annotator AS annotator, a.example_id AS exampleId, a.${column} AS value
       FROM ${view} a
       WHERE a.project_id = @project AND ${notExcludedSql('a.example_id')}
         AND NOT EXISTS (SELECT 1 FROM team_adjudications j WHERE j.annotation_id = a.id)`,
    )
    .all({ project: projectId }) as Array<{ annotator: string; exampleId: number; value: unknown }>;
  const out = new Map<string, Map<number, T>>();
  for (const r of rows) {
    let m = out.get(r.annotator);
    if (!m) out.set(r.annotator, (m = new Map()));
    m.set(r.exampleId, parse(r.value, r.exampleId));
  }
  return out;
}

/**
 * The gold test set: the labels a person chose for the examples on the test split (their latest such label). An
 * accepted teacher label is never gold: a test document labelled only that way is unlabelled for evaluation.
 */
export function goldLabels(db: Db, projectId: number): Map<number, number> {
  return currentLabels(db, projectId, 'test', 'person_labels');
}

/**
 * Labels a person chose (as `goldLabels`) on another split: what the teacher check compares the teacher with, so
 * that a teacher label someone merely accepted never counts as agreement with people.
 */
export function personLabels(db: Db, projectId: number, split: 'train' | 'validation'): Map<number, number> {
  return currentLabels(db, projectId, split, 'person_labels');
}

// ---------- multi-label projects ----------

/** Whether the project takes one label per document or a set (issue 16). */
export function projectKind(db: Db, projectId: number): 'single' | 'multi' {
  const row = db.prepare('SELECT kind FROM projects WHERE id = ?').get(projectId) as
    { kind: 'single' | 'multi' } | undefined;
  return row?.kind ?? 'single';
}

/** SQL: the current human label set (JSON text) of the examples alias `e`, or NULL (the view human_label_sets). */
export function humanLabelSetSql(e: string): string {
  return `(SELECT hs.label_set FROM human_label_sets hs WHERE hs.example_id = ${e}.id)`;
}

/**
 * SQL: true when the examples alias `e` has a human label set (a row in `human_label_sets`, [] included): a live
 * annotation with a set exists (the view picks the latest of these; as `hasHumanLabelSql`).
 */
export function hasHumanLabelSetSql(e: string): string {
  return `EXISTS (SELECT 1 FROM annotations hs
    WHERE hs.example_id = ${e}.id AND hs.retracted_at IS NULL AND hs.label_set IS NOT NULL)`;
}

/**
 * Each annotator's own current label set per example (the view annotator_label_sets; the rule of
 * `annotatorLabels`), a lead's decision of a conflict left out: agreement in a multi-label project.
 */
export function annotatorLabelSets(db: Db, projectId: number): Map<string, Map<number, number[]>> {
  return perAnnotator(db, projectId, 'annotator_label_sets', 'label_set', (v, exampleId) =>
    storedNumbers(String(v), 'annotator_label_sets.label_set', exampleId),
  );
}

/** Each example's current label set from a label-set view (migration 012): [] is "none of these". */
function currentLabelSets(
  db: Db,
  projectId: number,
  split: Split | null,
  view: 'human_label_sets' | 'person_label_sets',
): Map<number, number[]> {
  return new Map(
    viewRows<string>(db, projectId, split, view, 'label_set').map((r) => [
      r.exampleId,
      storedNumbers(r.value, `${view}.label_set`, r.exampleId),
    ]),
  );
}

/** A multi-label project's human label sets (the rule of `humanLabels`); [] is "none of these". */
export function humanLabelSets(
  db: Db,
  projectId: number,
  opts: { split?: Split } = {},
): Map<number, number[]> {
  return currentLabelSets(db, projectId, opts.split ?? null, 'human_label_sets');
}

/** A multi-label project's gold test set: label sets a person chose on the test split (the rule of `goldLabels`). */
export function goldLabelSets(db: Db, projectId: number): Map<number, number[]> {
  return currentLabelSets(db, projectId, 'test', 'person_label_sets');
}

/**
 * How a multi-label project's teacher outputs are stored (the one writer's rule; readers use `teacherOutputReader`
 * and `teacherDistributions` unchanged): `teacher_outputs.probs` is a JSON array of independent per-label
 * probabilities in the order of the run's label snapshot (they do not sum to 1), `logprobs` the uncalibrated
 * per-label log-odds log P(yes) - log P(no), `predicted_label_id` NULL, `entropy` the mean binary entropy over
 * labels (nats) and `margin` the smallest |2p - 1| over labels (0: some label is a coin toss; 1: every label is
 * certain), so that "most uncertain first" orders single- and multi-label documents alike.
 */
export function independentLabelColumns(probs: readonly number[]): {
  readonly probs: string;
  readonly predictedLabelId: null;
  readonly entropy: number;
  readonly margin: number;
} {
  let h = 0;
  let margin = 1;
  for (const p of probs) {
    if (p > 0 && p < 1) h -= p * Math.log(p) + (1 - p) * Math.log(1 - p);
    margin = Math.min(margin, Math.abs(2 * p - 1));
  }
  return {
    probs: JSON.stringify(probs),
    predictedLabelId: null,
    entropy: probs.length ? h / probs.length : 0,
    margin: probs.length ? margin : 1,
  };
}

/** A multi-label project's label sets that a person chose (the rule of `personLabels`) on a split. */
export function personLabelSets(
  db: Db,
  projectId: number,
  split: 'train' | 'validation',
): Map<number, number[]> {
  return currentLabelSets(db, projectId, split, 'person_label_sets');
}
