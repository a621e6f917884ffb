import chardet from 'chardet';
import iconv from 'iconv-lite';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Encoding } from '../../../shared/dataset';
import { AppError } from '../../core/errors';

export interface Sniffed {
  readonly encoding: Encoding;
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
    throw new AppError('BAD_FILE', `${name} is empty. Choose a file that contains your texts.`);
  }
  const truncated = head.length === SAMPLE_BYTES;
  const bomEnc = bomOf(head);
  let detected: Encoding;
  if (bomEnc) detected = bomEnc;
  else {
    const u16 = utf16Guess(head);
    if (u16) detected = u16;
    else {
      if (looksBinary(head)) {
        throw new AppError(
          'BAD_FILE',
          `${name} looks like a binary file, not text. Export it as CSV, JSON, JSONL or Excel (.xlsx) and import that.`,
        );
      }
      const spread = truncated ? samplesAcross(path) : [];
      const utf8 = isUtf8(head, truncated) && spread.every((b) => isUtf8(skipContinuation(b), true));
      detected = utf8 ? 'utf-8' : fromChardet(chardet.detect(firstNonAscii([head, ...spread])));
    }
  }
  const encoding = override ?? detected;
  const sample = decodeSample(head, encoding, truncated);
  return { encoding: detected, bom: bomEnc !== null, sample };
}

export function decodeSample(head: Buffer, encoding: Encoding, truncated: boolean): string {
  const text = iconv.decode(head, encoding, { stripBOM: false });
  const noBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // A cut multi-byte sequence decodes to U+FFFD at the very end: drop the last (partial) line instead.
  if (truncated) {
    const nl = noBom.lastIndexOf('\n');
    return nl > 0 ? noBom.slice(0, nl + 1) : noBom;
  }
  return noBom;
}

/** A streaming decoder: bytes in, text out, multi-byte sequences split across chunks handled; strips a BOM. */
export function makeDecoder(encoding: Encoding): { write(buf: Buffer): string; end(): string } {
  const d = iconv.getDecoder(encoding);
  return { write: (buf) => d.write(buf), end: () => d.end() ?? '' };
}
