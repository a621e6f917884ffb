import { audit } from '../../core/audit';
import { AppError } from '../../core/errors';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';

/**
 * Documents sent from Evaluate to the Review queue (table eval_review_requests). The review feature lists the open
 * ones with `openReviewRequests` and closes them with `markReviewRequestsDone` once a person has labelled them.
 */
export interface ReviewRequest {
  readonly exampleId: number;
  readonly reason: string;
  readonly requestedBy: string;
  readonly createdAt: string;
}

export function sendToReview(
  db: Db,
  projectId: number,
  exampleIds: readonly number[],
  reason: string,
  actor: string,
): { added: number; alreadyQueued: number } {
  const unique = [...new Set(exampleIds)];
  const belongs = db.prepare('SELECT id FROM examples WHERE id = ? AND project_id = ?');
  const insert = db.prepare(
    `INSERT INTO eval_review_requests (project_id, example_id, reason, requested_by, created_at)
     VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  return db.transaction(() => {
    const missing = unique.filter((id) => !belongs.get(id, projectId));
    if (missing.length > 0)
      throw AppError.keyed('NOT_FOUND', 'evaluation.documentProjectMayHave', { p1: missing[0] });
    const now = nowIso();
    let added = 0;
    for (const id of unique) added += insert.run(projectId, id, reason, actor, now).changes;
    if (added > 0)
      audit(db, {
        projectId,
        actor,
        action: 'send_to_review',
        entity: 'example',
        details: { exampleIds: unique, reason },
      });
    return { added, alreadyQueued: unique.length - added };
  })();
}

/** The open requests of a project, oldest first. */
export function openReviewRequests(db: Db, projectId: number): ReviewRequest[] {
  return db
    .prepare(
      `SELECT example_id AS exampleId, reason, requested_by AS requestedBy, created_at AS createdAt
       FROM eval_review_requests WHERE project_id = ? AND done_at IS NULL ORDER BY id`,
    )
    .all(projectId) as ReviewRequest[];
}

export function openReviewRequestIds(db: Db, projectId: number): Set<number> {
  return new Set(openReviewRequests(db, projectId).map((r) => r.exampleId));
}

/** Closes the open requests of these documents (after a person reviewed them). */
export function markReviewRequestsDone(db: Db, projectId: number, exampleIds: readonly number[]): number {
  const stmt = db.prepare(
    'UPDATE eval_review_requests SET done_at = ? WHERE project_id = ? AND example_id = ? AND done_at IS NULL',
  );
  return db.transaction(() => {
    const now = nowIso();
    let changed = 0;
    for (const id of exampleIds) changed += stmt.run(now, projectId, id).changes;
    return changed;
  })();
}
