import type { Db } from '../../core/store/db';

/** What the Train step shows before a run: how many documents a student would learn from, and be checked on. */
export interface TrainingCounts {
  /** Training documents (split train, or none) with a human label (set). */
  readonly trainHuman: number;
  /** Training documents without one that the teacher answered (its soft labels). */
  readonly trainTeacher: number;
  /** Validation documents with a human label (set) or a teacher answer. */
  readonly validation: number;
}

/**
 * The counts of `TrainingCounts` over the documents not removed by cleaning, with the human label of the project's
 * kind (the view human_labels, or human_label_sets in a multi-label project) and the answers of teacher run `runId`
 * (none when null). Driven by the labels and by the run's answers, each counted by split in SQL, never by reading
 * every document's id into the server's thread (seconds at a million documents, while the server answers nothing
 * else). A document on the test split, or removed, counts nowhere.
 */
export function trainingCounts(
  db: Db,
  projectId: number,
  kind: 'single' | 'multi',
  runId: number | null,
): TrainingCounts {
  const view = kind === 'multi' ? 'human_label_sets' : 'human_labels';
  const params = { project: projectId, run: runId ?? -1 };
  const inTraining = `e.project_id = @project AND e.excluded = 0 AND (e.split IS NULL OR e.split IN ('train', 'validation'))`;
  // Labelled documents by split, and which of them the teacher answered too.
  const labelled = db
    .prepare(
      `SELECT e.split IS 'validation' AS validation, t.example_id IS NOT NULL AS taught, COUNT(*) AS n
       FROM ${view} h CROSS JOIN examples e ON e.id = h.example_id
       LEFT JOIN teacher_answers t ON t.run_id = @run AND t.example_id = h.example_id
       WHERE h.project_id = @project AND ${inTraining} GROUP BY validation, taught`,
    )
    .all(params) as Array<{ validation: 0 | 1; taught: 0 | 1; n: number }>;
  const answered = db
    .prepare(
      `SELECT e.split IS 'validation' AS validation, COUNT(*) AS n
       FROM teacher_answers t CROSS JOIN examples e ON e.id = t.example_id
       WHERE t.run_id = @run AND ${inTraining} GROUP BY validation`,
    )
    .all(params) as Array<{ validation: 0 | 1; n: number }>;
  const count = <R extends { validation: 0 | 1; n: number }>(rows: R[], keep: (r: R) => boolean): number =>
    rows.reduce((s, r) => s + (keep(r) ? r.n : 0), 0);
  const trainHuman = count(labelled, (r) => r.validation === 0);
  return {
    trainHuman,
    trainTeacher:
      count(answered, (r) => r.validation === 0) -
      count(labelled, (r) => r.validation === 0 && r.taught === 1),
    validation:
      count(labelled, (r) => r.validation === 1) +
      count(answered, (r) => r.validation === 1) -
      count(labelled, (r) => r.validation === 1 && r.taught === 1),
  };
}
