import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import {
  MultiLabelOptions,
  type ImportFormat,
  type ImportPreview,
  type ParseOptionsInput,
  type PreviewOptionsInput,
} from '../../../shared/dataset';
import { binaryColumns, labelSetReader } from './multiLabelCells';
import { AppError } from '../../core/errors';
import { sniffFile } from './encoding';
import { CsvParser, folderFiles, readingCounter, type RecordEvent } from './parse';
import { openTable, type ResolvedSource } from './table';

const TEXT_NAMES = [
  'text',
  'content',
  'sentence',
  'query',
  'body',
  'note',
  'review',
  'document',
  '文本',
  '内容',
  '句子',
];
const LABEL_NAMES = [
  'label',
  'labels',
  'class',
  'category',
  'answer',
  'intent',
  'sentiment',
  'folder',
  '标签',
  '类别',
];
const ID_NAMES = ['id', 'uid', 'doc_id', 'file', '编号'];
const SPLIT_NAMES = ['split', 'subset', 'partition', 'fold', 'set', '划分', '数据集'];

/** A whole field in quotes, inner quotes doubled, between tabs or line ends. */
const QUOTED_FIELD = /(^|\t)"(?:[^"]|"")*"(?=\t|\r?\n|$)/m;

function consistentRows(sample: string, quotes: boolean, final: boolean): boolean {
  const out: RecordEvent[] = [];
  new CsvParser('\t', quotes).feed(sample, final, out);
  const widths = out.map((ev) => (ev.kind === 'row' ? ev.values.length : -1));
  return widths.length > 1 && widths.every((w) => w === widths[0]);
}

/**
 * A tab-separated file written by Python's csv module or pandas quotes a field that holds a tab, a newline or a
 * quote, doubling the quotes inside. True when the sample has such a field and reading quotes gives every row the
 * same number of columns; a sentence that merely begins with a quotation mark ("Hello" she said) is no evidence.
 */
export function looksQuotedTsv(sample: string, final: boolean): boolean {
  if (!QUOTED_FIELD.test(sample)) return false;
  return consistentRows(sample, true, final);
}

const NUMBER = /^[-+]?(\d[\d,]*\.?\d*|\.\d+)(e[-+]?\d+)?%?$/i;

/**
 * Whether the first row is a header, judged by its cells against the rows below: a header names columns (short,
 * distinct words such as "text" or "label"), data looks like the other rows of its column (a number in a numeric
 * column, a long sentence in a text column, a value from the column's small set of labels). A known column name
 * decides at once; otherwise the first row is data when at least half of its cells look like data.
 */
export function guessHasHeader(rows: ReadonlyArray<ReadonlyArray<string>>): boolean {
  if (rows.length < 2) return true;
  const first = rows[0];
  const rest = rows.slice(1, 200);
  const known = new Set([...TEXT_NAMES, ...LABEL_NAMES, ...ID_NAMES, ...SPLIT_NAMES]);
  if (first.some((c) => known.has(c.trim().toLowerCase()))) return true;
  let dataLike = 0;
  for (let c = 0; c < first.length; c++) {
    const cell = first[c].trim();
    const column = rest.map((r) => (r[c] ?? '').trim()).filter((v) => v !== '');
    if (column.length === 0) continue;
    const numeric = column.filter((v) => NUMBER.test(v)).length / column.length;
    const avgLen = column.reduce((sum, v) => sum + v.length, 0) / column.length;
    const distinct = new Set(column);
    if (cell === '') dataLike++;
    else if (NUMBER.test(cell) && numeric > 0.8) dataLike++;
    else if (avgLen > 30 && cell.length > Math.max(30, avgLen / 3)) dataLike++;
    else if (distinct.size <= Math.max(2, column.length / 3) && distinct.has(cell)) dataLike++;
    else if (cell.length > 40 || cell.split(/\s+/).length >= 5)
      dataLike++; // a sentence, not a name
    else if ((cell.match(/\p{Script=Han}/gu)?.length ?? 0) > 8) dataLike++;
  }
  return dataLike * 2 < first.length;
}

function formatFromExtension(path: string): ImportFormat | null {
  switch (extname(path).toLowerCase()) {
    case '.csv':
    case '.tsv':
    case '.tab':
    case '.txt':
      return 'csv';
    case '.json':
      return 'json';
    case '.jsonl':
    case '.ndjson':
      return 'jsonl';
    case '.xlsx':
      return 'xlsx';
    case '.xls':
      throw AppError.keyed('BAD_FILE', 'dataset.oldExcelXlsFile', {});
    default:
      return null;
  }
}

/** What identifies one version of a source: a resumed import must read the same bytes as the first run. */
export interface SourceFingerprint {
  readonly size: number;
  readonly mtimeMs: number;
  /** SHA-256 of the size, the first and the last MiB (for a folder: of every file's path, size and time). */
  readonly hash: string;
}

const FINGERPRINT_BYTES = 1024 * 1024;

/** A fast fingerprint of a file or folder (reads at most 2 MiB of a file). */
export function fingerprintSource(path: string): SourceFingerprint {
  const st = statSync(path);
  const h = createHash('sha256');
  if (st.isDirectory()) {
    let newest = st.mtimeMs;
    for (const f of folderFiles(path)) {
      const fs = statSync(f);
      newest = Math.max(newest, fs.mtimeMs);
      h.update(`${f}\0${fs.size}\0${fs.mtimeMs}\n`);
    }
    return { size: st.size, mtimeMs: newest, hash: h.digest('hex') };
  }
  h.update(String(st.size));
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(FINGERPRINT_BYTES, st.size));
    h.update(buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)));
    if (st.size > FINGERPRINT_BYTES) {
      h.update(buf.subarray(0, readSync(fd, buf, 0, buf.length, Math.max(0, st.size - FINGERPRINT_BYTES))));
    }
  } finally {
    closeSync(fd);
  }
  return { size: st.size, mtimeMs: st.mtimeMs, hash: h.digest('hex') };
}

/** What differs between two fingerprints, for a person ("its size changed from … to …"), or null when none. */
export function fingerprintChange(before: SourceFingerprint, now: SourceFingerprint): string | null {
  if (before.size !== now.size) return `its size changed from ${before.size} to ${now.size} bytes`;
  if (before.hash !== now.hash) return 'its content changed';
  if (before.mtimeMs !== now.mtimeMs) {
    return `it was modified at ${new Date(now.mtimeMs).toISOString()} (after the import started)`;
  }
  return null;
}

/** Picks the delimiter that splits the first lines into the same number of columns. */
export function detectDelimiter(sample: string): string {
  const lines = sample
    .split('\n')
    .slice(0, 30)
    .filter((l) => l.trim());
  let best = ',';
  let bestScore = 0;
  for (const d of [',', '\t', ';', '|']) {
    const counts = lines.map((l) => {
      let n = 0;
      let quoted = false;
      for (const ch of l) {
        if (ch === '"') quoted = !quoted;
        else if (ch === d && !quoted) n++;
      }
      return n;
    });
    if (counts.length === 0 || counts[0] === 0) continue;
    const same = counts.filter((c) => c === counts[0]).length / counts.length;
    const score = same * 10 + Math.min(counts[0], 9) / 10;
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

/** Works out format, encoding and delimiter of a file or folder (the person may override each). */
export function resolveSource(opts: ParseOptionsInput): ResolvedSource {
  let st;
  try {
    st = statSync(opts.path);
  } catch {
    throw AppError.keyed('NOT_FOUND', 'dataset.doesExistCannotRead', { path: opts.path });
  }
  const name = basename(opts.path).replace(/^[0-9a-f-]{36}-/, '');
  if (st.isDirectory()) {
    const files = folderFiles(opts.path);
    if (files.length === 0) {
      throw AppError.keyed('BAD_FILE', 'dataset.folderHoldsTxtMd', { name });
    }
    return {
      path: opts.path,
      name,
      size: files.length,
      format: 'folder',
      encoding: opts.encoding ?? 'utf-8',
      detectedEncoding: 'utf-8',
      bom: false,
      delimiter: null,
      hasHeader: true,
    };
  }
  if (!st.isFile()) {
    throw AppError.keyed('BAD_FILE', 'dataset.regularFilePipeSocket', { name });
  }
  if (st.size === 0) throw AppError.keyed('BAD_FILE', 'dataset.emptyChooseFileContains', { name });
  let format = opts.format ?? formatFromExtension(opts.path);
  if (format === 'xlsx') {
    return {
      path: opts.path,
      name,
      size: st.size,
      format,
      encoding: 'utf-8',
      detectedEncoding: 'utf-8',
      bom: false,
      delimiter: null,
      hasHeader: opts.hasHeader ?? true,
    };
  }
  const sniffed = sniffFile(opts.path, name, opts.encoding);
  if (!sniffed.sample.trim() && st.size <= 64 * 1024) {
    throw AppError.keyed('BAD_FILE', 'dataset.holdsOnlyBlankSpace', { name });
  }
  // Lines ended by a lone carriage return: no line feed anywhere in the sample.
  const newline = sniffed.sample.includes('\r') && !sniffed.sample.includes('\n') ? 'cr' : undefined;
  if (!format || (format === 'csv' && !opts.format && extname(opts.path).toLowerCase() === '.txt')) {
    const first = sniffed.sample.trimStart()[0];
    format = first === '[' ? 'json' : first === '{' ? 'jsonl' : 'csv';
  }
  let delimiter: string | null = null;
  let quotes: boolean | undefined;
  let hasHeader = opts.hasHeader;
  if (format === 'csv') {
    const ext = extname(opts.path).toLowerCase();
    delimiter =
      opts.delimiter ??
      (ext === '.tsv' || ext === '.tab'
        ? '\t'
        : detectDelimiter(newline ? sniffed.sample.replace(/\r/g, '\n') : sniffed.sample));
    const sample = newline ? sniffed.sample.replace(/\r/g, '\n') : sniffed.sample;
    quotes = delimiter !== '\t' || looksQuotedTsv(sample, st.size <= 64 * 1024);
    if (hasHeader === undefined) {
      const out: RecordEvent[] = [];
      new CsvParser(delimiter, quotes).feed(sample, st.size <= 64 * 1024, out);
      hasHeader = guessHasHeader(out.flatMap((ev) => (ev.kind === 'row' ? [ev.values] : [])).slice(0, 200));
    }
  }
  return {
    path: opts.path,
    name,
    size: st.size,
    format,
    encoding: opts.encoding ?? sniffed.encoding,
    detectedEncoding: sniffed.encoding,
    ...(sniffed.recodeFrom !== 'windows-1252' ? { recodeFrom: sniffed.recodeFrom } : {}),
    bom: sniffed.bom,
    delimiter,
    hasHeader: hasHeader ?? true,
    ...(newline ? { newline } : {}),
    ...(quotes !== undefined ? { quotes } : {}),
    ...(opts.hasHeader === undefined && format === 'csv' ? { headerDetected: true } : {}),
  };
}

function suggest(
  columns: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string>>,
): ImportPreview['suggested'] {
  const find = (names: string[]): string | null => {
    for (const n of names) {
      const c = columns.find((col) => col.trim().toLowerCase() === n);
      if (c) return c;
    }
    return null;
  };
  let text = find(TEXT_NAMES);
  if (!text && columns.length) {
    // The column with the longest texts.
    let best = -1;
    columns.forEach((c, i) => {
      const avg = rows.reduce((s, r) => s + (r[i]?.length ?? 0), 0) / Math.max(1, rows.length);
      if (avg > best) {
        best = avg;
        text = c;
      }
    });
  }
  const label = find(LABEL_NAMES);
  const id = find(ID_NAMES);
  // Only by name: a column of values such as "valtest" would stop the import at its first row.
  const split = find(SPLIT_NAMES);
  const taken = new Set([text, label, id]);
  return {
    text,
    label: label === text ? null : label,
    id: id === text ? null : id,
    split: split && !taken.has(split) ? split : null,
  };
}

const PREVIEW_ROWS = 20;

export async function previewSource(opts: PreviewOptionsInput): Promise<ImportPreview> {
  const src = resolveSource(opts);
  const table = await openTable(src, readingCounter(src));
  const rows: string[][] = [];
  const badRows: ImportPreview['badRows'][number][] = [];
  outer: for await (const batch of table.rows) {
    for (const ev of batch) {
      if (ev.kind === 'bad') badRows.push({ file: ev.file ?? src.name, line: ev.line, message: ev.message });
      else rows.push(ev.values.map((v) => (v.length > 500 ? v.slice(0, 500) + '…' : v)));
      if (rows.length >= PREVIEW_ROWS) break outer;
    }
  }
  await table.close();
  const suggested = suggest(table.columns, rows);
  let labelSets: ImportPreview['labelSets'];
  if (opts.multiLabel) {
    const read = labelSetReader(
      table.columns,
      opts.labelColumn ?? null,
      MultiLabelOptions.parse(opts.multiLabel),
    );
    labelSets = rows.map((r) => {
      const got = read(r);
      return got.ok ? { names: got.names } : { error: got.message };
    });
  }
  return {
    path: src.path,
    name: src.name,
    size: src.size,
    format: src.format,
    encoding: src.encoding,
    detectedEncoding: src.detectedEncoding,
    ...(src.recodeFrom ? { recodeFrom: src.recodeFrom } : {}),
    bom: src.bom,
    delimiter: src.delimiter,
    hasHeader: src.hasHeader,
    ...(src.headerDetected ? { headerDetected: true } : {}),
    ...(src.format === 'csv' && src.delimiter === '\t' && src.quotes ? { quoted: true } : {}),
    columns: table.columns,
    rows,
    suggested,
    badRows,
    binaryColumns: binaryColumns(
      table.columns,
      rows,
      new Set([suggested.text, suggested.id, suggested.split].filter((c): c is string => c !== null)),
    ),
    ...(labelSets ? { labelSets } : {}),
  };
}
