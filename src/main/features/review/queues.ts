import type { AnnotationView, QueueSpec, ReviewItem, Split, TeacherView } from '../../../shared/review';
import { assertNever } from '../../../shared/result';
import { AppError, notFound } from '../../core/errors';
import {
  hasHumanLabelSetSql,
  hasHumanLabelSql,
  humanLabelSetSql,
  humanLabelSql,
  latestTeacherRun,
  projectKind,
  teacherAnswer,
  teacherOutputReader,
} from '../../core/labels';
import type { Db } from '../../core/store/db';
import { ADJUDICATED, holdLease, queueScope, scopeWhere } from '../team/scope';
import { storedNumbers } from '../../core/store/storedJson';

/**
 * SQL for "this example has a human answer": a label (the view human_labels) or, in a multi-label project, a label
 * set, the empty set ("none of these") included (human_label_sets). A project holds one kind, so one test serves both.
 */
export const HAS_HUMAN_LABEL = `(${hasHumanLabelSql('e')} OR ${hasHumanLabelSetSql('e')})`;

/** SQL for the example's current human label (the view human_labels, as `humanLabels`). */
const CURRENT_LABEL = humanLabelSql('e');

/** SQL for the example's current human label set, JSON text (multi-label; the view human_label_sets). */
export const CURRENT_SET = humanLabelSetSql('e');

/**
 * SQL: the multi-label teacher's set for the teacher_answers alias `t` (migration 019: labels at or above
 * MULTI_LABEL_THRESHOLD, comparable as text with annotations.label_set). Queues read teacher outputs through that view.
 */
export const TEACHER_SET = 't.predicted_set';

/** Two annotators' current labels (label sets) of the example differ (annotator_labels, annotator_label_sets). */
export const ANNOTATORS_DISAGREE = `(EXISTS (SELECT 1 FROM annotator_labels a1
  JOIN annotator_labels a2 ON a2.example_id = a1.example_id AND a2.annotator > a1.annotator
  WHERE a1.example_id = e.id AND a1.label_id <> a2.label_id)
  OR EXISTS (SELECT 1 FROM annotator_label_sets s1
  JOIN annotator_label_sets s2 ON s2.example_id = s1.example_id AND s2.annotator > s1.annotator
  WHERE s1.example_id = e.id AND s1.label_set <> s2.label_set))`;

/** Sent from Evaluate and not yet labelled (the evaluation feature's eval_review_requests). */
const OPEN_REQUEST = `EXISTS (SELECT 1 FROM eval_review_requests rr WHERE rr.example_id = e.id AND rr.done_at IS NULL)`;

/**
 * A multiplicative hash: a bijection on ids below 2^32, so a fixed pseudo-random order with no ties. The index
 * review_examples_random holds this order (migration 018): change both together.
 */
const RANDOM_KEY = '((e.id * 2654435761) % 4294967296)';

export interface QueueSql {
  readonly from: string;
  readonly where: readonly string[];
  /** The order of "next"; the keys end with a unique column so that keyset paging never skips or repeats. */
  readonly keys: readonly string[];
  readonly dir: 'ASC' | 'DESC';
  readonly params: Record<string, unknown>;
}

/**
 * Builds the filter and order of a queue. `runId` is the latest teacher run (null: no teacher yet). In team mode
 * the logged-in person's scope is added (features/team/scope.ts): assigned documents, others' open documents.
 */
export function queueSql(
  projectId: number,
  spec: QueueSpec,
  runId: number | null,
  kind: 'single' | 'multi' = 'single',
): QueueSql {
  const q = baseQueueSql(projectId, spec, runId, kind);
  const scope = queueScope();
  if (!scope) return q;
  const scoped = scopeWhere(q.where, `NOT ${HAS_HUMAN_LABEL}`, scope);
  return { ...q, where: scoped.where, params: { ...q.params, ...scoped.params } };
}

function baseQueueSql(
  projectId: number,
  spec: QueueSpec,
  runId: number | null,
  project: 'single' | 'multi',
): QueueSql {
  const multi = project === 'multi';
  const params: Record<string, unknown> = { project: projectId, run: runId ?? -1 };
  const where: string[] = ['e.project_id = @project', 'e.excluded = 0'];
  if (spec.split) {
    where.push('e.split = @split');
    params.split = spec.split;
  }
  const words = (spec.search ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 10);
  words.forEach((w, i) => {
    where.push(`instr(lower(e.text), @w${i}) > 0`);
    params[`w${i}`] = w;
  });
  const plain = 'examples e';
  const withTeacher = 'teacher_answers t JOIN examples e ON e.id = t.example_id AND t.run_id = @run';
  const maybeTeacher = 'examples e LEFT JOIN teacher_answers t ON t.run_id = @run AND t.example_id = e.id';
  const kind = spec.kind;
  switch (kind) {
    case 'unreviewed':
      return { from: plain, where: [...where, `NOT ${HAS_HUMAN_LABEL}`], keys: ['e.id'], dir: 'ASC', params };
    case 'all':
      return { from: plain, where, keys: ['e.id'], dir: 'ASC', params };
    case 'random':
      return {
        from: plain,
        where: [...where, `NOT ${HAS_HUMAN_LABEL}`],
        keys: [RANDOM_KEY],
        dir: 'ASC',
        params,
      };
    case 'uncertain': {
      const byMargin = spec.uncertainBy === 'margin';
      return {
        from: withTeacher,
        where: [...where, `NOT ${HAS_HUMAN_LABEL}`],
        keys: byMargin ? ['t.margin', 't.example_id'] : ['t.entropy', 't.example_id'],
        dir: byMargin ? 'ASC' : 'DESC',
        params,
      };
    }
    case 'disagree':
      return {
        from: withTeacher,
        where: multi
          ? [...where, `${CURRENT_SET} IS NOT NULL`, `${CURRENT_SET} <> ${TEACHER_SET}`]
          : [
              ...where,
              't.predicted_label_id IS NOT NULL',
              `${CURRENT_LABEL} IS NOT NULL`,
              `${CURRENT_LABEL} <> t.predicted_label_id`,
            ],
        keys: ['e.id'],
        dir: 'ASC',
        params,
      };
    case 'label':
      if (spec.labelId === undefined) {
        throw AppError.keyed('INVALID_INPUT', 'review.chooseLabelReviewDocuments', {});
      }
      params.label = spec.labelId;
      return {
        from: maybeTeacher,
        where: [
          ...where,
          multi
            ? `EXISTS (SELECT 1 FROM json_each(COALESCE(${CURRENT_SET}, ${TEACHER_SET})) m WHERE m.value = @label)`
            : `COALESCE(${CURRENT_LABEL}, t.predicted_label_id) = @label`,
        ],
        keys: ['e.id'],
        dir: 'ASC',
        params,
      };
    case 'conflicts':
      return {
        from: plain,
        where: [...where, ANNOTATORS_DISAGREE, `NOT ${ADJUDICATED}`],
        keys: ['e.id'],
        dir: 'ASC',
        params,
      };
    case 'requested':
      return { from: plain, where: [...where, OPEN_REQUEST], keys: ['e.id'], dir: 'ASC', params };
    default:
      return assertNever(kind, 'queue kind');
  }
}

export function runIdOf(db: Db, projectId: number): number | null {
  return latestTeacherRun(db, projectId)?.runId ?? null;
}

/** The queue's SQL for the project as it is now (its latest teacher run, its kind). */
export function projectQueueSql(db: Db, projectId: number, spec: QueueSpec): QueueSql {
  return queueSql(projectId, spec, runIdOf(db, projectId), projectKind(db, projectId));
}

/**
 * The example after (or before) `cursor` in the queue's order, or the first (last) one when there is no cursor
 * or the cursor is not in the queue's order any more. Keyset paging: a seek on an index, however large the project.
 */
export function neighbour(
  db: Db,
  projectId: number,
  spec: QueueSpec,
  cursor: number | null,
  direction: 'next' | 'prev',
): number | null {
  return neighbours(db, projectId, spec, cursor, direction, 1)[0] ?? null;
}

/**
 * Up to `limit` examples after (or before) `cursor` in the queue's order, nearest first: what `neighbour` would
 * give one after the other, in one seek (the review screen fetches the next few documents ahead).
 */
export function neighbours(...args: Parameters<typeof neighboursQuery>): number[] {
  const [db] = args;
  const { sql, params } = neighboursQuery(...args);
  return (db.prepare(sql).raw().all(params) as Array<[number]>).map((r) => r[0]);
}

/**
 * The SQL of `neighbours`: a seek from the cursor's keys along the index that holds the queue's order (an
 * ORDER BY that the index answers, never a sort of the project per key press; tests/review/queue-order.test.ts).
 */
export function neighboursQuery(
  db: Db,
  projectId: number,
  spec: QueueSpec,
  cursor: number | null,
  direction: 'next' | 'prev',
  limit: number,
): { sql: string; params: Record<string, unknown> } {
  const q = projectQueueSql(db, projectId, spec);
  const forward = direction === 'next';
  const dir = forward === (q.dir === 'ASC') ? 'ASC' : 'DESC';
  const op = dir === 'ASC' ? '>' : '<';
  const keyList = q.keys.join(', ');
  let cursorKeys: unknown[] | null = null;
  if (cursor !== null) {
    // The cursor's own keys, computed without the queue's filter: a labelled document has left "unreviewed" but
    // the next one is still the one after it.
    const row = db
      .prepare(`SELECT ${keyList} FROM ${q.from} WHERE e.id = @cursor`)
      .raw()
      .get({ ...q.params, cursor }) as unknown[] | undefined;
    if (row && row.every((v) => v !== null)) cursorKeys = row;
  }
  const where = [...q.where];
  const params: Record<string, unknown> = { ...q.params, limit };
  if (cursorKeys) {
    const placeholders = cursorKeys.map((_, i) => `@k${i}`);
    cursorKeys.forEach((v, i) => (params[`k${i}`] = v));
    where.push(
      q.keys.length === 1 ? `${q.keys[0]} ${op} @k0` : `(${keyList}) ${op} (${placeholders.join(', ')})`,
    );
  }
  const order = q.keys.map((k) => `${k} ${dir}`).join(', ');
  return {
    sql: `SELECT e.id AS id FROM ${q.from} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT @limit`,
    params,
  };
}

/** The queue's documents in order (for tests and the CLI; the UI pages one at a time). */
export function queueIds(db: Db, projectId: number, spec: QueueSpec, limit = 1000): number[] {
  return neighbours(db, projectId, spec, null, 'next', limit);
}

export function queueCount(db: Db, projectId: number, spec: QueueSpec): number {
  const q = projectQueueSql(db, projectId, spec);
  const row = db
    .prepare(`SELECT COUNT(*) AS n FROM ${q.from} WHERE ${q.where.join(' AND ')}`)
    .get(q.params) as {
    n: number;
  };
  return row.n;
}

interface AnnotationRow {
  id: number;
  label_id: number | null;
  label_name: string | null;
  label_set: string | null;
  annotator: string;
  source: AnnotationView['source'];
  accepted_teacher: number | null;
  time_spent_ms: number | null;
  created_at: string;
  retracted_at: string | null;
}

/** The teacher's view of one example in the project's latest run, or null (its answer: `teacherAnswer`). */
export function teacherView(db: Db, projectId: number, exampleId: number): TeacherView | null {
  const run = latestTeacherRun(db, projectId);
  if (!run) return null;
  const out = teacherOutputReader(db, run.runId)(exampleId);
  if (!out) return null;
  const answer = teacherAnswer(run.labels, out, projectKind(db, projectId));
  return {
    runId: run.runId,
    probs: run.labels.map((l, i) => ({ labelId: l.id, name: l.name, prob: out.probs[i] ?? 0 })),
    predictedLabelId: answer.labelId,
    predictedSet: answer.labelSet,
    confidence: answer.confidence,
    entropy: out.entropy,
    margin: out.margin,
    reasoning: out.reasoning,
  };
}

/** The document as the review screen shows it; `lease` (team mode) keeps it from the others' queues while shown. */
export function loadItem(
  db: Db,
  projectId: number,
  exampleId: number,
  annotator: string,
  lease = true,
): ReviewItem {
  const ex = db
    .prepare('SELECT id, text, split FROM examples WHERE id = ? AND project_id = ?')
    .get(exampleId, projectId) as { id: number; text: string; split: Split | null } | undefined;
  if (!ex) throw notFound('Document', exampleId);
  const rows = db
    .prepare(
      `SELECT a.id, a.label_id, l.name AS label_name, a.label_set, a.annotator, a.source, a.accepted_teacher, a.time_spent_ms,
              a.created_at, a.retracted_at
       FROM annotations a LEFT JOIN labels l ON l.id = a.label_id
       WHERE a.example_id = ? ORDER BY a.created_at DESC, a.id DESC`,
    )
    .all(exampleId) as AnnotationRow[];
  const history: AnnotationView[] = rows.map((r) => ({
    id: r.id,
    labelId: r.label_id,
    labelName: r.label_name,
    labelSet: r.label_set === null ? null : storedNumbers(r.label_set, 'annotations.label_set', exampleId),
    annotator: r.annotator,
    source: r.source,
    acceptedTeacher: r.accepted_teacher === null ? null : r.accepted_teacher === 1,
    timeSpentMs: r.time_spent_ms,
    createdAt: r.created_at,
    retractedAt: r.retracted_at,
  }));
  // In team mode the document shown is kept from the others' queues, and an annotator labels blind: only their own
  // labels are shown, so that agreement measures two independent judgements.
  if (lease) holdLease(db, projectId, ex.id);
  const scope = queueScope();
  const visible = scope?.restricted ? history.filter((h) => h.annotator === scope.me) : history;
  // The rule of human_labels / human_label_sets (latest live row, by created_at then id, as `history` is ordered) on
  // the rows this person may see: for an annotator in team mode, their own.
  const live = visible.filter((h) => h.retractedAt === null && h.labelId !== null);
  const liveSets = visible.filter((h) => h.retractedAt === null && h.labelSet !== null);
  return {
    exampleId: ex.id,
    text: ex.text,
    split: ex.split,
    humanLabelId: live[0]?.labelId ?? null,
    myLabelId: live.find((h) => h.annotator === annotator)?.labelId ?? null,
    humanLabelSet: liveSets[0]?.labelSet ?? null,
    myLabelSet: liveSets.find((h) => h.annotator === annotator)?.labelSet ?? null,
    teacher: teacherView(db, projectId, exampleId),
    history: visible,
  };
}
