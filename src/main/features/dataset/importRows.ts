import type { BadRow, Encoding, ImportResult } from '../../../shared/dataset';
import { audit } from '../../core/audit';
import { AppError } from '../../core/errors';
import type { JobControl } from '../../core/jobs/jobs';
import type { Db } from '../../core/store/db';
import { charLength, importNormalise, nfcSafe, textHash } from './cleanText';
import type { ImportParams } from './importStaging';
import { labelSetReader } from './multiLabelCells';
import { readingCounter, type RecordEvent } from './parse';
import { openTable } from './table';

/** One row of the file as the project stores it. */
export interface ImportRow {
  readonly sourceRow: number;
  readonly externalId: string | null;
  readonly text: string;
  /** The text as read, when normalisation changed it. */
  readonly originalText: string | null;
  readonly textHash: string;
  readonly length: number;
  /** The file's label (a multi-label row's names as a JSON array). */
  readonly label: string | null;
  readonly metadata: string | null;
  readonly split: string | null;
}

/** A batch's values, flat: one array allocated once per import and filled by index (see putRowValues). */
export function batchArray(size: number): Array<string | number | null> {
  // Filled, so that V8 keeps it a packed array (an empty `new Array(size)` this long is a dictionary).
  return Array.from({ length: size }, () => null);
}

/**
 * Writes a row's values into a staged import's batch from index `at` (importer.ts; the direct path hands over bytes
 * instead, importBatch.ts), in the staging table's column order: source_row, external_id, text ... split; returns the
 * index after them. The batch array is reused for every batch: a fresh one
 * grown value by value to 120,000 values cost about a second per million rows (each growth a new large object to copy
 * into, and a write barrier per young string stored into it).
 */
export function putRowValues(out: Array<string | number | null>, at: number, r: ImportRow): number {
  out[at] = r.sourceRow;
  out[at + 1] = r.externalId;
  out[at + 2] = r.text;
  out[at + 3] = r.originalText;
  out[at + 4] = r.textHash;
  out[at + 5] = r.length;
  out[at + 6] = r.label;
  out[at + 7] = r.metadata;
  out[at + 8] = r.split;
  return at + 9;
}

/** A value of a split column as a split: train, validation (val, valid, dev) or test, any case; '' = none. */
export function splitValue(raw: string): 'train' | 'validation' | 'test' | null | undefined {
  switch (raw.trim().toLowerCase()) {
    case '':
      return null;
    case 'train':
    case 'training':
      return 'train';
    case 'validation':
    case 'valid':
    case 'val':
    case 'dev':
    case 'development':
      return 'validation';
    case 'test':
    case 'testing':
      return 'test';
    default:
      return undefined;
  }
}

/** Where the reading stands: the job's checkpoint carries it. */
export interface ReadState {
  /** Source records (good and bad) handled. */
  records: number;
  skipped: number;
  readonly badRows: BadRow[];
}

const MAX_BAD_REPORTED = 200;

/** What reading needs of its job: the parameters, the cancel signal and the place to pause between chunks. */
export type ReaderControl = Pick<JobControl<ImportParams>, 'params' | 'signal' | 'yield'>;

/**
 * One streaming pass over the import's file: each good record past `resumeAfter` becomes an ImportRow (normalised,
 * hashed) handed to `onRow`; bad ones are counted, or end the import when the job says so. `afterChunk` runs between
 * chunks of the file (a batch may be written there), before the job yields (pause and cancel take effect there).
 */
export async function readImportRows(
  ctl: ReaderControl,
  state: ReadState,
  resumeAfter: number,
  onRow: (row: ImportRow) => void,
  afterChunk: (bytes: number) => void,
): Promise<{ recoded?: { count: number; lines: number[]; encoding: Encoding } }> {
  const p = ctl.params;
  const src = p.source;
  const counter = readingCounter(src);
  const table = await openTable(src, counter, ctl.signal);
  const columns = table.columns;
  const textIdx = columns.indexOf(p.textColumn);
  if (textIdx < 0) {
    await table.close();
    throw AppError.keyed('INVALID_INPUT', 'dataset.textColumnLongerCheck', {
      textColumn: p.textColumn,
      name: src.name,
    });
  }
  const labelIdx = p.labelColumn ? columns.indexOf(p.labelColumn) : -1;
  const idIdx = p.idColumn ? columns.indexOf(p.idColumn) : -1;
  const splitIdx = p.splitColumn ? columns.indexOf(p.splitColumn) : -1;
  const readLabels = p.multiLabel ? labelSetReader(columns, p.labelColumn, p.multiLabel) : null;
  const labelColumns = new Set(p.multiLabel?.columns ?? []);
  const extraIdx = p.keepExtras
    ? columns
        .map((_c, i) => i)
        .filter(
          (i) =>
            i !== textIdx && i !== labelIdx && i !== idIdx && i !== splitIdx && !labelColumns.has(columns[i]),
        )
    : [];
  const isFolder = src.format === 'folder';
  let records = 0;

  for await (const events of table.rows) {
    for (const read of events) {
      records++;
      if (records <= resumeAfter) continue;
      state.records = records;
      let split: string | null = null;
      let ev: RecordEvent = read;
      if (splitIdx >= 0 && ev.kind === 'row') {
        const value = ev.values[splitIdx] ?? '';
        const s = splitValue(value);
        if (s === undefined) {
          ev = {
            kind: 'bad',
            line: ev.line,
            file: ev.file,
            message: `unknown split "${value.slice(0, 40)}" in column "${p.splitColumn}" (use train, validation, val, dev or test)`,
          };
        } else split = s;
      }
      let labelSet: string | null = null;
      if (readLabels && ev.kind === 'row') {
        const got = readLabels(ev.values);
        if (got.ok) labelSet = JSON.stringify(got.names);
        else ev = { kind: 'bad', line: ev.line, file: ev.file, message: got.message };
      }
      if (ev.kind === 'bad') {
        const bad: BadRow = { file: ev.file ?? src.name, line: ev.line, message: ev.message };
        if (p.onBadRow === 'abort') {
          await table.close();
          throw AppError.keyed(
            'BAD_FILE',
            'dataset.lineNothingImportedFix',
            { line: bad.line, file: bad.file, badMessage: bad.message },
            { badRows: [bad] },
          );
        }
        state.skipped++;
        if (state.badRows.length < MAX_BAD_REPORTED) state.badRows.push(bad);
        continue;
      }
      const v = ev.values;
      const raw = v[textIdx] ?? '';
      const safe = nfcSafe(raw);
      const text = importNormalise(raw, safe);
      const ext = idIdx >= 0 ? v[idIdx] || null : null;
      let metadata: string | null = null;
      if (extraIdx.length) {
        const m: Record<string, string> = {};
        let any = false;
        for (const i of extraIdx) {
          if (v[i] !== '') {
            m[columns[i]] = v[i];
            any = true;
          }
        }
        if (any) metadata = JSON.stringify(m);
      }
      onRow({
        sourceRow: isFolder ? records : ev.line,
        externalId: isFolder ? (ev.file ?? ext) : ext,
        text,
        originalText: text === raw ? null : raw,
        textHash: textHash(text),
        length: safe ? text.length : charLength(text),
        label: readLabels ? labelSet : labelIdx >= 0 ? (v[labelIdx] ?? '').trim() || null : null,
        metadata,
        split,
      });
    }
    afterChunk(Math.min(counter.bytes, src.size));
    // Between chunks: pause and cancel take effect here.
    await ctl.yield();
  }
  const r = counter.recoded;
  return r?.count ? { recoded: { count: r.count, lines: r.lines, encoding: r.encoding } } : {};
}

/** An import's last word in the project, in its final transaction: the project touched and the audit entry. */
export function recordImport(
  db: Db,
  projectId: number,
  file: string,
  result: ImportResult,
  now: string,
): void {
  db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(now, projectId);
  audit(db, {
    projectId,
    actor: 'import',
    action: 'import',
    entity: 'dataset',
    entityId: result.datasetId,
    details: {
      file,
      rows: result.imported,
      skipped: result.skipped,
      labelsCreated: result.labelsCreated,
      ...(result.existing ? { existing: result.existing } : {}),
    },
  });
}
