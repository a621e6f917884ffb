import type { JobControl } from '../../core/jobs/jobs';
import type { exportContract } from '../../../shared/export';
import { notFound } from '../../core/errors';
import { isUpload, removeUpload, uploadIdOf } from '../../core/uploads';
import type { Feature } from '../../core/feature';
import { getSettings } from '../app/settings';
import type { Job } from '../../../shared/jobs';
import type { CoreContext } from '../../core/feature';
import { inspectBackup, removeLeftovers, restoreBackup, writeBackup } from './backup';
import { exportOverview, exportStudent } from './exportStudent';
import { batchPredictRunner, playground, startBatchPredict } from './predict';

export interface BackupParams {
  readonly projectId: number;
  /** Where to write (CLI --out); the data folder's exports/backups otherwise. */
  readonly outFile?: string;
}

/** Starts a backup job: the same from the UI, the server and the CLI. */
export function startBackup(ctx: CoreContext, params: BackupParams): Job {
  const project = ctx.db.prepare('SELECT name FROM projects WHERE id = ?').get(params.projectId) as
    { name: string } | undefined;
  if (!project) throw notFound('Project', params.projectId);
  return ctx.jobs.start('export.backup', {
    projectId: params.projectId,
    title: `Back up ${project.name}`,
    params,
  });
}

export const exportFeature: Feature<typeof exportContract> = {
  name: 'export',
  handlers: {
    'export.overview': (input, ctx) => exportOverview(ctx.db, input.projectId),
    'export.student': (input, ctx) =>
      exportStudent(ctx, input.projectId, { runId: input.runId, actor: getSettings(ctx.db).annotator }),
    'export.playground': (input, ctx) => playground(ctx, input),
    'export.batchPredict': (input, ctx) => startBatchPredict(ctx, input),
    'export.backup': (input, ctx) => startBackup(ctx, { projectId: input.projectId }),
    'export.inspectBackup': (input, ctx) => inspectBackup(ctx.db, ctx.paths, input.path),
    'export.restore': (input, ctx) => {
      const result = restoreBackup(ctx.db, ctx.paths, input.path, {
        name: input.name,
        actor: getSettings(ctx.db).annotator,
      });
      ctx.events.emit('project.changed', { projectId: result.projectId, what: 'restored' });
      // A backup sent by a browser is a copy: once restored it is not kept.
      const upload = isUpload(ctx.paths, input.path) ? uploadIdOf(ctx.paths, input.path) : null;
      if (upload) removeUpload(ctx.paths, upload);
      return result;
    },
  },
  // Registered per core (not in `jobs`) because the runner needs the core's context.
  start: (ctx) => {
    // What a killed backup or restore left: temporary database copies (hundreds of MB, every project's rows),
    // restore staging folders, half-written backup files. One process owns the folder, so none is in use.
    removeLeftovers(ctx.paths);
    ctx.jobs.register('export.predict', batchPredictRunner(ctx));
    // A backup interrupted by a crash starts over: its temporary copy is thrown away, nothing else was changed.
    ctx.jobs.register('export.backup', (ctl: JobControl<BackupParams>) =>
      writeBackup(ctx.db, ctx.paths, ctl.params.projectId, {
        ownJobId: ctl.jobId,
        outFile: ctl.params.outFile,
        steps: {
          progress: (done, total, phase) => ctl.progress(done, total, { phase }),
          yield: () => ctl.yield(),
        },
      }),
    );
  },
};
