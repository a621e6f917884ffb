import type { TrainSettings } from '../../../shared/student';
import { DEFAULT_LABEL_THRESHOLD } from '../../../shared/student';
import { humanLabelSets } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { positiveWeights } from './distillMultilabel';
import { withProjectTexts, type TrainingSet } from './trainingSet';
import type { Unread } from './training/data';
import { assembleTrainingSet, teacherOutputsInProjectOrder, trainingLabels } from './trainingSource';
import { indicator, type MultiLabelData } from './trainer';

/** The labels the teacher gives (probability at least the default threshold), as sorted class indices. */
function teacherSet(probs: readonly number[]): number[] {
  return probs.flatMap((p, k) => (p >= DEFAULT_LABEL_THRESHOLD ? [k] : []));
}

/**
 * What a multi-label student trains and validates on (`assembleTrainingSet`, trainingSource.ts, with label sets as
 * targets): the teacher's per-label probabilities (read through core/labels.ts; in a multi-label project independent,
 * in the run's label order) give its set, the labels at or above 0.5. The empty set ("none of these") is a label set.
 * Positive weights per label come from the human sets of the training documents.
 */
export function selectMultiLabelTrainingSet(
  db: Db,
  projectId: number,
  settings: TrainSettings,
): TrainingSet<Unread<MultiLabelData>> {
  const labels = trainingLabels(db, projectId);
  const classOf = new Map(labels.map((l, i) => [l.id, i]));
  const human = humanLabelSets(db, projectId);
  const teacher = settings.useTeacher
    ? teacherOutputsInProjectOrder(db, projectId, labels, (probs) =>
        probs.every((p) => p >= 0 && p <= 1) ? probs : null,
      )
    : null;
  const set = assembleTrainingSet<number[]>(
    db,
    projectId,
    labels,
    {
      ids: human.keys(),
      target: (id) => {
        const ids = human.get(id);
        if (ids === undefined) return null;
        return ids
          .map((l) => classOf.get(l))
          .filter((c): c is number => c !== undefined)
          .sort((a, b) => a - b);
      },
    },
    teacher,
    {
      what: 'a label set',
      fromTeacher: teacherSet,
      same: (a, b) => a.length === b.length && a.every((x, i) => x === b[i]),
      classes: (c) => c,
    },
    settings.useTeacher,
  );
  const train = set.train.map((e) => ({ id: e.id, labels: e.human, teacher: e.teacher }));
  const sets = train.flatMap((e) => (e.labels === null ? [] : [indicator(e.labels, labels.length)]));
  return {
    data: {
      kind: 'multi',
      labels: labels.map((l) => l.name),
      positiveWeights: positiveWeights(sets, labels.length),
      train,
      validation: set.validation.map((e) => ({ id: e.id, labels: e.target, fromTeacher: e.fromTeacher })),
    },
    snapshot: set.snapshot,
    teacherRunId: teacher?.runId ?? null,
    trainExampleIds: set.trainExampleIds,
    validationExampleIds: set.validationExampleIds,
  };
}

/** `selectMultiLabelTrainingSet` with its texts, read in this thread. */
export function buildMultiLabelTrainingSet(
  db: Db,
  projectId: number,
  settings: TrainSettings,
): TrainingSet<MultiLabelData> {
  return withProjectTexts<MultiLabelData>(
    db,
    projectId,
    selectMultiLabelTrainingSet(db, projectId, settings),
  );
}
