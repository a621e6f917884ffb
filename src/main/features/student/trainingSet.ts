/** What a student run trains and validates on: the project's examples, human labels and teacher distributions. */
import type { StudentDataSnapshot } from '../../../shared/student';
import { TrainSettings } from '../../../shared/student';
import { humanLabels, type LabelRow } from '../../core/labels';
import { type Db } from '../../core/store/db';
import { argmax } from '../../../shared/math';
import type { SingleLabelData, TrainData } from './trainer';
import type { Unread } from './training/data';
import { assembleTrainingSet, teacherOutputsInProjectOrder, trainingLabels } from './trainingSource';
import { withTexts } from './trainingTexts';

export interface TrainingSet<D = Unread<TrainData>> {
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
 * What a student trains and validates on (`assembleTrainingSet`, trainingSource.ts, with a document's top label as
 * its target), documents by id: the teacher's target is its top label. The test split and excluded examples are
 * never read.
 */
export function selectTrainingSet(
  db: Db,
  projectId: number,
  settings: TrainSettings,
): TrainingSet<Unread<SingleLabelData>> {
  const labels = trainingLabels(db, projectId);
  const classOf = new Map(labels.map((l, i) => [l.id, i]));
  const human = humanLabels(db, projectId);
  const teacher = settings.useTeacher ? teacherInProjectOrder(db, projectId, labels) : null;
  const set = assembleTrainingSet<number>(
    db,
    projectId,
    labels,
    {
      ids: human.keys(),
      target: (id) => {
        const h = human.get(id);
        return h === undefined ? null : (classOf.get(h) ?? null);
      },
    },
    teacher,
    { what: 'a label', fromTeacher: argmax, same: (a, b) => a === b, classes: (c) => [c] },
    settings.useTeacher,
  );
  return {
    data: {
      labels: labels.map((l) => l.name),
      train: set.train.map((e) => ({ id: e.id, label: e.human, teacher: e.teacher })),
      validation: set.validation.map((e) => ({ id: e.id, label: e.target, fromTeacher: e.fromTeacher })),
    },
    snapshot: set.snapshot,
    teacherRunId: teacher?.runId ?? null,
    trainExampleIds: set.trainExampleIds,
    validationExampleIds: set.validationExampleIds,
  };
}

/** A set of `select*TrainingSet` with its texts, read in this thread (tests; a run's worker reads them itself). */
export function withProjectTexts<D extends TrainData>(
  db: Db,
  projectId: number,
  set: TrainingSet<Unread<D>>,
): TrainingSet<D> {
  const text = db.prepare('SELECT text FROM examples WHERE id = ? AND project_id = ?').pluck();
  return { ...set, data: withTexts<D>(set.data, (id) => text.get(id, projectId) as string | undefined, 0) };
}

/** `selectTrainingSet` with its texts, read in this thread. */
export function buildTrainingSet(
  db: Db,
  projectId: number,
  settings: TrainSettings,
): TrainingSet<SingleLabelData> {
  return withProjectTexts<SingleLabelData>(db, projectId, selectTrainingSet(db, projectId, settings));
}
