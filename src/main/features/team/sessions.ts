import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../../../shared/team';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';

/** A session ends after this long without a request, and after this long in any case. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often (not on every request of twenty busy annotators). */
const TOUCH_MS = 60 * 1000;

export interface Session {
  readonly idHash: string;
  readonly userId: number;
  readonly username: string;
  readonly role: Role;
  readonly csrf: string;
}

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/** A new session (after a successful login): 256 random bits for the cookie, another 256 for the CSRF token. */
export function createSession(db: Db, userId: number): { id: string; csrf: string } {
  const id = randomBytes(32).toString('base64url');
  const csrf = randomBytes(32).toString('base64url');
  const now = nowIso();
  db.prepare(
    'INSERT INTO team_sessions (id_hash, user_id, csrf, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)',
  ).run(hashSessionId(id), userId, csrf, now, now);
  return { id, csrf };
}

/** The live session of a cookie value, or null (unknown, logged out, expired, or its account disabled). */
export function findSession(db: Db, id: string, now = Date.now()): Session | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
  const idHash = hashSessionId(id);
  const r = db
    .prepare(
      `SELECT s.id_hash, s.user_id, s.csrf, s.created_at, s.last_seen_at, u.username, u.role, u.disabled
       FROM team_sessions s JOIN team_users u ON u.id = s.user_id WHERE s.id_hash = ?`,
    )
    .get(idHash) as
    | {
        id_hash: string;
        user_id: number;
        csrf: string;
        created_at: string;
        last_seen_at: string;
        username: string;
        role: Role;
        disabled: number;
      }
    | undefined;
  if (!r) return null;
  const seen = Date.parse(r.last_seen_at);
  if (r.disabled === 1 || now - seen > SESSION_IDLE_MS || now - Date.parse(r.created_at) > SESSION_MAX_MS) {
    db.prepare('DELETE FROM team_sessions WHERE id_hash = ?').run(idHash);
    return null;
  }
  if (now - seen > TOUCH_MS) {
    db.prepare('UPDATE team_sessions SET last_seen_at = ? WHERE id_hash = ?').run(
      new Date(now).toISOString(),
      idHash,
    );
  }
  return { idHash, userId: r.user_id, username: r.username, role: r.role, csrf: r.csrf };
}

export function endSession(db: Db, idHash: string): void {
  db.prepare('DELETE FROM team_sessions WHERE id_hash = ?').run(idHash);
}

/** Ends every session of an account (disabled, role changed, password set), except `keep` (its id hash). */
export function endUserSessions(db: Db, userId: number, keep?: string): void {
  db.prepare('DELETE FROM team_sessions WHERE user_id = ? AND id_hash IS NOT ?').run(userId, keep ?? null);
}
