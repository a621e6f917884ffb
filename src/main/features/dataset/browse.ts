import type {
  BrowseFiltersInput,
  BrowsePage,
  BrowseRow,
  BrowseTeacher,
  Split,
} from '../../../shared/dataset';
import {
  hasHumanLabelSetSql,
  humanLabelSetSql,
  humanLabelSql,
  latestTeacherRun,
  projectKind,
  teacherOutputReader,
  type TeacherRunLabels,
} from '../../core/labels';
import { AppError } from '../../core/errors';
import type { Db } from '../../core/store/db';
import { getProject } from '../projects/projects';
import { charLength } from './cleanText';
import { ensureSearchIndex, searchIndexBuilding } from './searchIndex';
import { storedNumbers } from '../../core/store/storedJson';

/** Browsing and search of a project's examples: filters, full-text search through the trigram index, paging. */

const HUMAN_LABEL = humanLabelSql('e');
const HUMAN_SET = humanLabelSetSql('e');
/** SQL: the example's human label set holds the label `?`. */
const SET_HOLDS = `EXISTS (SELECT 1 FROM json_each(${HUMAN_SET}) j WHERE j.value = ?)`;

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
  if (projectKind(db, projectId) === 'multi') {
    // A multi-label project's answer is a set (label_id stays NULL): filter on the set's members.
    if (f.labelId === 0) where.push(`NOT ${hasHumanLabelSetSql('e')}`);
    else if (f.labelId !== undefined) {
      where.push(SET_HOLDS);
      args.push(f.labelId);
    }
    if (f.noneOfThese) where.push(`${HUMAN_SET} = '[]'`);
    if (f.withoutLabelIds?.length) {
      where.push(`${hasHumanLabelSetSql('e')}`);
      for (const id of f.withoutLabelIds) {
        where.push(`NOT ${SET_HOLDS}`);
        args.push(id);
      }
    }
  } else if (f.noneOfThese || f.withoutLabelIds?.length) {
    throw AppError.keyed('INVALID_INPUT', 'dataset.singleLabelProjectNone', {});
  } else if (f.labelId !== undefined) {
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

/** A multi-label project's human label set of an example, as label names ([] none of these; null no answer). */
function labelSetLookup(db: Db, projectId: number): (exampleId: number) => string[] | null {
  const names = new Map(
    (
      db.prepare('SELECT id, name FROM labels WHERE project_id = ?').all(projectId) as Array<{
        id: number;
        name: string;
      }>
    ).map((l) => [l.id, l.name]),
  );
  const stmt = db.prepare(`SELECT ${humanLabelSetSql('e')} AS s FROM examples e WHERE e.id = ?`).pluck();
  return (exampleId) => {
    const s = stmt.get(exampleId) as string | null | undefined;
    if (s == null) return null;
    return storedNumbers(s, 'human_label_sets.label_set', exampleId).map((id) => names.get(id) ?? `#${id}`);
  };
}

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
  const setOf = projectKind(db, projectId) === 'multi' ? labelSetLookup(db, projectId) : () => null;
  const out: BrowseRow[] = rows.map((r) => ({
    id: r.id,
    text: r.text,
    length: r.length,
    split: r.split,
    labelId: r.label_id,
    label: r.label,
    labelSet: setOf(r.id),
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

/** The teacher's top label of each page row, from the run's output of it. */
function teacherLookup(db: Db, run: TeacherRunLabels): (exampleId: number) => BrowseTeacher | null {
  const read = teacherOutputReader(db, run.runId);
  return (exampleId) => {
    const o = read(exampleId);
    if (!o) return null;
    const probs = o.probs;
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
