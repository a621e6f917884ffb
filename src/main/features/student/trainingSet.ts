/** What a student run trains and validates on: the project's examples, human labels and teacher distributions. */
import type { StudentDataSnapshot } from '../../../shared/student';
import { TrainSettings } from '../../../shared/student';
import { AppError } from '../../core/errors';
import {
  humanLabels,
  latestTeacherRun,
  projectLabels,
  teacherDistributions,
  type LabelRow,
} from '../../core/labels';
import { type Db } from '../../core/store/db';
import { argmax } from '../../../shared/math';
import { type TrainData } from './trainer';

const FEW_EXAMPLES = 5;

export interface TrainingSet {
  readonly data: TrainData;
  readonly snapshot: StudentDataSnapshot;
  readonly teacherRunId: number | null;
  readonly trainExampleIds: readonly number[];
  readonly validationExampleIds: readonly number[];
}

/** The teacher's distributions in the order of the project's labels; refuses a label set that changed. */
function teacherInProjectOrder(
  db: Db,
  projectId: number,
  labels: readonly LabelRow[],
): { runId: number; dists: Map<number, number[]> } | null {
  const run = latestTeacherRun(db, projectId);
  if (!run) return null;
  const sameSet =
    run.labels.length === labels.length &&
    labels.every((l) => run.labels.some((t) => t.id === l.id && t.name === l.name));
  if (!sameSet) {
    throw new AppError(
      'CONFLICT',
      `The labels changed since teacher run ${run.runId} (it saw: ${run.labels.map((l) => l.name).join(', ')}). ` +
        'Run the teacher again on the current labels, or train on human labels only.',
    );
  }
  const position = labels.map((l) => run.labels.findIndex((t) => t.id === l.id));
  const dists = new Map<number, number[]>();
  for (const [exampleId, probs] of teacherDistributions(db, run.runId)) {
    if (probs.length !== run.labels.length || probs.some((p) => !Number.isFinite(p) || p < 0)) continue;
    const sum = probs.reduce((a, b) => a + b, 0);
    if (!(sum > 0)) continue;
    dists.set(
      exampleId,
      position.map((p) => probs[p] / sum),
    );
  }
  return { runId: run.runId, dists };
}

/**
 * What a student trains and validates on. Training: split 'train' (or no split) with a human label and/or a teacher
 * distribution; when both exist and the teacher's top label differs from the human's, the human label wins and the
 * teacher's distribution is dropped for that example. Validation: split 'validation', the human label, else the
 * teacher's top label. The test split and excluded examples are never read.
 */
export function buildTrainingSet(db: Db, projectId: number, settings: TrainSettings): TrainingSet {
  const labels = projectLabels(db, projectId);
  if (labels.length < 2) {
    throw new AppError(
      'INVALID_INPUT',
      'A student needs at least two labels. Add labels in the Data step first.',
    );
  }
  const classOf = new Map(labels.map((l, i) => [l.id, i]));
  const human = humanLabels(db, projectId);
  const teacher = settings.useTeacher ? teacherInProjectOrder(db, projectId, labels) : null;
  const rows = db
    .prepare(
      `SELECT id, text, split FROM examples
       WHERE project_id = ? AND excluded = 0 AND (split IS NULL OR split IN ('train', 'validation'))
       ORDER BY id`,
    )
    .all(projectId) as Array<{ id: number; text: string; split: string | null }>;

  const train: Array<{ text: string; label: number | null; teacher: number[] | null }> = [];
  const validation: Array<{ text: string; label: number; fromTeacher: boolean }> = [];
  const trainExampleIds: number[] = [];
  const validationExampleIds: number[] = [];
  const perClass = new Array<number>(labels.length).fill(0);
  let humanCount = 0;
  let teacherCount = 0;
  let conflictCount = 0;
  for (const row of rows) {
    const h = human.get(row.id);
    const label = h === undefined ? null : (classOf.get(h) ?? null);
    const dist = teacher?.dists.get(row.id) ?? null;
    if (row.split === 'validation') {
      const target = label ?? (dist ? argmax(dist) : null);
      if (target === null) continue;
      validation.push({ text: row.text, label: target, fromTeacher: label === null });
      validationExampleIds.push(row.id);
      continue;
    }
    if (label === null && dist === null) continue;
    let soft = dist;
    if (label !== null && dist !== null && argmax(dist) !== label) {
      soft = null;
      conflictCount++;
    }
    if (label !== null) humanCount++;
    else teacherCount++;
    perClass[label ?? argmax(dist ?? [])]++;
    train.push({ text: row.text, label, teacher: soft });
    trainExampleIds.push(row.id);
  }
  if (train.length < 2) {
    throw new AppError(
      'INVALID_INPUT',
      `Only ${train.length} training example(s) have a label${settings.useTeacher ? ' or a teacher answer' : ''}. ` +
        'Label more examples in the Review step (or run the teacher) before training.',
    );
  }
  if (validation.length === 0) {
    throw new AppError(
      'INVALID_INPUT',
      'The validation split is empty (or none of its examples has a label). Training needs it to pick the best ' +
        'epoch: assign some labelled examples to the validation split in the Data step.',
    );
  }
  const warnings: string[] = [];
  labels.forEach((l, i) => {
    if (perClass[i] < FEW_EXAMPLES) {
      warnings.push(
        `Only ${perClass[i]} training example(s) for "${l.name}": the student will rarely predict it. Label more of them.`,
      );
    }
  });
  return {
    data: { labels: labels.map((l) => l.name), train, validation },
    snapshot: {
      trainCount: train.length,
      validationCount: validation.length,
      humanCount,
      teacherCount,
      conflictCount,
      perClass: labels.map((l, i) => ({ label: l.name, count: perClass[i] })),
      warnings,
    },
    teacherRunId: teacher?.runId ?? null,
    trainExampleIds,
    validationExampleIds,
  };
}
