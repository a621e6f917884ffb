import type { DatasetSource, DatasetStats, Split, SplitCounts } from '../../../shared/dataset';
import { projectKind } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { LENGTH_BIN_BOUNDS } from '../../core/store/migrations/022_example_counts';
import { getProject } from '../projects/projects';
import { isTestLocked } from './gold';
import { storedNumbers } from '../../core/store/storedJson';

/** Statistics of a project's data: totals, splits, per-label counts, lengths, duplicates, sources. */

function emptyCounts(): { train: number; validation: number; test: number; none: number } {
  return { train: 0, validation: 0, test: 0, none: 0 };
}

export function sources(db: Db, projectId: number): DatasetSource[] {
  return (
    db
      .prepare(
        `SELECT id, name, format, encoding, row_count, skipped_count, created_at FROM datasets
         WHERE project_id = ? ORDER BY id`,
      )
      .all(projectId) as Array<{
      id: number;
      name: string;
      format: string;
      encoding: string | null;
      row_count: number;
      skipped_count: number;
      created_at: string;
    }>
  ).map((r) => ({
    id: r.id,
    name: r.name,
    format: r.format,
    encoding: r.encoding,
    rowCount: r.row_count,
    skippedCount: r.skipped_count,
    createdAt: r.created_at,
  }));
}

/** One row of the per-label counts: `n` documents of a split under a label (null: no human label). */
interface LabelRow {
  split: Split | null;
  label_id: number | null;
  n: number;
  /** How many documents the row adds to the split and labelled totals (multi-label: see labelSetRows). */
  docs?: number;
}

/**
 * The per-label rows, driven by the human labels (one pass over the view of the project's kind, never a lookup per
 * document): the labelled documents by split and label, and per split the documents without one (the split's
 * documents, kept in table example_counts, migration 022, less the labelled ones).
 */
function labelRows(
  db: Db,
  projectId: number,
  multi: boolean,
  splitTotals: ReadonlyArray<{ split: Split | null; n: number }>,
): LabelRow[] {
  const rows = multi
    ? labelSetRows(db, projectId)
    : (db
        .prepare(
          `SELECT e.split AS split, h.label_id AS label_id, COUNT(*) AS n
           FROM human_labels h CROSS JOIN examples e ON e.id = h.example_id
           WHERE h.project_id = @p AND e.project_id = @p AND e.excluded = 0 GROUP BY 1, 2`,
        )
        .all({ p: projectId }) as LabelRow[]);
  const unlabelled = splitTotals.map((t) => {
    const n = t.n - rows.reduce((s, r) => s + (r.split === t.split ? (r.docs ?? r.n) : 0), 0);
    return { split: t.split, label_id: null, n, docs: n };
  });
  return [...unlabelled.filter((r) => r.n > 0), ...rows];
}

/**
 * A multi-label project's rows for the per-label counts: one per split and label of a human set (a document counts
 * under each of its labels); `docs` is how many documents a row adds to the split and labelled totals, so that a
 * document with several labels (or none of these: it is in no label's bar) is counted once there.
 */
function labelSetRows(db: Db, projectId: number): LabelRow[] {
  const sets = db
    .prepare(
      `SELECT e.id AS exampleId, e.split AS split, h.label_set AS labelSet
       FROM human_label_sets h CROSS JOIN examples e ON e.id = h.example_id
       WHERE h.project_id = @p AND e.project_id = @p AND e.excluded = 0`,
    )
    .all({ p: projectId }) as Array<{ exampleId: number; split: Split | null; labelSet: string }>;
  const out: LabelRow[] = [];
  for (const r of sets) {
    const ids = storedNumbers(r.labelSet, 'human_label_sets.label_set', r.exampleId);
    // The first row carries the document for the totals; "none of these" adds to the totals only.
    if (ids.length === 0) out.push({ split: r.split, label_id: -1, n: 0, docs: 1 });
    ids.forEach((id, i) => out.push({ split: r.split, label_id: id, n: 1, docs: i === 0 ? 1 : 0 }));
  }
  return out;
}

/**
 * The live documents by split and length bin, as the triggers of migration 022 keep them (table example_counts):
 * a few rows, whatever the number of documents.
 */
function liveCounts(db: Db, projectId: number): Array<{ split: Split | null; bin: number; n: number }> {
  return db
    .prepare(
      `SELECT NULLIF(split, '') AS split, length_bin AS bin, n FROM example_counts WHERE project_id = ? AND n > 0`,
    )
    .all(projectId) as Array<{ split: Split | null; bin: number; n: number }>;
}

/**
 * Groups of exactly equal texts among the included documents: one pass over the hashes (index examples_hash), a page
 * of hashes per turn of the event loop, so that a million documents never hold the server for long.
 */
export async function duplicateGroups(db: Db, projectId: number): Promise<number> {
  const page = db.prepare(
    `SELECT text_hash AS hash, COUNT(*) AS n FROM examples
     WHERE project_id = ? AND text_hash > ? AND excluded = 0 GROUP BY text_hash ORDER BY text_hash LIMIT 5000`,
  );
  let groups = 0;
  let after = '';
  for (;;) {
    const rows = page.all(projectId, after) as Array<{ hash: string; n: number }>;
    for (const r of rows) if (r.n > 1) groups++;
    if (rows.length < 5000) return groups;
    after = rows[rows.length - 1].hash;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The project's statistics from maintained counts and the labels: milliseconds at a million documents. */
export function stats(db: Db, projectId: number): DatasetStats {
  getProject(db, projectId);
  const live = liveCounts(db, projectId);
  const splitTotals = new Map<Split | null, number>();
  const byBin = new Map<number, number>();
  for (const r of live) {
    splitTotals.set(r.split, (splitTotals.get(r.split) ?? 0) + r.n);
    byBin.set(r.bin, (byBin.get(r.bin) ?? 0) + r.n);
  }
  const included = live.reduce((sum, r) => sum + r.n, 0);
  // The few removed documents, counted in their own index (examples_excluded, migration 021).
  const excluded = (
    db.prepare('SELECT COUNT(*) AS n FROM examples WHERE project_id = ? AND excluded = 1').get(projectId) as {
      n: number;
    }
  ).n;
  const excludedByReason: Record<string, number> = {};
  for (const r of db
    .prepare(
      `SELECT COALESCE(exclude_reason, 'manual') AS reason, COUNT(*) AS n FROM examples
       WHERE project_id = ? AND excluded = 1 GROUP BY 1`,
    )
    .all(projectId) as Array<{ reason: string; n: number }>) {
    excludedByReason[r.reason] = r.n;
  }
  const labelNames = new Map(
    (
      db
        .prepare('SELECT id, name FROM labels WHERE project_id = ? ORDER BY position, id')
        .all(projectId) as Array<{
        id: number;
        name: string;
      }>
    ).map((l) => [l.id, l.name]),
  );
  const perLabelMap = new Map<
    number | null,
    { train: number; validation: number; test: number; none: number }
  >();
  for (const id of labelNames.keys()) perLabelMap.set(id, emptyCounts());
  const splits = emptyCounts();
  let labelled = 0;
  const rows = labelRows(
    db,
    projectId,
    projectKind(db, projectId) === 'multi',
    [...splitTotals].map(([split, n]) => ({ split, n })),
  );
  for (const r of rows) {
    const key = r.split ?? 'none';
    splits[key] += r.docs ?? r.n;
    if (r.label_id !== null) labelled += r.docs ?? r.n;
    if (r.label_id === -1) continue;
    let c = perLabelMap.get(r.label_id);
    if (!c) perLabelMap.set(r.label_id, (c = emptyCounts()));
    c[key] += r.n;
  }
  const perLabel = [...perLabelMap.entries()]
    .filter(([id, c]) => id !== null || c.train + c.validation + c.test + c.none > 0)
    .map(([id, counts]) => ({
      labelId: id,
      name: id === null ? null : (labelNames.get(id) ?? null),
      counts,
    }));
  const lengthHistogram = LENGTH_BIN_BOUNDS.map((b, i) => ({
    bin: i === LENGTH_BIN_BOUNDS.length - 1 ? `${b}+` : `${b}–${LENGTH_BIN_BOUNDS[i + 1] - 1}`,
    count: byBin.get(b) ?? 0,
  }));
  return {
    projectId,
    total: included + excluded,
    included,
    excluded,
    excludedByReason,
    splits: splits as SplitCounts,
    testLocked: isTestLocked(db, projectId),
    labelled,
    perLabel,
    lengthHistogram,
    duplicateGroups: null,
    sources: sources(db, projectId),
  };
}
