import type { QueueCounts, QueueKind, QueueSpec } from '../../../shared/review';
import { countedLabels, labelCounts, type CountedAnswer } from '../../core/labelCounts';
import { notExcludedSql, projectKind, projectLabels } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { ADJUDICATED } from '../team/scope';
import { CURRENT_SET, HAS_HUMAN_LABEL, TEACHER_SET, queueSql, runIdOf } from './queues';

/**
 * The examples with a live human label, driven from the annotations (CROSS JOIN keeps that order): it costs what
 * the annotations number, not what the documents number.
 */
const LABELLED = `(SELECT la.example_id AS id FROM human_labels la WHERE la.project_id = @project
  UNION ALL SELECT ls.example_id FROM human_label_sets ls WHERE ls.project_id = @project) lab
  CROSS JOIN examples e ON e.id = lab.id`;

/**
 * Rows of a label or teacher view (alias `x`, column example_id) restricted to the documents the queue counts:
 * with no split, search or team scope, "not removed by cleaning" is a probe of the few removed documents
 * (index examples_excluded, migration 021), so that no labelled document is looked up; otherwise the documents are
 * joined and the queue's own filter applies.
 */
function scoped(where: readonly string[], x: string): { join: string; filter: string } {
  const plain = where.length === 2 && where[0] === 'e.project_id = @project' && where[1] === 'e.excluded = 0';
  return plain
    ? { join: '', filter: notExcludedSql(`${x}.example_id`) }
    : { join: `CROSS JOIN examples e ON e.id = ${x}.example_id`, filter: where.join(' AND ') };
}

/**
 * Lets the server's event loop answer what waits (a key press's next document, a save) between two of the counts'
 * queries: each holds the thread for its own time, never for all of them together (at a million documents under
 * load the sum is seconds, and the page asks for counts again whenever the person pauses). The figures of one answer
 * may then straddle a save made in between; the next refresh has it.
 */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Documents per slice of a read that tests each one's text (search words): a few tens of milliseconds at a time,
 * whatever the project's size, so that the scan never holds the server's thread for the seconds the whole takes.
 */
const SLICE_IDS = 5000;

/**
 * The rows of `sql` (a read with the named parameters @lo and @hi bounding the document id) over the project's id
 * range, one slice per turn of the event loop (`nextTurn`), concatenated: a grouped read gives each group once per
 * slice that holds it.
 */
async function inSlices<R>(db: Db, projectId: number, sql: string, p: Record<string, unknown>): Promise<R[]> {
  const range = db
    .prepare('SELECT MIN(id) AS lo, MAX(id) AS hi FROM examples WHERE project_id = ?')
    .get(projectId) as { lo: number | null; hi: number | null };
  if (range.lo === null || range.hi === null) return [];
  const stmt = db.prepare(sql);
  const rows: R[] = [];
  for (let lo = range.lo; lo <= range.hi; lo += SLICE_IDS) {
    rows.push(...(stmt.all({ ...p, lo, hi: lo + SLICE_IDS - 1 }) as R[]));
    await nextTurn();
  }
  return rows;
}

/** One group of a project's labelled documents: their human label, the teacher's (if it answered), how many. */
interface LabelledGroup {
  human: number | null;
  teacher: number | null;
  taught: 0 | 1;
  n: number;
}

/**
 * How many documents each queue holds under the same split and search filter: each queue's definition (queueSql)
 * rearranged so that it is driven by the labels and the teacher's answers, each read once, rather than by every
 * document: opening a project of a million documents must not stall the server that answers the next key press.
 * tests/review/counts.test.ts holds every figure equal to the queue's own count. With no search words or team scope
 * the figures are read from the counts migration 023's triggers keep (`maintainedCounts`: a few rows); otherwise the
 * queries run one per turn of the event loop (`nextTurn`), and with search words each in slices of document ids.
 */
export async function queueCounts(db: Db, projectId: number, spec: QueueSpec): Promise<QueueCounts> {
  const runId = runIdOf(db, projectId);
  const multi = projectKind(db, projectId) === 'multi';
  const base = queueSql(projectId, { ...spec, kind: 'all' }, runId, multi ? 'multi' : 'single');
  const where = base.where.join(' AND ');
  const p = base.params;
  const one = (sql: string): number => (db.prepare(sql).get(p) as { n: number }).n;
  // With no search or team scope, the documents not removed (in the split) are a sum of the few rows migration 022's
  // triggers keep; otherwise the queue's own filter counts them.
  const searching = (spec.search ?? '').trim().length > 0;
  const maintained = base.where.every(
    (w) => w === 'e.project_id = @project' || w === 'e.excluded = 0' || w === 'e.split = @split',
  );
  // With search words every read below tests the texts of the documents it reaches: it runs in slices of document
  // ids, one per turn of the event loop, so that no read holds the server's thread for long (`inSlices`).
  const read = async <R>(sql: (range: (column: string) => string) => string): Promise<R[]> =>
    searching
      ? inSlices<R>(
          db,
          projectId,
          sql((c) => `AND ${c} BETWEEN @lo AND @hi`),
          p,
        )
      : (db.prepare(sql(() => '')).all(p) as R[]);
  const total = (rows: ReadonlyArray<{ n: number }>): number => rows.reduce((s, r) => s + r.n, 0);
  const all = maintained
    ? one(
        `SELECT COALESCE(SUM(c.n), 0) AS n FROM example_counts c WHERE c.project_id = @project
         ${spec.split ? 'AND c.split = @split' : ''}`,
      )
    : total(
        await read<{ n: number }>((r) => `SELECT COUNT(*) AS n FROM examples e WHERE ${where} ${r('e.id')}`),
      );
  const kept = maintained ? maintainedCounts(db, projectId, runId, spec.split ?? null) : null;
  if (!kept) await nextTurn();
  // The human labels (sets) of the counted documents, each with the teacher's answer: one pass over the labels.
  // Groups may repeat (one per slice): every use below sums them.
  const h = scoped(base.where, 'h');
  const labelled =
    kept?.labelled ??
    (await read<LabelledGroup>(
      (r) =>
        `SELECT h.label_id AS human, t.predicted_label_id AS teacher, t.example_id IS NOT NULL AS taught, COUNT(*) AS n
         FROM (SELECT la.example_id, la.label_id FROM human_labels la WHERE la.project_id = @project ${r('la.example_id')}
               UNION ALL SELECT ls.example_id, NULL FROM human_label_sets ls
               WHERE ls.project_id = @project ${r('ls.example_id')}) h
         ${h.join} LEFT JOIN teacher_answers t ON t.run_id = @run AND t.example_id = h.example_id
         WHERE ${h.filter} GROUP BY human, teacher, taught`,
    ));
  const sum = (keep: (g: LabelledGroup) => boolean): number =>
    labelled.reduce((s, g) => s + (keep(g) ? g.n : 0), 0);
  // Conflicts: documents whose annotators' current labels (sets) are not all the same, not decided by a lead.
  if (!kept) await nextTurn();
  const conflicts =
    kept?.conflicts ??
    total(
      await read<{ n: number }>(
        (r) => `SELECT COUNT(*) AS n FROM (
          SELECT a.example_id AS id FROM annotator_labels a WHERE a.project_id = @project ${r('a.example_id')}
          GROUP BY a.example_id HAVING COUNT(DISTINCT a.label_id) > 1
          UNION SELECT s.example_id FROM annotator_label_sets s WHERE s.project_id = @project ${r('s.example_id')}
          GROUP BY s.example_id HAVING COUNT(DISTINCT s.label_set) > 1) c
        CROSS JOIN examples e ON e.id = c.id
        WHERE ${where} AND NOT ${ADJUDICATED}`,
      ),
    );
  const requested = one(
    `SELECT COUNT(*) AS n FROM eval_review_requests rr CROSS JOIN examples e ON e.id = rr.example_id
     WHERE rr.project_id = @project AND rr.done_at IS NULL AND ${where}`,
  );
  const byId = new Map<number, number>();
  const add = (labelId: number | null, n: number): void => {
    if (labelId !== null) byId.set(labelId, (byId.get(labelId) ?? 0) + n);
  };
  let uncertain = 0;
  let disagree = 0;
  if (runId !== null) {
    // The run's answers for the counted documents, by answer (index teacher_outputs_answer, migration 021).
    const t = scoped(base.where, 't');
    if (!kept) await nextTurn();
    const answers =
      kept?.answers ??
      (await read<{ teacher: number | null; n: number }>(
        (r) => `SELECT t.predicted_label_id AS teacher, COUNT(*) AS n FROM teacher_answers t ${t.join}
          WHERE t.run_id = @run AND ${t.filter} ${r('t.example_id')} GROUP BY teacher`,
      ));
    uncertain = answers.reduce((s, a) => s + a.n, 0) - sum((g) => g.taught === 1);
    if (!multi) {
      disagree = sum(
        (g) => g.taught === 1 && g.teacher !== null && g.human !== null && g.human !== g.teacher,
      );
      // A document without a human label is counted under the teacher's answer: all answers less the labelled ones.
      for (const a of answers) add(a.teacher, a.n);
      for (const g of labelled) if (g.taught === 1) add(g.teacher, -g.n);
    }
  }
  if (multi) {
    if (!kept) await nextTurn();
    const sets = kept?.multi ?? multiCounts(db, p, where, runId);
    disagree = sets.disagree;
    for (const [labelId, n] of sets.byLabel) add(labelId, n);
  } else {
    for (const g of labelled) add(g.human, g.n);
  }
  const reviewed = sum(() => true);
  const counts: Record<QueueKind, number> = {
    unreviewed: all - reviewed,
    uncertain,
    disagree,
    random: all - reviewed,
    label: spec.labelId !== undefined ? (byId.get(spec.labelId) ?? 0) : 0,
    conflicts,
    requested,
    all,
  };
  return {
    counts,
    byLabel: projectLabels(db, projectId).map((l) => ({ labelId: l.id, count: byId.get(l.id) ?? 0 })),
    total: all,
    hasTeacher: runId !== null,
  };
}

/** A counted answer as the label groups name it: a label id, or null (none, or a set). */
function labelOf(answer: CountedAnswer): number | null {
  return typeof answer === 'number' && answer !== 0 ? answer : null;
}

/**
 * The figures of `queueCounts` that come from the labels and the run's answers, read from the counts migration 023's
 * triggers keep (core/labelCounts.ts) rather than by a pass over the labels: with no search or team scope, a few rows.
 * The same groups as the queries they replace (tests/review/label-counts.test.ts holds them equal after every write).
 */
function maintainedCounts(
  db: Db,
  projectId: number,
  runId: number | null,
  split: string | null,
): {
  labelled: LabelledGroup[];
  answers: Array<{ teacher: number | null; n: number }>;
  multi: { disagree: number; byLabel: Map<number, number> };
  conflicts: number;
} {
  const all = labelCounts(db, projectId, runId);
  const inSplit = (c: { split: string }): boolean => split === null || c.split === split;
  const human = all.human.filter(inSplit);
  const answers = all.answers.filter(inSplit);
  // Labelled documents the teacher answered, by both answers; the rest of each human answer's documents untaught.
  const untaught = new Map<CountedAnswer, number>();
  for (const c of human) untaught.set(c.human, (untaught.get(c.human) ?? 0) + c.n);
  const labelled: LabelledGroup[] = [];
  for (const a of answers) {
    if (a.human === 0) continue;
    labelled.push({ human: labelOf(a.human), teacher: labelOf(a.teacher), taught: 1, n: a.n });
    untaught.set(a.human, (untaught.get(a.human) ?? 0) - a.n);
  }
  for (const [answer, n] of untaught) labelled.push({ human: labelOf(answer), teacher: null, taught: 0, n });
  // Multi-label: each label of the human sets, else of the teacher's; human sets the teacher's differ from.
  const byLabel = new Map<number, number>();
  const add = (answer: CountedAnswer, n: number): void => {
    for (const id of countedLabels(answer)) byLabel.set(id, (byLabel.get(id) ?? 0) + n);
  };
  for (const c of human) if (typeof c.human === 'string') add(c.human, c.n);
  let disagree = 0;
  for (const a of answers) {
    if (typeof a.teacher !== 'string') continue;
    if (a.human === 0) add(a.teacher, a.n);
    else if (typeof a.human === 'string' && a.human !== a.teacher) disagree += a.n;
  }
  return {
    labelled,
    answers: answers.map((a) => ({ teacher: labelOf(a.teacher), n: a.n })),
    multi: { disagree, byLabel },
    conflicts: all.conflicts.filter(inSplit).reduce((s, c) => s + c.n, 0),
  };
}

/**
 * Multi-label: documents whose human set differs from the teacher's, and how many documents hold each label in
 * their human set, else in the teacher's set (the queues "disagree" and "label").
 */
function multiCounts(
  db: Db,
  p: Record<string, unknown>,
  where: string,
  runId: number | null,
): { disagree: number; byLabel: Map<number, number> } {
  const byLabel = new Map<number, number>();
  const add = (rows: Array<{ labelId: number | null; n: number }>): void => {
    for (const r of rows) if (r.labelId !== null) byLabel.set(r.labelId, (byLabel.get(r.labelId) ?? 0) + r.n);
  };
  add(
    db
      .prepare(
        `SELECT m.value AS labelId, COUNT(*) AS n FROM ${LABELLED}, json_each(${CURRENT_SET}) m
         WHERE ${where} GROUP BY m.value`,
      )
      .all(p) as Array<{ labelId: number | null; n: number }>,
  );
  if (runId === null) return { disagree: 0, byLabel };
  add(
    db
      .prepare(
        `SELECT m.value AS labelId, COUNT(*) AS n
         FROM teacher_answers t CROSS JOIN examples e ON e.id = t.example_id, json_each(${TEACHER_SET}) m
         WHERE t.run_id = @run AND ${where} AND NOT ${HAS_HUMAN_LABEL} GROUP BY m.value`,
      )
      .all(p) as Array<{ labelId: number | null; n: number }>,
  );
  const disagree = (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM ${LABELLED} JOIN teacher_answers t ON t.run_id = @run AND t.example_id = e.id
         WHERE ${where} AND ${CURRENT_SET} IS NOT NULL AND ${CURRENT_SET} <> ${TEACHER_SET}`,
      )
      .get(p) as { n: number }
  ).n;
  return { disagree, byLabel };
}
