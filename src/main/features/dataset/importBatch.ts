import type { BadRow } from '../../../shared/dataset';
import { LENGTH_BIN_BOUNDS } from '../../core/store/migrations/022_example_counts';
import type { ImportRow, ReadState } from './importRows';

/** Rows per batch: each one transaction with its checkpoint, a short write on the server's thread. */
export const BATCH = 10_000;
/**
 * A batch also ends at this many bytes of strings: long documents (discharge summaries, contracts) would otherwise
 * make batches of hundreds of megabytes, with up to four of them in memory at once (the reader runs three ahead).
 * 6,000 documents of 40 KB took the import to 923 MB of RSS in one batch; ten thousand typical rows are 2.5 MB.
 */
export const BATCH_BYTES = 16 * 1024 * 1024;

/** The splits a row may have ('' for none), in the order of a batch's split codes and count cells. */
export const SPLIT_NAMES = ['', 'train', 'validation', 'test'] as const;
type SplitName = (typeof SPLIT_NAMES)[number];

/**
 * Integers per row in `RowBatch.ints`: source row, length, label value (-1: none), split code, then the UTF-8 byte
 * lengths of external_id, text, original_text, text_hash and metadata (-1: NULL), whose bytes follow each other in
 * `RowBatch.bytes`.
 */
export const INTS_PER_ROW = 9;
/** Where a row's text fields start in its integers (see INTS_PER_ROW). */
const FIELDS = 4;

/**
 * Up to BATCH rows of an import as the reader hands them to the writer (importDirect.ts): the strings as UTF-8 bytes
 * in one buffer (moved, not copied, from a reader thread: a structured clone of the strings cost the receiving thread
 * about 2.7 s per million rows), with what the writer needs besides the rows counted while reading.
 */
export interface RowBatch {
  readonly rows: number;
  readonly ints: Int32Array;
  readonly bytes: Uint8Array;
  /** Label values (a single-label row's name, a multi-label row's JSON names) first used in this batch, in order. */
  readonly newValues: string[];
  /** Label names first met in this batch (each name of a multi-label row). */
  readonly names: string[];
  /** Rows per example-count cell (tallyCell). */
  readonly tally: Int32Array;
  /** Single-label rows per split ('' for none) and label name, for the label counts (core/annotations.ts). */
  readonly labelled: Array<[split: string, label: string, n: number]>;
  readonly splits: { train: number; validation: number; test: number };
  /** Whether a row of the batch has any text. */
  readonly nonEmpty: boolean;
  /** The reading's state after the batch (the job's checkpoint carries it). */
  readonly state: { records: number; skipped: number; badRows: BadRow[] };
  /** Bytes of the file read when the batch was handed over. */
  readonly bytesRead: number;
}

/** A row's cell in a batch's example counts: its split and its length bin (migration 022's bins). */
export function tallyCell(split: number, length: number): number {
  let bin = LENGTH_BIN_BOUNDS.length - 1;
  while (bin > 0 && length < LENGTH_BIN_BOUNDS[bin]) bin--;
  return split * LENGTH_BIN_BOUNDS.length + bin;
}

/** The first buffer of a batch; it grows (doubling) for long texts. About 2.5 MB for ten thousand typical rows. */
const FIRST_BYTES = 4 * 1024 * 1024;

/** Collects rows into RowBatches: on the reader's side, in a worker or on the server's thread alike. */
export class BatchBuilder {
  private ints = new Int32Array(BATCH * INTS_PER_ROW);
  private bytes = Buffer.allocUnsafeSlow(FIRST_BYTES);
  private at = 0;
  private count = 0;
  private tally = new Int32Array(SPLIT_NAMES.length * LENGTH_BIN_BOUNDS.length);
  private labelled = new Map<string, Map<string, number>>();
  private splits = { train: 0, validation: 0, test: 0 };
  private nonEmpty = false;
  private newValues: string[] = [];
  private names: string[] = [];
  /** Every label value and name met so far in this import: a value's index is the one rows carry. */
  private readonly values = new Map<string, number>();
  private readonly seenNames = new Set<string>();

  constructor(private readonly multiLabel: boolean) {}

  get rows(): number {
    return this.count;
  }

  /** The batch has its rows or its bytes: take() it before the next row. */
  get full(): boolean {
    return this.count >= BATCH || this.at >= BATCH_BYTES;
  }

  add(r: ImportRow): void {
    if (this.count === BATCH) throw new Error('BatchBuilder: the batch is full; take() it first.');
    const i = this.count * INTS_PER_ROW;
    const split = r.split === null ? 0 : SPLIT_NAMES.indexOf(r.split as SplitName);
    const ints = this.ints;
    ints[i] = r.sourceRow;
    ints[i + 1] = r.length;
    ints[i + 2] = r.label === null ? -1 : this.valueIndex(r.label);
    ints[i + 3] = split;
    ints[i + FIELDS] = this.put(r.externalId);
    ints[i + FIELDS + 1] = this.put(r.text);
    ints[i + FIELDS + 2] = this.put(r.originalText);
    ints[i + FIELDS + 3] = this.put(r.textHash, 'latin1');
    ints[i + FIELDS + 4] = this.put(r.metadata);
    this.count++;
    this.tally[tallyCell(Math.max(0, split), r.length)]++;
    if (r.length > 0) this.nonEmpty = true;
    if (split > 0) this.splits[SPLIT_NAMES[split] as keyof BatchBuilder['splits']]++;
    if (r.label !== null && !this.multiLabel) {
      const s = r.split ?? '';
      let names = this.labelled.get(s);
      if (!names) this.labelled.set(s, (names = new Map()));
      names.set(r.label, (names.get(r.label) ?? 0) + 1);
    }
  }

  /** The batch so far (possibly empty), handed over with the reading's state; the builder starts a new one. */
  take(state: ReadState, bytesRead: number): RowBatch {
    const batch: RowBatch = {
      rows: this.count,
      ints: this.ints.slice(0, this.count * INTS_PER_ROW),
      bytes: new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.at),
      newValues: this.newValues,
      names: this.names,
      tally: this.tally,
      labelled: [...this.labelled].flatMap(([s, names]) =>
        [...names].map(([l, n]): [string, string, number] => [s, l, n]),
      ),
      splits: this.splits,
      nonEmpty: this.nonEmpty,
      state: { records: state.records, skipped: state.skipped, badRows: [...state.badRows] },
      bytesRead,
    };
    // The buffer goes with the batch (to another thread, transferred): the next batch gets its own.
    this.bytes = Buffer.allocUnsafeSlow(Math.max(FIRST_BYTES, Math.min(this.at, BATCH_BYTES)));
    this.at = 0;
    this.count = 0;
    this.tally = new Int32Array(SPLIT_NAMES.length * LENGTH_BIN_BOUNDS.length);
    this.labelled = new Map();
    this.splits = { train: 0, validation: 0, test: 0 };
    this.nonEmpty = false;
    this.newValues = [];
    this.names = [];
    return batch;
  }

  private valueIndex(value: string): number {
    let index = this.values.get(value);
    if (index === undefined) {
      index = this.values.size;
      this.values.set(value, index);
      this.newValues.push(value);
      for (const name of this.multiLabel ? (JSON.parse(value) as string[]) : [value]) {
        if (!this.seenNames.has(name)) {
          this.seenNames.add(name);
          this.names.push(name);
        }
      }
    }
    return index;
  }

  /** Appends a string's bytes; returns their length (-1 for NULL). */
  private put(s: string | null, encoding: 'utf8' | 'latin1' = 'utf8'): number {
    if (s === null) return -1;
    // At most three bytes per UTF-16 unit.
    const need = this.at + s.length * 3;
    if (need > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(need, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.at);
      this.bytes = grown;
    }
    const n = this.bytes.write(s, this.at, encoding);
    this.at += n;
    return n;
  }
}

/**
 * A batch's rows as the writer binds them: `ROW_VALUES` values per row (source_row, external_id, text,
 * original_text, text_hash, length, imported_label, metadata, split), a hundred rows per array of `statements`.
 * The strings are views of the batch's bytes, bound as blobs that the insert casts to TEXT (`TEXT_VALUES`): the
 * same bytes SQLite stores for the string, without decoding them on this thread (binding the strings cost more than
 * binding the views).
 */
export const ROW_VALUES = 9;
/** Which of a row's bound values are UTF-8 bytes to cast to TEXT. */
export const TEXT_VALUES: ReadonlySet<number> = new Set([1, 2, 3, 4, 7]);
export const ROWS_PER_INSERT = 100;

export function fillStatements(
  batch: RowBatch,
  labelValues: readonly string[],
  statements: ReadonlyArray<Array<string | number | Buffer | null>>,
): void {
  const ints = batch.ints;
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  let at = 0;
  const view = (n: number): Buffer | null => {
    if (n < 0) return null;
    const b = bytes.subarray(at, at + n);
    at += n;
    return b;
  };
  for (let row = 0; row < batch.rows; row++) {
    const i = row * INTS_PER_ROW;
    const out = statements[Math.floor(row / ROWS_PER_INSERT)];
    const o = (row % ROWS_PER_INSERT) * ROW_VALUES;
    const label = ints[i + 2];
    const split = ints[i + 3];
    out[o] = ints[i];
    out[o + 1] = view(ints[i + FIELDS]);
    out[o + 2] = view(ints[i + FIELDS + 1]);
    out[o + 3] = view(ints[i + FIELDS + 2]);
    out[o + 4] = view(ints[i + FIELDS + 3]);
    out[o + 5] = ints[i + 1];
    out[o + 6] = label < 0 ? null : labelValues[label];
    out[o + 7] = view(ints[i + FIELDS + 4]);
    out[o + 8] = split > 0 ? SPLIT_NAMES[split] : null;
  }
}
