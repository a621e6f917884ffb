import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  CleanOptions,
  reservedKeyReason,
  type BrowseFiltersInput,
  type BrowsePage,
  type BrowseRow,
  type BrowseTeacher,
  type CleanOptionsInput,
  type CleanPreview,
  type DatasetSource,
  type DatasetStats,
  type ExportResult,
  type LabelInfo,
  type Split,
  type SplitCounts,
  type SplitRequestInput,
} from '../../../shared/dataset';
import { audit } from '../../core/audit';
import { AppError, notFound } from '../../core/errors';
import { humanLabels, latestTeacherRun, type TeacherRunLabels } from '../../core/labels';
import type { Paths } from '../../core/paths';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { getProject } from '../projects/projects';
import {
  charLength,
  cleanNormalise,
  importNormalise,
  maskText,
  nearDuplicateClusters,
  textHash,
} from './clean';
import { mulberry32 } from '../../../shared/random';

/** The human label of `e` (an examples alias): the same rule as humanLabels() in core/labels.ts. */
const HUMAN_LABEL = `(SELECT a.label_id FROM annotations a
  WHERE a.example_id = e.id AND a.retracted_at IS NULL AND a.label_id IS NOT NULL
  ORDER BY a.created_at DESC, a.id DESC LIMIT 1)`;

/**
 * Refuses a change to rows of a locked test split (the gold set): nothing modifies it without unlocking it first.
 * `what` completes "N examples of the locked test split cannot be ...".
 */
export function assertNotGold(db: Db, projectId: number, ids: readonly number[], what: string): void {
  if (ids.length === 0 || !isTestLocked(db, projectId)) return;
  const inTest = db.prepare(`SELECT 1 FROM examples WHERE id = ? AND project_id = ? AND split = 'test'`);
  const n = ids.filter((id) => inTest.get(id, projectId) !== undefined).length;
  if (n > 0) {
    throw new AppError(
      'CONFLICT',
      `${n} of these examples belong to the locked test split, which cannot be ${what} while it is locked. ` +
        'Unlock the test split first (Data step, Split), or leave those examples out of the selection.',
      { lockedTestExamples: n },
    );
  }
}

export function isTestLocked(db: Db, projectId: number): boolean {
  const row = db.prepare('SELECT test_locked FROM projects WHERE id = ?').get(projectId) as
    { test_locked: number } | undefined;
  if (!row) throw notFound('Project', projectId);
  return row.test_locked === 1;
}

// ---------- full-text index ----------

/**
 * Brings the trigram index up to date for a project: rows written by any code (imports, the demo seeder) are indexed
 * on the first search after they appear. Cheap when nothing changed (a count and a max over an index).
 */
export function ensureSearchIndex(db: Db, projectId: number): number {
  const state = db
    .prepare('SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS m FROM examples WHERE project_id = ?')
    .get(projectId) as { n: number; m: number };
  const key = `${state.n}:${state.m}`;
  const known = db.prepare('SELECT synced FROM search_index_state WHERE project_id = ?').get(projectId) as
    { synced: string } | undefined;
  if (known?.synced === key) return 0;
  return db.transaction(() => {
    const added = db
      .prepare(
        `INSERT INTO examples_fts (rowid, text)
         SELECT e.id, e.text FROM examples e
         WHERE e.project_id = ? AND NOT EXISTS (SELECT 1 FROM examples_fts_docsize d WHERE d.id = e.id)`,
      )
      .run(projectId).changes;
    db.prepare(
      `INSERT INTO search_index_state (project_id, synced) VALUES (?, ?)
       ON CONFLICT (project_id) DO UPDATE SET synced = excluded.synced`,
    ).run(projectId, key);
    return added;
  })();
}

/**
 * True while the project's search index is being built by a background job (after an import): a search then scans
 * the texts instead of waiting for the index (the page says so), and never builds the index itself.
 */
export function searchIndexBuilding(db: Db, projectId: number): boolean {
  return !!db
    .prepare(
      `SELECT 1 FROM jobs WHERE project_id = ? AND kind = 'dataset.searchIndex'
         AND state IN ('queued', 'running', 'paused') LIMIT 1`,
    )
    .get(projectId);
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

// ---------- browse ----------

interface Where {
  readonly sql: string;
  readonly args: unknown[];
  /** An FTS5 query when the search uses the index: the query is then driven by the index, in rowid order. */
  readonly match: string | null;
  /** A search that scanned the texts because the index is still being built. */
  readonly building: boolean;
}

function whereFor(db: Db, projectId: number, f: BrowseFiltersInput): Where {
  const where = ['e.project_id = ?'];
  const args: unknown[] = [projectId];
  const excluded = f.excluded ?? 'hide';
  if (excluded === 'hide') where.push('e.excluded = 0');
  else if (excluded === 'only') where.push('e.excluded = 1');
  if (f.split === 'none') where.push('e.split IS NULL');
  else if (f.split) {
    where.push('e.split = ?');
    args.push(f.split);
  }
  if (f.datasetId !== undefined) {
    where.push('e.dataset_id = ?');
    args.push(f.datasetId);
  }
  if (f.minLength !== undefined) {
    where.push('e.length >= ?');
    args.push(f.minLength);
  }
  if (f.maxLength !== undefined) {
    where.push('e.length <= ?');
    args.push(f.maxLength);
  }
  if (f.labelId !== undefined) {
    if (f.labelId === 0) where.push(`${HUMAN_LABEL} IS NULL`);
    else {
      where.push(`${HUMAN_LABEL} = ?`);
      args.push(f.labelId);
    }
  }
  let match: string | null = null;
  let building = false;
  const q = (f.search ?? '').trim();
  if (q) {
    const terms = q.split(/\s+/).filter(Boolean);
    building = searchIndexBuilding(db, projectId);
    const long = building ? [] : terms.filter((t) => charLength(t) >= 3);
    const short = building ? terms : terms.filter((t) => charLength(t) < 3);
    if (long.length) {
      ensureSearchIndex(db, projectId);
      match = long.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ');
    }
    for (const t of short) {
      // The trigram index needs three characters; shorter terms (two Chinese characters) are matched directly.
      where.push(`e.text LIKE ? ESCAPE '\\'`);
      args.push(`%${likeEscape(t)}%`);
    }
  }
  return { sql: where.join(' AND '), args, match, building };
}

/** FROM and WHERE for a filtered read: starting from the search index when there is a search. */
function source(w: Where): { from: string; where: string; args: unknown[]; id: string } {
  if (!w.match) return { from: 'examples e', where: w.sql, args: w.args, id: 'e.id' };
  return {
    from: 'examples_fts JOIN examples e ON e.id = examples_fts.rowid',
    where: `examples_fts MATCH ? AND ${w.sql}`,
    args: [w.match, ...w.args],
    id: 'examples_fts.rowid',
  };
}

const PREVIEW_CHARS = 1000;

export function browse(
  db: Db,
  projectId: number,
  opts: { after?: number; limit: number; filters: BrowseFiltersInput },
): BrowsePage {
  getProject(db, projectId);
  const w = whereFor(db, projectId, opts.filters);
  const src = source(w);
  const rows = db
    .prepare(
      `SELECT e.id, substr(e.text, 1, ${PREVIEW_CHARS}) AS text, e.length, e.split, e.dataset_id, e.source_row,
              e.excluded, e.exclude_reason, d.name AS source, l.id AS label_id, l.name AS label
       FROM ${src.from}
       LEFT JOIN datasets d ON d.id = e.dataset_id
       LEFT JOIN labels l ON l.id = ${HUMAN_LABEL}
       WHERE ${src.where} AND ${src.id} > ?
       ORDER BY ${src.id} LIMIT ?`,
    )
    .all(...src.args, opts.after ?? 0, opts.limit) as Array<{
    id: number;
    text: string;
    length: number;
    split: Split | null;
    dataset_id: number | null;
    source_row: number | null;
    excluded: number;
    exclude_reason: string | null;
    source: string | null;
    label_id: number | null;
    label: string | null;
  }>;
  const run = latestTeacherRun(db, projectId);
  const teacherOf = run ? teacherLookup(db, run) : (): BrowseTeacher | null => null;
  const out: BrowseRow[] = rows.map((r) => ({
    id: r.id,
    text: r.text,
    length: r.length,
    split: r.split,
    labelId: r.label_id,
    label: r.label,
    datasetId: r.dataset_id,
    source: r.source,
    sourceRow: r.source_row,
    excluded: r.excluded === 1,
    excludeReason: r.exclude_reason,
    teacher: teacherOf(r.id),
  }));
  return {
    rows: out,
    teacherRun: run ? { runId: run.runId, labels: run.labels } : null,
    nextAfter: out.length === opts.limit ? out[out.length - 1].id : null,
    ...(w.building ? { searchIndexBuilding: true } : {}),
  };
}

/**
 * Reads one example's output of a teacher run: one primary-key lookup (run_id, example_id) per page row, so paging
 * costs the same at any table size.
 */
function teacherLookup(db: Db, run: TeacherRunLabels): (exampleId: number) => BrowseTeacher | null {
  const stmt = db.prepare('SELECT probs, entropy FROM teacher_outputs WHERE run_id = ? AND example_id = ?');
  return (exampleId) => {
    const o = stmt.get(run.runId, exampleId) as { probs: string; entropy: number } | undefined;
    if (!o) return null;
    const probs = JSON.parse(o.probs) as number[];
    let top = -1;
    for (let i = 0; i < probs.length && i < run.labels.length; i++)
      if (top < 0 || probs[i] > probs[top]) top = i;
    if (top < 0) return null;
    return {
      labelId: run.labels[top].id,
      label: run.labels[top].name,
      prob: probs[top],
      entropy: o.entropy,
      probs,
    };
  };
}

export function count(db: Db, projectId: number, filters: BrowseFiltersInput): number {
  getProject(db, projectId);
  const src = source(whereFor(db, projectId, filters));
  return (
    db.prepare(`SELECT COUNT(*) AS n FROM ${src.from} WHERE ${src.where}`).get(...src.args) as { n: number }
  ).n;
}

// ---------- stats ----------

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

export function stats(db: Db, projectId: number): DatasetStats {
  getProject(db, projectId);
  const totals = db
    .prepare('SELECT COUNT(*) AS n, COALESCE(SUM(excluded), 0) AS x FROM examples WHERE project_id = ?')
    .get(projectId) as { n: number; x: number };
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
  const rows = db
    .prepare(
      `SELECT e.split AS split, ${HUMAN_LABEL} AS label_id, COUNT(*) AS n FROM examples e
       WHERE e.project_id = ? AND e.excluded = 0 GROUP BY 1, 2`,
    )
    .all(projectId) as Array<{ split: Split | null; label_id: number | null; n: number }>;
  for (const r of rows) {
    const key = r.split ?? 'none';
    splits[key] += r.n;
    if (r.label_id !== null) labelled += r.n;
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

// ---------- labels ----------

export function labels(db: Db, projectId: number): LabelInfo[] {
  getProject(db, projectId);
  const counts = new Map<number, number>();
  for (const r of db
    .prepare(
      `SELECT ${HUMAN_LABEL} AS label_id, COUNT(*) AS n FROM examples e
       WHERE e.project_id = ? AND e.excluded = 0 GROUP BY 1`,
    )
    .all(projectId) as Array<{ label_id: number | null; n: number }>) {
    if (r.label_id !== null) counts.set(r.label_id, r.n);
  }
  return (
    db
      .prepare(
        'SELECT id, name, description, color, hotkey, position FROM labels WHERE project_id = ? ORDER BY position, id',
      )
      .all(projectId) as Array<Omit<LabelInfo, 'count'>>
  ).map((l) => ({ ...l, count: counts.get(l.id) ?? 0 }));
}

export interface LabelEdit {
  readonly id?: number;
  readonly name: string;
  readonly description: string;
  readonly color?: string | null;
  readonly hotkey?: string | null;
}

export function saveLabels(
  db: Db,
  projectId: number,
  edits: readonly LabelEdit[],
  actor: string,
): LabelInfo[] {
  getProject(db, projectId);
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const l of edits) {
    const n = l.name.trim();
    if (names.has(n.toLowerCase()))
      throw new AppError('CONFLICT', `The label "${n}" is listed twice. Give each label its own name.`);
    names.add(n.toLowerCase());
    if (l.hotkey) {
      const k = l.hotkey.toLowerCase();
      const reserved = reservedKeyReason(l.hotkey);
      if (reserved) throw new AppError('INVALID_INPUT', reserved);
      if (keys.has(k))
        throw new AppError(
          'CONFLICT',
          `The key "${l.hotkey}" is given to two labels. Give each label its own key.`,
        );
      keys.add(k);
    }
  }
  const now = nowIso();
  db.transaction(() => {
    const existing = db.prepare('SELECT id, name FROM labels WHERE project_id = ?').all(projectId) as Array<{
      id: number;
      name: string;
    }>;
    const byId = new Map(existing.map((l) => [l.id, l]));
    // Names compare without case: "Fair" beside "fair" would be two labels a person cannot tell apart.
    const byName = new Map(existing.map((l) => [l.name.toLowerCase(), l]));
    // Park the listed labels' positions out of the way so that the new order can be written freely.
    const listedIds: number[] = [];
    edits.forEach((l, position) => {
      const name = l.name.trim();
      let id = l.id;
      if (id !== undefined && !byId.has(id)) throw notFound('Label', id);
      // A new row never takes over an existing label of the same name: that would drop what was typed.
      const clash = byName.get(name.toLowerCase());
      if (clash && clash.id !== id && !edits.some((e) => e.id === clash.id)) {
        throw new AppError(
          'CONFLICT',
          `A label named "${clash.name}" already exists. Choose another name, or edit that label.`,
        );
      }
      if (id === undefined) {
        const info = db
          .prepare(
            'INSERT INTO labels (project_id, name, description, color, hotkey, position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(projectId, name, l.description, l.color ?? null, l.hotkey ?? null, position, now);
        id = Number(info.lastInsertRowid);
      } else {
        db.prepare(
          'UPDATE labels SET name = ?, description = ?, color = ?, hotkey = ?, position = ? WHERE id = ?',
        ).run(name, l.description, l.color ?? null, l.hotkey ?? null, position, id);
      }
      listedIds.push(id);
    });
    let position = edits.length;
    for (const l of existing) {
      if (!listedIds.includes(l.id))
        db.prepare('UPDATE labels SET position = ? WHERE id = ?').run(position++, l.id);
    }
    audit(db, {
      projectId,
      actor,
      action: 'edit',
      entity: 'labels',
      details: { labels: edits.map((l) => l.name) },
    });
  })();
  return labels(db, projectId);
}

export function deleteLabel(db: Db, projectId: number, labelId: number, actor: string): LabelInfo[] {
  const label = db
    .prepare('SELECT id, name FROM labels WHERE id = ? AND project_id = ?')
    .get(labelId, projectId) as { id: number; name: string } | undefined;
  if (!label) throw notFound('Label', labelId);
  const used = (
    db.prepare('SELECT COUNT(*) AS n FROM annotations WHERE label_id = ?').get(labelId) as { n: number }
  ).n;
  if (used > 0) {
    throw new AppError(
      'CONFLICT',
      `The label "${label.name}" is used by ${used} annotations, so deleting it would lose them. Relabel those examples first, or keep the label.`,
    );
  }
  db.transaction(() => {
    db.prepare('DELETE FROM labels WHERE id = ?').run(labelId);
    audit(db, {
      projectId,
      actor,
      action: 'delete',
      entity: 'label',
      entityId: labelId,
      details: { name: label.name },
    });
  })();
  return labels(db, projectId);
}

// ---------- cleaning ----------

const CLEANING_REASONS = ['empty', 'too_short', 'too_long', 'duplicate', 'near_duplicate'] as const;
/** Near-duplicate search holds every signature in memory: beyond this, ask for exact duplicates only. */
export const NEAR_DUPLICATE_LIMIT = 200_000;

interface CleanPlan {
  readonly preview: CleanPreview;
  readonly updates: ReadonlyArray<{ id: number; text: string }>;
  readonly exclusions: ReadonlyArray<{ id: number; reason: string }>;
}

function planCleaning(db: Db, projectId: number, input: CleanOptionsInput): CleanPlan {
  getProject(db, projectId);
  const o = CleanOptions.parse(input);
  const rows = db
    .prepare('SELECT id, text, split FROM examples WHERE project_id = ? AND excluded = 0 ORDER BY id')
    .all(projectId) as Array<{ id: number; text: string; split: Split | null }>;
  if (o.nearDuplicates && rows.length > NEAR_DUPLICATE_LIMIT) {
    throw new AppError(
      'TOO_LARGE',
      `Near-duplicate search handles up to ${NEAR_DUPLICATE_LIMIT.toLocaleString('en')} examples; this project has ${rows.length.toLocaleString('en')}. ` +
        'Turn near-duplicates off (exact duplicates still work) or split the data into smaller projects.',
    );
  }
  const labelled = humanLabels(db, projectId);
  const locked = isTestLocked(db, projectId);
  const updates: Array<{ id: number; text: string }> = [];
  const samples: Array<{ id: number; before: string; after: string }> = [];
  const exclusions: Array<{ id: number; reason: string }> = [];
  let changed = 0;
  let masked = 0;
  let empty = 0;
  let tooShort = 0;
  let tooLong = 0;
  const kept: Array<{ id: number; text: string; split: Split | null }> = [];
  // A locked test split is the gold set: cleaning neither rewrites nor removes any of its rows, it counts them.
  const isGold = (x: { split: Split | null }): boolean => locked && x.split === 'test';
  const goldSkipped = new Set<number>();
  for (const r of rows) {
    let t = cleanNormalise(r.text, o);
    let m = 0;
    if (o.mask) {
      const res = maskText(t);
      t = res.text;
      m = res.masked;
    }
    if (isGold(r)) {
      const len = charLength(r.text);
      const wouldDrop =
        (o.dropEmpty && t === '') ||
        (o.minChars > 0 && len < o.minChars) ||
        (o.maxChars > 0 && len > o.maxChars);
      if (t !== r.text || wouldDrop) goldSkipped.add(r.id);
      kept.push({ id: r.id, text: r.text, split: r.split });
      continue;
    }
    if (t !== r.text) {
      updates.push({ id: r.id, text: t });
      if (m) masked++;
      changed++;
      if (samples.length < 20)
        samples.push({ id: r.id, before: r.text.slice(0, 300), after: t.slice(0, 300) });
    }
    const len = charLength(t);
    if (o.dropEmpty && t === '') {
      empty++;
      exclusions.push({ id: r.id, reason: 'empty' });
    } else if (o.minChars > 0 && len < o.minChars) {
      tooShort++;
      exclusions.push({ id: r.id, reason: 'too_short' });
    } else if (o.maxChars > 0 && len > o.maxChars) {
      tooLong++;
      exclusions.push({ id: r.id, reason: 'too_long' });
    } else kept.push({ id: r.id, text: t, split: r.split });
  }
  // Which copy of a duplicate stays: a locked test example (so that train never holds a copy of the gold set),
  // then a labelled one, then the oldest.
  const rank = (x: { id: number; split: Split | null }): number =>
    (isGold(x) ? 0 : 2) + (labelled.has(x.id) ? 0 : 1);
  const splitOf = new Map(kept.map((x) => [x.id, x.split]));
  const ordered = [...kept].sort((a, b) => rank(a) - rank(b) || a.id - b.id);
  let exactDuplicates = 0;
  const survivors: Array<{ id: number; text: string; split: Split | null }> = [];
  if (o.exactDuplicates) {
    const seen = new Set<string>();
    for (const x of ordered) {
      const h = textHash(x.text);
      if (seen.has(h) && isGold(x)) {
        goldSkipped.add(x.id);
        survivors.push(x);
      } else if (seen.has(h)) {
        exactDuplicates++;
        exclusions.push({ id: x.id, reason: 'duplicate' });
      } else {
        seen.add(h);
        survivors.push(x);
      }
    }
  } else survivors.push(...ordered);
  let nearDuplicates = 0;
  const clusters: Array<Array<{ id: number; text: string }>> = [];
  if (o.nearDuplicates) {
    const order = new Map(survivors.map((x, i) => [x.id, i]));
    const textOf = new Map(survivors.map((x) => [x.id, x.text]));
    const groups = nearDuplicateClusters(survivors, o.nearThreshold).map((g) =>
      g.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)),
    );
    groups.sort((a, b) => b.length - a.length);
    for (const g of groups) {
      for (const id of g.slice(1)) {
        if (isGold({ split: splitOf.get(id) ?? null })) {
          goldSkipped.add(id);
          continue;
        }
        nearDuplicates++;
        exclusions.push({ id, reason: 'near_duplicate' });
      }
      if (clusters.length < 50)
        clusters.push(g.slice(0, 20).map((id) => ({ id, text: (textOf.get(id) ?? '').slice(0, 300) })));
    }
  }
  return {
    preview: {
      total: rows.length,
      changedByNormalisation: changed,
      masked,
      empty,
      tooShort,
      tooLong,
      exactDuplicates,
      nearDuplicates,
      clusters,
      samples,
      excluded: exclusions.length,
      lockedTestSkipped: goldSkipped.size,
    },
    updates,
    exclusions,
  };
}

export function cleanPreview(db: Db, projectId: number, options: CleanOptionsInput): CleanPreview {
  return planCleaning(db, projectId, options).preview;
}

/** Applies a cleaning plan in one transaction; the text before is kept in original_text, so it can be undone. */
export function cleanApply(
  db: Db,
  projectId: number,
  options: CleanOptionsInput,
  actor: string,
): CleanPreview {
  const plan = planCleaning(db, projectId, options);
  db.transaction(() => {
    const upd = db.prepare(
      'UPDATE examples SET original_text = COALESCE(original_text, text), text = ?, text_hash = ?, length = ? WHERE id = ?',
    );
    for (const u of plan.updates) upd.run(u.text, textHash(u.text), charLength(u.text), u.id);
    const exc = db.prepare('UPDATE examples SET excluded = 1, exclude_reason = ? WHERE id = ?');
    for (const x of plan.exclusions) exc.run(x.reason, x.id);
    audit(db, {
      projectId,
      actor,
      action: 'clean',
      entity: 'dataset',
      details: { options, changed: plan.updates.length, excluded: plan.exclusions.length },
    });
  })();
  return plan.preview;
}

/** Undoes all cleaning: texts back to what the import made of them, cleaning exclusions lifted (manual ones stay). */
export function cleanUndo(
  db: Db,
  projectId: number,
  actor: string,
): { restored: number; lockedTestSkipped: number } {
  getProject(db, projectId);
  // Rows of a locked test split stay as they are (their text and whether they count): unlock it first to undo them.
  const gold = isTestLocked(db, projectId) ? `AND split IS NOT 'test'` : '';
  return db.transaction(() => {
    let restored = 0;
    const placeholders = CLEANING_REASONS.map(() => '?').join(', ');
    const lockedTestSkipped = gold
      ? (
          db
            .prepare(
              `SELECT COUNT(*) AS n FROM examples WHERE project_id = ? AND split = 'test'
               AND (original_text IS NOT NULL OR (excluded = 1 AND exclude_reason IN (${placeholders})))`,
            )
            .get(projectId, ...CLEANING_REASONS) as { n: number }
        ).n
      : 0;
    const changed = db
      .prepare(
        `SELECT id, text, original_text FROM examples WHERE project_id = ? AND original_text IS NOT NULL ${gold}`,
      )
      .all(projectId) as Array<{ id: number; text: string; original_text: string }>;
    const upd = db.prepare(
      'UPDATE examples SET text = ?, original_text = ?, text_hash = ?, length = ? WHERE id = ?',
    );
    for (const r of changed) {
      const back = importNormalise(r.original_text);
      if (back === r.text) continue;
      upd.run(
        back,
        back === r.original_text ? null : r.original_text,
        textHash(back),
        charLength(back),
        r.id,
      );
      restored++;
    }
    restored += db
      .prepare(
        `UPDATE examples SET excluded = 0, exclude_reason = NULL
         WHERE project_id = ? AND excluded = 1 AND exclude_reason IN (${placeholders}) ${gold}`,
      )
      .run(projectId, ...CLEANING_REASONS).changes;
    audit(db, {
      projectId,
      actor,
      action: 'undo-clean',
      entity: 'dataset',
      details: { restored, lockedTestSkipped },
    });
    return { restored, lockedTestSkipped };
  })();
}

export function setExcluded(
  db: Db,
  projectId: number,
  ids: readonly number[],
  excluded: boolean,
  actor: string,
): number {
  getProject(db, projectId);
  assertNotGold(db, projectId, ids, excluded ? 'left out' : 'brought back');
  return db.transaction(() => {
    const stmt = db.prepare(
      'UPDATE examples SET excluded = ?, exclude_reason = ? WHERE id = ? AND project_id = ? AND excluded <> ?',
    );
    let n = 0;
    for (const id of ids)
      n += stmt.run(excluded ? 1 : 0, excluded ? 'manual' : null, id, projectId, excluded ? 1 : 0).changes;
    audit(db, {
      projectId,
      actor,
      action: excluded ? 'exclude' : 'include',
      entity: 'examples',
      details: { ids },
    });
    return n;
  })();
}

// ---------- splits ----------

/** Largest-remainder rounding of n by fractions. */
function apportion(n: number, fractions: readonly number[]): number[] {
  const raw = fractions.map((f) => f * n);
  const out = raw.map(Math.floor);
  let left = n - out.reduce((s, x) => s + x, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]++;
    left--;
  }
  return out;
}

export function split(
  db: Db,
  projectId: number,
  req: Required<Omit<SplitRequestInput, 'projectId'>>,
  actor: string,
): DatasetStats {
  getProject(db, projectId);
  const locked = isTestLocked(db, projectId);
  const names: Split[] = locked ? ['train', 'validation'] : ['train', 'validation', 'test'];
  const fractions = locked ? [req.train, req.validation] : [req.train, req.validation, req.test];
  const sum = fractions.reduce((s, x) => s + x, 0);
  if (sum <= 0) throw new AppError('INVALID_INPUT', 'Give at least one split a share above zero.');
  const norm = fractions.map((f) => f / sum);
  const rows = db
    .prepare('SELECT id, split FROM examples WHERE project_id = ? AND excluded = 0 ORDER BY id')
    .all(projectId) as Array<{ id: number; split: Split | null }>;
  const candidates = locked ? rows.filter((r) => r.split !== 'test') : rows;
  const labelOf = req.stratify ? humanLabels(db, projectId) : new Map<number, number>();
  const groups = new Map<number, number[]>();
  for (const r of candidates) {
    const key = labelOf.get(r.id) ?? 0;
    const g = groups.get(key);
    if (g) g.push(r.id);
    else groups.set(key, [r.id]);
  }
  const random = mulberry32(req.seed);
  const assign: Array<[Split, number]> = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const ids = groups.get(key) ?? [];
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    const sizes = apportion(ids.length, norm);
    let k = 0;
    sizes.forEach((size, s) => {
      for (let x = 0; x < size; x++) assign.push([names[s], ids[k++]]);
    });
  }
  db.transaction(() => {
    const stmt = db.prepare('UPDATE examples SET split = ? WHERE id = ?');
    for (const [s, id] of assign) stmt.run(s, id);
    audit(db, {
      projectId,
      actor,
      action: 'split',
      entity: 'dataset',
      details: { ...req, testLocked: locked, assigned: assign.length },
    });
  })();
  return stats(db, projectId);
}

export function lockTest(
  db: Db,
  projectId: number,
  locked: boolean,
  confirm: boolean,
  actor: string,
): DatasetStats {
  const s = stats(db, projectId);
  if (locked && s.splits.test === 0) {
    throw new AppError(
      'INVALID_INPUT',
      'The test split is empty. Split the data first, then lock the test split.',
    );
  }
  if (!locked && s.testLocked && !confirm) {
    throw new AppError(
      'INVALID_INPUT',
      'Unlocking lets the test split change, and past evaluations will no longer be comparable. Confirm to unlock.',
    );
  }
  db.transaction(() => {
    db.prepare('UPDATE projects SET test_locked = ?, updated_at = ? WHERE id = ?').run(
      locked ? 1 : 0,
      nowIso(),
      projectId,
    );
    audit(db, {
      projectId,
      actor,
      action: locked ? 'lock-test' : 'unlock-test',
      entity: 'project',
      entityId: projectId,
    });
  })();
  return stats(db, projectId);
}

// ---------- export ----------

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function exportDataset(
  db: Db,
  paths: Paths,
  projectId: number,
  format: 'csv' | 'jsonl',
  includeExcluded: boolean,
): ExportResult {
  const project = getProject(db, projectId);
  const stamp = nowIso().replace(/[:.]/g, '-');
  const safe = project.name.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 60) || 'project';
  const fileName = `${safe}-data-${stamp}.${format}`;
  const path = join(paths.exports, fileName);
  const fd = openSync(path, 'wx');
  let rows = 0;
  try {
    const columns = [
      'id',
      'text',
      'label',
      'split',
      'source',
      'source_row',
      'external_id',
      'excluded',
      'exclude_reason',
    ];
    // A BOM lets Excel open UTF-8 (Chinese) CSV correctly.
    if (format === 'csv') writeSync(fd, '\ufeff' + columns.join(',') + '\n');
    const iter = db
      .prepare(
        `SELECT e.id, e.text, l.name AS label, e.split, d.name AS source, e.source_row, e.external_id, e.excluded,
                e.exclude_reason
         FROM examples e LEFT JOIN datasets d ON d.id = e.dataset_id LEFT JOIN labels l ON l.id = ${HUMAN_LABEL}
         WHERE e.project_id = ? AND (? OR e.excluded = 0) ORDER BY e.id`,
      )
      .iterate(projectId, includeExcluded ? 1 : 0) as IterableIterator<{
      id: number;
      text: string;
      label: string | null;
      split: string | null;
      source: string | null;
      source_row: number | null;
      external_id: string | null;
      excluded: number;
      exclude_reason: string | null;
    }>;
    let chunk: string[] = [];
    for (const r of iter) {
      rows++;
      if (format === 'csv') {
        chunk.push(
          [
            r.id,
            r.text,
            r.label,
            r.split,
            r.source,
            r.source_row,
            r.external_id,
            r.excluded,
            r.exclude_reason,
          ]
            .map(csvField)
            .join(','),
        );
      } else {
        chunk.push(
          JSON.stringify({
            id: r.id,
            text: r.text,
            label: r.label,
            split: r.split,
            source: r.source,
            source_row: r.source_row,
            external_id: r.external_id,
            excluded: r.excluded === 1,
            exclude_reason: r.exclude_reason,
          }),
        );
      }
      if (chunk.length >= 2000) {
        writeSync(fd, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    if (chunk.length) writeSync(fd, chunk.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
  // Recorded with the project, so that deleting the project deletes this copy of its texts too.
  audit(db, { projectId, actor: 'export', action: 'export', entity: 'dataset', details: { path, rows } });
  return { path, fileName, rows };
}
