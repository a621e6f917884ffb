import chardet from 'chardet';
import iconv from 'iconv-lite';
import { isUtf8 as isUtf8Buffer } from 'node:buffer';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Encoding } from '../../../shared/dataset';
import { AppError } from '../../core/errors';

export interface Sniffed {
  readonly encoding: Encoding;
  /**
   * For a UTF-8 file with lines in another encoding: that encoding (GB18030, Big5 or Shift_JIS when chardet finds one
   * in those lines; Windows-1252 otherwise), in which the line-wise reader decodes them.
   */
  readonly recodeFrom: Encoding;
  readonly bom: boolean;
  /** The decoded sample (at most 64 KB of the file), without a BOM. */
  readonly sample: string;
}

const SAMPLE_BYTES = 64 * 1024;

export function readHead(path: string, bytes = SAMPLE_BYTES): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function bomOf(buf: Buffer): Encoding | null {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return 'utf-8';
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return 'utf-16le';
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return 'utf-16be';
  return null;
}

/** Valid UTF-8, allowing a multi-byte sequence cut off by the end of the sample. */
function isUtf8(buf: Buffer, truncated: boolean): boolean {
  let end = buf.length;
  if (truncated) {
    // Back up over a trailing partial sequence.
    let i = end - 1;
    let k = 0;
    while (i >= 0 && k < 3 && (buf[i] & 0xc0) === 0x80) {
      i--;
      k++;
    }
    if (i >= 0 && buf[i] >= 0xc0) end = i;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** UTF-16 without a BOM: ASCII-heavy text has a NUL in every other byte. */
function utf16Guess(buf: Buffer): Encoding | null {
  const n = Math.min(buf.length, 4096) & ~1;
  if (n < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (buf[i] === 0) evenNul++;
    if (buf[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul > pairs * 0.3 && evenNul < pairs * 0.05) return 'utf-16le';
  if (evenNul > pairs * 0.3 && oddNul < pairs * 0.05) return 'utf-16be';
  return null;
}

function fromChardet(name: string | null): Encoding {
  switch ((name ?? '').toLowerCase()) {
    case 'gb18030':
    case 'gbk':
    case 'gb2312':
      return 'gb18030';
    case 'big5':
      return 'big5';
    case 'shift_jis':
      return 'shift_jis';
    case 'windows-1252':
      return 'windows-1252';
    case 'utf-16le':
      return 'utf-16le';
    case 'utf-16be':
      return 'utf-16be';
    case 'utf-8':
      return 'utf-8';
    default:
      return 'latin1';
  }
}

/** Windows spread over the file: a latin-1 file is often pure ASCII for its first 64 KB. */
function samplesAcross(path: string): Buffer[] {
  const size = statSync(path).size;
  const windows = 32;
  const out: Buffer[] = [];
  const fd = openSync(path, 'r');
  try {
    for (let i = 1; i <= windows; i++) {
      const at = Math.floor(((size - SAMPLE_BYTES) * i) / windows);
      if (at <= SAMPLE_BYTES) continue;
      const buf = Buffer.alloc(SAMPLE_BYTES);
      const n = readSync(fd, buf, 0, SAMPLE_BYTES, at);
      out.push(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

function skipContinuation(buf: Buffer): Buffer {
  let i = 0;
  while (i < buf.length && i < 4 && (buf[i] & 0xc0) === 0x80) i++;
  return buf.subarray(i);
}

/** The sample chardet should look at: the first one with non-ASCII bytes. */
function firstNonAscii(bufs: Buffer[]): Buffer {
  return bufs.find((b) => b.some((x) => x >= 0x80)) ?? bufs[0];
}

/** What the lines with non-ASCII bytes say: how many such bytes are in lines valid as UTF-8 and in the others. */
interface LineEvidence {
  readonly utf8Bytes: number;
  readonly otherBytes: number;
  /** The lines that are not UTF-8 (at most SAMPLE_BYTES of them), for chardet. */
  readonly other: Buffer;
}

const nonAscii = (buf: Buffer): number => buf.reduce((n, b) => (b >= 0x80 ? n + 1 : n), 0);

/**
 * Sorts the sampled lines into valid UTF-8 and not. Whole lines only: the head's last line may be cut, and a window
 * from the middle of the file begins inside a line.
 */
function lineEvidence(bufs: Buffer[]): LineEvidence {
  let utf8Bytes = 0;
  let otherBytes = 0;
  const other: Buffer[] = [];
  let kept = 0;
  bufs.forEach((buf, i) => {
    let from = 0;
    if (i > 0) {
      const nl = buf.indexOf(10);
      if (nl < 0) return;
      from = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(10, from);
      if (nl < 0) break;
      const one = buf.subarray(from, nl);
      from = nl + 1;
      const n = nonAscii(one);
      if (n === 0) continue;
      if (isUtf8(one, false)) utf8Bytes += n;
      else {
        otherBytes += n;
        if (kept < SAMPLE_BYTES) {
          other.push(one, Buffer.from([10]));
          kept += one.length + 1;
        }
      }
    }
  });
  return { utf8Bytes, otherBytes, other: Buffer.concat(other) };
}

/** Legacy encodings with two-byte characters: a short run of those is valid UTF-8 by chance now and then. */
const MULTI_BYTE: readonly Encoding[] = ['gb18030', 'big5', 'shift_jis'];

/**
 * A file that is not wholly UTF-8: the line-wise UTF-8 reader when some lines hold valid multi-byte UTF-8 (text in a
 * single-byte encoding practically never does, so such a file is UTF-8 with some lines in another encoding, which
 * that reader takes one by one), else what chardet finds. But a two-byte encoding (GB18030, Big5, Shift_JIS) makes
 * valid UTF-8 by chance in a short line ("什么" in GB18030 is): when chardet finds such an encoding in the other
 * lines and the UTF-8 lines hold under 5% of the non-ASCII bytes, the file is in that encoding. Read as UTF-8, all of
 * its other lines would have been garbled. With more UTF-8 than that, it is a UTF-8 file with lines in that encoding
 * (two exports put together), and the line-wise reader decodes them in it (`recodeFrom`).
 */
function notWhollyUtf8(bufs: Buffer[]): { encoding: Encoding; recodeFrom: Encoding } {
  const evidence = lineEvidence(bufs);
  if (evidence.utf8Bytes === 0) {
    return { encoding: fromChardet(chardet.detect(firstNonAscii(bufs))), recodeFrom: 'windows-1252' };
  }
  const legacy = fromChardet(chardet.detect(evidence.other));
  if (!MULTI_BYTE.includes(legacy)) return { encoding: 'utf-8', recodeFrom: 'windows-1252' };
  return evidence.utf8Bytes * 20 < evidence.otherBytes
    ? { encoding: legacy, recodeFrom: 'windows-1252' }
    : { encoding: 'utf-8', recodeFrom: legacy };
}

function looksBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return n > 0 && control / n > 0.05;
}

/** Detects the encoding of a text file from its first 64 KB; refuses empty and binary files. */
export function sniffFile(path: string, name: string, override?: Encoding): Sniffed {
  const head = readHead(path);
  if (head.length === 0) {
    throw AppError.keyed('BAD_FILE', 'dataset.emptyChooseFileContains', { name });
  }
  const truncated = head.length === SAMPLE_BYTES;
  const bomEnc = bomOf(head);
  let detected: Encoding;
  let recodeFrom: Encoding = 'windows-1252';
  if (bomEnc) detected = bomEnc;
  else {
    const u16 = utf16Guess(head);
    if (u16) detected = u16;
    else {
      if (looksBinary(head)) {
        throw AppError.keyed('BAD_FILE', 'dataset.looksLikeBinaryFile', { name });
      }
      const spread = truncated ? samplesAcross(path) : [];
      const utf8 = isUtf8(head, truncated) && spread.every((b) => isUtf8(skipContinuation(b), true));
      if (utf8) detected = 'utf-8';
      else ({ encoding: detected, recodeFrom } = notWhollyUtf8([head, ...spread]));
    }
  }
  const encoding = override ?? detected;
  // A person who reads a GB18030 (Big5, Shift_JIS) file as UTF-8 gets its other lines read in what was detected.
  if (override === 'utf-8' && MULTI_BYTE.includes(detected)) recodeFrom = detected;
  const sample = decodeSample(head, encoding, truncated, recodeFrom);
  return { encoding: detected, recodeFrom, bom: bomEnc !== null, sample };
}

/** The sample as the import will read it (a UTF-8 file's other lines in `recodeFrom`). */
export function decodeSample(
  head: Buffer,
  encoding: Encoding,
  truncated: boolean,
  recodeFrom: Encoding = 'windows-1252',
): string {
  let text: string;
  if (encoding === 'utf-8' && !isUtf8(head, truncated)) {
    const d = makeDecoder(encoding, { lines: [], count: 0, encoding: recodeFrom });
    const whole = d.write(head);
    // Cut inside its first line (no newline in the sample): as it decodes, for the format's and delimiter's sake.
    text = truncated ? whole || iconv.decode(head, encoding) : whole + d.end();
  } else text = iconv.decode(head, encoding, { stripBOM: false });
  const noBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // A cut multi-byte sequence decodes to U+FFFD at the very end: drop the last (partial) line instead.
  if (truncated) {
    const nl = noBom.lastIndexOf('\n');
    return nl > 0 ? noBom.slice(0, nl + 1) : noBom;
  }
  return noBom;
}

export interface Decoder {
  write(buf: Buffer): string;
  end(): string;
}

/** Lines that were not valid UTF-8 in a UTF-8 file and were read in another encoding instead. */
export interface Recoded {
  /** The first such line numbers (physical lines, from 1), at most MAX_RECODED_REPORTED. */
  readonly lines: number[];
  count: number;
  /** The encoding they were read in (Windows-1252 unless detection found another in them). */
  readonly encoding: Encoding;
}

export const MAX_RECODED_REPORTED = 50;

/** A streaming decoder: bytes in, text out, multi-byte sequences split across chunks handled; strips a BOM. */
export function makeDecoder(encoding: Encoding, recoded?: Recoded): Decoder {
  if (encoding === 'utf-8' && recoded) return lineWiseUtf8(recoded);
  const d = iconv.getDecoder(encoding);
  return { write: (buf) => d.write(buf), end: () => d.end() ?? '' };
}

/** Beyond this many bytes without a newline, the line is decoded in pieces. */
const MAX_PENDING_LINE = 4 * 1024 * 1024;

/**
 * UTF-8 decoded line by line: a file that is UTF-8 except for a few lines saved by an older tool in Windows-1252
 * (latin-1) is a common result of concatenating exports. Decoding it as one or the other garbles part of it; so a
 * line that is not valid UTF-8 is read as Windows-1252 (every byte is valid there) and its number is recorded for the
 * import result. Files that are valid UTF-8 take the fast path: one check per piece (isUtf8, SIMD), then one decode.
 * Only the BOM at the very start of the file is dropped (a BOM later in the file is kept, wherever pieces are cut).
 */
function lineWiseUtf8(recoded: Recoded): Decoder {
  /** The bytes after the last newline so far. */
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const keep = (rest: Buffer | null): void => {
    pending = rest?.length ? [rest] : [];
    pendingBytes = rest?.length ?? 0;
  };
  let line = 1;
  let first = true;
  const decodeLines = (bytes: Buffer): string => {
    let text: string;
    if (isUtf8Buffer(bytes)) text = bytes.toString('utf8');
    else {
      const parts: string[] = [];
      let from = 0;
      let at = line;
      while (from < bytes.length) {
        const nl = bytes.indexOf(10, from);
        const end = nl < 0 ? bytes.length : nl + 1;
        const one = bytes.subarray(from, end);
        if (isUtf8Buffer(one)) parts.push(one.toString('utf8'));
        else {
          parts.push(iconv.decode(one, recoded.encoding));
          if (recoded.lines.length < MAX_RECODED_REPORTED) recoded.lines.push(at);
          recoded.count++;
        }
        at++;
        from = end;
      }
      text = parts.join('');
    }
    for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) line++;
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  };
  return {
    write: (buf) => {
      const nl = buf.lastIndexOf(10);
      if (nl < 0) {
        // Kept as a list: a line longer than a piece must not be copied again with every piece.
        pending.push(buf);
        pendingBytes += buf.length;
        if (pendingBytes <= MAX_PENDING_LINE) return '';
        // A very long line goes on in pieces (the parser enforces its own length limit), cut between characters.
        const all = Buffer.concat(pending);
        let cut = all.length;
        while (cut > 0 && (all[cut - 1] & 0xc0) === 0x80) cut--;
        if (cut > 0 && all[cut - 1] >= 0xc0) cut--;
        keep(all.subarray(cut));
        return decodeLines(all.subarray(0, cut));
      }
      const rest = buf.subarray(nl + 1);
      if (!pending.length) {
        keep(rest);
        return decodeLines(buf.subarray(0, nl + 1));
      }
      // Only the line that began in earlier pieces is copied together; the piece's other lines are decoded in place.
      const firstEnd = buf.indexOf(10) + 1;
      const head = decodeLines(Buffer.concat([...pending, buf.subarray(0, firstEnd)]));
      keep(rest);
      return firstEnd > nl ? head : head + decodeLines(buf.subarray(firstEnd, nl + 1));
    },
    end: () => {
      const rest = pending.length ? Buffer.concat(pending) : null;
      keep(null);
      return rest?.length ? decodeLines(rest) : '';
    },
  };
}
