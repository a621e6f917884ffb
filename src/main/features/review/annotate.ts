import type {
  AnnotateResult,
  BulkPreview,
  GoldSummary,
  HistoryEntry,
  QueueSpec,
  ReviewPosition,
  ReviewState,
  UndoResult,
} from '../../../shared/review';
import { MIN_GOLD_PER_CLASS, QueueSpecSchema } from '../../../shared/review';
import { addAnnotation, retractAnnotation, retractBulkAction } from '../../core/annotations';
import { audit } from '../../core/audit';
import { AppError, notFound } from '../../core/errors';
import {
  goldLabelSets,
  goldLabels,
  latestTeacherRun,
  projectKind,
  projectLabels,
  teacherAnswer,
  type TeacherAnswer,
} from '../../core/labels';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { markReviewRequestsDone } from '../evaluation/reviewRequests';
import { canSee, holdLease, queueScope } from '../team/scope';
import { HAS_HUMAN_LABEL, loadItem, neighbour, neighbours, projectQueueSql, teacherView } from './queues';
import { storedNumbers } from '../../core/store/storedJson';

/** The queues of documents still to label: labelling one takes it out of the queue. */
const PENDING_QUEUES: readonly QueueSpec['kind'][] = ['unreviewed', 'uncertain', 'random'];

export function assertProject(db: Db, projectId: number): void {
  if (!db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId)) throw notFound('Project', projectId);
}

export function savePosition(
  db: Db,
  projectId: number,
  annotator: string,
  queue: QueueSpec,
  exampleId: number | null,
): void {
  db.prepare(
    `INSERT INTO review_positions (project_id, annotator, queue, example_id, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (project_id, annotator) DO UPDATE SET queue = excluded.queue, example_id = excluded.example_id,
       updated_at = excluded.updated_at`,
  ).run(projectId, annotator, JSON.stringify(queue), exampleId, nowIso());
}

export function getPosition(db: Db, projectId: number, annotator: string): ReviewPosition | null {
  const row = db
    .prepare('SELECT queue, example_id FROM review_positions WHERE project_id = ? AND annotator = ?')
    .get(projectId, annotator) as { queue: string; example_id: number | null } | undefined;
  if (!row) return null;
  const parsed = QueueSpecSchema.safeParse(JSON.parse(row.queue));
  return { queue: parsed.success ? parsed.data : { kind: 'unreviewed' }, exampleId: row.example_id };
}

/** The review screen on opening: labels, annotators, and the document this annotator was on. */
export function reviewState(db: Db, projectId: number, annotator: string): ReviewState {
  assertProject(db, projectId);
  const labels = projectLabels(db, projectId).map((l) => ({
    id: l.id,
    name: l.name,
    color: l.color,
    hotkey: l.hotkey,
    description: l.description,
  }));
  // Who has labelled here (any row, for the annotator picker), not a label rule: read from annotations directly.
  const annotators = (
    db
      .prepare(
        `SELECT annotator FROM annotations WHERE project_id = ? AND source <> 'import'
         UNION SELECT annotator FROM review_positions WHERE project_id = ? ORDER BY 1`,
      )
      .all(projectId, projectId) as Array<{ annotator: string }>
  ).map((r) => r.annotator);
  const position = getPosition(db, projectId, annotator);
  const queue: QueueSpec = position?.queue ?? { kind: 'unreviewed' };
  let exampleId = position?.exampleId ?? null;
  const exists =
    exampleId !== null &&
    db
      .prepare('SELECT 1 FROM examples WHERE id = ? AND project_id = ? AND excluded = 0')
      .get(exampleId, projectId);
  if (!exists) exampleId = neighbour(db, projectId, queue, null, 'next');
  return {
    annotator,
    kind: projectKind(db, projectId),
    labels,
    annotators: annotators.includes(annotator) ? annotators : [...annotators, annotator].sort(),
    position: position ? { queue, exampleId } : null,
    item: exampleId === null ? null : loadItem(db, projectId, exampleId, annotator),
  };
}

/**
 * Moves through a queue without labelling (arrows, skip) and remembers where the person is; with `peek`, only looks
 * (the page fetching the next document ahead of time), leaving the remembered position as it was.
 */
export function moveTo(
  db: Db,
  projectId: number,
  annotator: string,
  queue: QueueSpec,
  from: number | null,
  direction: 'next' | 'prev',
  peek = false,
): ReturnType<typeof loadItem> | null {
  assertProject(db, projectId);
  const id = neighbour(db, projectId, queue, from, direction);
  // A peek (prefetch) neither moves the person's place nor takes the team-mode lease on the document.
  if (peek) return id === null ? null : loadItem(db, projectId, id, annotator, false);
  if (id === null) {
    savePosition(db, projectId, annotator, queue, from);
    holdLease(db, projectId, null);
    return null;
  }
  savePosition(db, projectId, annotator, queue, id);
  return loadItem(db, projectId, id, annotator);
}

/**
 * The next `count` documents of the queue after `from`, as the review screen shows them: fetched ahead, so that a key
 * press shows the next one at once. Only looks: neither the remembered position nor a team-mode lease moves.
 */
export function upcoming(
  db: Db,
  projectId: number,
  annotator: string,
  queue: QueueSpec,
  from: number | null,
  count: number,
): Array<ReturnType<typeof loadItem>> {
  assertProject(db, projectId);
  return neighbours(db, projectId, queue, from, 'next', count).map((id) =>
    loadItem(db, projectId, id, annotator, false),
  );
}

/** A person's answer for one document: a label, or in a multi-label project a set (checked by `checkAnswer`). */
export interface AnswerInput {
  readonly projectId: number;
  readonly exampleId: number;
  readonly labelId?: number;
  readonly labelSet?: readonly number[];
}

/**
 * Labels one document: one new annotation row and the new position, in one transaction (saved at the click).
 * Returns the next document of the queue.
 */
export function annotate(
  db: Db,
  input: AnswerInput & {
    acceptTeacher?: boolean;
    timeSpentMs?: number;
    queue: QueueSpec;
    annotator: string;
  },
): AnnotateResult {
  return db.transaction(() => {
    const ex = db
      .prepare('SELECT excluded, split FROM examples WHERE id = ? AND project_id = ?')
      .get(input.exampleId, input.projectId) as { excluded: number; split: string | null } | undefined;
    if (!ex || !canSee(db, input.exampleId)) throw notFound('Document', input.exampleId);
    if (ex.excluded === 1) {
      throw AppError.keyed('CONFLICT', 'review.documentRemovedProjectCleaning', {});
    }
    if (input.acceptTeacher && ex.split === 'test') throw teacherOnTestError();
    const answer = checkAnswer(db, input);
    const teacher = teacherView(db, input.projectId, input.exampleId);
    const teacherAnswer = teacher ? (teacher.predictedSet ?? teacher.predictedLabelId) : null;
    const same = (x: number | readonly number[] | null): boolean =>
      JSON.stringify(x) === JSON.stringify(answer.labelSet ?? answer.labelId);
    if (input.acceptTeacher && (teacherAnswer === null || !same(teacherAnswer))) {
      throw AppError.keyed('INVALID_INPUT', 'review.teacherHasLabelDocument2', {});
    }
    const annotationId = addAnnotation(db, {
      projectId: input.projectId,
      exampleId: input.exampleId,
      labelId: answer.labelId,
      labelSet: answer.labelSet,
      annotator: input.annotator,
      source: input.acceptTeacher ? 'teacher_accept' : 'human',
      acceptedTeacher: teacherAnswer === null ? null : same(teacherAnswer),
      timeSpentMs: input.timeSpentMs ?? null,
      createdAt: nowIso(),
    });
    markReviewRequestsDone(db, input.projectId, [input.exampleId]);
    // In team mode a document skipped because someone else had it open may be free again: after the end of the
    // queue, look again from its start (the documents labelled have left it, so this never repeats one).
    const nextId =
      neighbour(db, input.projectId, input.queue, input.exampleId, 'next') ??
      (queueScope() && PENDING_QUEUES.includes(input.queue.kind)
        ? neighbour(db, input.projectId, input.queue, null, 'next')
        : null);
    savePosition(db, input.projectId, input.annotator, input.queue, nextId ?? input.exampleId);
    if (nextId === null) holdLease(db, input.projectId, null);
    return {
      annotationId,
      next: nextId === null ? null : loadItem(db, input.projectId, nextId, input.annotator),
    };
  })();
}

/**
 * The answer as stored: a label in a single-label project, a canonical set (sorted ids, no repeats) in a multi-label
 * one. Refuses the other kind's answer and labels not in the project.
 */
export function checkAnswer(
  db: Db,
  input: Omit<AnswerInput, 'exampleId'>,
): { labelId: number | null; labelSet: number[] | null } {
  const known = new Set(projectLabels(db, input.projectId).map((l) => l.id));
  const gone = (): AppError => AppError.keyed('NOT_FOUND', 'review.labelProjectAnyMore', {});
  if (projectKind(db, input.projectId) === 'multi') {
    if (input.labelSet === undefined || input.labelId !== undefined) {
      throw AppError.keyed('INVALID_INPUT', 'review.multiLabelProjectSend', {});
    }
    const set = [...new Set(input.labelSet)].sort((a, b) => a - b);
    if (set.some((id) => !known.has(id))) throw gone();
    return { labelId: null, labelSet: set };
  }
  if (input.labelId === undefined || input.labelSet !== undefined) {
    throw AppError.keyed('INVALID_INPUT', 'review.singleLabelProjectSend', {});
  }
  if (!known.has(input.labelId)) throw gone();
  return { labelId: input.labelId, labelSet: null };
}

/** Retracts this annotator's last label change (all rows of a bulk action at once); a second undo goes further back. */
export function undo(db: Db, projectId: number, annotator: string): UndoResult {
  return db.transaction(() => {
    assertProject(db, projectId);
    // This person's last action, whatever label it left current: the history itself, not a label rule.
    const last = db
      .prepare(
        `SELECT id, example_id, source, created_at FROM annotations
         WHERE project_id = ? AND annotator = ? AND retracted_at IS NULL AND source IN ('human', 'teacher_accept', 'bulk')
         ORDER BY id DESC LIMIT 1`,
      )
      .get(projectId, annotator) as
      { id: number; example_id: number; source: string; created_at: string } | undefined;
    if (!last) return { retracted: 0, item: null };
    const now = nowIso();
    let retracted: number;
    if (last.source === 'bulk') {
      retracted = retractBulkAction(db, projectId, annotator, last.created_at, now);
      audit(db, {
        projectId,
        actor: annotator,
        action: 'undo_bulk_accept',
        entity: 'annotation',
        entityId: last.id,
        details: { retracted },
      });
    } else {
      retracted = retractAnnotation(db, last.id, now);
    }
    const position = getPosition(db, projectId, annotator);
    savePosition(db, projectId, annotator, position?.queue ?? { kind: 'unreviewed' }, last.example_id);
    return { retracted, item: loadItem(db, projectId, last.example_id, annotator) };
  })();
}

/** The gold test set holds only labels a person chose: the one refusal for every way of accepting the teacher. */
export function teacherOnTestError(): AppError {
  return AppError.keyed('CONFLICT', 'review.documentTestSplitWhose', {});
}

/** A document bulk accept could take the teacher's answer for (`teacherAnswer`: a label or a set, and how sure). */
interface Candidate extends TeacherAnswer {
  readonly exampleId: number;
}

/**
 * Unlabelled documents of the filtered set that have a teacher output, with the teacher's label (set) and
 * confidence. Never a test document: the gold set holds only labels a person chose.
 */
export function bulkCandidates(db: Db, projectId: number, queue: QueueSpec): Candidate[] {
  const run = latestTeacherRun(db, projectId);
  if (!run) return [];
  const multi = projectKind(db, projectId) === 'multi';
  const q = projectQueueSql(db, projectId, queue);
  const from = q.from.includes('teacher_answers t')
    ? q.from.replace('LEFT JOIN', 'JOIN')
    : `${q.from} JOIN teacher_answers t ON t.run_id = @run AND t.example_id = e.id`;
  const rows = db
    .prepare(
      `SELECT e.id AS exampleId, t.predicted_label_id AS predicted, t.probs AS probs FROM ${from}
       WHERE ${[...new Set([...q.where, `NOT ${HAS_HUMAN_LABEL}`, `e.split IS NOT 'test'`])].join(' AND ')}`,
    )
    .all(q.params) as Array<{ exampleId: number; predicted: number | null; probs: string }>;
  const kind = multi ? 'multi' : 'single';
  return rows.map((r) => ({
    exampleId: r.exampleId,
    ...teacherAnswer(
      run.labels,
      { probs: storedNumbers(r.probs, 'teacher_outputs.probs', r.exampleId), predictedLabelId: r.predicted },
      kind,
    ),
  }));
}

/** A candidate the teacher gave an answer to (a label, or a set: the empty set is an answer). */
export function hasAnswer(c: Candidate): boolean {
  return c.labelId !== null || c.labelSet !== null;
}

const CURVE_THRESHOLDS = Array.from({ length: 11 }, (_, i) => Math.round((0.5 + i * 0.05) * 100) / 100);

/** What "accept the teacher's label above this confidence" would change, and the same at each threshold. */
export function bulkPreview(db: Db, projectId: number, queue: QueueSpec, minConfidence: number): BulkPreview {
  assertProject(db, projectId);
  const all = bulkCandidates(db, projectId, queue).filter(hasAnswer);
  const chosen = all.filter((c) => c.confidence >= minConfidence);
  const labels = projectLabels(db, projectId);
  return {
    count: chosen.length,
    byLabel: labels.map((l) => ({
      labelId: l.id,
      name: l.name,
      count: chosen.filter((c) => c.labelId === l.id || (c.labelSet?.includes(l.id) ?? false)).length,
    })),
    emptySets: chosen.filter((c) => c.labelSet?.length === 0).length,
    curve: CURVE_THRESHOLDS.map((threshold) => ({
      threshold,
      count: all.filter((c) => c.confidence >= threshold).length,
    })),
    hasTeacher: latestTeacherRun(db, projectId) !== null,
  };
}

/** Gold labels (human labels on the test split) per class, with a warning for classes with too few. */
export function goldSummary(db: Db, projectId: number): GoldSummary {
  assertProject(db, projectId);
  // Multi-label: a label's gold count is the test documents whose set holds it.
  const gold =
    projectKind(db, projectId) === 'multi' ? goldLabelSets(db, projectId) : goldLabels(db, projectId);
  const perLabel = new Map<number, number>();
  for (const answer of gold.values()) {
    for (const labelId of typeof answer === 'number' ? [answer] : answer) {
      perLabel.set(labelId, (perLabel.get(labelId) ?? 0) + 1);
    }
  }
  const testTotal = (
    db
      .prepare("SELECT COUNT(*) AS n FROM examples WHERE project_id = ? AND split = 'test' AND excluded = 0")
      .get(projectId) as { n: number }
  ).n;
  const classes = projectLabels(db, projectId).map((l) => {
    const count = perLabel.get(l.id) ?? 0;
    return { labelId: l.id, name: l.name, count, enough: count >= MIN_GOLD_PER_CLASS };
  });
  return {
    testTotal,
    labelled: gold.size,
    classes,
    minPerClass: MIN_GOLD_PER_CLASS,
    warnings: classes.filter((c) => !c.enough).map((c) => c.name),
  };
}

/** The project's audit trail: every label given or retracted, and logged actions, newest first. */
export function history(
  db: Db,
  projectId: number,
  opts: { exampleId?: number; limit: number },
): HistoryEntry[] {
  assertProject(db, projectId);
  const ex = opts.exampleId ?? null;
  // The audit trail is every row, retracted ones included: read from annotations, not through the label views.
  const rows = db
    .prepare(
      `SELECT * FROM (
         SELECT a.created_at AS at, a.annotator AS actor, 'label' AS action, a.example_id AS exampleId,
                l.name AS labelName, a.source AS source, a.accepted_teacher AS acceptedTeacher,
                a.time_spent_ms AS timeSpentMs, NULL AS details, a.id AS seq
         FROM annotations a LEFT JOIN labels l ON l.id = a.label_id
         WHERE a.project_id = @p AND (@ex IS NULL OR a.example_id = @ex)
         UNION ALL
         SELECT a.retracted_at, a.annotator, 'retract', a.example_id, l.name, a.source, NULL, NULL, NULL, a.id
         FROM annotations a LEFT JOIN labels l ON l.id = a.label_id
         WHERE a.project_id = @p AND a.retracted_at IS NOT NULL AND (@ex IS NULL OR a.example_id = @ex)
         UNION ALL
         SELECT g.at, g.actor, g.action, CASE WHEN g.entity = 'example' THEN g.entity_id END, NULL, NULL, NULL, NULL,
                g.details, g.id
         FROM audit_log g WHERE g.project_id = @p AND @ex IS NULL
       ) ORDER BY at DESC, seq DESC LIMIT @limit`,
    )
    .all({ p: projectId, ex, limit: opts.limit }) as Array<
    Omit<HistoryEntry, 'acceptedTeacher'> & {
      acceptedTeacher: number | null;
      seq: number;
    }
  >;
  return rows.map(({ seq: _seq, ...r }) => ({
    ...r,
    acceptedTeacher: r.acceptedTeacher === null ? null : r.acceptedTeacher === 1,
  }));
}
