import ExcelJS from 'exceljs';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../core/errors';
import type { ByteCounter, RecordEvent } from './parse';

/**
 * The shared strings of a workbook, kept in a temporary file (UTF-8, one after another) with their offsets in a typed
 * array: exceljs's own cache holds every one as a JS string, 2.9 GB for a 40 MB workbook of 15 million strings.
 * A small cache serves the repeated ones (label columns).
 */
class SharedStrings {
  private readonly dir = mkdtempSync(join(tmpdir(), 'distillery-xlsx-'));
  private readonly fd = openSync(join(this.dir, 'strings'), 'w+', 0o600);
  private offsets = new Float64Array(1 << 16);
  private count = 0;
  private written = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly recent = new Map<number, string>();
  private block: Buffer = Buffer.alloc(0);
  private blockStart = 0;

  add(index: number, text: string): void {
    // Strings arrive in index order; a gap (never seen) reads as empty.
    while (this.count < index) this.push('');
    this.push(text);
  }

  private push(text: string): void {
    if (this.count + 2 > this.offsets.length) {
      const grown = new Float64Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    const bytes = Buffer.from(text, 'utf8');
    this.offsets[this.count] = this.written + this.pendingBytes;
    this.count++;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.offsets[this.count] = this.written + this.pendingBytes;
    if (this.pendingBytes > 4 << 20) this.flush();
  }

  private flush(): void {
    if (!this.pendingBytes) return;
    const buf = Buffer.concat(this.pending);
    writeSync(this.fd, buf, 0, buf.length, this.written);
    this.written += buf.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  get(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return '';
    const hit = this.recent.get(index);
    if (hit !== undefined) return hit;
    this.flush();
    const start = this.offsets[index];
    const end = this.offsets[index + 1];
    // Rows mostly refer to strings in table order: read ahead a block and serve the next ones from it.
    if (start < this.blockStart || end > this.blockStart + this.block.length) {
      this.block = Buffer.alloc(Math.min(Math.max(1 << 20, end - start), this.written - start));
      readSync(this.fd, this.block, 0, this.block.length, start);
      this.blockStart = start;
    }
    const text = this.block.toString('utf8', start - this.blockStart, end - this.blockStart);
    if (this.recent.size >= 4096) this.recent.clear();
    this.recent.set(index, text);
    return text;
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function cellText(v: unknown, shared?: SharedStrings): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const o = v as {
      richText?: Array<{ text: string }>;
      text?: unknown;
      result?: unknown;
      error?: unknown;
      sharedString?: unknown;
    };
    if (typeof o.sharedString === 'number') return shared?.get(o.sharedString) ?? '';
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return cellText(o.text, shared);
    if (o.result !== undefined) return cellText(o.result, shared);
    if (o.error !== undefined) return '';
  }
  return JSON.stringify(v);
}

/** Streams the rows of the first worksheet of an .xlsx workbook. */
export async function* xlsxRows(path: string, counter: ByteCounter): AsyncGenerator<RecordEvent> {
  // Shared strings are emitted one by one into a file-backed table (see SharedStrings), not cached by exceljs.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    sharedStrings: 'emit',
    worksheets: 'emit',
    styles: 'ignore',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const size = statSync(path).size;
  const shared = new SharedStrings();
  try {
    // parse() yields {eventType, value} events, and each shared string as a bare {index, text}.
    type ParseEvent = { eventType?: string; value?: unknown; index?: number; text?: unknown };
    for await (const ev of reader.parse() as unknown as AsyncIterable<ParseEvent>) {
      if (ev.eventType === undefined && typeof ev.index === 'number') {
        shared.add(ev.index, cellText(ev.text));
        continue;
      }
      const { eventType, value } = ev;
      if (eventType !== 'worksheet') continue;
      for await (const row of value as AsyncIterable<ExcelJS.Row>) {
        const raw = row.values as unknown[];
        const values: string[] = [];
        for (let c = 1; c < raw.length; c++) values.push(cellText(raw[c], shared));
        counter.bytes = Math.min(size, counter.bytes + 64);
        if (values.every((v) => v === '')) continue;
        yield { kind: 'row', line: row.number, values };
      }
      break;
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    // A JavaScript error from inside the reader says nothing to a person: only the reader's own reasons are shown.
    const internal = e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError;
    throw AppError.keyed('BAD_FILE', 'dataset.excelFileCannotRead', {
      p1: internal
        ? ': it is damaged or was not written by a spreadsheet program'
        : ` (${(e as Error).message})`,
    });
  } finally {
    shared.close();
  }
  counter.bytes = size;
}
