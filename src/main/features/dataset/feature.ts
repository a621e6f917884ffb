import type { datasetContract } from '../../../shared/dataset';
import type { CoreContext, Feature } from '../../core/feature';
import { getSettings } from '../app/settings';
import { browse, count } from './browse';
import { cleanApply, cleanPreview, cleanUndo, setExcluded } from './cleaning';
import { applyMask, builtinRules, compileRules } from './masking';
import { addMaskRule, maskPreview, projectMaskRules, removeMaskRule, setMaskRuleEnabled } from './maskRules';
import { exportDataset } from './exportData';
import { deleteLabel, labels, saveLabels } from './labelSet';
import { lockTest, split } from './splits';
import { duplicateGroups, stats } from './stats';
import { findLeakage } from './leakage';
import { makeImportRunner, removeEndedImport, removeUnfinishedImports, startImport } from './importer';
import { dropOrphanStaging, removeEndedStaging } from './importStaging';
import { makeSearchIndexRunner } from './searchIndex';
import { previewSource } from './source';

/**
 * A change to a project's data made by the current annotator (`act` is given their name for the audit log), then
 * told to every client as `project.changed` with `what` changed. Nothing is told when the change throws.
 */
function change<T>(ctx: CoreContext, projectId: number, what: string, act: (actor: string) => T): T {
  const result = act(getSettings(ctx.db).annotator);
  ctx.events.emit('project.changed', { projectId, what });
  return result;
}

export const datasetFeature: Feature<typeof datasetContract> = {
  name: 'dataset',
  handlers: {
    'dataset.preview': (input) => previewSource(input),
    'dataset.import': (input, ctx) => startImport(ctx, input),
    'dataset.stats': async (input, ctx) => {
      const s = stats(ctx.db, input.projectId);
      return input.duplicates ? { ...s, duplicateGroups: await duplicateGroups(ctx.db, input.projectId) } : s;
    },
    'dataset.leakage': (input, ctx) => findLeakage(ctx.db, input.projectId, input.nearThreshold),
    'dataset.browse': (input, ctx) => browse(ctx.db, input.projectId, input),
    'dataset.count': (input, ctx) => ({ count: count(ctx.db, input.projectId, input.filters) }),
    'dataset.labels': (input, ctx) => labels(ctx.db, input.projectId),
    'dataset.saveLabels': (input, ctx) =>
      change(ctx, input.projectId, 'labels', (actor) =>
        saveLabels(ctx.db, input.projectId, input.labels, actor),
      ),
    'dataset.deleteLabel': (input, ctx) =>
      change(ctx, input.projectId, 'labels', (actor) =>
        deleteLabel(ctx.db, input.projectId, input.labelId, actor),
      ),
    'dataset.maskRules': (input, ctx) =>
      input.projectId === undefined ? builtinRules() : projectMaskRules(ctx.db, input.projectId),
    'dataset.maskText': (input, ctx) =>
      applyMask(
        input.text,
        compileRules(
          input.projectId === undefined ? builtinRules() : projectMaskRules(ctx.db, input.projectId),
        ),
      ),
    'dataset.maskAddRule': (input, ctx) =>
      change(ctx, input.projectId, 'dataset.mask', (actor) =>
        addMaskRule(ctx.db, input.projectId, input.rule, actor),
      ),
    'dataset.maskSetEnabled': (input, ctx) =>
      change(ctx, input.projectId, 'dataset.mask', (actor) =>
        setMaskRuleEnabled(ctx.db, input.projectId, input.name, input.enabled, actor),
      ),
    'dataset.maskRemoveRule': (input, ctx) =>
      change(ctx, input.projectId, 'dataset.mask', (actor) =>
        removeMaskRule(ctx.db, input.projectId, input.name, actor),
      ),
    'dataset.maskPreview': (input, ctx) => maskPreview(ctx.db, input.projectId, input.sample),
    'dataset.cleanPreview': (input, ctx) => cleanPreview(ctx.db, input.projectId, input.options),
    'dataset.cleanApply': (input, ctx) =>
      change(ctx, input.projectId, 'dataset.clean', (actor) => ({
        ...cleanApply(ctx.db, input.projectId, input.options, actor),
        applied: true as const,
      })),
    'dataset.cleanUndo': (input, ctx) =>
      change(ctx, input.projectId, 'dataset.clean', (actor) => cleanUndo(ctx.db, input.projectId, actor)),
    'dataset.setExcluded': (input, ctx) =>
      change(ctx, input.projectId, 'dataset.exclude', (actor) => ({
        changed: setExcluded(ctx.db, input.projectId, input.exampleIds, input.excluded, actor),
      })),
    'dataset.split': (input, ctx) => {
      const { projectId, ...req } = input;
      return change(ctx, projectId, 'dataset.split', (actor) => split(ctx.db, projectId, req, actor));
    },
    'dataset.lockTest': (input, ctx) =>
      change(ctx, input.projectId, 'dataset.lock', (actor) =>
        lockTest(ctx.db, input.projectId, input.locked, input.confirm ?? false, actor),
      ),
    'dataset.export': (input, ctx) =>
      exportDataset(ctx.db, ctx.paths, input.projectId, input.format, input.includeExcluded),
  },
  start: (ctx) => {
    // The runner needs this core's services, so it is registered per core rather than as a static map entry.
    ctx.jobs.register('dataset.import', makeImportRunner(ctx));
    ctx.jobs.register('dataset.searchIndex', makeSearchIndexRunner(ctx));
    dropOrphanStaging(ctx.db, ctx.paths);
    removeUnfinishedImports(ctx);
    // An import that ended without its own clean-up (a full disk made that fail too) leaves no staging file.
    ctx.events.subscribe((e) => {
      if (e.name !== 'job.updated') return;
      const job = e.payload;
      if (job.kind !== 'dataset.import' || (job.state !== 'failed' && job.state !== 'cancelled')) return;
      // A direct import's rows go (also when it was cancelled while not running); a second removal does nothing.
      removeEndedImport(ctx, job.id);
      try {
        removeEndedStaging(ctx.db, ctx.paths, job.id);
      } catch (err) {
        // The next start removes it (dropOrphanStaging): the job is recorded as ended.
        console.error('[dataset] could not remove the staging file of an ended import:', err);
      }
    });
  },
};
