import type { reviewContract } from '../../../shared/review';
import type { CoreContext, Feature } from '../../core/feature';
import { currentActor } from '../../core/actor';
import { notFound } from '../../core/errors';
import { getSettings } from '../app/settings';
import { canSee } from '../team/scope';
import { agreement } from './agreement';
import { annotate, bulkPreview, goldSummary, history, moveTo, reviewState, undo, upcoming } from './annotate';
import { bulkAcceptRunner, startBulkAccept } from './bulk';
import { annotationText, exportAnnotations, importAnnotations } from './exchange';
import { queueCounts } from './counts';
import { loadItem } from './queues';

/**
 * Who is labelling: in team mode always the logged-in person; otherwise the request's annotator, else the local
 * profile (settings.annotator).
 */
function who(ctx: CoreContext, annotator: string | undefined): string {
  return currentActor()?.username ?? annotator ?? getSettings(ctx.db).annotator;
}

function changed(ctx: CoreContext, projectId: number): void {
  ctx.events.emit('project.changed', { projectId, what: 'annotations' });
}

export const reviewFeature: Feature<typeof reviewContract> = {
  name: 'review',
  start: (ctx) => {
    const run = bulkAcceptRunner(ctx.db);
    ctx.jobs.register('review.bulkAccept', async (ctl) => {
      const r = await run(ctl);
      changed(ctx, ctl.params.projectId);
      return r;
    });
  },
  handlers: {
    'review.state': (input, ctx) => reviewState(ctx.db, input.projectId, who(ctx, input.annotator)),
    'review.counts': (input, ctx) => queueCounts(ctx.db, input.projectId, input.queue),
    'review.next': (input, ctx) =>
      moveTo(
        ctx.db,
        input.projectId,
        who(ctx, input.annotator),
        input.queue,
        input.exampleId,
        input.direction,
        input.peek,
      ),
    'review.upcoming': (input, ctx) =>
      upcoming(ctx.db, input.projectId, who(ctx, input.annotator), input.queue, input.exampleId, input.count),
    'review.item': (input, ctx) => {
      if (!canSee(ctx.db, input.exampleId)) throw notFound('Document', input.exampleId);
      return loadItem(ctx.db, input.projectId, input.exampleId, who(ctx, input.annotator));
    },
    'review.annotate': (input, ctx) => {
      const r = annotate(ctx.db, { ...input, annotator: who(ctx, input.annotator) });
      ctx.events.emit('review.annotated', { projectId: input.projectId, exampleId: input.exampleId });
      return r;
    },
    'review.undo': (input, ctx) => {
      const r = undo(ctx.db, input.projectId, who(ctx, input.annotator));
      if (r.item)
        ctx.events.emit('review.annotated', { projectId: input.projectId, exampleId: r.item.exampleId });
      return r;
    },
    'review.bulkPreview': (input, ctx) =>
      bulkPreview(ctx.db, input.projectId, input.queue, input.minConfidence),
    'review.bulkAccept': (input, ctx) =>
      startBulkAccept(ctx.db, ctx.jobs, {
        projectId: input.projectId,
        queue: input.queue,
        minConfidence: input.minConfidence,
        annotator: who(ctx, input.annotator),
      }),
    'review.gold': (input, ctx) => goldSummary(ctx.db, input.projectId),
    'review.agreement': (input, ctx) => agreement(ctx.db, input.projectId, input.annotators),
    'review.history': (input, ctx) =>
      history(ctx.db, input.projectId, { exampleId: input.exampleId, limit: input.limit }),
    'review.export': (input, ctx) => exportAnnotations(ctx.db, input.projectId, input.annotator),
    'review.import': (input, ctx) => {
      const r = importAnnotations(ctx.db, input.projectId, annotationText(input), {
        dryRun: input.dryRun,
        allowPartial: input.allowPartial,
        onConflict: input.onConflict,
        actor: who(ctx, undefined),
      });
      if (!r.dryRun) changed(ctx, input.projectId);
      return r;
    },
  },
};
