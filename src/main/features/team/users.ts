import type { Role, TeamUser } from '../../../shared/team';
import { audit } from '../../core/audit';
import { AppError } from '../../core/errors';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { dummyHash, hashPassword, verifyPassword } from './passwords';
import { endUserSessions } from './sessions';

interface UserRow {
  id: number;
  username: string;
  role: Role;
  password_hash: string;
  disabled: number;
  created_at: string;
  last_login_at: string | null;
}

export interface StoredUser {
  readonly id: number;
  readonly username: string;
  readonly role: Role;
  readonly disabled: boolean;
}

function view(r: UserRow): TeamUser {
  return {
    username: r.username,
    role: r.role,
    disabled: r.disabled === 1,
    createdAt: r.created_at,
    lastLoginAt: r.last_login_at,
  };
}

function row(db: Db, username: string): UserRow | undefined {
  return db.prepare('SELECT * FROM team_users WHERE username = ?').get(username) as UserRow | undefined;
}

function mustFind(db: Db, username: string): UserRow {
  const r = row(db, username);
  if (!r) throw AppError.keyed('NOT_FOUND', 'team.accountCheckSpelling', { username });
  return r;
}

export function listUsers(db: Db): TeamUser[] {
  return (db.prepare('SELECT * FROM team_users ORDER BY username').all() as UserRow[]).map(view);
}

export function userCount(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM team_users').get() as { n: number }).n;
}

export function enabledAdmins(db: Db): number {
  return (
    db.prepare("SELECT COUNT(*) AS n FROM team_users WHERE role = 'admin' AND disabled = 0").get() as {
      n: number;
    }
  ).n;
}

export async function addUser(
  db: Db,
  input: { username: string; role: Role; password: string },
): Promise<TeamUser> {
  if (row(db, input.username)) {
    throw AppError.keyed('CONFLICT', 'team.accountExistsAlreadyChoose', { username: input.username });
  }
  const hash = await hashPassword(input.password);
  const now = nowIso();
  return db.transaction(() => {
    // Checked again after the hash: two additions of one name at once must not both pass.
    if (row(db, input.username)) {
      throw AppError.keyed('CONFLICT', 'team.accountExistsAlreadyChoose', { username: input.username });
    }
    db.prepare(
      'INSERT INTO team_users (username, role, password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)',
    ).run(input.username, input.role, hash, now, now);
    audit(db, {
      projectId: null,
      actor: input.username,
      action: 'user_add',
      entity: 'user',
      details: { username: input.username, role: input.role },
    });
    return view(mustFind(db, input.username));
  })();
}

/** Changes a role or disables an account; the last enabled administrator can be neither demoted nor disabled. */
export function updateUser(db: Db, input: { username: string; role?: Role; disabled?: boolean }): TeamUser {
  return db.transaction(() => {
    const u = mustFind(db, input.username);
    const role = input.role ?? u.role;
    const disabled = input.disabled ?? u.disabled === 1;
    const wasAdmin = u.role === 'admin' && u.disabled === 0;
    if (wasAdmin && (role !== 'admin' || disabled) && enabledAdmins(db) <= 1) {
      throw AppError.keyed('CONFLICT', 'team.onlyEnabledAdministratorMake', { username: u.username });
    }
    db.prepare('UPDATE team_users SET role = ?, disabled = ?, updated_at = ? WHERE id = ?').run(
      role,
      disabled ? 1 : 0,
      nowIso(),
      u.id,
    );
    // A disabled account, or one whose role shrank, is logged out everywhere at once.
    if (disabled || role !== u.role) endUserSessions(db, u.id);
    audit(db, {
      projectId: null,
      actor: u.username,
      action: 'user_update',
      entity: 'user',
      entityId: u.id,
      details: { username: u.username, role, disabled },
    });
    return view(mustFind(db, u.username));
  })();
}

export async function setPassword(
  db: Db,
  username: string,
  password: string,
  keepSession?: string,
): Promise<{ changed: true }> {
  const u = mustFind(db, username);
  const hash = await hashPassword(password);
  db.transaction(() => {
    db.prepare('UPDATE team_users SET password_hash = ?, updated_at = ? WHERE id = ?').run(
      hash,
      nowIso(),
      u.id,
    );
    endUserSessions(db, u.id, keepSession);
    audit(db, {
      projectId: null,
      actor: u.username,
      action: 'password_change',
      entity: 'user',
      entityId: u.id,
      details: { username: u.username },
    });
  })();
  return { changed: true };
}

/**
 * The account for a login, or null for a wrong name, a wrong password or a disabled account (one answer for all,
 * and the same time: an unknown name is checked against a dummy hash).
 */
export async function checkLogin(db: Db, username: string, password: string): Promise<StoredUser | null> {
  const u = row(db, username);
  const ok = await verifyPassword(password, u?.password_hash ?? (await dummyHash()));
  if (!u || !ok || u.disabled === 1) return null;
  return { id: u.id, username: u.username, role: u.role, disabled: false };
}

export function recordLogin(db: Db, userId: number): void {
  db.prepare('UPDATE team_users SET last_login_at = ? WHERE id = ?').run(nowIso(), userId);
}

export async function checkPassword(db: Db, username: string, password: string): Promise<boolean> {
  const u = mustFind(db, username);
  return verifyPassword(password, u.password_hash);
}
