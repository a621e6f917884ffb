import type { TrainSettings } from '../../../shared/student';
import { DEFAULT_LABEL_THRESHOLD } from '../../../shared/student';
import { humanLabelSets } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { positiveWeights } from './distillMultilabel';
import type { TrainingSet } from './trainingSet';
import {
  checkTrainingSet,
  teacherOutputsInProjectOrder,
  trainingCandidates,
  trainingLabels,
} from './trainingSource';
import { indicator, type MultiLabelData } from './trainer';

/** A label with fewer training documents than this gets a warning. */
const FEW_EXAMPLES = 5;

/** The labels the teacher gives (probability at least the default threshold), as sorted class indices. */
function teacherSet(probs: readonly number[]): number[] {
  return probs.flatMap((p, k) => (p >= DEFAULT_LABEL_THRESHOLD ? [k] : []));
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * What a multi-label student trains and validates on (the rules of `buildTrainingSet`, for label sets). Training:
 * split 'train' (or none) with a human label set and/or the teacher's per-label probabilities (teacher_outputs.probs
 * of a multi-label project: independent, in the run's label order); when both exist and the labels the teacher gives
 * (>= 0.5) differ from the human set, the human set wins and the teacher's probabilities are dropped for that
 * document. Validation: split 'validation', the human set, else the teacher's set. The empty set ("none of these")
 * is a label set. Positive weights per label come from the human sets of the training documents.
 */
export function buildMultiLabelTrainingSet(
  db: Db,
  projectId: number,
  settings: TrainSettings,
): TrainingSet<MultiLabelData> {
  const labels = trainingLabels(db, projectId);
  const classOf = new Map(labels.map((l, i) => [l.id, i]));
  const human = humanLabelSets(db, projectId);
  const teacher = settings.useTeacher
    ? teacherOutputsInProjectOrder(db, projectId, labels, (probs) =>
        probs.every((p) => p >= 0 && p <= 1) ? probs : null,
      )
    : null;
  const rows = trainingCandidates(db, projectId);
  const toClasses = (ids: readonly number[]): number[] =>
    ids
      .map((id) => classOf.get(id))
      .filter((c): c is number => c !== undefined)
      .sort((a, b) => a - b);

  const train: Array<{ text: string; labels: number[] | null; teacher: number[] | null }> = [];
  const validation: Array<{ text: string; labels: number[]; fromTeacher: boolean }> = [];
  const trainExampleIds: number[] = [];
  const validationExampleIds: number[] = [];
  const perClass = new Array<number>(labels.length).fill(0);
  let humanCount = 0;
  let teacherCount = 0;
  let conflictCount = 0;
  for (const row of rows) {
    const h = human.get(row.id);
    const set = h === undefined ? null : toClasses(h);
    const probs = teacher?.dists.get(row.id) ?? null;
    if (row.split === 'validation') {
      const target = set ?? (probs ? teacherSet(probs) : null);
      if (target === null) continue;
      validation.push({ text: row.text, labels: target, fromTeacher: set === null });
      validationExampleIds.push(row.id);
      continue;
    }
    if (set === null && probs === null) continue;
    let soft = probs;
    if (set !== null && probs !== null && !sameSet(set, teacherSet(probs))) {
      soft = null;
      conflictCount++;
    }
    if (set !== null) humanCount++;
    else teacherCount++;
    for (const c of set ?? teacherSet(probs ?? [])) perClass[c]++;
    train.push({ text: row.text, labels: set, teacher: soft });
    trainExampleIds.push(row.id);
  }
  const warnings = checkTrainingSet(
    { train: train.length, validation: validation.length, perClass },
    labels,
    { useTeacher: settings.useTeacher, what: 'a label set', few: FEW_EXAMPLES },
  );
  const sets = train.flatMap((e) => (e.labels === null ? [] : [indicator(e.labels, labels.length)]));
  return {
    data: {
      kind: 'multi',
      labels: labels.map((l) => l.name),
      positiveWeights: positiveWeights(sets, labels.length),
      train,
      validation,
    },
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
