import type {
  DocumentDistribution,
  DocumentFilter,
  DocumentsPage,
  EvaluationResult,
  ModelRef,
} from '../../../shared/evaluation';
import { assertNever } from '../../../shared/result';
import { AppError } from '../../core/errors';
import type { Db } from '../../core/store/db';
import { teacherDistributions } from '../../core/labels';
import { outcomeOf } from './compute';
import { requireEvaluation, storedEvaluation, teacherOf } from './evaluate';
import { modelInfo } from './modelInfo';
import { argmax } from '../../../shared/math';
import { openReviewRequestIds } from './reviewRequests';

type Prediction = EvaluationResult['predictions'][number];

function matches(e: EvaluationResult, p: Prediction, filter: DocumentFilter): boolean {
  const k = e.labels.length;
  switch (filter.kind) {
    case 'cell':
      if (filter.gold >= k || filter.predicted >= k)
        throw AppError.keyed('INVALID_INPUT', 'evaluation.confusionCellOutsideLabel', {});
      return p.gold === filter.gold && argmax(p.probs) === filter.predicted;
    case 'threshold':
      if (filter.classIndex >= k)
        throw AppError.keyed('INVALID_INPUT', 'evaluation.classOutsideLabelSet', {});
      return outcomeOf(p, filter.classIndex, filter.threshold) === filter.outcome;
    case 'bin': {
      const bin = e.reliability[filter.bin];
      if (!bin) throw AppError.keyed('INVALID_INPUT', 'evaluation.calibrationBinDoesExist', {});
      const confidence = Math.max(...p.probs);
      const inBin = (confidence > bin.lower || filter.bin === 0) && confidence <= bin.upper;
      const correct = argmax(p.probs) === p.gold;
      return inBin && (filter.correct === undefined || filter.correct === correct);
    }
    default:
      return assertNever(filter, 'document filter');
  }
}

/** The other model's distributions by document: the teacher for a student, the latest evaluated student for a teacher. */
function otherModel(
  db: Db,
  projectId: number,
  ref: ModelRef,
): { ref: ModelRef; name: string; labels: string[]; probs: Map<number, number[]> } | null {
  if (ref.kind === 'student') {
    const teacherRunId = teacherOf(db, projectId, modelInfo(db, projectId, ref));
    if (teacherRunId === null) return null;
    const t = modelInfo(db, projectId, { kind: 'teacher', runId: teacherRunId });
    return {
      ref: t.ref,
      name: t.name,
      labels: t.labels.map((l) => l.name),
      probs: teacherDistributions(db, teacherRunId),
    };
  }
  const row = db
    .prepare(
      `SELECT student_run_id AS id FROM metrics WHERE project_id = ? AND kind = 'eval' AND student_run_id IS NOT NULL
       ORDER BY student_run_id DESC LIMIT 1`,
    )
    .get(projectId) as { id: number } | undefined;
  if (!row) return null;
  const studentRef: ModelRef = { kind: 'student', runId: row.id };
  const e = storedEvaluation(db, projectId, studentRef);
  if (!e) return null;
  return {
    ref: studentRef,
    name: e.modelName,
    labels: [...e.labels],
    probs: new Map(e.predictions.map((p) => [p.exampleId, p.probs])),
  };
}

/** The documents behind a number (a confusion cell, a point on a curve, a calibration bin), with both models' views. */
export function evaluationDocuments(
  db: Db,
  projectId: number,
  ref: ModelRef,
  filter: DocumentFilter,
  limit: number,
): DocumentsPage {
  const e = requireEvaluation(db, projectId, ref);
  const selected = e.predictions.filter((p) => matches(e, p, filter));
  const page = selected.slice(0, limit);
  const text = db.prepare('SELECT text FROM examples WHERE id = ? AND project_id = ?');
  const other = otherModel(db, projectId, ref);
  const queued = openReviewRequestIds(db, projectId);
  const items = page.map((p) => {
    const distributions: DocumentDistribution[] = [
      { model: ref, modelName: e.modelName, labels: e.labels, probs: p.probs },
    ];
    const otherProbs = other?.probs.get(p.exampleId);
    if (other && otherProbs)
      distributions.push({
        model: other.ref,
        modelName: other.name,
        labels: other.labels,
        probs: otherProbs,
      });
    const row = text.get(p.exampleId, projectId) as { text: string } | undefined;
    return {
      exampleId: p.exampleId,
      text: row?.text ?? '(this document was deleted after the evaluation)',
      gold: e.labels[p.gold],
      predicted: e.labels[argmax(p.probs)],
      confidence: Math.max(...p.probs),
      distributions,
      inReviewQueue: queued.has(p.exampleId),
    };
  });
  return { total: selected.length, items };
}
