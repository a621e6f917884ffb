import type { diskContract } from '../../../shared/disk';
import type { Job } from '../../../shared/jobs';
import type { CoreContext, Feature } from '../../core/feature';
import { listUploads, removeUpload, uploadIdsIn, uploadsInUse } from '../../core/uploads';
import { getSettings } from '../app/settings';
import { deleteRun, deleteTeacherRun, deleteUpload, diskUsage, runDiskUse, teacherRunDiskUse } from './disk';

const ENDED: ReadonlyArray<Job['state']> = ['completed', 'failed', 'cancelled'];

/** Removes the uploads an ended job used, unless another job that can still run needs them. */
function releaseJobUploads(ctx: CoreContext, jobId: number): void {
  const params = ctx.db.prepare('SELECT params FROM jobs WHERE id = ?').pluck().get(jobId) as
    string | undefined;
  const ids = params ? uploadIdsIn(params) : [];
  if (!ids.length) return;
  const inUse = uploadsInUse(ctx.db);
  for (const id of ids) if (!inUse.has(id)) removeUpload(ctx.paths, id);
}

export const diskFeature: Feature<typeof diskContract> = {
  name: 'disk',
  handlers: {
    'disk.usage': (input, ctx) => diskUsage(ctx, input.projectId),
    'disk.deleteRun': (input, ctx) => deleteRun(ctx, input, getSettings(ctx.db).annotator),
    'disk.deleteUpload': (input, ctx) => deleteUpload(ctx, input),
    'disk.runUse': (input, ctx) => runDiskUse(ctx, input.projectId, input.runId),
    'disk.teacherRunUse': (input, ctx) => teacherRunDiskUse(ctx, input.projectId, input.runId),
    'disk.deleteTeacherRun': (input, ctx) => deleteTeacherRun(ctx, input, getSettings(ctx.db).annotator),
  },
  start: (ctx) => {
    // Uploads are copies of files the person still has: kept only while a job that can still run needs them.
    // At start, those of jobs that ended (and of jobs removed) go; uploads no job names were only previewed.
    const inUse = uploadsInUse(ctx.db);
    const named = new Set(
      (ctx.db.prepare('SELECT params FROM jobs WHERE params IS NOT NULL').pluck().all() as string[]).flatMap(
        (p) => uploadIdsIn(p),
      ),
    );
    for (const id of listUploads(ctx.paths)) if (named.has(id) && !inUse.has(id)) removeUpload(ctx.paths, id);
    const unsubscribe = ctx.events.subscribe((env) => {
      if (env.name !== 'job.updated') return;
      const job = env.payload;
      if (ENDED.includes(job.state)) releaseJobUploads(ctx, job.id);
    });
    ctx.onDispose(unsubscribe);
  },
};
