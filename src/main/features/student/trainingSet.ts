/** What a student run trains and validates on: the project's examples, human labels and teacher distributions. */
import type { StudentDataSnapshot } from '../../../shared/student';
import { TrainSettings } from '../../../shared/student';
import { humanLabels, type LabelRow } from '../../core/labels';
import { type Db } from '../../core/store/db';
import { argmax } from '../../../shared/math';
import type { SingleLabelData, TrainData } from './trainer';
import {
  checkTrainingSet,
  teacherOutputsInProjectOrder,
  trainingCandidates,
  trainingLabels,
} from './trainingSource';

const FEW_EXAMPLES = 5;

export interface TrainingSet<D extends TrainData = TrainData> {
  readonly data: D;
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
  return teacherOutputsInProjectOrder(db, projectId, labels, (probs) => {
    if (probs.some((p) => p < 0)) return null;
    const sum = probs.reduce((a, b) => a + b, 0);
    return sum > 0 ? probs.map((p) => p / sum) : null;
  });
}

/**
 * What a student trains and validates on. Training: split 'train' (or no split) with a human label and/or a teacher
 * distribution; when both exist and the teacher's top label differs from the human's, the human label wins and the
 * teacher's distribution is dropped for that example. Validation: split 'validation', the human label, else the
 * teacher's top label. The test split and excluded examples are never read.
 */
export function buildTrainingSet(
  db: Db,
  projectId: number,
  settings: TrainSettings,
): TrainingSet<SingleLabelData> {
  const labels = trainingLabels(db, projectId);
  const classOf = new Map(labels.map((l, i) => [l.id, i]));
  const human = humanLabels(db, projectId);
  const teacher = settings.useTeacher ? teacherInProjectOrder(db, projectId, labels) : null;
  const rows = trainingCandidates(db, projectId);

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
  const warnings = checkTrainingSet(
    { train: train.length, validation: validation.length, perClass },
    labels,
    { useTeacher: settings.useTeacher, what: 'a label', few: FEW_EXAMPLES },
  );
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
