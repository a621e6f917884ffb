import type { backupContract } from '../../../shared/backup';
import type { Job } from '../../../shared/jobs';
import type { JobParamsOf } from '../../../shared/jobParams';
import { notFound } from '../../core/errors';
import type { CoreContext, Feature } from '../../core/feature';
import { isUpload, removeUpload, uploadIdOf } from '../../core/uploads';
import { getSettings } from '../app/settings';
import { removeLeftovers } from './format';
import { inspectBackup, restoreBackup } from './restore';
import { writeBackup } from './write';

/** The project, and where to write (CLI --out; the data folder's exports/backups otherwise): BackupJobParams. */
export type BackupParams = JobParamsOf<typeof BACKUP_JOB_KIND>;

/** The job kind of a backup: named before backup was its own feature, and stored under that name in data folders. */
export const BACKUP_JOB_KIND = 'export.backup';

/** Starts a backup job: the same from the UI, the server and the CLI. */
export function startBackup(ctx: CoreContext, params: BackupParams): Job {
  const project = ctx.db.prepare('SELECT name FROM projects WHERE id = ?').get(params.projectId) as
    { name: string } | undefined;
  if (!project) throw notFound('Project', params.projectId);
  return ctx.jobs.start(BACKUP_JOB_KIND, {
    projectId: params.projectId,
    title: `Back up ${project.name}`,
    params,
  });
}

export const backupFeature: Feature<typeof backupContract> = {
  name: 'backup',
  handlers: {
    'backup.create': (input, ctx) => startBackup(ctx, { projectId: input.projectId }),
    'backup.inspect': (input, ctx) => inspectBackup(ctx.db, ctx.paths, input.path),
    'backup.restore': (input, ctx) => {
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
    // A backup interrupted by a crash starts over: its temporary copy is thrown away, nothing else was changed.
    ctx.jobs.register(BACKUP_JOB_KIND, (ctl) =>
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
