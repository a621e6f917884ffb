import type { SourceReading } from '../../../shared/dataset';
import { AppError } from '../../core/errors';
import {
  CsvParser,
  FOLDER_COLUMNS,
  folderRows,
  JsonArrayParser,
  JsonlParser,
  type JsonEvent,
  textChunks,
  type ByteCounter,
  type RecordEvent,
} from './parse';

// A resolved source read as a table (column names, then rows in batches), whatever its format; source.ts works out
// how to read a file (resolveSource) and previews it.

/** Everything needed to read a source again the same way (the import job keeps it in its params). */
export interface ResolvedSource extends SourceReading {
  /** 'cr' for a file whose lines end in a bare carriage return (classic Mac OS exports). */
  readonly newline?: 'cr';
  /** Whether quoted fields are read (CSV: always; TSV: when it looks written by Python/pandas). */
  readonly quotes?: boolean;
}

/** The decoded text of a source in chunks, lone carriage returns turned into line feeds for a CR-only file. */
async function* sourceText(
  src: ResolvedSource,
  counter: ByteCounter,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  for await (const chunk of textChunks(src.path, src.encoding, counter, signal)) {
    yield src.newline === 'cr' ? chunk.replace(/\r/g, '\n') : chunk;
  }
}

/** A workbook's rows: exceljs (a third of a second to load) is loaded for the first workbook, not for every import. */
async function* workbookRows(path: string, counter: ByteCounter): AsyncGenerator<RecordEvent> {
  const { xlsxRows } = await import('./xlsx');
  yield* xlsxRows(path, counter);
}

async function* jsonValues(
  src: ResolvedSource,
  counter: ByteCounter,
  signal?: AbortSignal,
): AsyncGenerator<JsonEvent[]> {
  const parser = src.format === 'json' ? new JsonArrayParser() : new JsonlParser();
  for await (const chunk of sourceText(src, counter, signal)) {
    const out: JsonEvent[] = [];
    parser.feed(chunk, false, out);
    if (out.length) yield out;
  }
  const out: JsonEvent[] = [];
  parser.feed('', true, out);
  if (out.length) yield out;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  if (typeof value === 'string') return { text: value };
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  return null;
}

function jsonCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

const KEY_SCAN = 200;

async function jsonColumns(src: ResolvedSource): Promise<{ columns: string[]; firstBad: string | null }> {
  const keys = new Set<string>();
  let seen = 0;
  let firstBad: string | null = null;
  const it = jsonValues(src, { bytes: 0 });
  try {
    for await (const batch of it) {
      for (const ev of batch) {
        if ('kind' in ev) {
          if (ev.kind === 'bad' && !firstBad) firstBad = `line ${ev.line}: ${ev.message}`;
          continue;
        }
        const rec = asRecord(ev.value);
        if (!rec) continue;
        for (const k of Object.keys(rec)) keys.add(k);
        seen++;
      }
      if (seen >= KEY_SCAN) break;
    }
  } finally {
    await it.return(undefined);
  }
  return { columns: [...keys], firstBad };
}

function uniqueColumns(header: readonly string[]): string[] {
  const used = new Set<string>();
  return header.map((h, i) => {
    let name = h.trim() || `column_${i + 1}`;
    if (used.has(name)) {
      let k = 2;
      while (used.has(`${name}_${k}`)) k++;
      name = `${name}_${k}`;
    }
    used.add(name);
    return name;
  });
}

async function* batched(gen: AsyncGenerator<RecordEvent>, size: number): AsyncGenerator<RecordEvent[]> {
  let batch: RecordEvent[] = [];
  for await (const ev of gen) {
    batch.push(ev);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** More columns than any table of texts has: beyond it a file is refused rather than held in memory row by row. */
export const MAX_COLUMNS = 10_000;

export interface Table {
  readonly columns: readonly string[];
  /** Rows in batches (one per chunk read): per-row async iteration would cost more than the parsing. */
  readonly rows: AsyncGenerator<RecordEvent[]>;
  /** Closes the file (also when the rows were never read). */
  close(): Promise<void>;
}

function closer(...gens: Array<AsyncGenerator<unknown>>): () => Promise<void> {
  return async () => {
    for (const g of gens) await g.return(undefined);
  };
}

/**
 * Opens a source as a table: the column names, then rows whose values line up with them.
 * A row with the wrong number of columns, or a JSON value that is not an object, is reported as a bad row.
 */
export async function openTable(
  src: ResolvedSource,
  counter: ByteCounter,
  signal?: AbortSignal,
): Promise<Table> {
  if (src.format === 'json' || src.format === 'jsonl') {
    const { columns, firstBad } = await jsonColumns(src);
    if (columns.length === 0) {
      throw AppError.keyed('BAD_FILE', 'dataset.holdsJsonRecordsObjects', {
        name: src.name,
        p1: firstBad ? `; the first record could not be read (${firstBad}).` : '.',
      });
    }
    if (columns.length > MAX_COLUMNS) {
      throw AppError.keyed('BAD_FILE', 'dataset.hasDifferentFieldsFirst', {
        name: src.name,
        lengthLength: columns.length.toLocaleString('en'),
        MAX_COLUMNS: MAX_COLUMNS.toLocaleString('en'),
      });
    }
    const index = new Map(columns.map((c, i) => [c, i]));
    const rows = (async function* (): AsyncGenerator<RecordEvent[]> {
      for await (const batch of jsonValues(src, counter, signal)) {
        const out: RecordEvent[] = [];
        for (const ev of batch) {
          if ('kind' in ev) {
            out.push(ev);
            continue;
          }
          const rec = asRecord(ev.value);
          if (!rec) {
            out.push({ kind: 'bad', line: ev.line, message: 'the value is not a JSON object' });
            continue;
          }
          const values = new Array<string>(columns.length).fill('');
          try {
            for (const [k, v] of Object.entries(rec)) {
              const i = index.get(k);
              if (i !== undefined) values[i] = jsonCell(v);
            }
          } catch {
            // JSON.stringify of a value nested thousands deep overflows the stack.
            out.push({
              kind: 'bad',
              line: ev.line,
              message: 'a value is nested too deeply to be read as text',
            });
            continue;
          }
          out.push({ kind: 'row', line: ev.line, values });
        }
        yield out;
      }
    })();
    return { columns, rows, close: closer(rows) };
  }
  if (src.format === 'folder') {
    const rows = batched(folderRows(src.path, src.encoding, counter), 50);
    return { columns: [...FOLDER_COLUMNS], rows, close: closer(rows) };
  }
  const raw: AsyncGenerator<RecordEvent[]> =
    src.format === 'xlsx'
      ? batched(workbookRows(src.path, counter), 1000)
      : (async function* (): AsyncGenerator<RecordEvent[]> {
          const delimiter = src.delimiter ?? ',';
          // Tab-separated files rarely quote; a lone quote in a sentence must not swallow the rows after it.
          const parser = new CsvParser(delimiter, src.quotes ?? delimiter !== '\t');
          for await (const chunk of sourceText(src, counter, signal)) {
            const out: RecordEvent[] = [];
            parser.feed(chunk, false, out);
            if (out.length) yield out;
          }
          const out: RecordEvent[] = [];
          parser.feed('', true, out);
          if (out.length) yield out;
        })();
  // The header is the first good row.
  const pending: RecordEvent[] = [];
  let firstRow: (RecordEvent & { kind: 'row' }) | null = null;
  let firstBad: string | null = null;
  let rest: RecordEvent[] = [];
  while (!firstRow) {
    const n = await raw.next();
    if (n.done) break;
    const i = n.value.findIndex((ev) => ev.kind === 'row');
    if (i < 0) {
      pending.push(...n.value);
      const bad = n.value.find((ev) => ev.kind === 'bad');
      if (bad && bad.kind === 'bad' && !firstBad) firstBad = `line ${bad.line}: ${bad.message}`;
      continue;
    }
    pending.push(...n.value.slice(0, i));
    firstRow = n.value[i] as RecordEvent & { kind: 'row' };
    rest = n.value.slice(i + 1);
  }
  if (!firstRow) {
    await raw.return(undefined);
    throw AppError.keyed('BAD_FILE', 'dataset.holdsRowsCanRead', {
      name: src.name,
      p1: firstBad ? ` (${firstBad}).` : '.',
    });
  }
  const header = firstRow;
  if (header.values.length > MAX_COLUMNS) {
    await raw.return(undefined);
    throw AppError.keyed('BAD_FILE', 'dataset.hasColumnsFirstRow', {
      name: src.name,
      lengthLength: header.values.length.toLocaleString('en'),
      MAX_COLUMNS: MAX_COLUMNS.toLocaleString('en'),
    });
  }
  const columns = src.hasHeader
    ? uniqueColumns(header.values)
    : header.values.map((_v, i) => `column_${i + 1}`);
  const width = columns.length;
  const lenient = src.format === 'xlsx';
  const fix = (batch: readonly RecordEvent[]): RecordEvent[] => {
    const out: RecordEvent[] = [];
    for (const ev of batch) {
      if (ev.kind === 'bad' || ev.values.length === width) out.push(ev);
      else if (lenient && ev.values.length < width) {
        out.push({ ...ev, values: [...ev.values, ...new Array<string>(width - ev.values.length).fill('')] });
      } else if (lenient && ev.values.slice(width).every((v) => v === '')) {
        out.push({ ...ev, values: ev.values.slice(0, width) });
      } else {
        out.push({
          kind: 'bad',
          line: ev.line,
          message: `expected ${width} columns, found ${ev.values.length}`,
        });
      }
    }
    return out;
  };
  const rows = (async function* (): AsyncGenerator<RecordEvent[]> {
    try {
      yield fix([...pending, ...(src.hasHeader ? [] : [header]), ...rest]);
      for await (const batch of raw) yield fix(batch);
    } finally {
      await raw.return(undefined);
    }
  })();
  return { columns, rows, close: closer(rows, raw) };
}
