import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import type { Encoding } from '../../../shared/dataset';
import { FOLDER_DOCUMENT_EXTENSIONS, FOLDER_DOCUMENT_MAX_BYTES } from '../../../shared/folderDocuments';
import { AppError } from '../../core/errors';
import { decodeSample, makeDecoder, sniffFile, type Recoded } from './encoding';

/** One parsed record, or a malformed one (with the line it starts on). */
export type RecordEvent =
  | {
      readonly kind: 'row';
      readonly line: number;
      readonly values: readonly string[];
      readonly file?: string;
    }
  | { readonly kind: 'bad'; readonly line: number; readonly message: string; readonly file?: string };

/** Longest record (or JSON element) accepted: beyond it the row is reported, never held in memory. */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;
/**
 * Bytes decoded at a time: the text of a piece (at most 64 KiB) is an ordinary young object for V8, where a
 * megabyte's text goes to the large-object space, whose allocation and release cost several times the decoding.
 */
const PIECE_BYTES = 32 * 1024;

export interface ByteCounter {
  bytes: number;
  /** When given, a UTF-8 file is decoded line by line and the lines read in another encoding are counted here. */
  recoded?: Recoded;
}

/** A counter for reading a source as the import does: a UTF-8 file line by line, its other lines in `recodeFrom`. */
export function readingCounter(src: { encoding: Encoding; recodeFrom?: Encoding }): ByteCounter {
  return {
    bytes: 0,
    recoded:
      src.encoding === 'utf-8'
        ? { lines: [], count: 0, encoding: src.recodeFrom ?? 'windows-1252' }
        : undefined,
  };
}

/** Streams a file's text in pieces of about PIECE_BYTES, decoded (BOM stripped), counting the bytes read. */
export async function* textChunks(
  path: string,
  encoding: Encoding,
  counter: ByteCounter,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const decoder = makeDecoder(encoding, counter.recoded);
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES, signal });
  try {
    for await (const buf of stream as AsyncIterable<Buffer>) {
      for (let at = 0; at < buf.length; at += PIECE_BYTES) {
        const piece = buf.subarray(at, at + PIECE_BYTES);
        counter.bytes += piece.length;
        const text = decoder.write(piece);
        if (text) yield text;
      }
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } catch (e) {
    throw readError(e, path);
  } finally {
    stream.destroy();
  }
}

/** A file-system error while reading a source, as an error a person can act on (others pass through). */
export function readError(e: unknown, path: string): unknown {
  switch ((e as { code?: unknown } | null)?.code) {
    case 'ENOENT':
      return AppError.keyed('NOT_FOUND', 'dataset.longerChooseFileAgain', { path });
    case 'EACCES':
    case 'EPERM':
      return AppError.keyed('BAD_FILE', 'dataset.cannotReadPermissionCheck', { path });
    case 'EISDIR':
      return AppError.keyed('BAD_FILE', 'dataset.folderFile', { path });
    case 'EIO':
      return AppError.keyed('BAD_FILE', 'dataset.couldReadInputOutput', { path });
    default:
      return e;
  }
}

const NL = 10;
const CR = 13;
const QUOTE = 34;

function tooLong(): string {
  return `the row is longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters (an unclosed quote, or not a text table?)`;
}

/** Where the unquoted text from `i` ends: at the delimiter, a newline or the end of `buf`. */
function fieldEnd(buf: string, i: number, delim: number): number {
  const len = buf.length;
  let e = i;
  while (e < len) {
    const c = buf.charCodeAt(e);
    if (c === delim || c === NL) break;
    e++;
  }
  return e;
}

/**
 * Incremental CSV/TSV parser: any one-character delimiter, RFC 4180 quotes (doubled to escape, newlines inside),
 * CRLF or LF. Memory is bounded by MAX_RECORD_CHARS: a longer record is reported and parsing resumes on the next line.
 */
export class CsvParser {
  /** What is held: the open record from where its parsing goes on (all of it when `open` is null). */
  private buf = '';
  private line = 1;
  /** Dropping the rest of an over-long line until its newline arrives. */
  private discarding = false;
  private readonly delim: number;
  /**
   * A record the text ran out in the middle of: its fields so far, inside a quoted field what it holds so far, and
   * the record's text already parsed (set aside, not held in `buf`: a bad record is read again from its start). The
   * next piece goes on from where it stopped instead of parsing the record again from its start at every piece with
   * a newline: a record of quoted fields with newlines inside (an 8 MB one) took 46 s on the server's thread.
   */
  private open: {
    fields: string[];
    quoted: string | null;
    /** Whether the quoted field's closing quote was read (what follows it up to the delimiter is not yet). */
    closed: boolean;
    parsed: string[];
    parsedChars: number;
    parsedNewlines: number;
  } | null = null;

  constructor(
    delimiter: string,
    private readonly quotes: boolean,
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  feed(chunk: string, final: boolean, out: RecordEvent[]): void {
    if (this.discarding) {
      const nl = chunk.indexOf('\n');
      if (nl < 0) {
        if (!final) return;
        this.discarding = false;
        return;
      }
      this.discarding = false;
      this.line++;
      chunk = chunk.slice(nl + 1);
    }
    if (!final && !chunk.length) return;
    if (!final && this.buf.length && chunk.indexOf('\n') < 0) {
      // A record still open (what is held) cannot end without a newline: hold the piece without parsing the record
      // again from its start. Parsing it at every piece made a 17 MB line take 23 s to preview (quadratic).
      this.buf += chunk;
      if (this.buf.length + (this.open?.parsedChars ?? 0) > MAX_RECORD_CHARS) {
        this.recover(0, tooLong(), false, out);
      }
      return;
    }
    this.buf = this.buf.length ? this.buf + chunk : chunk;
    const buf = this.buf;
    const len = buf.length;
    const delim = this.delim;
    let pos = 0;
    // The record left open by the last piece goes on at the start of what is held.
    let resume = this.open;
    this.open = null;
    outer: while (pos < len || (final && resume)) {
      const fields: string[] = resume ? resume.fields : [];
      const carried = resume;
      let i = pos;
      let quotedNewlines = false;
      for (;;) {
        // At the start of a field, or inside a quoted one the last piece ended in.
        const fieldAt = i;
        const resumed = resume?.quoted ?? null;
        const closed = resume?.closed ?? false;
        resume = null;
        if (resumed !== null || (this.quotes && i < len && buf.charCodeAt(i) === QUOTE)) {
          let value = resumed ?? '';
          if (!closed) {
            let j = resumed !== null ? i : i + 1;
            for (;;) {
              const k = buf.indexOf('"', j);
              if (k < 0 || (k + 1 >= len && !final)) {
                if (!final) {
                  // What the field holds up to the text's end (or a quote there, that a quote may double) is in.
                  const to = k < 0 ? len : k;
                  value += buf.slice(j, to);
                  if (!this.holdOpen(carried, fields, value, false, pos, to, out)) return;
                  pos = to;
                  break outer;
                }
                this.recover(pos, 'a quoted field is never closed (unclosed quote)', true, out, carried);
                return;
              }
              if (buf.charCodeAt(k + 1) === QUOTE) {
                value += buf.slice(j, k + 1);
                j = k + 2;
                continue;
              }
              value += buf.slice(j, k);
              i = k + 1;
              break;
            }
          }
          if (value.indexOf('\n') >= 0) quotedNewlines = true;
          // Anything between the closing quote and the delimiter is kept as it is.
          const e = fieldEnd(buf, i, delim);
          if (e >= len && !final) {
            // The text ended after the closing quote: what follows it is read with the next piece.
            if (!this.holdOpen(carried, fields, value, true, pos, i, out)) return;
            pos = i;
            break outer;
          }
          if (e > i) {
            let tail = buf.slice(i, e);
            if (e < len && tail.charCodeAt(tail.length - 1) === CR) tail = tail.slice(0, -1);
            value += tail;
          }
          fields.push(value);
          i = e;
        } else {
          const e = fieldEnd(buf, i, delim);
          let end = e;
          if (e < len || final) {
            if (end > i && buf.charCodeAt(end - 1) === CR) end--;
            fields.push(buf.slice(i, end));
          }
          i = e;
        }
        if (i >= len) {
          if (!final) {
            // The unquoted field the text ended in is read again from its start with the next piece; the fields
            // before it are kept.
            if (!this.holdOpen(carried, fields, null, false, pos, fieldAt, out)) return;
            pos = fieldAt;
            break outer;
          }
          this.emit(fields, quotedNewlines, pos, len, out, carried);
          pos = len;
          break outer;
        }
        if (buf.charCodeAt(i) === delim) {
          i++;
          if (i >= len && final) {
            fields.push('');
            this.emit(fields, quotedNewlines, pos, len, out, carried);
            pos = len;
            break outer;
          }
          continue;
        }
        // Newline: the record is complete.
        this.emit(fields, quotedNewlines, pos, i, out, carried);
        pos = i + 1;
        this.line++;
        break;
      }
    }
    this.buf = pos >= len ? '' : buf.slice(pos);
  }

  /**
   * Leaves the record starting at `pos` open at `to` for the next piece (the text from `pos`, its start or where it
   * went on, set aside), or reports it when what it holds is over the limit (false: parsing went on after it).
   */
  private holdOpen(
    carried: CsvParser['open'],
    fields: string[],
    quoted: string | null,
    closed: boolean,
    pos: number,
    to: number,
    out: RecordEvent[],
  ): boolean {
    if (this.buf.length - pos + (carried?.parsedChars ?? 0) > MAX_RECORD_CHARS) {
      this.recover(pos, tooLong(), false, out, carried);
      return false;
    }
    const text = this.buf.slice(pos, to);
    let newlines = 0;
    for (let n = text.indexOf('\n'); n >= 0; n = text.indexOf('\n', n + 1)) newlines++;
    this.open = {
      fields,
      quoted,
      closed,
      parsed: carried ? (carried.parsed.push(text), carried.parsed) : [text],
      parsedChars: (carried?.parsedChars ?? 0) + text.length,
      parsedNewlines: (carried?.parsedNewlines ?? 0) + newlines,
    };
    return true;
  }

  private emit(
    fields: string[],
    quotedNewlines: boolean,
    from: number,
    to: number,
    out: RecordEvent[],
    carried: CsvParser['open'],
  ): void {
    const line = this.line;
    if (carried) this.line += carried.parsedNewlines;
    if (quotedNewlines) {
      for (let k = from; k < to; k++) if (this.buf.charCodeAt(k) === NL) this.line++;
    }
    if (fields.length === 1 && fields[0] === '') return; // a blank line
    // A record that arrived whole in one chunk is held to the same limit as one that grew across chunks.
    if (to - from + (carried?.parsedChars ?? 0) > MAX_RECORD_CHARS) {
      out.push({ kind: 'bad', line, message: tooLong() });
    } else out.push({ kind: 'row', line, values: fields });
  }

  /**
   * Reports the record starting at `pos` (with what was set aside of it before) and goes on from the line after its
   * first one.
   */
  private recover(
    pos: number,
    message: string,
    final: boolean,
    out: RecordEvent[],
    carried: CsvParser['open'] = this.open,
  ): void {
    out.push({ kind: 'bad', line: this.line, message });
    this.open = null;
    const buf = carried ? carried.parsed.join('') + this.buf.slice(pos) : this.buf;
    const from = carried ? 0 : pos;
    const nl = buf.indexOf('\n', from);
    this.buf = '';
    if (nl < 0) {
      this.discarding = !final;
      return;
    }
    this.line++;
    this.feed(buf.slice(nl + 1), final, out);
  }
}

export type JsonEvent = { line: number; value: unknown } | RecordEvent;

/** Splits JSON Lines; each non-blank line is one object. */
export class JsonlParser {
  private buf = '';
  private line = 1;
  private discarding = false;

  feed(chunk: string, final: boolean, out: JsonEvent[]): void {
    let start = 0;
    if (this.discarding) {
      const nl = chunk.indexOf('\n');
      if (nl < 0) return;
      this.discarding = false;
      this.line++;
      start = nl + 1;
    }
    if (!final && chunk.indexOf('\n', start) < 0) {
      // No line ends in this piece: hold it without searching what is held again (a 6 MB line took 5 s).
      this.buf += start ? chunk.slice(start) : chunk;
      this.dropIfTooLong(out);
      return;
    }
    const buf = this.buf + (start ? chunk.slice(start) : chunk);
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf('\n', pos);
      if (nl < 0) break;
      this.one(buf.slice(pos, nl), out);
      pos = nl + 1;
    }
    if (final) {
      if (pos < buf.length) this.one(buf.slice(pos), out);
      this.buf = '';
      return;
    }
    this.buf = buf.slice(pos);
    this.dropIfTooLong(out);
  }

  /** A line held past the limit is reported and the rest of it dropped as it arrives. */
  private dropIfTooLong(out: JsonEvent[]): void {
    if (this.buf.length <= MAX_RECORD_CHARS) return;
    out.push({ kind: 'bad', line: this.line, message: tooLong() });
    this.buf = '';
    this.discarding = true;
  }

  private one(text: string, out: JsonEvent[]): void {
    const line = this.line++;
    const t = text.trim();
    if (!t) return;
    if (t.length > MAX_RECORD_CHARS) {
      out.push({ kind: 'bad', line, message: tooLong() });
      return;
    }
    try {
      out.push({ line, value: JSON.parse(t) as unknown });
    } catch (e) {
      out.push({ kind: 'bad', line, message: `invalid JSON (${(e as Error).message})` });
    }
  }
}

/**
 * Streams the elements of a top-level JSON array without holding the whole document: each element is cut out by
 * tracking nesting and strings, then parsed on its own.
 */
export class JsonArrayParser {
  private buf = '';
  private line = 1;
  private started = false;
  private finished = false;
  private scan = 0;
  private depth = 0;
  private inString = false;
  private escape = false;
  private elemStart = -1;
  private elemLine = 1;

  feed(chunk: string, final: boolean, out: JsonEvent[]): void {
    this.buf += chunk;
    const buf = this.buf;
    // Characters are read from the piece itself where they are in it: `buf` joins what is held and the piece
    // without copying, and reading it character by character walked that join at every character (a 6 MB element
    // took 5 s to preview).
    const base = buf.length - chunk.length;
    let i = this.scan;
    let consumed = 0;
    while (i < buf.length && !this.finished) {
      const c = i >= base ? chunk.charCodeAt(i - base) : buf.charCodeAt(i);
      if (!this.started) {
        if (c === NL) this.line++;
        else if (c === 0x5b) this.started = true;
        else if (c !== 32 && c !== 9 && c !== CR) {
          throw AppError.keyed('BAD_FILE', 'dataset.jsonFileArrayRecords', {});
        }
        i++;
        consumed = i;
        continue;
      }
      if (this.elemStart < 0) {
        if (c === NL) this.line++;
        else if (c === 0x5d) {
          this.finished = true;
        } else if (c !== 32 && c !== 9 && c !== CR && c !== 0x2c) {
          this.elemStart = i;
          this.elemLine = this.line;
          this.depth = 0;
          this.inString = false;
          this.escape = false;
          continue;
        }
        i++;
        consumed = i;
        continue;
      }
      if (c === NL) this.line++;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 0x5c) this.escape = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.depth === 0) {
            this.element(buf.slice(this.elemStart, i + 1), out);
            consumed = i + 1;
          }
        }
      } else if (c === QUOTE) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (this.depth === 0) {
          // The closing bracket of the array ends a bare scalar element.
          this.element(buf.slice(this.elemStart, i), out);
          this.finished = true;
          consumed = i + 1;
          i++;
          continue;
        }
        this.depth--;
        if (this.depth === 0) {
          this.element(buf.slice(this.elemStart, i + 1), out);
          consumed = i + 1;
        }
      } else if (c === 0x2c && this.depth === 0) {
        this.element(buf.slice(this.elemStart, i), out);
        consumed = i + 1;
      }
      i++;
    }
    const keepFrom = this.elemStart >= 0 ? this.elemStart : consumed;
    this.buf = buf.slice(keepFrom);
    this.scan = i - keepFrom;
    if (this.elemStart >= 0) this.elemStart = 0;
    if (this.buf.length > MAX_RECORD_CHARS) {
      throw AppError.keyed('BAD_FILE', 'dataset.jsonRecordStartingLine', {
        elemLine: this.elemLine,
        MAX_RECORD_CHARS: MAX_RECORD_CHARS.toLocaleString('en'),
      });
    }
    if (final && !this.finished) {
      if (!this.started) throw AppError.keyed('BAD_FILE', 'dataset.jsonFileHoldsArray', {});
      out.push({
        kind: 'bad',
        line: this.elemStart >= 0 ? this.elemLine : this.line,
        message: 'the JSON array is never closed (the file is cut short?)',
      });
    }
  }

  private element(text: string, out: JsonEvent[]): void {
    const line = this.elemLine;
    this.elemStart = -1;
    const t = text.trim();
    if (!t) return;
    try {
      out.push({ line, value: JSON.parse(t) as unknown });
    } catch (e) {
      out.push({ kind: 'bad', line, message: `invalid JSON (${(e as Error).message})` });
    }
  }
}

const FOLDER_EXTS = new Set<string>(FOLDER_DOCUMENT_EXTENSIONS);
/** One document per file; a bigger file is reported, not read. */
export const MAX_DOCUMENT_BYTES = FOLDER_DOCUMENT_MAX_BYTES;

export function folderFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.name.startsWith('.')) continue;
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && FOLDER_EXTS.has(extname(entry.name).toLowerCase())) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export const FOLDER_COLUMNS = ['text', 'file', 'folder'] as const;

/** A folder of .txt/.md documents: columns text, file (relative path), folder (its sub-folder, a natural label). */
export async function* folderRows(
  dir: string,
  encoding: Encoding | undefined,
  counter: ByteCounter,
): AsyncGenerator<RecordEvent> {
  const files = folderFiles(dir);
  for (const [i, file] of files.entries()) {
    const rel = relative(dir, file);
    counter.bytes = i;
    const size = statSync(file).size;
    if (size > MAX_DOCUMENT_BYTES) {
      yield {
        kind: 'bad',
        line: 1,
        file: rel,
        message: `the document is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB`,
      };
      continue;
    }
    if (size === 0) {
      yield { kind: 'bad', line: 1, file: rel, message: 'the document is empty' };
      continue;
    }
    let text: string;
    try {
      const sniffed = sniffFile(file, rel, encoding);
      text = decodeSample(readFileSync(file), encoding ?? sniffed.encoding, false, sniffed.recodeFrom);
    } catch (e) {
      yield { kind: 'bad', line: 1, file: rel, message: (e as Error).message };
      continue;
    }
    const folder = dirname(rel) === '.' ? '' : basename(dirname(rel));
    yield { kind: 'row', line: 1, file: rel, values: [text, rel, folder] };
  }
  counter.bytes = files.length;
}
