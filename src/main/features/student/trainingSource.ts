/**
 * What single- and multi-label training sets (runs.ts, multilabelData.ts) read alike: the project's labels, the
 * candidate documents, the latest teacher run in the project's label order, and the checks on what they found.
 */
import { AppError } from '../../core/errors';
import { latestTeacherRun, projectLabels, teacherDistributions, type LabelRow } from '../../core/labels';
import type { Db } from '../../core/store/db';
import type { StudentDataSnapshot } from '../../../shared/student';

/**
 * The latest teacher run's outputs in the order of the project's labels, each passed through `accept` (which
 * returns the vector to train on, or null to leave the example without a teacher target); null when the project
 * has no teacher run. Refuses a run whose label set differs from the project's (its probabilities would mean other
 * labels). Outputs of the wrong length or with a non-finite value are left out.
 */
export function teacherOutputsInProjectOrder(
  db: Db,
  projectId: number,
  labels: readonly LabelRow[],
  accept: (probs: number[]) => number[] | null,
): { runId: number; dists: Map<number, number[]> } | null {
  const run = latestTeacherRun(db, projectId);
  if (!run) return null;
  const sameSet =
    run.labels.length === labels.length &&
    labels.every((l) => run.labels.some((t) => t.id === l.id && t.name === l.name));
  if (!sameSet) {
    throw AppError.keyed('CONFLICT', 'student.labelsChangedSinceTeacher', {
      runId: run.runId,
      p1: run.labels.map((l) => l.name).join(', '),
    });
  }
  const position = labels.map((l) => run.labels.findIndex((t) => t.id === l.id));
  const dists = new Map<number, number[]>();
  for (const [exampleId, probs] of teacherDistributions(db, run.runId)) {
    if (probs.length !== run.labels.length || probs.some((p) => !Number.isFinite(p))) continue;
    const accepted = accept(position.map((p) => probs[p]));
    if (accepted) dists.set(exampleId, accepted);
  }
  return { runId: run.runId, dists };
}

/** The project's labels, in order; a student needs at least two. */
export function trainingLabels(db: Db, projectId: number): LabelRow[] {
  const labels = projectLabels(db, projectId);
  if (labels.length < 2) {
    throw AppError.keyed('INVALID_INPUT', 'student.studentNeedsLeastTwo', {});
  }
  return labels;
}

/**
 * The documents among `ids` (those with a human or a teacher target) that a student may train or validate on: not
 * excluded, split 'train', 'validation' or none; in id order, without their texts (the training worker reads those,
 * trainingTexts.ts). A primary-key lookup per id (CROSS JOIN keeps the ids the outer loop), so the cost follows the
 * labelled documents, not the project's size: a project of a million documents with a few thousand labels does not
 * hold the server for seconds.
 */
export function trainingCandidates(
  db: Db,
  projectId: number,
  ids: Iterable<number>,
): Array<{ id: number; split: string | null }> {
  return db
    .prepare(
      `SELECT e.id, e.split FROM json_each(?) j CROSS JOIN examples e ON e.id = j.value
       WHERE e.project_id = ? AND e.excluded = 0 AND (e.split IS NULL OR e.split IN ('train', 'validation'))
       ORDER BY e.id`,
    )
    .all(JSON.stringify([...new Set(ids)]), projectId) as Array<{ id: number; split: string | null }>;
}

/**
 * Refuses a training set with fewer than two training documents or no validation document, and warns of every
 * label with fewer than `few` training documents. `what` names a document's target ("a label", "a label set").
 */
export function checkTrainingSet(
  counts: { train: number; validation: number; perClass: readonly number[] },
  labels: readonly LabelRow[],
  opts: { useTeacher: boolean; what: string; few: number },
): string[] {
  if (counts.train < 2) {
    throw AppError.keyed('INVALID_INPUT', 'student.onlyTrainingExampleS', {
      train: counts.train,
      what: opts.what,
      p1: opts.useTeacher ? ' or a teacher answer' : '',
    });
  }
  if (counts.validation === 0) {
    throw AppError.keyed('INVALID_INPUT', 'student.validationSplitEmptyNone', { what: opts.what });
  }
  return labels.flatMap((l, i) =>
    counts.perClass[i] < opts.few
      ? [
          `Only ${counts.perClass[i]} training example(s) for "${l.name}": the student will rarely predict it. Label more of them.`,
        ]
      : [],
  );
}

/** A label with fewer training documents than this gets a warning. */
const FEW_EXAMPLES = 5;

/** How a kind of project reads a document's target T: a class index (single-label) or a sorted set of them. */
export interface TargetRules<T> {
  /** "a label", "a label set": for the messages. */
  readonly what: string;
  /** The target the teacher gives: its top label, or the labels at or above the threshold. */
  fromTeacher(probs: readonly number[]): T;
  same(a: T, b: T): boolean;
  /** The classes a target counts for in the per-label figures. */
  classes(target: T): readonly number[];
}

/**
 * The training and validation documents of a project (by id: the worker reads their texts) with their targets, as
 * both kinds of project select them.
 */
export interface AssembledSet<T> {
  readonly train: Array<{ id: number; human: T | null; teacher: number[] | null }>;
  readonly validation: Array<{ id: number; target: T; fromTeacher: boolean }>;
  readonly snapshot: StudentDataSnapshot;
  readonly trainExampleIds: number[];
  readonly validationExampleIds: number[];
}

/**
 * The rules of a training set, for either kind of target. Training: split 'train' (or none) with a human target
 * and/or the teacher's probabilities; when both exist and the teacher's target differs from the human's, the human
 * target wins and the teacher's probabilities are dropped for that document (a conflict). Validation: split
 * 'validation', the human target, else the teacher's. Refuses a set too small to train (`checkTrainingSet`).
 */
export function assembleTrainingSet<T>(
  db: Db,
  projectId: number,
  labels: readonly LabelRow[],
  human: { readonly ids: Iterable<number>; target(exampleId: number): T | null },
  teacher: { readonly dists: ReadonlyMap<number, number[]> } | null,
  rules: TargetRules<T>,
  useTeacher: boolean,
): AssembledSet<T> {
  const set: Omit<AssembledSet<T>, 'snapshot'> = {
    train: [],
    validation: [],
    trainExampleIds: [],
    validationExampleIds: [],
  };
  const perClass = new Array<number>(labels.length).fill(0);
  let humanCount = 0;
  let conflictCount = 0;
  const labelled = teacher ? [...human.ids, ...teacher.dists.keys()] : human.ids;
  for (const row of trainingCandidates(db, projectId, labelled)) {
    const own = human.target(row.id);
    const probs = teacher?.dists.get(row.id) ?? null;
    const taught = probs === null ? null : rules.fromTeacher(probs);
    if (row.split === 'validation') {
      const target = own ?? taught;
      if (target === null) continue;
      set.validation.push({ id: row.id, target, fromTeacher: own === null });
      set.validationExampleIds.push(row.id);
      continue;
    }
    if (own === null && taught === null) continue;
    let soft = probs;
    if (own !== null && taught !== null && !rules.same(own, taught)) {
      soft = null;
      conflictCount++;
    }
    if (own !== null) humanCount++;
    for (const c of rules.classes((own ?? taught) as T)) perClass[c]++;
    set.train.push({ id: row.id, human: own, teacher: soft });
    set.trainExampleIds.push(row.id);
  }
  const warnings = checkTrainingSet(
    { train: set.train.length, validation: set.validation.length, perClass },
    labels,
    { useTeacher, what: rules.what, few: FEW_EXAMPLES },
  );
  return {
    ...set,
    snapshot: {
      trainCount: set.train.length,
      validationCount: set.validation.length,
      humanCount,
      teacherCount: set.train.length - humanCount,
      conflictCount,
      perClass: labels.map((l, i) => ({ label: l.name, count: perClass[i] })),
      warnings,
    },
  };
}
