import { resolve } from 'node:path';
import {
  CleanOptions,
  ENCODINGS,
  MULTI_LABEL_FORMATS,
  SplitRequest,
  type DatasetStats,
  type Encoding,
  type MultiLabelFormat,
  type MultiLabelOptionsInput,
} from '../../../shared/dataset';
import { followJob, followJobResult } from '../../cli/jobs';
import type { CliCommand, CliIo } from '../../cli/types';
import { AppError } from '../../core/errors';
import { requireId } from '../../cli/args';
import { copyToOutput, isStreamTarget } from '../../cli/output';
import { schemaOptions } from '../../cli/schemaOptions';
import { maskCommands } from './maskCli';

function num(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw AppError.keyed('INVALID_INPUT', 'dataset.mustNumber', { what });
  return n;
}

function encoding(value: unknown): Encoding | undefined {
  if (value === undefined) return undefined;
  const e = String(value).toLowerCase();
  if (!(ENCODINGS as readonly string[]).includes(e)) {
    throw AppError.keyed('INVALID_INPUT', 'dataset.unknownEncodingChooseOne', {
      value: String(value),
      ENCODINGS: ENCODINGS.join(', '),
    });
  }
  return e as Encoding;
}

function delimiter(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const d = String(value);
  if (d === '\\t' || d.toLowerCase() === 'tab') return '\t';
  if (d.length !== 1) throw AppError.keyed('INVALID_INPUT', 'dataset.delimiterTakesOneCharacter', {});
  return d;
}

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

const parseOptions = {
  format: { type: 'string' },
  encoding: { type: 'string' },
  delimiter: { type: 'string' },
  'no-header': { type: 'boolean' },
  header: { type: 'boolean' },
} as const;

function lockedNote(n: number, what: string): string {
  return (
    `${n} examples of the locked test split were not ${what}: the locked test split is the gold set. ` +
    'Unlock it first ("distillery data lock PROJECT_ID --unlock --confirm") to clean it.'
  );
}

/** --header / --no-header force the choice; without either, the first row is judged from the rows. */
function headerArg(values: { header?: unknown; 'no-header'?: unknown }): boolean | undefined {
  if (values.header && values['no-header']) {
    throw AppError.keyed('INVALID_INPUT', 'dataset.giveHeaderHeaderBoth', {});
  }
  return values['no-header'] ? false : values.header ? true : undefined;
}

function onExistingArg(value: unknown): 'skip' | 'update' | 'add' {
  if (value === undefined) return 'skip';
  const v = String(value);
  if (v !== 'skip' && v !== 'update' && v !== 'add') {
    throw AppError.keyed('INVALID_INPUT', 'dataset.existingOneSkipUpdate', {});
  }
  return v;
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

type ImportFormatArg = 'csv' | 'json' | 'jsonl' | 'xlsx' | 'folder';

function formatArg(value: unknown): ImportFormatArg | undefined {
  if (value === undefined) return undefined;
  const f = String(value);
  if (!['csv', 'json', 'jsonl', 'xlsx', 'folder'].includes(f)) {
    throw AppError.keyed('INVALID_INPUT', 'dataset.formatOneCsvJson', {});
  }
  return f as ImportFormatArg;
}

/** A multi-label project's --label-format, --label-delimiter and --label-columns as the import request's. */
function multiLabelArgs(values: Record<string, unknown>): MultiLabelOptionsInput {
  const format =
    (values['label-format'] as string | undefined) ?? (values['label-columns'] ? 'columns' : 'auto');
  if (!(MULTI_LABEL_FORMATS as readonly string[]).includes(format)) {
    throw AppError.keyed('INVALID_INPUT', 'dataset.labelFormatOne', {
      MULTI_LABEL_FORMATS: MULTI_LABEL_FORMATS.join(', '),
    });
  }
  const columns = (values['label-columns'] as string | undefined)
    ?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  return {
    format: format as MultiLabelFormat,
    ...(values['label-delimiter'] ? { delimiter: String(values['label-delimiter']) } : {}),
    ...(columns ? { columns } : {}),
  };
}

/** `distillery data ...` commands. */
export const datasetCommands: CliCommand[] = [
  {
    name: 'data preview',
    summary: 'Show how a file would be read: format, encoding, columns and first rows',
    usage: 'distillery data preview FILE [--encoding ENC] [--delimiter C] [--format F] [--no-header]',
    options: parseOptions,
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const p = await core.call('dataset.preview', {
        path: resolve(positionals[0] ?? ''),
        encoding: encoding(values.encoding),
        delimiter: delimiter(values.delimiter),
        format: formatArg(values.format),
        hasHeader: headerArg(values),
      });
      io.print(
        `${p.name}: ${p.format}, ${p.encoding}${p.bom ? ' (BOM)' : ''}${p.delimiter ? `, delimiter ${JSON.stringify(p.delimiter)}` : ''}`,
      );
      io.print(
        `columns: ${p.columns.join(', ')}${p.headerDetected && !p.hasHeader ? ' (no header row found: use --header to read the first row as names)' : ''}`,
      );
      io.print(
        `suggested: text=${p.suggested.text ?? '-'} label=${p.suggested.label ?? '-'} id=${p.suggested.id ?? '-'} split=${p.suggested.split ?? '-'}`,
      );
      if (p.binaryColumns.length) {
        io.print(`0/1 columns (labels of a multi-label project?): ${p.binaryColumns.join(', ')}`);
      }
      for (const r of p.rows.slice(0, 5)) io.print('  ' + r.map((v) => v.slice(0, 60)).join(' | '));
      for (const b of p.badRows) io.print(`bad row: line ${b.line}: ${b.message}`);
      return p;
    },
  },
  {
    name: 'data import',
    summary:
      'Import CSV/TSV, JSON, JSONL, .xlsx or a folder of .txt/.md files into a project (a resumable job)',
    usage:
      'distillery data import PROJECT_ID FILE [--text COL] [--label COL] [--id COL] [--split COL] ' +
      '[--on-existing skip|update|add] [--skip-bad-rows] [--name NAME] ' +
      '[--encoding ENC] [--delimiter C] [--format F] [--header|--no-header] [--no-extras] ' +
      '[--label-format auto|list|json|columns] [--label-delimiter STR] [--label-columns A,B,...] ' +
      '(the --label-* options: multi-label projects; a blank cell, [] or all zeros is "none of these")',
    options: {
      ...parseOptions,
      'label-format': { type: 'string' },
      'label-delimiter': { type: 'string' },
      'label-columns': { type: 'string' },
      text: { type: 'string' },
      label: { type: 'string' },
      id: { type: 'string' },
      split: { type: 'string' },
      'on-existing': { type: 'string' },
      name: { type: 'string' },
      'skip-bad-rows': { type: 'boolean' },
      'no-extras': { type: 'boolean' },
    },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const id = requireId(positionals[0], 'project');
      const path = resolve(positionals[1] ?? '');
      const parse = {
        path,
        encoding: encoding(values.encoding),
        delimiter: delimiter(values.delimiter),
        format: formatArg(values.format),
        hasHeader: headerArg(values),
      };
      const preview = await core.call('dataset.preview', parse);
      const textColumn = (values.text as string | undefined) ?? preview.suggested.text;
      if (!textColumn) {
        throw AppError.keyed('INVALID_INPUT', 'dataset.sayWhichColumnHolds', {
          columns: preview.columns.join(', '),
        });
      }
      io.note(
        `Reading ${preview.name} as ${preview.format}, ${preview.encoding}; text column "${textColumn}".` +
          (preview.headerDetected && !preview.hasHeader
            ? ' The first row looks like data, not column names: it is imported as a row (use --header if it names the columns).'
            : ''),
      );
      const idColumn = (values.id as string | undefined) ?? (values.text ? null : preview.suggested.id);
      const project = await core.call('projects.get', { projectId: id });
      const multiLabel = project.kind === 'multi' ? multiLabelArgs(values) : undefined;
      if (multiLabel?.format === 'columns')
        io.note(`Labels from the 0/1 columns ${multiLabel.columns?.join(', ')}.`);
      const job = await core.call('dataset.import', {
        ...(multiLabel ? { multiLabel } : {}),
        ...parse,
        hasHeader: preview.hasHeader,
        projectId: id,
        textColumn,
        labelColumn: (values.label as string | undefined) ?? (values.text ? null : preview.suggested.label),
        idColumn,
        splitColumn: (values.split as string | undefined) ?? null,
        onExisting: idColumn ? onExistingArg(values['on-existing']) : undefined,
        keepExtras: !values['no-extras'],
        onBadRow: values['skip-bad-rows'] ? 'skip' : 'abort',
        name: values.name as string | undefined,
      });
      const r = await followJobResult(core, job, io, 'dataset.import');
      io.print(
        `Imported ${r.imported} examples into project ${id}${r.skipped ? `, skipped ${r.skipped} bad rows` : ''}.`,
      );
      if (r.labelsCreated.length) io.print(`New labels: ${r.labelsCreated.join(', ')}`);
      if (r.existing) {
        const what = { skip: 'skipped', update: 'updated', add: 'added again as new examples' }[
          r.existing.action
        ];
        io.note(
          `${r.existing.matched} rows have an id already in the project: ${what}` +
            (r.existing.action === 'skip' ? ' (use --on-existing update or add to change that).' : '.'),
        );
      }
      if (r.splits) {
        io.print(
          `Splits from the file: train ${r.splits.train}, validation ${r.splits.validation}, test ${r.splits.test}`,
        );
      }
      if (r.recoded) {
        io.print(
          `${r.recoded.count} lines were not valid UTF-8 and were read as Windows-1252 (latin-1): lines ` +
            `${r.recoded.lines.join(', ')}${r.recoded.count > r.recoded.lines.length ? ', …' : ''}. Check them.`,
        );
      }
      for (const b of r.badRows.slice(0, 20)) io.print(`  ${b.file} line ${b.line}: ${b.message}`);
      // The rows are usable; the command ends with its search index too, rather than leave it interrupted.
      if (r.searchIndexJobId !== undefined) {
        await followJob(core, core.jobs.get(r.searchIndexJobId), io);
      }
      return r;
    },
  },
  {
    name: 'data stats',
    summary: 'Counts per split and label, duplicates, sources',
    usage: 'distillery data stats PROJECT_ID',
    run: async ({ positionals }, io) => {
      const core = await io.core();
      const s = await core.call('dataset.stats', { projectId: requireId(positionals[0], 'project') });
      printStats(s, io);
      return s;
    },
  },
  {
    name: 'data leakage',
    summary: 'Test documents that are also (exactly or nearly) in the training or validation data',
    usage: 'distillery data leakage PROJECT_ID [--threshold 0.85]',
    options: { threshold: { type: 'string' } },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const r = await core.call('dataset.leakage', {
        projectId: requireId(positionals[0], 'project'),
        nearThreshold: num(values.threshold, 'threshold'),
      });
      io.print(
        `${r.exact + r.near} of ${r.testTotal} test documents are also in the training or validation data ` +
          `(${r.exact} exactly, ${r.near} nearly). Their test score is inflated: the model learned them.`,
      );
      for (const p of r.pairs.slice(0, 20)) {
        io.print(`  test ${p.testId} ~ ${p.otherSplit} ${p.otherId} (${p.kind}): ${p.testText.slice(0, 80)}`);
      }
      return r;
    },
  },
  {
    name: 'data labels',
    summary: "List the label set, or set a label's description, colour and key",
    usage: 'distillery data labels PROJECT_ID [--set NAME --description TEXT [--color C] [--key K]]',
    options: {
      set: { type: 'string' },
      description: { type: 'string' },
      color: { type: 'string' },
      key: { type: 'string' },
    },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const id = requireId(positionals[0], 'project');
      let labels = await core.call('dataset.labels', { projectId: id });
      if (values.set) {
        const name = String(values.set);
        const existing = labels.find((l) => l.name === name);
        const edited = {
          id: existing?.id,
          name,
          description: (values.description as string | undefined) ?? existing?.description ?? '',
          color: (values.color as string | undefined) ?? existing?.color ?? null,
          hotkey: (values.key as string | undefined) ?? existing?.hotkey ?? null,
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
  },
  {
    name: 'data clean',
    summary:
      'Preview cleaning (normalise, drop empty/short/long, duplicates, near-duplicates, masking); --apply or --undo',
    usage:
      `distillery data clean PROJECT_ID ${clean.synopsis} [--apply | --undo]\n${clean.help}\n` +
      '  --apply                  Apply the cleaning (without it: a preview, nothing changes)\n' +
      '  --undo                   Undo all cleaning (texts back as imported, cleaning exclusions lifted)',
    options: { ...clean.options, apply: { type: 'boolean' }, undo: { type: 'boolean' } },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const id = requireId(positionals[0], 'project');
      if (values.undo) {
        const r = await core.call('dataset.cleanUndo', { projectId: id });
        io.print(`Restored ${r.restored} examples.`);
        if (r.lockedTestSkipped > 0) io.print(lockedNote(r.lockedTestSkipped, 'undone'));
        return r;
      }
      const options = clean.read(values);
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
  },
  {
    name: 'data split',
    summary: 'Assign train/validation/test, stratified by label, seeded (a locked test split is kept)',
    usage: `distillery data split PROJECT_ID ${split.synopsis}\n${split.help}`,
    options: split.options,
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const s = await core.call('dataset.split', {
        projectId: requireId(positionals[0], 'project'),
        ...split.read(values),
      });
      printStats(s, io);
      return s;
    },
  },
  {
    name: 'data lock',
    summary: 'Lock the test split (the gold set nothing trains on); --unlock --confirm to undo',
    usage: 'distillery data lock PROJECT_ID [--unlock --confirm]',
    options: { unlock: { type: 'boolean' }, confirm: { type: 'boolean' } },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const s = await core.call('dataset.lockTest', {
        projectId: requireId(positionals[0], 'project'),
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
  },
  {
    name: 'data search',
    summary: 'Search the texts (substrings, Chinese included) and list matches, filtered by label',
    usage:
      'distillery data search PROJECT_ID [TEXT] [--label NAME] [--without NAME ...] [--none-of-these] [--unlabelled] [--limit 20]\n' +
      '  --label NAME       documents labelled NAME (multi-label: whose label set holds NAME)\n' +
      '  --without NAME     multi-label: documents whose label set holds none of these labels (repeat it)\n' +
      '  --none-of-these    multi-label: documents a person answered "none of these" (the empty set)\n' +
      '  --unlabelled       documents without a human label yet',
    options: {
      limit: { type: 'string' },
      label: { type: 'string' },
      without: { type: 'string', multiple: true },
      'none-of-these': { type: 'boolean' },
      unlabelled: { type: 'boolean' },
    },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const projectId = requireId(positionals[0], 'project');
      const wanted = [
        ...(values.label === undefined ? [] : [String(values.label)]),
        ...((values.without as string[] | undefined) ?? []),
      ];
      const byName = new Map<string, number>();
      if (wanted.length > 0) {
        const labels = await core.call('dataset.labels', { projectId });
        for (const name of wanted) {
          const l =
            labels.find((x) => x.name === name) ??
            labels.find((x) => x.name.toLowerCase() === name.toLowerCase());
          if (!l) {
            throw AppError.keyed('NOT_FOUND', 'dataset.labelProjectLabels', {
              name,
              p1: labels.map((x) => x.name).join(', ') || 'none yet',
            });
          }
          byName.set(name, l.id);
        }
      }
      if (values.unlabelled && values.label !== undefined) {
        throw AppError.keyed('INVALID_INPUT', 'dataset.giveLabelNameUnlabelled', {});
      }
      const without = ((values.without as string[] | undefined) ?? []).map((n) => byName.get(n) as number);
      const page = await core.call('dataset.browse', {
        projectId,
        limit: num(values.limit, 'limit') ?? 20,
        filters: {
          search: positionals.slice(1).join(' ') || undefined,
          labelId: values.unlabelled
            ? 0
            : values.label === undefined
              ? undefined
              : byName.get(String(values.label)),
          withoutLabelIds: without.length > 0 ? without : undefined,
          noneOfThese: values['none-of-these'] ? true : undefined,
        },
      });
      for (const r of page.rows) {
        const label = r.labelSet
          ? r.labelSet.length
            ? r.labelSet.join('|')
            : '(none of these)'
          : (r.label ?? '-');
        io.print(`${String(r.id).padStart(8)}  ${label.padEnd(16)} ${r.text.slice(0, 100)}`);
      }
      return page;
    },
  },
  {
    name: 'data export',
    summary: 'Export the dataset with labels and splits as CSV or JSONL',
    usage:
      'distillery data export PROJECT_ID [--format csv|jsonl] [--out FILE|- [--force]] [--include-excluded]',
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      'include-excluded': { type: 'boolean' },
    },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const format = (values.format as string | undefined) ?? 'csv';
      if (format !== 'csv' && format !== 'jsonl')
        throw AppError.keyed('INVALID_INPUT', 'dataset.formatCsvJsonl', {});
      const r = await core.call('dataset.export', {
        projectId: requireId(positionals[0], 'project'),
        format,
        includeExcluded: Boolean(values['include-excluded']),
      });
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
  },
  ...maskCommands,
];
