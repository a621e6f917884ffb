import { DEFAULT_TRAIN_SETTINGS, TrainSettings, type studentContract } from '../../../shared/student';
import { jobTitle } from '../../core/jobTitles';
import { AppError } from '../../core/errors';
import type { CoreContext, Feature } from '../../core/feature';
import { stableKey } from '../../core/jobs/jobs';
import { getProject } from '../projects/projects';
import { projectKind } from '../../core/labels';
import { trainJob } from './job';
import { loadStudent } from './predict';
import { chosenSettings, readAutoReport } from './auto';
import { readFinalFit } from './finalFit';
import {
  createRun,
  getRun,
  getRunDetail,
  listRuns,
  parseRunSettings,
  reconcileRunStates,
  runDir,
  trainOverview,
} from './runs';

/**
 * A run in Auto mode that starts from an earlier run skips the trials (auto.ts): it reads text as the earlier model
 * does, so it takes what Auto chose for that run (features, class balance, learning rate; L2 in a multi-label project).
 */
function warmStartSettings(ctx: CoreContext, settings: TrainSettings): TrainSettings {
  const from = settings.initFromRunId;
  if (from === undefined || !settings.auto) return settings;
  const row = ctx.db.prepare('SELECT settings, project_id FROM student_runs WHERE id = ?').get(from) as
    { settings: string; project_id: number } | undefined;
  if (!row) return settings; // createRun says that the run does not exist
  const kind = projectKind(ctx.db, row.project_id);
  const earlier = chosenSettings(parseRunSettings(row.settings), readAutoReport(runDir(ctx.paths, from)));
  const { features, classBalance, learningRate } = earlier;
  return {
    ...settings,
    features,
    classBalance,
    learningRate,
    ...(kind === 'multi' ? { l2: earlier.l2 } : {}),
  };
}

export const studentFeature: Feature<typeof studentContract> = {
  name: 'student',
  handlers: {
    'student.overview': (input, ctx) => {
      getProject(ctx.db, input.projectId);
      return trainOverview(ctx.db, input.projectId, DEFAULT_TRAIN_SETTINGS);
    },
    'student.train': (input, ctx) => {
      const project = getProject(ctx.db, input.projectId);
      // The same request while its run trains (a double click, a second window) gets that run back.
      const key = stableKey(input.settings ?? {});
      const same = ctx.jobs.active('student.train', project.id, key);
      const sameRun =
        same &&
        (ctx.db.prepare('SELECT id FROM student_runs WHERE job_id = ?').get(same.id) as
          { id: number } | undefined);
      if (same && sameRun) return { run: getRun(ctx.db, sameRun.id), job: same };
      const running = ctx.jobs
        .list({ projectId: project.id, activeOnly: true })
        .find((j) => j.kind === 'student.train' && (j.state === 'running' || j.state === 'paused'));
      if (running) {
        throw AppError.keyed('CONFLICT', 'student.studentAlreadyTrainingProject', { id: running.id });
      }
      const settings = warmStartSettings(ctx, TrainSettings.parse({ ...input.settings }));
      const runId = createRun(ctx.db, ctx.paths, project.id, settings);
      const job = ctx.jobs.start('student.train', {
        projectId: project.id,
        title: jobTitle(ctx.db, `Train student (run ${runId})`, project.id),
        params: { runId },
        key,
      });
      ctx.db.prepare('UPDATE student_runs SET job_id = ? WHERE id = ?').run(job.id, runId);
      return { run: getRun(ctx.db, runId), job };
    },
    'student.runs': (input, ctx) => {
      getProject(ctx.db, input.projectId);
      return listRuns(ctx.db, input.projectId);
    },
    'student.run': (input, ctx) => {
      const detail = getRunDetail(ctx.db, input.runId);
      return {
        ...detail,
        auto: readAutoReport(runDir(ctx.paths, input.runId)),
        finalFit: readFinalFit(detail.modelPath),
      };
    },
    'student.predict': async (input, ctx) => {
      const run = getRun(ctx.db, input.runId);
      if (!run.modelPath) {
        throw AppError.keyed('NOT_FOUND', 'student.trainingRunHasModel', { id: run.id });
      }
      const predictor = await loadStudent(run.modelPath);
      try {
        return {
          labels: predictor.labels,
          probs: await predictor.predict(input.texts),
          kind: predictor.kind,
          thresholds: predictor.kind === 'multi' ? getRunDetail(ctx.db, run.id).thresholds : null,
        };
      } finally {
        predictor.dispose();
      }
    },
  },
  start: (ctx) => {
    ctx.jobs.register('student.train', (ctl) => trainJob(ctx, ctl));
    reconcileRunStates(ctx.db);
  },
};
