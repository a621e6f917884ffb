import { resolve } from 'node:path';
import { MultiLabelOptions, recodedName } from '../../../shared/dataset';
import { contract } from '../../../shared/contract';
import { defineCommand, PROJECT_ID, type ExtraOption } from '../../cli/command';
import { followJob, followJobResult } from '../../cli/jobs';
import { schemaOptions } from '../../cli/schemaOptions';
import type { CliCommand } from '../../cli/types';
import { AppError } from '../../core/errors';

/** How a file is read (format, encoding, delimiter), from the preview request's schema. */
const parseFields = {
  format: { help: 'Read the file as this format (default: from its name and content)' },
  encoding: {
    help: 'Read the file in this encoding (default: detected)',
    value: 'ENC',
    parse: (raw: string) => raw.toLowerCase(),
  },
  delimiter: {
    help: 'The CSV/TSV delimiter, one character; "tab" or \\t for a tab (default: detected)',
    value: 'C',
    parse: (raw: string) => (raw === '\\t' || raw.toLowerCase() === 'tab' ? '\t' : raw),
  },
} as const;

const preview = schemaOptions(contract['dataset.preview'].input, parseFields);

/** The import request's options: the parse options, the columns, what to do with known ids and bad rows. */
const importOptions = schemaOptions(contract['dataset.import'].input, {
  ...parseFields,
  textColumn: {
    flag: 'text',
    value: 'COL',
    help: 'The column that holds the text (default: the suggested one)',
  },
  labelColumn: { flag: 'label', value: 'COL', help: 'The column that holds the label' },
  idColumn: { flag: 'id', value: 'COL', help: "The column that holds each row's id" },
  splitColumn: {
    flag: 'split',
    value: 'COL',
    help: 'A column that puts each row in a split (train, validation/val/dev, test)',
  },
  onExisting: {
    flag: 'on-existing',
    help: 'Rows whose id is already in the project: skipped, unless this says to update them or add them again',
  },
  name: { value: 'NAME', help: 'A name for this source (default: the file name)' },
});

/** Multi-label projects: how the labels are written, from the multi-label options' schema. */
const multiLabel = schemaOptions(MultiLabelOptions, {
  format: { flag: 'label-format', help: 'Multi-label projects: how a cell lists the labels' },
  delimiter: {
    flag: 'label-delimiter',
    value: 'STR',
    help: 'Multi-label projects: what separates the names',
  },
  columns: {
    flag: 'label-columns',
    value: 'A,B,...',
    help: 'Multi-label projects: one 0/1 column per label (sets --label-format columns)',
    parse: (raw: string) =>
      raw
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
  },
});

const headerOptions: Readonly<Record<string, ExtraOption>> = {
  header: { type: 'boolean', help: 'The first row names the columns (default: judged from the rows)' },
  'no-header': { type: 'boolean', help: 'The first row is data, not column names' },
};

/** --header / --no-header force the choice; without either, the first row is judged from the rows. */
function headerArg(values: Record<string, unknown>): boolean | undefined {
  if (values.header && values['no-header']) {
    throw AppError.keyed('INVALID_INPUT', 'dataset.giveHeaderHeaderBoth', {});
  }
  return values['no-header'] ? false : values.header ? true : undefined;
}

const FILE = { name: 'FILE' } as const;

/** `distillery data preview` and `data import`. */
export const importCommands: CliCommand[] = [
  defineCommand({
    name: 'data preview',
    summary: 'Show how a file would be read: format, encoding, columns and first rows',
    args: [FILE],
    from: preview,
    options: headerOptions,
    run: async ({ positionals, values, given }, io) => {
      const core = await io.core();
      const p = await core.call('dataset.preview', {
        ...given,
        path: resolve(positionals[0] ?? ''),
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
  }),
  defineCommand({
    name: 'data import',
    summary:
      'Import CSV/TSV, JSON, JSONL, .xlsx or a folder of .txt/.md files into a project (a resumable job)',
    args: [PROJECT_ID, FILE],
    from: importOptions,
    also: [multiLabel],
    options: {
      ...headerOptions,
      'skip-bad-rows': {
        type: 'boolean',
        help: 'Skip malformed rows (reported) instead of stopping the import',
      },
      'no-extras': { type: 'boolean', help: 'Do not keep the other columns as metadata' },
    },
    notes: [
      'The --label-* options are for multi-label projects; a blank cell, [] or all zeros is "none of these".',
    ],
    run: async ({ positionals, values, given, id: idOf }, io) => {
      const core = await io.core();
      const id = idOf(0);
      const parse = {
        path: resolve(positionals[1] ?? ''),
        format: given.format,
        encoding: given.encoding,
        delimiter: given.delimiter,
        hasHeader: headerArg(values),
      };
      const p = await core.call('dataset.preview', parse);
      const textColumn = given.textColumn ?? p.suggested.text;
      if (!textColumn) {
        throw AppError.keyed('INVALID_INPUT', 'dataset.sayWhichColumnHolds', {
          columns: p.columns.join(', '),
        });
      }
      io.note(
        `Reading ${p.name} as ${p.format}, ${p.encoding}; text column "${textColumn}".` +
          (p.headerDetected && !p.hasHeader
            ? ' The first row looks like data, not column names: it is imported as a row (use --header if it names the columns).'
            : ''),
      );
      const idColumn = given.idColumn ?? (given.textColumn ? null : p.suggested.id);
      const project = await core.call('projects.get', { projectId: id });
      const ml = multiLabel.read(values);
      const labels =
        project.kind === 'multi'
          ? { ...ml, format: ml.format ?? (ml.columns ? 'columns' : 'auto') }
          : undefined;
      if (labels?.format === 'columns') io.note(`Labels from the 0/1 columns ${labels.columns?.join(', ')}.`);
      const job = await core.call('dataset.import', {
        ...(labels ? { multiLabel: labels } : {}),
        ...parse,
        hasHeader: p.hasHeader,
        projectId: id,
        textColumn,
        labelColumn: given.labelColumn ?? (given.textColumn ? null : p.suggested.label),
        idColumn,
        splitColumn: given.splitColumn ?? null,
        onExisting: idColumn ? (given.onExisting ?? 'skip') : undefined,
        keepExtras: !values['no-extras'],
        onBadRow: values['skip-bad-rows'] ? 'skip' : 'abort',
        name: given.name,
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
          `${r.recoded.count} lines were not valid UTF-8 and were read as ${recodedName(r.recoded.encoding)}: lines ` +
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
  }),
];
