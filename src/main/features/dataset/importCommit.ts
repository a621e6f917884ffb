import type { BadRow, ImportResult } from '../../../shared/dataset';
import { importedLabelsWriter, LABEL_SET_OF_IMPORTED } from '../../core/annotations';
import { AppError } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import type { JobControl } from '../../core/jobs/jobs';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { getProject } from '../projects/projects';
import { recordImport } from './importRows';
import { stagingTable, type ImportParams } from './importStaging';

/**
 * The last step of an import: the staged rows move into the project in one transaction (ids already in the project
 * skipped or updated as asked, new labels created, the file's labels recorded as import annotations).
 */
export function isTestLocked(db: Db, projectId: number): boolean {
  const row = db.prepare('SELECT test_locked AS locked FROM projects WHERE id = ?').get(projectId) as
    { locked: number } | undefined;
  return row?.locked === 1;
}

function countSplits(db: Db, jobId: number): { train: number; validation: number; test: number } {
  const out = { train: 0, validation: 0, test: 0 };
  const rows = db
    .prepare(`SELECT split, COUNT(*) AS n FROM ${stagingTable(jobId)} WHERE split IS NOT NULL GROUP BY split`)
    .all() as Array<{ split: 'train' | 'validation' | 'test'; n: number }>;
  for (const r of rows) out[r.split] = r.n;
  return out;
}

/** Staged rows whose id is already an example's in the project. */
function countExisting(db: Db, jobId: number, projectId: number): number {
  return (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM ${stagingTable(jobId)} s WHERE s.external_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM examples e WHERE e.project_id = ? AND e.external_id = s.external_id)`,
      )
      .get(projectId) as { n: number }
  ).n;
}

/**
 * Re-import with "update": the examples whose id is in the file take the file's text, fields and imported label.
 * Examples of a locked test split keep everything (the gold set changes only when unlocked). The file's label
 * becomes the human label only of examples no person has labelled since (an import annotation is the latest).
 */
function updateExisting(db: Db, jobId: number, p: ImportParams, now: string): void {
  const locked = isTestLocked(db, p.projectId);
  const staged = stagingTable(jobId);
  const target = `e.project_id = ? AND e.external_id = s.external_id AND (? = 0 OR e.split IS NOT 'test')`;
  if (p.multiLabel) {
    db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, label_set, annotator, source, created_at)
       SELECT e.project_id, e.id, NULL, ${LABEL_SET_OF_IMPORTED.replaceAll('e.imported_label', 's.label')},
              'import', 'import', ?
       FROM ${staged} s
       JOIN examples e ON ${target}
       WHERE s.external_id IS NOT NULL AND s.label IS NOT NULL AND s.label IS NOT e.imported_label
         AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.example_id = e.id AND a.retracted_at IS NULL
                           AND a.source <> 'import')`,
    ).run(now, p.projectId, locked ? 1 : 0);
  } else if (p.labelColumn) {
    db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at)
       SELECT e.project_id, e.id, l.id, 'import', 'import', ?
       FROM ${staged} s
       JOIN examples e ON ${target}
       JOIN labels l ON l.project_id = e.project_id AND l.name = s.label
       WHERE s.external_id IS NOT NULL AND s.label IS NOT e.imported_label
         AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.example_id = e.id AND a.retracted_at IS NULL
                           AND a.source <> 'import')`,
    ).run(now, p.projectId, locked ? 1 : 0);
  }
  db.prepare(
    `UPDATE examples AS e SET text = s.text, original_text = s.original_text, text_hash = s.text_hash,
       length = s.length, imported_label = COALESCE(s.label, e.imported_label), metadata = s.metadata,
       split = CASE WHEN s.split IS NULL THEN e.split ELSE s.split END
     FROM ${staged} s
     WHERE s.external_id IS NOT NULL AND ${target}`,
  ).run(p.projectId, locked ? 1 : 0);
}

/** The import's row of `datasets` (its file, format and the columns read); returns its id. */
export function insertDataset(db: Db, p: ImportParams, rows: number, skipped: number, now: string): number {
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
      rows,
      skipped,
      now,
    );
  return Number(info.lastInsertRowid);
}

export function commit(
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
  const staged = stagingTable(ctl.jobId);
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
        `DELETE FROM ${staged} WHERE external_id IN
           (SELECT external_id FROM examples WHERE project_id = ? AND external_id IS NOT NULL)`,
      ).run(p.projectId);
    }
    const adding = (
      db.prepare(`SELECT COUNT(*) AS n FROM ${staged}`).get() as {
        n: number;
      }
    ).n;
    const datasetId = insertDataset(db, p, adding, c.skipped, now);
    const labelsCreated: string[] = [];
    if (p.labelColumn || p.multiLabel) {
      // A multi-label row stages its names as a JSON array.
      const names = p.multiLabel
        ? `SELECT DISTINCT j.value AS name FROM ${staged} s, json_each(s.label) j`
        : `SELECT DISTINCT s.label AS name FROM ${staged} s WHERE s.label IS NOT NULL`;
      const found = db
        .prepare(
          `SELECT n.name AS name FROM (${names}) n
           WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.project_id = ? AND l.name = n.name)
           ORDER BY n.name`,
        )
        .all(p.projectId) as Array<{ name: string }>;
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
    withIndexesDeferred(db, 'examples', adding, () =>
      db
        .prepare(
          `INSERT INTO examples (project_id, dataset_id, source_row, external_id, text, original_text, text_hash,
                                 length, imported_label, metadata, split, created_at)
           SELECT ?, ?, source_row, external_id, text, original_text, text_hash, length, label, metadata, split, ?
           FROM ${staged} ORDER BY seq`,
        )
        .run(p.projectId, datasetId, now),
    );
    if (p.multiLabel || p.labelColumn) {
      withIndexesDeferred(db, 'annotations', adding, () =>
        importedLabelsWriter(db, !!p.multiLabel)({ afterId: before, datasetId, createdAt: now }),
      );
    }
    const result: ImportResult = {
      datasetId,
      imported: adding,
      skipped: c.skipped,
      labelsCreated,
      badRows: c.badRows,
      ...(matched ? { existing: { matched, action } } : {}),
      ...(p.splitColumn ? { splits } : {}),
    };
    recordImport(db, p.projectId, p.source.name, result, now);
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

/**
 * Runs `write` (inside the caller's transaction) with the table's secondary indexes dropped and re-created after it,
 * when it adds at least as many rows as the table holds: SQLite builds an index by sorting, several times faster than
 * inserting each row into it (the hash and id indexes take rows in random order). DROP and CREATE are part of the
 * transaction, so a failure, a cancel or a crash before the commit leaves every index as it was.
 */
export function withIndexesDeferred<T>(
  db: Db,
  table: 'examples' | 'annotations',
  adding: number,
  write: () => T,
): T {
  // MAX(rowid) bounds the row count from above, from the end of the table's b-tree (COUNT(*) would read it all).
  const held = (db.prepare(`SELECT COALESCE(MAX(rowid), 0) AS n FROM ${table}`).get() as { n: number }).n;
  if (adding === 0 || adding < held) return write();
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`)
    .all(table) as Array<{ name: string; sql: string }>;
  for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`);
  const out = write();
  for (const ix of indexes) db.exec(ix.sql);
  return out;
}
