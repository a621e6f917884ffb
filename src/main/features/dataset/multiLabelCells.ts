import type { MultiLabelFormat } from '../../../shared/dataset';
import { AppError } from '../../core/errors';

/**
 * Reading a document's set of labels from a file, for multi-label projects. Pure functions: the importer and the
 * import preview call the same ones, so what the preview shows is what is imported.
 *
 * - `list`: one cell holding the names joined by a delimiter ("LTD|TER"); blank is the empty set.
 * - `json`: one cell holding a JSON array of names (["LTD", "TER"]); blank or [] is the empty set.
 * - `auto`: `json` when the cell starts with "[", otherwise `list`.
 * - `columns`: one column per label holding 0/1 (also true/false, yes/no, x/blank); the column name is the label.
 * The empty set is meaningful ("none of these"): it is a label set, not a missing one.
 */

export type LabelSetResult =
  { readonly ok: true; readonly names: string[] } | { readonly ok: false; readonly message: string };

/** Sorted, without duplicates or blanks: the form kept in examples.imported_label (as a JSON array). */
export function canonicalNames(names: readonly string[]): string[] {
  return [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))].sort();
}

export function parseLabelCell(
  cell: string,
  format: Exclude<MultiLabelFormat, 'columns'>,
  delimiter: string,
): LabelSetResult {
  const v = cell.trim();
  if (v === '') return { ok: true, names: [] };
  const json = format === 'json' || (format === 'auto' && v.startsWith('['));
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      return { ok: false, message: `the labels "${v.slice(0, 60)}" are not a JSON array such as ["A", "B"]` };
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string' || typeof x === 'number')) {
      return {
        ok: false,
        message: `the labels "${v.slice(0, 60)}" are not a JSON array of names such as ["A", "B"]`,
      };
    }
    return checkNames(canonicalNames(parsed.map(String)));
  }
  return checkNames(canonicalNames(v.split(delimiter)));
}

const TRUE_VALUES = new Set(['1', '1.0', 'true', 'yes', 'y', 'x']);
const FALSE_VALUES = new Set(['0', '0.0', 'false', 'no', 'n', '']);

/** A 0/1 cell: true, false, or null when it is neither. */
export function binaryCell(cell: string): boolean | null {
  const v = cell.trim().toLowerCase();
  if (TRUE_VALUES.has(v)) return true;
  if (FALSE_VALUES.has(v)) return false;
  return null;
}

export function labelsFromColumns(
  values: readonly string[],
  columns: ReadonlyArray<{ readonly index: number; readonly name: string }>,
): LabelSetResult {
  const names: string[] = [];
  for (const c of columns) {
    const b = binaryCell(values[c.index] ?? '');
    if (b === null) {
      return {
        ok: false,
        message: `"${(values[c.index] ?? '').slice(0, 40)}" in the label column "${c.name}" is not 0 or 1`,
      };
    }
    if (b) names.push(c.name);
  }
  return checkNames(canonicalNames(names));
}

const MAX_LABEL_NAME = 100;

function checkNames(names: string[]): LabelSetResult {
  const long = names.find((n) => n.length > MAX_LABEL_NAME);
  if (long)
    return {
      ok: false,
      message: `the label "${long.slice(0, 40)}…" is longer than ${MAX_LABEL_NAME} characters`,
    };
  return { ok: true, names };
}

/** Columns whose previewed values are all 0/1 (not all blank): the likely one-column-per-label layout. */
export function binaryColumns(
  columns: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string>>,
  skip: ReadonlySet<string>,
): string[] {
  return columns.filter(
    (c, i) =>
      !skip.has(c) &&
      rows.some((r) => (r[i] ?? '').trim() !== '') &&
      rows.every((r) => binaryCell(r[i] ?? '') !== null),
  );
}

export interface LabelReaderOptions {
  readonly format: MultiLabelFormat;
  readonly delimiter: string;
  readonly columns?: readonly string[];
}

/**
 * The function reading one row's label set, for a file with these columns; throws (with the columns there are)
 * when a named column is missing or no label column is given.
 */
export function labelSetReader(
  fileColumns: readonly string[],
  labelColumn: string | null,
  opts: LabelReaderOptions,
): (values: readonly string[]) => LabelSetResult {
  if (opts.format === 'columns') {
    const wanted = opts.columns ?? [];
    if (wanted.length === 0) {
      throw AppError.keyed('INVALID_INPUT', 'dataset.chooseColumnsOnePer', {});
    }
    const missing = wanted.filter((c) => !fileColumns.includes(c));
    if (missing.length) {
      throw AppError.keyed('INVALID_INPUT', 'dataset.labelColumnsDoExist', {
        p1: missing.map((c) => `"${c}"`).join(', '),
        fileColumns: fileColumns.join(', '),
      });
    }
    const cols = wanted.map((name) => ({ index: fileColumns.indexOf(name), name }));
    return (values) => labelsFromColumns(values, cols);
  }
  if (!labelColumn) {
    throw AppError.keyed('INVALID_INPUT', 'dataset.chooseColumnHoldsLabels', {});
  }
  const idx = fileColumns.indexOf(labelColumn);
  if (idx < 0) {
    throw AppError.keyed('INVALID_INPUT', 'dataset.labelColumnDoesExist', {
      labelColumn,
      fileColumns: fileColumns.join(', '),
    });
  }
  const format = opts.format;
  return (values) => parseLabelCell(values[idx] ?? '', format, opts.delimiter);
}
