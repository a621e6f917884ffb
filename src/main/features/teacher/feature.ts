import type { teacherContract } from '../../../shared/teacher';
import type { Feature } from '../../core/feature';
import { getModel, importModelJob, listModels, RECOMMENDED_TEACHERS, removeModel } from './models';
import { calibrateLabels, calibrateRun } from './calibrate';
import { preview, promptPreview } from './preview';
import { runTeacherJob, startRun } from './runs';
import { planRun, timeTeacher } from './runPlan';
import { getRun, listOutputs, listRuns } from './runStore';
import { teacherService } from './service';
import { importTeacherRun } from './importRun';
import { checkEndpoint, endpointRates } from './remote';
import { getDraft, saveDraft } from './drafts';
import { originalFileName } from '../../core/jobTitles';
import { labelTeacherCheck, teacherCheck } from './check';
import {
  diffPromptVersions,
  listPromptVersions,
  projectTask,
  savePromptVersion,
  setProjectTask,
} from './promptVersions';
import { promptText, runTrialJob, startTrial } from './trial';

export const teacherFeature: Feature<typeof teacherContract> = {
  name: 'teacher',
  handlers: {
    'teacher.models': (_input, ctx) => listModels(ctx.db),
    'teacher.importModel': (input, ctx) =>
      ctx.jobs.start('teacher.import', {
        title: `Import model ${originalFileName(input.path)}`,
        params: { path: input.path, name: input.name },
      }),
    'teacher.downloadModel': (input, ctx) =>
      ctx.jobs.start('teacher.import', {
        title: `Download model ${input.url.split('/').pop() ?? ''}`,
        params: { url: input.url, name: input.name },
      }),
    'teacher.removeModel': (input, ctx) => {
      removeModel(ctx, input.modelId);
      return { removed: true } as const;
    },
    'teacher.recommended': () => [...RECOMMENDED_TEACHERS],
    'teacher.hardware': (input, ctx) =>
      teacherService(ctx).hardware(input.modelId ? getModel(ctx.db, input.modelId) : null, 2048),
    'teacher.promptPreview': (input, ctx) => promptPreview(ctx, input),
    'teacher.preview': (input, ctx) => preview(ctx, input),
    'teacher.run': (input, ctx) => startRun(ctx, input),
    'teacher.runs': (input, ctx) => listRuns(ctx.db, input.projectId),
    'teacher.draft': (input, ctx) => getDraft(ctx.db, input.projectId),
    'teacher.saveDraft': (input, ctx) => {
      saveDraft(ctx.db, input.projectId, input.draft);
      return { saved: true } as const;
    },
    'teacher.plan': (input, ctx) => planRun(ctx, input),
    'teacher.time': (input, ctx) => timeTeacher(ctx, input),
    'teacher.outputs': (input, ctx) => listOutputs(ctx.db, input.runId, input.offset, input.limit),
    'teacher.check': (input, ctx) => teacherCheck(ctx.db, input.runId),
    'teacher.labelCheck': (input, ctx) => labelTeacherCheck(ctx.db, input.runId),
    'teacher.calibrateLabels': (input, ctx) => calibrateLabels(ctx.db, input.runId),
    'teacher.importRun': (input, ctx) => importTeacherRun(ctx, input),
    'teacher.calibrate': (input, ctx) => {
      getRun(ctx.db, input.runId);
      return calibrateRun(ctx.db, input.runId);
    },
    'teacher.checkEndpoint': (input) => checkEndpoint(input),
    'teacher.endpointRates': () => endpointRates(),
    'teacher.promptVersions': (input, ctx) => listPromptVersions(ctx.db, input.projectId),
    'teacher.savePromptVersion': (input, ctx) => savePromptVersion(ctx.db, input),
    'teacher.promptDiff': (input, ctx) => diffPromptVersions(ctx.db, input.fromId, input.toId),
    'teacher.task': (input, ctx) => ({ task: projectTask(ctx.db, input.projectId) }),
    'teacher.setTask': (input, ctx) => setProjectTask(ctx.db, input.projectId, input.task),
    'teacher.promptText': (input, ctx) => promptText(ctx, input),
    'teacher.trial': (input, ctx) => startTrial(ctx, input),
  },
  // Registered per core (not in `jobs`) because the runners need the core's context, and tests run several cores.
  start: (ctx) => {
    ctx.jobs.register('teacher.run', (ctl) => runTeacherJob(ctx, ctl));
    ctx.jobs.register('teacher.trial', (ctl) => runTrialJob(ctx, ctl));
    ctx.jobs.register('teacher.import', (ctl) => importModelJob(ctx, ctl));
  },
};
