import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/main/core/errors';
import { applyMigration, migrate, openDatabase, schemaVersion } from '../../src/main/core/store/db';
import { acquireDataDirLock } from '../../src/main/core/store/lock';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/main/core/store/migrations';
import { tempDir } from '../helpers';

function schemaSnapshot(db: Database.Database): string[] {
  return (
    db
      .prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name",
      )
      .all() as Array<{ type: string; name: string; sql: string }>
  ).map((r) => `${r.type} ${r.name}: ${r.sql.replace(/\s+/g, ' ')}`);
}

describe('store', () => {
  const dirs: Array<() => void> = [];
  afterEach(() => dirs.splice(0).forEach((c) => c()));
  function dir(): string {
    const t = tempDir();
    dirs.push(t.cleanup);
    return t.dir;
  }

  it('migrates an empty database to the current schema with WAL, foreign keys and STRICT tables', () => {
    const db = openDatabase(join(dir(), 'a.db'));
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE TABLE%'")
      .all() as Array<{
      name: string;
      sql: string;
    }>;
    const v1 = [
      'projects',
      'labels',
      'datasets',
      'examples',
      'annotations',
      'teacher_models',
      'teacher_runs',
      'teacher_outputs',
      'student_runs',
      'checkpoints',
      'metrics',
      'jobs',
      'audit_log',
      'settings',
    ];
    for (const name of v1) expect(tables.map((t) => t.name)).toContain(name);
    // FTS5 keeps its index in shadow tables (<name>_data, ...) that SQLite creates itself and cannot be STRICT.
    const virtual = (
      db.prepare("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'").all() as Array<{
        name: string;
      }>
    ).map((v) => v.name);
    // sqlite_sequence is SQLite's own (AUTOINCREMENT's record of the highest id given).
    const own = tables.filter(
      (t) => t.name !== 'sqlite_sequence' && !virtual.some((v) => t.name.startsWith(`${v}_`)),
    );
    expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    for (const t of own) expect(t.sql, t.name).toMatch(/STRICT\s*$/);
    db.close();
  });

  it('upgrades a database left at schema v1 by an older version, keeping its rows', () => {
    const file = join(dir(), 'old.db');
    const old = new Database(file);
    migrate(old, 1);
    old.prepare("INSERT INTO projects (name, created_at, updated_at) VALUES ('kept', 'x', 'x')").run();
    expect(schemaVersion(old)).toBe(1);
    old.close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT name FROM projects').get()).toEqual({ name: 'kept' });
    db.close();
  });

  it('matches the schema snapshot (a schema change must update the snapshot on purpose)', () => {
    const db = openDatabase(join(dir(), 'snap.db'));
    expect(schemaSnapshot(db)).toMatchSnapshot();
    db.close();
  });

  it('refuses a database from a newer version and leaves it untouched', () => {
    const file = join(dir(), 'new.db');
    const newer = new Database(file);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    newer.close();
    expect(() => openDatabase(file)).toThrow(/newer version of Distillery/);
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 5);
    expect(check.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({
      n: 0,
    });
    check.close();
  });

  it('refuses a file that is not SQLite with a clear message', () => {
    const file = join(dir(), 'notes.db');
    writeFileSync(file, 'These are my meeting notes, not a database. '.repeat(20));
    try {
      openDatabase(file);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('DB_NOT_SQLITE');
      expect((e as AppError).message).toMatch(/not a Distillery database/);
    }
  });

  it('rolls back a failing migration completely', () => {
    const file = join(dir(), 'rollback.db');
    const db = new Database(file);
    const broken = [...MIGRATIONS];
    expect(() =>
      db.transaction(() => {
        for (const m of broken) applyMigration(db, m);
        db.exec('CREATE TABLE projects (id INTEGER)'); // fails: exists
      })(),
    ).toThrow();
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({
      n: 0,
    });
    db.close();
  });

  it('takes over the lock of a process that is gone: the PID file is only a note', () => {
    const d = dir();
    const release = acquireDataDirLock(d, 'test');
    release();
    writeFileSync(join(d, 'distillery.lock'), JSON.stringify({ pid: 1, owner: 'electron' }));
    const again = acquireDataDirLock(d, 'test');
    again();
  });
});
