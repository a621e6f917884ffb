import type { datasetContract } from '../../../shared/dataset';
import type { Feature } from '../../core/feature';
import { getSettings } from '../app/settings';
import { browse, count } from './browse';
import { cleanApply, cleanPreview, cleanUndo, setExcluded } from './cleaning';
import { applyMask, builtinRules, compileRules } from './masking';
import { addMaskRule, maskPreview, projectMaskRules, removeMaskRule, setMaskRuleEnabled } from './maskRules';
import { exportDataset } from './exportData';
import { deleteLabel, labels, saveLabels } from './labelSet';
import { lockTest, split } from './splits';
import { stats } from './stats';
import { findLeakage } from './leakage';
import { makeImportRunner, startImport } from './importer';
import { dropEndedStaging, dropOrphanStaging } from './importStaging';
import { makeSearchIndexRunner } from './searchIndex';
import { previewSource } from './source';

export const datasetFeature: Feature<typeof datasetContract> = {
  name: 'dataset',
  handlers: {
    'dataset.preview': (input) => previewSource(input),
    'dataset.import': (input, ctx) => startImport(ctx, input),
    'dataset.stats': (input, ctx) => stats(ctx.db, input.projectId),
    'dataset.leakage': (input, ctx) => findLeakage(ctx.db, input.projectId, input.nearThreshold),
    'dataset.browse': (input, ctx) => browse(ctx.db, input.projectId, input),
    'dataset.count': (input, ctx) => ({ count: count(ctx.db, input.projectId, input.filters) }),
    'dataset.labels': (input, ctx) => labels(ctx.db, input.projectId),
    'dataset.saveLabels': (input, ctx) => {
      const r = saveLabels(ctx.db, input.projectId, input.labels, getSettings(ctx.db).annotator);
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'labels' });
      return r;
    },
    'dataset.deleteLabel': (input, ctx) => {
      const r = deleteLabel(ctx.db, input.projectId, input.labelId, getSettings(ctx.db).annotator);
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'labels' });
      return r;
    },
    'dataset.maskRules': (input, ctx) =>
      input.projectId === undefined ? builtinRules() : projectMaskRules(ctx.db, input.projectId),
    'dataset.maskText': (input, ctx) =>
      applyMask(
        input.text,
        compileRules(
          input.projectId === undefined ? builtinRules() : projectMaskRules(ctx.db, input.projectId),
        ),
      ),
    'dataset.maskAddRule': (input, ctx) => {
      const r = addMaskRule(ctx.db, input.projectId, input.rule, getSettings(ctx.db).annotator);
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'dataset.mask' });
      return r;
    },
    'dataset.maskSetEnabled': (input, ctx) => {
      const r = setMaskRuleEnabled(
        ctx.db,
        input.projectId,
        input.name,
        input.enabled,
        getSettings(ctx.db).annotator,
      );
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'dataset.mask' });
      return r;
    },
    'dataset.maskRemoveRule': (input, ctx) => {
      const r = removeMaskRule(ctx.db, input.projectId, input.name, getSettings(ctx.db).annotator);
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'dataset.mask' });
      return r;
    },
    'dataset.maskPreview': (input, ctx) => maskPreview(ctx.db, input.projectId, input.sample),
    'dataset.cleanPreview': (input, ctx) => cleanPreview(ctx.db, input.projectId, input.options),
    'dataset.cleanApply': (input, ctx) => {
      const r = cleanApply(ctx.db, input.projectId, input.options, getSettings(ctx.db).annotator);
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'dataset.clean' });
      return { ...r, applied: true as const };
    },
    'dataset.cleanUndo': (input, ctx) => {
      const r = cleanUndo(ctx.db, input.projectId, getSettings(ctx.db).annotator);
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'dataset.clean' });
      return r;
    },
    'dataset.setExcluded': (input, ctx) => {
      const changed = setExcluded(
        ctx.db,
        input.projectId,
        input.exampleIds,
        input.excluded,
        getSettings(ctx.db).annotator,
      );
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'dataset.exclude' });
      return { changed };
    },
    'dataset.split': (input, ctx) => {
      const { projectId, ...req } = input;
      const r = split(ctx.db, projectId, req, getSettings(ctx.db).annotator);
      ctx.events.emit('project.changed', { projectId, what: 'dataset.split' });
      return r;
    },
    'dataset.lockTest': (input, ctx) => {
      const r = lockTest(
        ctx.db,
        input.projectId,
        input.locked,
        input.confirm ?? false,
        getSettings(ctx.db).annotator,
      );
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'dataset.lock' });
      return r;
    },
    'dataset.export': (input, ctx) =>
      exportDataset(ctx.db, ctx.paths, input.projectId, input.format, input.includeExcluded),
  },
  start: (ctx) => {
    // The runner needs this core's services, so it is registered per core rather than as a static map entry.
    ctx.jobs.register('dataset.import', makeImportRunner(ctx));
    ctx.jobs.register('dataset.searchIndex', makeSearchIndexRunner(ctx));
    dropOrphanStaging(ctx.db);
    // An import that ended without its own clean-up (a full disk made that fail too) leaves no staged rows.
    ctx.events.subscribe((e) => {
      if (e.name !== 'job.updated') return;
      const job = e.payload;
      if (job.kind !== 'dataset.import' || (job.state !== 'failed' && job.state !== 'cancelled')) return;
      try {
        dropEndedStaging(ctx.db);
      } catch (err) {
        // The next start drops them (dropOrphanStaging): the job is recorded as ended.
        console.error('[dataset] could not drop the staged rows of an ended import:', err);
      }
    });
  },
};
