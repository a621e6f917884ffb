import type { DatasetSource, DatasetStats, Split, SplitCounts } from '../../../shared/dataset';
import { projectKind } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { getProject } from '../projects/projects';
import { isTestLocked } from './gold';
import { storedNumbers } from '../../core/store/storedJson';

/** Statistics of a project's data: totals, splits, per-label counts, lengths, duplicates, sources. */

const LENGTH_BINS = [0, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

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
 * documents, counted in index review_examples_live, less the labelled ones).
 */
function labelRows(db: Db, projectId: number, multi: boolean): LabelRow[] {
  const splitTotals = db
    .prepare('SELECT split, COUNT(*) AS n FROM examples WHERE project_id = ? AND excluded = 0 GROUP BY split')
    .all(projectId) as Array<{ split: Split | null; n: number }>;
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

export function stats(db: Db, projectId: number): DatasetStats {
  getProject(db, projectId);
  // Two counts of indexes (examples_project, and examples_excluded of the few removed documents), not of the rows.
  const totals = db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM examples WHERE project_id = @p) AS n,
              (SELECT COUNT(*) FROM examples WHERE project_id = @p AND excluded = 1) AS x`,
    )
    .get({ p: projectId }) as { n: number; x: number };
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
  const rows = labelRows(db, projectId, projectKind(db, projectId) === 'multi');
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
  const binCase = LENGTH_BINS.map((b, i) => `WHEN length < ${LENGTH_BINS[i + 1] ?? 1e12} THEN ${b}`).join(
    ' ',
  );
  const hist = db
    .prepare(
      `SELECT CASE ${binCase} END AS bin, COUNT(*) AS n FROM examples
       WHERE project_id = ? AND excluded = 0 GROUP BY 1`,
    )
    .all(projectId) as Array<{ bin: number; n: number }>;
  const histMap = new Map(hist.map((h) => [h.bin, h.n]));
  const lengthHistogram = LENGTH_BINS.map((b, i) => ({
    bin: LENGTH_BINS[i + 1] === undefined ? `${b}+` : `${b}–${LENGTH_BINS[i + 1] - 1}`,
    count: histMap.get(b) ?? 0,
  }));
  const duplicateGroups = (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM (SELECT text_hash FROM examples WHERE project_id = ? AND excluded = 0
           AND text_hash IS NOT NULL GROUP BY text_hash HAVING COUNT(*) > 1)`,
      )
      .get(projectId) as { n: number }
  ).n;
  return {
    projectId,
    total: totals.n,
    included: totals.n - totals.x,
    excluded: totals.x,
    excludedByReason,
    splits: splits as SplitCounts,
    testLocked: isTestLocked(db, projectId),
    labelled,
    perLabel,
    lengthHistogram,
    duplicateGroups,
    sources: sources(db, projectId),
  };
}
