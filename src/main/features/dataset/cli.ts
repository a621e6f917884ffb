import { resolve } from 'node:path';
import { BrowseFilters, CleanOptions, SplitRequest, type DatasetStats } from '../../../shared/dataset';
import { contract } from '../../../shared/contract';
import { defineCommand, PROJECT_ID } from '../../cli/command';
import type { CliCommand, CliIo } from '../../cli/types';
import { AppError } from '../../core/errors';
import { copyToOutput, isStreamTarget } from '../../cli/output';
import { schemaOptions } from '../../cli/schemaOptions';
import { importCommands } from './importCli';
import { maskCommands } from './maskCli';

function printStats(s: DatasetStats, io: CliIo): void {
  io.print(`${s.total} examples (${s.included} included, ${s.excluded} excluded), ${s.labelled} labelled`);
  io.print(
    `splits: train ${s.splits.train}, validation ${s.splits.validation}, test ${s.splits.test}${s.testLocked ? ' (locked)' : ''}, none ${s.splits.none}`,
  );
  for (const l of s.perLabel) {
    const c = l.counts;
    io.print(
      `  ${(l.name ?? '(unlabelled)').padEnd(24)} train ${c.train}  validation ${c.validation}  test ${c.test}  none ${c.none}`,
    );
  }
  if (s.duplicateGroups)
    io.print(`${s.duplicateGroups} groups of exact duplicates (see "distillery data clean")`);
  for (const src of s.sources)
    io.print(`source ${src.id}: ${src.name} (${src.rowCount} rows, ${src.skippedCount} skipped)`);
}

function lockedNote(n: number, what: string): string {
  return (
    `${n} examples of the locked test split were not ${what}: the locked test split is the gold set. ` +
    'Unlock it first ("distillery data lock PROJECT_ID --unlock --confirm") to clean it.'
  );
}

/** Every cleaning option, from the request schema (its defaults, ranges and descriptions). */
const clean = schemaOptions(CleanOptions, {
  minChars: {},
  maxChars: {},
  nearDuplicates: {},
  nearThreshold: { flag: 'threshold' },
  mask: {},
  nfkc: {},
  whitespace: {},
  exactDuplicates: { flag: 'duplicates' },
  dropEmpty: { flag: 'drop-empty' },
});

const split = schemaOptions(SplitRequest, { train: {}, validation: {}, test: {}, seed: {}, stratify: {} });

const leakage = schemaOptions(contract['dataset.leakage'].input, {
  nearThreshold: { flag: 'threshold', help: 'How alike two texts must be to count as near duplicates' },
});

const labelEdit = schemaOptions(contract['dataset.saveLabels'].input.shape.labels.element, {
  name: {
    flag: 'set',
    value: 'NAME',
    help: 'The label to set (added when the project has none of that name)',
  },
  description: { help: 'Its description (what the teacher and people read)' },
  color: { value: 'C', help: 'Its colour' },
  hotkey: { flag: 'key', value: 'K', help: 'Its key in Review' },
});

const browse = schemaOptions(contract['dataset.browse'].input, { limit: { help: 'Show at most this many' } });
const browseFilters = schemaOptions(BrowseFilters, {
  split: { help: 'Only documents of this split' },
  noneOfThese: {
    flag: 'none-of-these',
    help: 'Multi-label: documents a person answered "none of these" (the empty set)',
  },
});

const exportOptions = schemaOptions(contract['dataset.export'].input, {
  format: { help: 'The file format' },
  includeExcluded: { flag: 'include-excluded', help: 'Include the excluded examples too' },
});

/** Label names as ids (exact, then case-insensitive), or an error listing the project's labels. */
async function labelIds(
  io: CliIo,
  projectId: number,
  names: readonly string[],
): Promise<Map<string, number>> {
  const byName = new Map<string, number>();
  if (names.length === 0) return byName;
  const labels = await (await io.core()).call('dataset.labels', { projectId });
  for (const name of names) {
    const l =
      labels.find((x) => x.name === name) ?? labels.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!l) {
      throw AppError.keyed('NOT_FOUND', 'dataset.labelProjectLabels', {
        name,
        p1: labels.map((x) => x.name).join(', ') || 'none yet',
      });
    }
    byName.set(name, l.id);
  }
  return byName;
}

/** `distillery data ...` commands. */
export const datasetCommands: CliCommand[] = [
  ...importCommands,
  defineCommand({
    name: 'data stats',
    summary: 'Counts per split and label, duplicates, sources',
    args: [PROJECT_ID],
    run: async ({ id }, io) => {
      const core = await io.core();
      const s = await core.call('dataset.stats', { projectId: id(0), duplicates: true });
      printStats(s, io);
      return s;
    },
  }),
  defineCommand({
    name: 'data leakage',
    summary: 'Test documents that are also (exactly or nearly) in the training or validation data',
    args: [PROJECT_ID],
    from: leakage,
    run: async ({ id, given }, io) => {
      const core = await io.core();
      const r = await core.call('dataset.leakage', { projectId: id(0), ...given });
      io.print(
        `${r.exact + r.near} of ${r.testTotal} test documents are also in the training or validation data ` +
          `(${r.exact} exactly, ${r.near} nearly). Their test score is inflated: the model learned them.`,
      );
      for (const p of r.pairs.slice(0, 20)) {
        io.print(`  test ${p.testId} ~ ${p.otherSplit} ${p.otherId} (${p.kind}): ${p.testText.slice(0, 80)}`);
      }
      return r;
    },
  }),
  defineCommand({
    name: 'data labels',
    summary: "List the label set, or set a label's description, colour and key",
    args: [PROJECT_ID],
    from: labelEdit,
    run: async ({ id: idOf, given }, io) => {
      const core = await io.core();
      const id = idOf(0);
      let labels = await core.call('dataset.labels', { projectId: id });
      if (given.name !== undefined) {
        const name = given.name;
        const existing = labels.find((l) => l.name === name);
        const edited = {
          id: existing?.id,
          name,
          description: given.description ?? existing?.description ?? '',
          color: given.color ?? existing?.color ?? null,
          hotkey: given.hotkey ?? existing?.hotkey ?? null,
        };
        const others = labels.filter((l) => l.name !== name);
        labels = await core.call('dataset.saveLabels', {
          projectId: id,
          labels: existing ? labels.map((l) => (l.name === name ? edited : l)) : [...others, edited],
        });
      }
      for (const l of labels)
        io.print(`${l.name.padEnd(24)} ${String(l.count).padStart(7)}  ${l.hotkey ?? ' '}  ${l.description}`);
      return labels;
    },
  }),
  defineCommand({
    name: 'data clean',
    summary:
      'Preview cleaning (normalise, drop empty/short/long, duplicates, near-duplicates, masking); --apply or --undo',
    args: [PROJECT_ID],
    from: clean,
    options: {
      apply: { type: 'boolean', help: 'Apply the cleaning (without it: a preview, nothing changes)' },
      undo: {
        type: 'boolean',
        help: 'Undo all cleaning (texts back as imported, cleaning exclusions lifted)',
      },
    },
    run: async ({ id: idOf, values, given: options }, io) => {
      const core = await io.core();
      const id = idOf(0);
      if (values.undo) {
        const r = await core.call('dataset.cleanUndo', { projectId: id });
        io.print(`Restored ${r.restored} examples.`);
        if (r.lockedTestSkipped > 0) io.print(lockedNote(r.lockedTestSkipped, 'undone'));
        return r;
      }
      const r = values.apply
        ? await core.call('dataset.cleanApply', { projectId: id, options })
        : await core.call('dataset.cleanPreview', { projectId: id, options });
      io.print(
        `${values.apply ? 'Applied' : 'Preview'}: ${r.changedByNormalisation} texts normalised (${r.masked} masked); ` +
          `excluded ${r.excluded}: ${r.empty} empty, ${r.tooShort} too short, ${r.tooLong} too long, ` +
          `${r.exactDuplicates} duplicates, ${r.nearDuplicates} near-duplicates.`,
      );
      if (r.lockedTestSkipped > 0) io.print(lockedNote(r.lockedTestSkipped, 'changed or left out'));
      if (!values.apply) io.print('Nothing changed yet: add --apply to apply (and --undo to undo later).');
      return r;
    },
  }),
  defineCommand({
    name: 'data split',
    summary: 'Assign train/validation/test, stratified by label, seeded (a locked test split is kept)',
    args: [PROJECT_ID],
    from: split,
    run: async ({ id, given }, io) => {
      const core = await io.core();
      const s = await core.call('dataset.split', { projectId: id(0), ...given });
      printStats(s, io);
      return s;
    },
  }),
  defineCommand({
    name: 'data lock',
    summary: 'Lock the test split (the gold set nothing trains on); --unlock --confirm to undo',
    args: [PROJECT_ID],
    options: {
      unlock: { type: 'boolean', help: 'Unlock the test split instead (with --confirm)' },
      confirm: { type: 'boolean', help: 'Confirm the unlock: the gold set can then change' },
    },
    run: async ({ id, values }, io) => {
      const core = await io.core();
      const s = await core.call('dataset.lockTest', {
        projectId: id(0),
        locked: !values.unlock,
        confirm: Boolean(values.confirm),
      });
      io.print(
        s.testLocked
          ? `The test split (${s.splits.test} examples) is locked.`
          : 'The test split is unlocked.',
      );
      return s;
    },
  }),
  defineCommand({
    name: 'data search',
    summary: 'Search the texts (substrings, Chinese included) and list matches, filtered by label',
    args: [PROJECT_ID, { name: 'TEXT', rest: true }],
    from: browse,
    also: [browseFilters],
    options: {
      label: {
        type: 'string',
        value: 'NAME',
        help: 'Documents labelled NAME (multi-label: whose label set holds NAME)',
      },
      without: {
        type: 'string',
        multiple: true,
        value: 'NAME',
        help: 'Multi-label: documents whose label set holds none of these labels (repeat it)',
      },
      unlabelled: { type: 'boolean', help: 'Documents without a human label yet' },
    },
    run: async ({ positionals, values, given, id }, io) => {
      const core = await io.core();
      const projectId = id(0);
      const withoutNames = (values.without as string[] | undefined) ?? [];
      const label = values.label === undefined ? undefined : String(values.label);
      const byName = await labelIds(io, projectId, [
        ...(label === undefined ? [] : [label]),
        ...withoutNames,
      ]);
      if (values.unlabelled && label !== undefined) {
        throw AppError.keyed('INVALID_INPUT', 'dataset.giveLabelNameUnlabelled', {});
      }
      const without = withoutNames.map((n) => byName.get(n) as number);
      const page = await core.call('dataset.browse', {
        projectId,
        ...given,
        filters: {
          ...browseFilters.read(values),
          search: positionals.slice(1).join(' ') || undefined,
          labelId: values.unlabelled ? 0 : label === undefined ? undefined : byName.get(label),
          withoutLabelIds: without.length > 0 ? without : undefined,
        },
      });
      for (const r of page.rows) {
        const shown = r.labelSet
          ? r.labelSet.length
            ? r.labelSet.join('|')
            : '(none of these)'
          : (r.label ?? '-');
        io.print(`${String(r.id).padStart(8)}  ${shown.padEnd(16)} ${r.text.slice(0, 100)}`);
      }
      return page;
    },
  }),
  defineCommand({
    name: 'data export',
    summary: 'Export the dataset with labels and splits as CSV or JSONL',
    args: [PROJECT_ID],
    from: exportOptions,
    options: {
      out: {
        type: 'string',
        value: 'FILE|-',
        help: 'Write it there (- for stdout) instead of the export folder',
      },
      force: { type: 'boolean', help: 'Replace FILE when it exists' },
    },
    run: async ({ id, values, given }, io) => {
      const core = await io.core();
      const r = await core.call('dataset.export', { projectId: id(0), ...given });
      let path = r.path;
      if (values.out) {
        path = values.out === '-' ? '-' : resolve(String(values.out));
        await copyToOutput(r.path, path, Boolean(values.force));
        // The data went to stdout (or a pipe): a summary there would mix with it.
        if (isStreamTarget(path)) {
          io.note(`Wrote ${r.rows} examples to ${path}`);
          return undefined;
        }
      }
      io.print(`Wrote ${r.rows} examples to ${path}`);
      return { ...r, path };
    },
  }),
  ...maskCommands,
];
