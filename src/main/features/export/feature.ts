import type { exportContract } from '../../../shared/export';
import type { Feature } from '../../core/feature';
import { getSettings } from '../app/settings';
import { exportOverview, exportStudent } from './exportStudent';
import { batchPredictRunner, playground, startBatchPredict } from './predict';

export const exportFeature: Feature<typeof exportContract> = {
  name: 'export',
  handlers: {
    'export.overview': (input, ctx) => exportOverview(ctx.db, input.projectId),
    'export.student': (input, ctx) =>
      exportStudent(ctx, input.projectId, { runId: input.runId, actor: getSettings(ctx.db).annotator }),
    'export.playground': (input, ctx) => playground(ctx, input),
    'export.batchPredict': (input, ctx) => startBatchPredict(ctx, input),
  },
  // Registered per core (not in `jobs`) because the runner needs the core's context.
  start: (ctx) => {
    ctx.jobs.register('export.predict', batchPredictRunner(ctx));
  },
};
