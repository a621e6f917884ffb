import type { evaluationContract, SavedThreshold } from '../../../shared/evaluation';
import { audit } from '../../core/audit';
import { AppError, notFound } from '../../core/errors';
import type { Feature } from '../../core/feature';
import { nowIso } from '../../core/time';
import { getSettings } from '../app/settings';
import { loadStudent } from '../student/predictor';
import { operatingPoint } from './compute';
import { evaluationDocuments } from './documents';
import {
  compareRuns,
  evaluateModel,
  overview,
  requireEvaluation,
  storedEvaluation,
  teacherVsStudent,
  type StudentLoader,
} from './evaluate';
import { exportReport } from './report';
import {
  evaluateMultiLabel,
  multiLabelOverview,
  setLabelThresholds,
  storedMultiLabelEvaluation,
} from './multilabelEvaluate';
import { sendToReview } from './reviewRequests';

/** The handlers, with the student loader as a parameter so that tests can give a model that cannot be trained here. */
export function evaluationHandlers(load: StudentLoader): Feature<typeof evaluationContract>['handlers'] {
  return {
    'evaluation.overview': (input, ctx) => overview(ctx.db, input.projectId),
    'evaluation.multiOverview': (input, ctx) => multiLabelOverview(ctx.db, input.projectId),
    'evaluation.multiEvaluate': async (input, ctx) => {
      const result = await evaluateMultiLabel(ctx, input, load);
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'evaluation' });
      return result;
    },
    'evaluation.multiGet': (input, ctx) => storedMultiLabelEvaluation(ctx.db, input.projectId, input.runId),
    'evaluation.multiThresholds': (input, ctx) => setLabelThresholds(ctx, input, load),
    'evaluation.evaluate': async (input, ctx) => {
      const result = await evaluateModel(ctx, input, load);
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'evaluation' });
      return result;
    },
    'evaluation.get': (input, ctx) => storedEvaluation(ctx.db, input.projectId, input.model),
    'evaluation.documents': (input, ctx) =>
      evaluationDocuments(ctx.db, input.projectId, input.model, input.filter, input.limit),
    'evaluation.operatingPoint': (input, ctx) => {
      const e = requireEvaluation(ctx.db, input.projectId, input.model);
      return operatingPoint(e.labels, e.predictions, input);
    },
    'evaluation.saveThreshold': (input, ctx) => {
      const ref = { kind: 'student' as const, runId: input.runId };
      const e = requireEvaluation(ctx.db, input.projectId, ref);
      const point = operatingPoint(e.labels, e.predictions, input);
      const saved: SavedThreshold = {
        label: point.label,
        classIndex: point.classIndex,
        threshold: point.threshold,
        by: input.by,
        target: input.value,
        costFp: input.costFp,
        costFn: input.costFn,
        savedAt: nowIso(),
      };
      const actor = getSettings(ctx.db).annotator;
      ctx.db.transaction(() => {
        const r = ctx.db
          .prepare('UPDATE student_runs SET threshold = ? WHERE id = ? AND project_id = ?')
          .run(JSON.stringify(saved), input.runId, input.projectId);
        if (r.changes !== 1) throw notFound('Training run', input.runId);
        audit(ctx.db, {
          projectId: input.projectId,
          actor,
          action: 'set_threshold',
          entity: 'student_run',
          entityId: input.runId,
          details: saved,
        });
      })();
      return saved;
    },
    'evaluation.sendToReview': (input, ctx) =>
      sendToReview(ctx.db, input.projectId, input.exampleIds, input.reason, getSettings(ctx.db).annotator),
    'evaluation.teacherVsStudent': (input, ctx) =>
      teacherVsStudent(ctx, input.projectId, input.studentRunId, load),
    'evaluation.compare': (input, ctx) => {
      if (input.a.kind === input.b.kind && input.a.runId === input.b.runId)
        throw AppError.keyed('INVALID_INPUT', 'evaluation.chooseTwoDifferentRuns', {});
      return compareRuns(ctx.db, input.projectId, input.a, input.b);
    },
    'evaluation.exportReport': (input, ctx) =>
      exportReport(ctx, input.projectId, input.model, input.format, input.language ?? 'en'),
  };
}

export const evaluationFeature: Feature<typeof evaluationContract> = {
  name: 'evaluation',
  handlers: evaluationHandlers(loadStudent),
};
