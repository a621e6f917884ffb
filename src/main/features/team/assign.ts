import type { AnnotatorProgress, AssignResult, TeamProgress } from '../../../shared/team';
import { addAnnotation } from '../../core/annotations';
import { audit } from '../../core/audit';
import { AppError, notFound } from '../../core/errors';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { assertProject, checkAnswer, type AnswerInput } from '../review/annotate';
import { ANNOTATORS_DISAGREE, HAS_HUMAN_LABEL } from '../review/queues';
import { ADJUDICATED } from './scope';

/** A fixed pseudo-random order (the review queues' own), so that each annotator gets a sample of the project. */
const SPREAD = '((e.id * 2654435761) % 4294967296)';

/**
 * Hands the project's unlabelled, unassigned documents to `annotators` in turn. The first `overlap` share of them
 * (in a fixed pseudo-random order) also goes to the next annotator in the list: agreement is measured there.
 */
export function assign(
  db: Db,
  input: { projectId: number; annotators: readonly string[]; overlap: number; limit?: number },
): AssignResult {
  assertProject(db, input.projectId);
  const names: string[] = [];
  for (const name of input.annotators) {
    const u = db.prepare('SELECT username, disabled FROM team_users WHERE username = ?').get(name) as
      { username: string; disabled: number } | undefined;
    if (!u) throw AppError.keyed('NOT_FOUND', 'team.accountAddUnderTeam', { name });
    if (u.disabled === 1) throw AppError.keyed('CONFLICT', 'team.accountDisabled', { username: u.username });
    if (!names.includes(u.username)) names.push(u.username);
  }
  return db.transaction(() => {
    const ids = db
      .prepare(
        `SELECT e.id FROM examples e WHERE e.project_id = ? AND e.excluded = 0 AND NOT ${HAS_HUMAN_LABEL}
           AND NOT EXISTS (SELECT 1 FROM team_assignments ta WHERE ta.example_id = e.id)
         ORDER BY ${SPREAD} LIMIT ?`,
      )
      .pluck()
      .all(input.projectId, input.limit ?? -1) as number[];
    const overlapCount = names.length < 2 ? 0 : Math.round(ids.length * input.overlap);
    const insert = db.prepare(
      'INSERT INTO team_assignments (project_id, example_id, username, assigned_at) VALUES (?, ?, ?, ?)',
    );
    const now = nowIso();
    ids.forEach((id, i) => {
      insert.run(input.projectId, id, names[i % names.length], now);
      if (i < overlapCount) insert.run(input.projectId, id, names[(i + 1) % names.length], now);
    });
    const result = { assigned: ids.length, overlapping: overlapCount, annotators: names };
    audit(db, {
      projectId: input.projectId,
      actor: 'team',
      action: 'assign',
      entity: 'project',
      entityId: input.projectId,
      details: { ...result, overlap: input.overlap },
    });
    return result;
  })();
}

/** Whether an account was given any document of the project (what lets an annotator open it). */
export function isMember(db: Db, projectId: number, username: string): boolean {
  return Boolean(
    db
      .prepare('SELECT 1 FROM team_assignments WHERE project_id = ? AND username = ? LIMIT 1')
      .get(projectId, username),
  );
}

export function memberProjects(db: Db, username: string): Set<number> {
  return new Set(
    db
      .prepare('SELECT DISTINCT project_id FROM team_assignments WHERE username = ?')
      .pluck()
      .all(username) as number[],
  );
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Per annotator: assigned, done, labelled, speed; and the conflicts still open. */
export function progress(db: Db, projectId: number): TeamProgress {
  assertProject(db, projectId);
  const people = db
    .prepare(
      `SELECT username FROM team_assignments WHERE project_id = @p
       UNION SELECT annotator FROM annotations WHERE project_id = @p AND source IN ('human', 'teacher_accept')
       ORDER BY 1`,
    )
    .pluck()
    .all({ p: projectId }) as string[];
  const mine = `a.annotator = @u AND a.project_id = @p AND a.retracted_at IS NULL
    AND (a.label_id IS NOT NULL OR a.label_set IS NOT NULL)`;
  const annotators: AnnotatorProgress[] = people.map((u) => {
    const q = { p: projectId, u };
    const assigned = db
      .prepare('SELECT COUNT(*) FROM team_assignments WHERE project_id = @p AND username = @u')
      .pluck()
      .get(q) as number;
    const done = db
      .prepare(
        `SELECT COUNT(*) FROM team_assignments ta WHERE ta.project_id = @p AND ta.username = @u
           AND EXISTS (SELECT 1 FROM annotations a WHERE a.example_id = ta.example_id AND ${mine})`,
      )
      .pluck()
      .get(q) as number;
    const labelled = db
      .prepare(`SELECT COUNT(DISTINCT a.example_id) FROM annotations a WHERE ${mine}`)
      .pluck()
      .get(q) as number;
    const times = db
      .prepare(`SELECT a.time_spent_ms FROM annotations a WHERE ${mine} AND a.time_spent_ms IS NOT NULL`)
      .pluck()
      .all(q) as number[];
    const last = db.prepare(`SELECT MAX(a.created_at) FROM annotations a WHERE ${mine}`).pluck().get(q) as
      string | null;
    const med = median(times);
    return {
      username: u,
      assigned,
      done,
      labelled,
      medianSeconds: med === null ? null : Math.round(med / 100) / 10,
      lastLabelAt: last,
    };
  });
  const openConflicts = db
    .prepare(
      `SELECT COUNT(*) FROM examples e WHERE e.project_id = ? AND e.excluded = 0 AND ${ANNOTATORS_DISAGREE}
         AND NOT ${ADJUDICATED}`,
    )
    .pluck()
    .get(projectId) as number;
  const adjudicated = db
    .prepare('SELECT COUNT(*) FROM team_adjudications WHERE project_id = ?')
    .pluck()
    .get(projectId) as number;
  return { annotators, openConflicts, adjudicated };
}

/**
 * A lead decides a document: their label (in a multi-label project, their whole label set) is written as a new
 * annotation (the newest, so it is the document's label for training and evaluation) and recorded as the decision,
 * which closes the conflict until someone relabels it.
 */
export function adjudicate(db: Db, input: AnswerInput & { adjudicator: string }): { annotationId: number } {
  return db.transaction(() => {
    const ex = db
      .prepare('SELECT 1 FROM examples WHERE id = ? AND project_id = ? AND excluded = 0')
      .get(input.exampleId, input.projectId);
    if (!ex) throw notFound('Document', input.exampleId);
    // The project's kind decides which answer it takes; labels not in the project are refused.
    const answer = checkAnswer(db, input);
    const labelSet = answer.labelSet === null ? null : JSON.stringify(answer.labelSet);
    const now = nowIso();
    const annotationId = addAnnotation(db, {
      projectId: input.projectId,
      exampleId: input.exampleId,
      labelId: answer.labelId,
      labelSet: answer.labelSet,
      annotator: input.adjudicator,
      source: 'human',
      createdAt: now,
    });
    db.prepare(
      `INSERT INTO team_adjudications (example_id, project_id, annotation_id, label_id, label_set, adjudicator, at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (example_id) DO UPDATE SET annotation_id = excluded.annotation_id, label_id = excluded.label_id,
         label_set = excluded.label_set, adjudicator = excluded.adjudicator, at = excluded.at`,
    ).run(input.exampleId, input.projectId, annotationId, answer.labelId, labelSet, input.adjudicator, now);
    audit(db, {
      projectId: input.projectId,
      actor: input.adjudicator,
      action: 'adjudicate',
      entity: 'example',
      entityId: input.exampleId,
      details: answer.labelSet === null ? { labelId: answer.labelId } : { labelSet: answer.labelSet },
    });
    return { annotationId };
  })();
}
