import type { AuditAction } from '../../shared/audit';
import type { Db } from './store/db';
import { currentActor } from './actor';
import { nowIso } from './time';

/**
 * Appends to the project's audit log: every change of data a person would want to trace. In team mode the actor is
 * always the logged-in person (`currentActor`), never a name a request carried.
 */
export function audit(
  db: Db,
  entry: {
    projectId: number | null;
    actor: string;
    action: AuditAction;
    entity: string;
    entityId?: number | null;
    details?: unknown;
  },
): void {
  db.prepare(
    'INSERT INTO audit_log (project_id, at, actor, action, entity, entity_id, details) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(
    entry.projectId,
    nowIso(),
    currentActor()?.username ?? entry.actor,
    entry.action,
    entry.entity,
    entry.entityId ?? null,
    entry.details === undefined ? null : JSON.stringify(entry.details),
  );
}
