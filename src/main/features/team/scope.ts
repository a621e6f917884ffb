import { currentActor } from '../../core/actor';
import type { Db } from '../../core/store/db';

/** How long the document a person has open is kept from the others' queues without a request of theirs. */
export const LEASE_MS = 10 * 60 * 1000;

/** The team-mode view of a review queue: whose it is, and whether they see only their part of the project. */
export interface QueueScope {
  readonly me: string;
  /** Annotators see only documents assigned to them or to nobody, and never others' labels. */
  readonly restricted: boolean;
  readonly now: number;
}

export function queueScope(): QueueScope | null {
  const actor = currentActor();
  return actor ? { me: actor.username, restricted: actor.role === 'annotator', now: Date.now() } : null;
}

export const ASSIGNED_TO_ME = `EXISTS (SELECT 1 FROM team_assignments ta
  WHERE ta.example_id = e.id AND ta.username = @me)`;
export const ASSIGNED_TO_ANYONE = `EXISTS (SELECT 1 FROM team_assignments tb WHERE tb.example_id = e.id)`;
/**
 * I have a live label (set) on this document. Read from annotations on purpose: a live labelled row of mine exists
 * exactly when annotator_labels/annotator_label_sets hold one for me, and this is one index seek per document of the
 * queue where the views would pick the latest row first.
 */
export const LABELLED_BY_ME = `EXISTS (SELECT 1 FROM annotations ma
  WHERE ma.example_id = e.id AND ma.annotator = @me AND ma.retracted_at IS NULL
    AND (ma.label_id IS NOT NULL OR ma.label_set IS NOT NULL))`;
/** Someone else has this document open right now. */
export const LEASED_BY_OTHER = `EXISTS (SELECT 1 FROM team_leases tl
  WHERE tl.example_id = e.id AND tl.username <> @me AND tl.expires_at > @now)`;
/** The lead decided this conflict and nobody has labelled it since (the view current_adjudications, migration 019). */
export const ADJUDICATED = `EXISTS (SELECT 1 FROM current_adjudications j WHERE j.example_id = e.id)`;

/**
 * Adds the team scope to a queue's filter. `pendingCondition` is the queue's "still to label" condition (no human
 * label): for an annotator it becomes "not labelled by me, and assigned to me or labelled by nobody", so that the
 * overlap documents reach their second annotator. Documents someone else has open are left out of the queues of
 * documents still to label (unless assigned to me), so two people are never shown the same unassigned one at once.
 */
export function scopeWhere(
  where: readonly string[],
  pendingCondition: string,
  scope: QueueScope,
): { where: string[]; params: Record<string, unknown> } {
  const params = { me: scope.me, now: scope.now };
  const pending = where.includes(pendingCondition);
  const out = where.map((w) =>
    w === pendingCondition && scope.restricted
      ? `NOT ${LABELLED_BY_ME} AND (${ASSIGNED_TO_ME} OR ${pendingCondition})`
      : w,
  );
  // A document given to me (the overlap gives one to two people) is mine to label whoever else has it open.
  if (pending) out.push(`NOT (${LEASED_BY_OTHER} AND NOT ${ASSIGNED_TO_ME})`);
  if (scope.restricted) out.push(`(${ASSIGNED_TO_ME} OR NOT ${ASSIGNED_TO_ANYONE})`);
  return { where: out, params };
}

/** Keeps `exampleId` as the document this person has open in the project (null: none). */
export function holdLease(db: Db, projectId: number, exampleId: number | null): void {
  const scope = queueScope();
  if (!scope) return;
  if (exampleId === null) {
    db.prepare('DELETE FROM team_leases WHERE project_id = ? AND username = ?').run(projectId, scope.me);
    return;
  }
  db.prepare(
    `INSERT INTO team_leases (project_id, username, example_id, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (project_id, username) DO UPDATE SET example_id = excluded.example_id,
       expires_at = excluded.expires_at`,
  ).run(projectId, scope.me, exampleId, scope.now + LEASE_MS);
}

/** Whether the logged-in annotator may see this document (assigned to them or to nobody). */
export function canSee(db: Db, exampleId: number): boolean {
  const scope = queueScope();
  if (!scope?.restricted) return true;
  return Boolean(
    db
      .prepare(
        `SELECT 1 FROM examples e WHERE e.id = @id AND (${ASSIGNED_TO_ME} OR NOT ${ASSIGNED_TO_ANYONE})`,
      )
      .get({ id: exampleId, me: scope.me }),
  );
}
