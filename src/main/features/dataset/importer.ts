import { performance } from 'node:perf_hooks';
import {
  MultiLabelOptions,
  type BadRow,
  type ImportRequestInput,
  type ImportResult,
} from '../../../shared/dataset';
import type { Job } from '../../../shared/jobs';
import { audit } from '../../core/audit';
import { AppError } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import { JobCancelled, type JobControl } from '../../core/jobs/jobs';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { getProject } from '../projects/projects';
import { charLength, importNormalise, textHash } from './cleanText';
import { labelSetReader, type LabelReaderOptions } from './multiLabelCells';
import { ensureSearchIndex } from './searchIndex';
import type { ByteCounter, RecordEvent } from './parse';
import {
  splitValue,
  fingerprintChange,
  fingerprintSource,
  openTable,
  resolveSource,
  type ResolvedSource,
  type SourceFingerprint,
} from './source';

export interface ImportParams {
  readonly projectId: number;
  readonly source: ResolvedSource;
  readonly textColumn: string;
  readonly labelColumn: string | null;
  /**
   * A multi-label project's import with labels: how each row's label set is read (staged as a JSON array of names).
   * Absent for single-label projects and imports without labels.
   */
  readonly multiLabel?: LabelReaderOptions;
  readonly idColumn: string | null;
  /** Absent in jobs from older versions. */
  readonly splitColumn?: string | null;
  /** What to do with ids already in the project (absent: add, as older versions did). */
  readonly onExisting?: 'skip' | 'update' | 'add';
  readonly keepExtras: boolean;
  readonly onBadRow: 'skip' | 'abort';
  readonly name: string;
  /** The file as it was when the import started (absent in jobs from older versions). */
  readonly fingerprint?: SourceFingerprint;
}

interface Checkpoint {
  /** Source records (good and bad) already handled. */
  readonly records: number;
  /** Rows staged so far (next seq). */
  readonly staged: number;
  readonly skipped: number;
  readonly badRows: BadRow[];
  /** Set once the staged rows are in the project: a resume after that only reports. */
  readonly committed?: ImportResult;
}

const BATCH = 5000;
const MAX_BAD_REPORTED = 200;

/** Checks the request against the file (the text column must exist) and starts the import job. */
export async function startImport(
  ctx: CoreContext,
  req: ImportRequestInput & { onBadRow: 'skip' | 'abort' },
): Promise<Job> {
  const project = getProject(ctx.db, req.projectId);
  const source = resolveSource(req);
  const table = await openTable(source, { bytes: 0 });
  await table.close();
  const columns = table.columns;
  const check = (col: string | null | undefined, what: string): void => {
    if (col && !columns.includes(col)) {
      throw AppError.keyed('INVALID_INPUT', 'dataset.columnDoesExistColumns', {
        what,
        col,
        name: source.name,
        columns: columns.join(', '),
      });
    }
  };
  check(req.textColumn, 'text');
  check(req.labelColumn, 'label');
  check(req.idColumn, 'id');
  check(req.splitColumn, 'split');
  let multiLabel: LabelReaderOptions | undefined;
  if (project.kind === 'multi') {
    const opts = MultiLabelOptions.parse(req.multiLabel ?? {});
    if (req.labelColumn || opts.format === 'columns') {
      // Checks the columns now, so a wrong one is said before the job starts.
      labelSetReader(columns, req.labelColumn ?? null, opts);
      multiLabel = opts.format === 'columns' ? opts : { format: opts.format, delimiter: opts.delimiter };
    }
  } else if (req.multiLabel) {
    throw AppError.keyed('INVALID_INPUT', 'dataset.singleLabelProjectEach', { name: project.name });
  }
  if (req.idColumn && !req.onExisting) {
    const known = ctx.db
      .prepare('SELECT COUNT(*) AS n FROM examples WHERE project_id = ? AND external_id IS NOT NULL')
      .get(project.id) as { n: number };
    if (known.n > 0) {
      throw AppError.keyed(
        'CONFLICT',
        'dataset.projectAlreadyHasExamples',
        { n: known.n, name: source.name },
        { onExisting: 'required', examplesWithIds: known.n },
      );
    }
  }
  const params: ImportParams = {
    projectId: project.id,
    source,
    textColumn: req.textColumn,
    labelColumn: multiLabel?.format === 'columns' ? null : (req.labelColumn ?? null),
    ...(multiLabel ? { multiLabel } : {}),
    idColumn: req.idColumn ?? null,
    splitColumn: req.splitColumn ?? null,
    onExisting: req.onExisting ?? 'add',
    keepExtras: req.keepExtras ?? true,
    onBadRow: req.onBadRow,
    name: req.name?.trim() || source.name,
    fingerprint: fingerprintSource(source.path),
  };
  return ctx.jobs.start<ImportParams>('dataset.import', {
    projectId: project.id,
    title: `Import ${params.name}`,
    params,
  });
}

/** Staged rows of imports that will never finish (cancelled, failed, completed or deleted jobs). */
export function dropOrphanStaging(db: Db): number {
  return db
    .prepare(
      `DELETE FROM import_staging WHERE job_id NOT IN
         (SELECT id FROM jobs WHERE state IN ('queued', 'running', 'paused', 'interrupted'))`,
    )
    .run().changes;
}

/**
 * Staged rows of imports that have ended, after a failure whose own clean-up could not run (a full disk). When no
 * live import has staged rows the table is emptied in one step, without secure_delete: a few pages written instead
 * of every freed page zeroed, so it works on a full disk (the rows are copies of the user's own file).
 */
export function dropEndedStaging(db: Db): void {
  const live = db
    .prepare(
      `SELECT 1 FROM import_staging WHERE job_id IN
         (SELECT id FROM jobs WHERE state IN ('queued', 'running', 'paused', 'interrupted')) LIMIT 1`,
    )
    .get();
  if (live) {
    dropOrphanStaging(db);
    return;
  }
  if (!db.prepare('SELECT 1 FROM import_staging LIMIT 1').get()) return;
  const secure = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = OFF');
  try {
    db.prepare('DELETE FROM import_staging').run();
  } finally {
    db.pragma(`secure_delete = ${secure}`);
  }
}

function dropStaging(db: Db, jobId: number): void {
  const others = db.prepare('SELECT 1 FROM import_staging WHERE job_id <> ? LIMIT 1').get(jobId);
  // Without a WHERE clause SQLite truncates the table instead of deleting row by row.
  if (others) db.prepare('DELETE FROM import_staging WHERE job_id = ?').run(jobId);
  else db.prepare('DELETE FROM import_staging').run();
}

/**
 * The import job: streams the source, stages rows in batches (each batch committed with a checkpoint, so a crash
 * resumes where it stopped), then moves everything into the project in one transaction. Until that transaction,
 * the project is untouched: a failure, an abort on a bad row or a cancel leaves it exactly as before.
 */
export function makeImportRunner(ctx: CoreContext): (ctl: JobControl<ImportParams>) => Promise<ImportResult> {
  return async (ctl) => {
    const db = ctx.db;
    const p = ctl.params;
    const cp = (ctl.checkpoint as Checkpoint | null) ?? null;
    if (cp?.committed) {
      // The rows are in; a resume only makes sure their search index is being built.
      startSearchIndex(ctx, p, cp.committed.datasetId);
      return cp.committed;
    }
    if (!cp) dropStaging(db, ctl.jobId);
    let result: ImportResult;
    try {
      checkUnchanged(p);
      result = await stageAndCommit(ctx, ctl, cp);
    } catch (caught) {
      const e = diskFull(caught);
      const shutdown = ctl.signal.aborted && !(ctl.signal.reason instanceof JobCancelled);
      // On shutdown the staged rows stay for the resume; otherwise the import is over and they go.
      if (!shutdown) {
        try {
          dropStaging(db, ctl.jobId);
          ctl.saveCheckpoint(null);
        } catch {
          // A full disk can refuse even this; the staged rows are dropped on the next start.
        }
      }
      throw e;
    }
    ctx.events.emit('project.changed', { projectId: p.projectId, what: 'dataset.import' });
    // The rows are usable now; the search index is built by a job of its own that no step waits for.
    const index = startSearchIndex(ctx, p, result.datasetId);
    return { ...result, searchIndexJobId: index.id };
  };
}

export interface SearchIndexParams {
  readonly projectId: number;
  readonly datasetId: number;
}

function startSearchIndex(ctx: CoreContext, p: ImportParams, datasetId: number): Job {
  return ctx.jobs.start<SearchIndexParams>('dataset.searchIndex', {
    projectId: p.projectId,
    title: `Search index for ${p.name}`,
    params: { projectId: p.projectId, datasetId },
  });
}

/** SQLite's "database or disk is full" as the error a person can act on. */
function diskFull(e: unknown): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return AppError.keyed('DISK_FULL', 'dataset.diskHoldingDataFolder', {});
  }
  return e;
}

/** A resume must read the very file the first run read: otherwise rows of two versions would be mixed. */
function checkUnchanged(p: ImportParams): void {
  if (!p.fingerprint) return;
  let now: SourceFingerprint;
  try {
    now = fingerprintSource(p.source.path);
  } catch {
    throw AppError.keyed('NOT_FOUND', 'dataset.longerSoImportCannot', { path: p.source.path });
  }
  const change = fingerprintChange(p.fingerprint, now);
  if (change) {
    throw AppError.keyed('CONFLICT', 'dataset.changedSinceImportStarted', { name: p.source.name, change });
  }
}

async function stageAndCommit(
  ctx: CoreContext,
  ctl: JobControl<ImportParams>,
  cp: Checkpoint | null,
): Promise<ImportResult> {
  const db = ctx.db;
  const p = ctl.params;
  const src = p.source;
  const counter: ByteCounter = {
    bytes: 0,
    recoded: src.encoding === 'utf-8' ? { lines: [], count: 0 } : undefined,
  };
  const table = await openTable(src, counter, ctl.signal);
  const columns = table.columns;
  const textIdx = columns.indexOf(p.textColumn);
  if (textIdx < 0) {
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
  let staged = cp?.staged ?? 0;
  let skipped = cp?.skipped ?? 0;
  const badRows: BadRow[] = [...(cp?.badRows ?? [])];
  const resumeAfter = cp?.records ?? 0;

  const insert = db.prepare(
    `INSERT INTO import_staging
       (job_id, seq, source_row, external_id, text, original_text, text_hash, length, label, metadata, split)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  type Staged = [
    number,
    number,
    string | null,
    string,
    string | null,
    string,
    number,
    string | null,
    string | null,
    string | null,
  ];
  let batch: Staged[] = [];
  const flush = (): void => {
    const rows = batch;
    batch = [];
    db.transaction(() => {
      for (const r of rows) insert.run(ctl.jobId, ...r);
      ctl.saveCheckpoint({ records, staged, skipped, badRows } satisfies Checkpoint);
    })();
  };
  const total = src.size;
  const phase = 'Reading';
  const started = performance.now();

  for await (const events of table.rows) {
    for (const read of events) {
      records++;
      if (records <= resumeAfter) continue;
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
        skipped++;
        if (badRows.length < MAX_BAD_REPORTED) badRows.push(bad);
        continue;
      }
      const v = ev.values;
      const raw = v[textIdx] ?? '';
      const text = importNormalise(raw);
      const label = readLabels ? labelSet : labelIdx >= 0 ? (v[labelIdx] ?? '').trim() || null : null;
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
      batch.push([
        staged++,
        isFolder ? records : ev.line,
        isFolder ? (ev.file ?? ext) : ext,
        text,
        text === raw ? null : raw,
        textHash(text),
        charLength(text),
        label,
        metadata,
        split,
      ]);
      if (batch.length >= BATCH) {
        flush();
        ctl.progress(Math.min(counter.bytes, total), total, { phase });
      }
    }
    // Between chunks: pause and cancel take effect here.
    await ctl.yield();
  }
  flush();
  ctl.progress(total, total, { phase: 'Saving' });
  await ctl.yield();
  if (staged === 0) {
    throw AppError.keyed(
      'BAD_FILE',
      'dataset.hasRowsCouldImported',
      { name: src.name, p1: skipped ? ` (${skipped} bad rows skipped)` : '' },
      { badRows },
    );
  }
  if (!db.prepare('SELECT 1 FROM import_staging WHERE job_id = ? AND length > 0 LIMIT 1').get(ctl.jobId)) {
    throw AppError.keyed('BAD_FILE', 'dataset.everyTextEmptyOnly', {
      name: src.name,
      textColumn: p.textColumn,
    });
  }
  checkUnchanged(p);
  const readMs = performance.now() - started;
  const t0 = performance.now();
  const result = commit(ctx, ctl, { staged, skipped, badRows, records });
  return {
    ...result,
    ...(counter.recoded?.count
      ? { recoded: { count: counter.recoded.count, lines: counter.recoded.lines } }
      : {}),
    timings: { readMs: Math.round(readMs), commitMs: Math.round(performance.now() - t0) },
  };
}

/**
 * Small batches: each is one synchronous write on the server's thread, so it must stay well under a key press's
 * budget (about 20 ms here for 500 short texts) for the review step to stay responsive while the index builds.
 */
const INDEX_BATCH = 500;

/**
 * The search-index job: adds an import's rows to the trigram index in small batches, yielding between them (the rows
 * are already in the project and usable; until this ends a search scans the texts and says the index is building).
 * Idempotent, so a resumed or repeated job simply goes on.
 */
export function makeSearchIndexRunner(ctx: CoreContext): (ctl: JobControl<SearchIndexParams>) => Promise<{
  indexed: number;
}> {
  return async (ctl) => {
    const db = ctx.db;
    const { projectId, datasetId } = ctl.params;
    const range = db
      .prepare('SELECT MIN(id) AS lo, MAX(id) AS hi FROM examples WHERE project_id = ? AND dataset_id = ?')
      .get(projectId, datasetId) as { lo: number | null; hi: number | null };
    let indexed = 0;
    if (range.lo !== null && range.hi !== null) {
      const insert = db.prepare(
        `INSERT INTO examples_fts (rowid, text)
         SELECT e.id, e.text FROM examples e
         WHERE e.project_id = ? AND e.id >= ? AND e.id < ?
           AND NOT EXISTS (SELECT 1 FROM examples_fts_docsize d WHERE d.id = e.id)`,
      );
      const total = range.hi - range.lo + 1;
      const started = performance.now();
      for (let lo = range.lo; lo <= range.hi; lo += INDEX_BATCH) {
        indexed += db.transaction(() => insert.run(projectId, lo, lo + INDEX_BATCH).changes)();
        const done = Math.min(total, lo + INDEX_BATCH - range.lo);
        const rate = (done * 1000) / Math.max(1, performance.now() - started);
        ctl.progress(done, total, { phase: 'Indexing for search', rate });
        // setImmediate, not a resolved promise: requests waiting on the event loop are served between batches.
        await new Promise((r) => setImmediate(r));
        await ctl.yield();
      }
    }
    // Records the project's index as complete here, so that the first search does not check every row.
    ensureSearchIndex(db, projectId);
    return { indexed };
  };
}

function isTestLocked(db: Db, projectId: number): boolean {
  const row = db.prepare('SELECT test_locked AS locked FROM projects WHERE id = ?').get(projectId) as
    { locked: number } | undefined;
  return row?.locked === 1;
}

function countSplits(db: Db, jobId: number): { train: number; validation: number; test: number } {
  const out = { train: 0, validation: 0, test: 0 };
  const rows = db
    .prepare(
      'SELECT split, COUNT(*) AS n FROM import_staging WHERE job_id = ? AND split IS NOT NULL GROUP BY split',
    )
    .all(jobId) as Array<{ split: 'train' | 'validation' | 'test'; n: number }>;
  for (const r of rows) out[r.split] = r.n;
  return out;
}

/** Staged rows whose id is already an example's in the project. */
function countExisting(db: Db, jobId: number, projectId: number): number {
  return (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM import_staging s WHERE s.job_id = ? AND s.external_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM examples e WHERE e.project_id = ? AND e.external_id = s.external_id)`,
      )
      .get(jobId, projectId) as { n: number }
  ).n;
}

/**
 * Re-import with "update": the examples whose id is in the file take the file's text, fields and imported label.
 * Examples of a locked test split keep everything (the gold set changes only when unlocked). The file's label
 * becomes the human label only of examples no person has labelled since (an import annotation is the latest).
 */
/** SQL: the label ids (a sorted JSON array) of the names in e.imported_label, a multi-label row's JSON array. */
const LABEL_SET_OF_IMPORTED = `(SELECT json_group_array(id) FROM (SELECT l.id FROM json_each(e.imported_label) j
    JOIN labels l ON l.project_id = e.project_id AND l.name = j.value ORDER BY l.id))`;

function updateExisting(db: Db, jobId: number, p: ImportParams, now: string): void {
  const locked = isTestLocked(db, p.projectId);
  const target = `e.project_id = ? AND e.external_id = s.external_id AND (? = 0 OR e.split IS NOT 'test')`;
  if (p.multiLabel) {
    db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, label_set, annotator, source, created_at)
       SELECT e.project_id, e.id, NULL, ${LABEL_SET_OF_IMPORTED.replaceAll('e.imported_label', 's.label')},
              'import', 'import', ?
       FROM import_staging s
       JOIN examples e ON ${target}
       WHERE s.job_id = ? AND s.external_id IS NOT NULL AND s.label IS NOT NULL AND s.label IS NOT e.imported_label
         AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.example_id = e.id AND a.retracted_at IS NULL
                           AND a.source <> 'import')`,
    ).run(now, p.projectId, locked ? 1 : 0, jobId);
  } else if (p.labelColumn) {
    db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at)
       SELECT e.project_id, e.id, l.id, 'import', 'import', ?
       FROM import_staging s
       JOIN examples e ON ${target}
       JOIN labels l ON l.project_id = e.project_id AND l.name = s.label
       WHERE s.job_id = ? AND s.external_id IS NOT NULL AND s.label IS NOT e.imported_label
         AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.example_id = e.id AND a.retracted_at IS NULL
                           AND a.source <> 'import')`,
    ).run(now, p.projectId, locked ? 1 : 0, jobId);
  }
  db.prepare(
    `UPDATE examples AS e SET text = s.text, original_text = s.original_text, text_hash = s.text_hash,
       length = s.length, imported_label = COALESCE(s.label, e.imported_label), metadata = s.metadata,
       split = CASE WHEN s.split IS NULL THEN e.split ELSE s.split END
     FROM import_staging s
     WHERE s.job_id = ? AND s.external_id IS NOT NULL AND ${target}`,
  ).run(jobId, p.projectId, locked ? 1 : 0);
}

function commit(
  ctx: CoreContext,
  ctl: JobControl<ImportParams>,
  c: { staged: number; skipped: number; badRows: BadRow[]; records: number },
): ImportResult {
  const db = ctx.db;
  const now = nowIso();
  // A bigger page cache for the one large move (the default 2 MB thrashes on the examples indexes).
  const cacheBefore = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('cache_size = -131072');
  try {
    return moveIntoProject(db, ctl, c, now);
  } finally {
    db.pragma(`cache_size = ${cacheBefore}`);
  }
}

function moveIntoProject(
  db: Db,
  ctl: JobControl<ImportParams>,
  c: { staged: number; skipped: number; badRows: BadRow[]; records: number },
  now: string,
): ImportResult {
  const p = ctl.params;
  return db.transaction(() => {
    const project = getProject(db, p.projectId);
    const splits = countSplits(db, ctl.jobId);
    if (splits.test > 0 && isTestLocked(db, project.id)) {
      throw AppError.keyed('CONFLICT', 'dataset.splitColumnPutsRows', { test: splits.test });
    }
    const action = p.idColumn ? (p.onExisting ?? 'add') : 'add';
    const matched = p.idColumn ? countExisting(db, ctl.jobId, p.projectId) : 0;
    if (matched > 0 && action !== 'add') {
      if (action === 'update') updateExisting(db, ctl.jobId, p, now);
      // Updated or skipped, these rows are not added again.
      db.prepare(
        `DELETE FROM import_staging WHERE job_id = ? AND external_id IN
           (SELECT external_id FROM examples WHERE project_id = ? AND external_id IS NOT NULL)`,
      ).run(ctl.jobId, p.projectId);
    }
    const adding = (
      db.prepare('SELECT COUNT(*) AS n FROM import_staging WHERE job_id = ?').get(ctl.jobId) as {
        n: number;
      }
    ).n;
    const info = db
      .prepare(
        `INSERT INTO datasets (project_id, name, source_path, format, encoding, options, row_count, skipped_count, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        p.projectId,
        p.name,
        p.source.path,
        p.source.format,
        p.source.format === 'xlsx' ? null : p.source.encoding,
        JSON.stringify({
          delimiter: p.source.delimiter,
          hasHeader: p.source.hasHeader,
          textColumn: p.textColumn,
          labelColumn: p.labelColumn,
          ...(p.multiLabel ? { multiLabel: p.multiLabel } : {}),
          idColumn: p.idColumn,
        }),
        adding,
        c.skipped,
        now,
      );
    const datasetId = Number(info.lastInsertRowid);
    const labelsCreated: string[] = [];
    if (p.labelColumn || p.multiLabel) {
      // A multi-label row stages its names as a JSON array.
      const names = p.multiLabel
        ? `SELECT DISTINCT j.value AS name FROM import_staging s, json_each(s.label) j WHERE s.job_id = ?`
        : `SELECT DISTINCT s.label AS name FROM import_staging s WHERE s.job_id = ? AND s.label IS NOT NULL`;
      const found = db
        .prepare(
          `SELECT n.name AS name FROM (${names}) n
           WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.project_id = ? AND l.name = n.name)
           ORDER BY n.name`,
        )
        .all(ctl.jobId, p.projectId) as Array<{ name: string }>;
      let position =
        (
          db
            .prepare('SELECT COALESCE(MAX(position), -1) AS m FROM labels WHERE project_id = ?')
            .get(p.projectId) as {
            m: number;
          }
        ).m + 1;
      const insLabel = db.prepare(
        'INSERT INTO labels (project_id, name, description, position, created_at) VALUES (?, ?, ?, ?, ?)',
      );
      for (const l of found) {
        insLabel.run(p.projectId, l.name, '', position++, now);
        labelsCreated.push(l.name);
      }
    }
    // New rows get ids above every existing one, so the annotations step can find them by a primary-key range.
    const before = (db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM examples').get() as { m: number }).m;
    db.prepare(
      `INSERT INTO examples (project_id, dataset_id, source_row, external_id, text, original_text, text_hash, length,
                             imported_label, metadata, split, created_at)
       SELECT ?, ?, source_row, external_id, text, original_text, text_hash, length, label, metadata, split, ?
       FROM import_staging WHERE job_id = ? ORDER BY rowid`,
    ).run(p.projectId, datasetId, now, ctl.jobId);
    if (p.multiLabel) {
      db.prepare(
        `INSERT INTO annotations (project_id, example_id, label_id, label_set, annotator, source, created_at)
         SELECT e.project_id, e.id, NULL, ${LABEL_SET_OF_IMPORTED}, 'import', 'import', ?
         FROM examples e WHERE e.id > ? AND e.dataset_id = ? AND e.imported_label IS NOT NULL`,
      ).run(now, before, datasetId);
    } else if (p.labelColumn) {
      db.prepare(
        `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at)
         SELECT e.project_id, e.id, l.id, 'import', 'import', ?
         FROM examples e JOIN labels l ON l.project_id = e.project_id AND l.name = e.imported_label
         WHERE e.id > ? AND e.dataset_id = ?`,
      ).run(now, before, datasetId);
    }
    dropStaging(db, ctl.jobId);
    db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(now, p.projectId);
    audit(db, {
      projectId: p.projectId,
      actor: 'import',
      action: 'import',
      entity: 'dataset',
      entityId: datasetId,
      details: {
        file: p.source.name,
        rows: adding,
        skipped: c.skipped,
        labelsCreated,
        ...(matched ? { existing: { matched, action } } : {}),
      },
    });
    const result: ImportResult = {
      datasetId,
      imported: adding,
      skipped: c.skipped,
      labelsCreated,
      badRows: c.badRows,
      ...(matched ? { existing: { matched, action } } : {}),
      ...(p.splitColumn ? { splits } : {}),
    };
    ctl.saveCheckpoint({
      records: c.records,
      staged: c.staged,
      skipped: c.skipped,
      badRows: [],
      committed: result,
    });
    return result;
  })();
}
