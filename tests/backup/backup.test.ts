import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import type { BackupResult } from '../../src/shared/backup';
import { AppError } from '../../src/main/core/errors';
import { testCore, tempDir } from '../helpers';
import { addRunArtifacts } from '../export/fixtures';

type Row = Record<string, unknown>;

/** Every row of a project, table by table, with the data folder's path replaced so that two folders compare. */
function projectRows(core: Core, projectId: number): Record<string, Row[]> {
  const db = core.db;
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  const out: Record<string, Row[]> = {};
  const q = (sql: string, ...args: unknown[]): Row[] => db.prepare(sql).all(...args) as Row[];
  for (const t of tables) {
    const cols = (db.prepare(`PRAGMA table_info("${t}")`).all() as Array<{ name: string }>).map(
      (c) => c.name,
    );
    let rows: Row[];
    if (t === 'projects') rows = q('SELECT * FROM projects WHERE id = ?', projectId);
    else if (t === 'teacher_outputs')
      rows = q(
        'SELECT * FROM teacher_outputs WHERE run_id IN (SELECT id FROM teacher_runs WHERE project_id = ?) ORDER BY run_id, example_id',
        projectId,
      );
    else if (t === 'checkpoints')
      rows = q(
        'SELECT * FROM checkpoints WHERE run_id IN (SELECT id FROM student_runs WHERE project_id = ?) ORDER BY id',
        projectId,
      );
    else if (t.endsWith('_counts') && cols.includes('project_id'))
      // Counts kept by triggers (migrations 022, 023): the restore's inserts count again, in their own order.
      rows = q(`SELECT * FROM "${t}" WHERE project_id = ? AND n <> 0 ORDER BY 1, 2, 3`, projectId);
    else if (cols.includes('project_id'))
      rows = q(`SELECT * FROM "${t}" WHERE project_id = ? ORDER BY rowid`, projectId);
    else continue;
    out[t] = JSON.parse(JSON.stringify(rows).split(core.paths.dataDir).join('<DATA>')) as Row[];
  }
  return out;
}

function fileHashes(root: string, under: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  if (existsSync(join(root, under))) walk(join(root, under));
  return out;
}

async function expectAppError(p: () => unknown, code: string, message?: RegExp): Promise<void> {
  let caught: unknown = null;
  try {
    await p();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe(code);
  if (message) expect((caught as AppError).message).toMatch(message);
}

describe('project backup and restore', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function original(): Promise<{ core: Core; projectId: number; backup: string; dir: string }> {
    const t = await testCore({ seedDemo: true });
    closers.push(() => t.close());
    const projectId = t.core.db.prepare('SELECT id FROM projects WHERE is_demo = 1').pluck().get() as number;
    addRunArtifacts(t.core, projectId);
    // A second project whose rows and files must not leak into the backup.
    const other = await t.core.call('projects.create', { name: 'Other ward' });
    t.core.db
      .prepare(
        "INSERT INTO labels (project_id, name, position, created_at) VALUES (?, 'urgent', 0, 'x'), (?, 'routine', 1, 'x')",
      )
      .run(other.id, other.id);
    t.core.db
      .prepare(
        "INSERT INTO examples (project_id, text, length, created_at) VALUES (?, 'Secret note of another ward', 27, 'x')",
      )
      .run(other.id);
    addRunArtifacts(t.core, other.id);
    const job = await t.core.call('backup.create', { projectId });
    const done = await t.core.jobs.wait(job.id);
    expect(done.state).toBe('completed');
    const r = done.result as BackupResult;
    expect(r.files).toBe(4);
    return { core: t.core, projectId, backup: r.path, dir: t.dataDir };
  }

  it('backs up a project while the app runs and restores it on an empty data folder with every row and file equal', async () => {
    const src = await original();
    const bytes = readFileSync(src.backup);
    expect(bytes.includes(Buffer.from('Secret note of another ward'))).toBe(false);

    const dst = await testCore();
    closers.push(() => dst.close());
    const summary = await dst.core.call('backup.inspect', { path: src.backup });
    expect(summary).toMatchObject({ projectName: 'Demo: unfair contract terms', nameTaken: false, files: 4 });
    const restored = await dst.core.call('backup.restore', { path: src.backup });
    expect(restored.idsRemapped).toBe(false);
    expect(restored.projectId).toBe(src.projectId);

    const before = projectRows(src.core, src.projectId);
    // The backup's own job is not part of what it backs up.
    expect(before.jobs.filter((j) => j.kind === 'export.backup')).toHaveLength(1);
    before.jobs = before.jobs.filter((j) => j.kind !== 'export.backup');
    const after = projectRows(dst.core, restored.projectId);
    const restoreAudit = after.audit_log.filter((r) => r.action === 'restore');
    expect(restoreAudit).toHaveLength(1);
    after.audit_log = after.audit_log.filter((r) => r.action !== 'restore');
    // The teacher model library belongs to a machine, not to a project: its GGUF file is not in the backup, so the
    // run keeps the model's checksum and loses only the link to a library entry that does not exist here.
    expect(after.teacher_runs.map((r) => r.model_id)).toEqual([null]);
    expect(after.teacher_runs.map((r) => r.model_sha256)).toEqual(
      before.teacher_runs.map((r) => r.model_sha256),
    );
    after.teacher_runs = after.teacher_runs.map((r) => ({ ...r, model_id: before.teacher_runs[0].model_id }));
    expect(after).toEqual(before);
    // The label counts kept by triggers (migration 023) are not carried: the restore's inserts count them again.
    const counts = (core: Core, projectId: number): Promise<unknown> =>
      core.call('review.counts', { projectId, queue: { kind: 'all' } });
    const restoredCounts = (await counts(dst.core, restored.projectId)) as { counts: { all: number } };
    expect(restoredCounts).toEqual(await counts(src.core, src.projectId));
    expect(restoredCounts.counts.all).toBeGreaterThan(600);
    expect(before.examples.length).toBeGreaterThan(600);
    expect(before.teacher_outputs.length).toBe(40);
    // Nothing of the other project came along.
    expect(dst.core.db.prepare('SELECT COUNT(*) FROM projects').pluck().get()).toBe(1);
    expect(dst.core.db.prepare('SELECT COUNT(*) FROM examples').pluck().get()).toBe(before.examples.length);
    expect(dst.core.db.prepare('SELECT COUNT(*) FROM teacher_models').pluck().get()).toBe(0);

    const runDir = `student-${before.student_runs[0].id as number}`;
    const srcFiles = fileHashes(src.dir, join('runs', runDir));
    expect(Object.keys(srcFiles)).toHaveLength(4);
    expect(fileHashes(dst.dataDir, join('runs', runDir))).toEqual(srcFiles);
    expect(fileHashes(dst.dataDir, 'runs')).toEqual(srcFiles);
  });

  it('restores beside the original only under a new name, renumbering rows and relocating files', async () => {
    const src = await original();
    await expectAppError(
      () => src.core.call('backup.restore', { path: src.backup }),
      'CONFLICT',
      /already exists.*another name/,
    );
    const countBefore = src.core.db.prepare('SELECT COUNT(*) FROM examples').pluck().get() as number;
    const summary = await src.core.call('backup.inspect', { path: src.backup });
    expect(summary.nameTaken).toBe(true);
    const restored = await src.core.call('backup.restore', { path: src.backup, name: summary.suggestedName });
    expect(restored.idsRemapped).toBe(true);
    expect(restored.projectId).not.toBe(src.projectId);
    const a = projectRows(src.core, src.projectId);
    const b = projectRows(src.core, restored.projectId);
    expect(b.examples.map((e) => e.text)).toEqual(a.examples.map((e) => e.text));
    expect(src.core.db.prepare('SELECT COUNT(*) FROM examples').pluck().get()).toBe(
      countBefore + a.examples.length,
    );
    // The restored student run points at its own copy of the model, and its label snapshot at its own labels.
    const run = b.student_runs[0];
    const modelPath = String(run.model_path).replace('<DATA>', src.core.paths.dataDir);
    expect(modelPath).not.toBe(
      String(a.student_runs[0].model_path).replace('<DATA>', src.core.paths.dataDir),
    );
    expect(existsSync(join(modelPath, 'weights.bin'))).toBe(true);
    // Where the student feature looks for a run's files: runs/student-<run id>.
    expect(modelPath).toBe(join(src.core.paths.runs, `student-${run.id as number}`, 'best'));
    const snapshot = JSON.parse(String(run.labels_snapshot)) as Array<{ id: number; name: string }>;
    expect(snapshot.map((l) => l.id).sort()).toEqual(b.labels.map((l) => l.id as number).sort());
    // Restored jobs that would resume with the original's ids are not resumable.
    expect(b.jobs.every((j) => j.state === 'cancelled')).toBe(true);
    // The teacher model of the library is shared, not duplicated.
    expect(src.core.db.prepare('SELECT COUNT(*) FROM teacher_models').pluck().get()).toBe(2);
    expect(src.core.db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  });

  it('refuses a truncated, edited or newer backup with a clear message and changes nothing', async () => {
    const src = await original();
    const dst = await testCore();
    closers.push(() => dst.close());
    const { dir, cleanup } = tempDir('distillery-bad-backup-');
    closers.push(async () => cleanup());
    const state = (): unknown => [
      dst.core.db.prepare('SELECT COUNT(*) FROM projects').pluck().get(),
      readdirSync(dst.core.paths.runs),
    ];
    const stateBefore = state();

    const truncated = join(dir, 'truncated.distillery-backup');
    copyFileSync(src.backup, truncated);
    truncateSync(truncated, Math.floor(statSync(truncated).size / 2));
    await expectAppError(
      () => dst.core.call('backup.restore', { path: truncated }),
      'BAD_FILE',
      /truncated or damaged/,
    );

    const edited = join(dir, 'edited.distillery-backup');
    copyFileSync(src.backup, edited);
    const e = new Database(edited);
    e.prepare("UPDATE examples SET text = 'tampered' WHERE rowid = (SELECT MIN(rowid) FROM examples)").run();
    e.close();
    await expectAppError(
      () => dst.core.call('backup.restore', { path: edited }),
      'BAD_FILE',
      /examples rows does not match/,
    );

    const editedFile = join(dir, 'edited-file.distillery-backup');
    copyFileSync(src.backup, editedFile);
    const f = new Database(editedFile);
    f.prepare(
      'UPDATE distillery_backup_files SET data = zeroblob(length(data)) WHERE rowid = (SELECT MIN(rowid) FROM distillery_backup_files)',
    ).run();
    f.close();
    await expectAppError(
      () => dst.core.call('backup.inspect', { path: editedFile }),
      'BAD_FILE',
      /checksum of runs/,
    );

    const newer = join(dir, 'newer.distillery-backup');
    copyFileSync(src.backup, newer);
    const n = new Database(newer);
    const m = JSON.parse(
      n.prepare('SELECT json FROM distillery_backup_manifest').pluck().get() as string,
    ) as {
      schemaVersion: number;
    };
    n.prepare('UPDATE distillery_backup_manifest SET json = ?').run(
      JSON.stringify({ ...m, schemaVersion: 999 }),
    );
    n.close();
    await expectAppError(
      () => dst.core.call('backup.restore', { path: newer }),
      'DB_NEWER_VERSION',
      /newer Distillery/,
    );

    const notBackup = join(dir, 'notes.txt');
    copyFileSync(join(src.dir, 'distillery.lock'), notBackup);
    await expectAppError(
      () => dst.core.call('backup.restore', { path: notBackup }),
      'BAD_FILE',
      /not a backup file/,
    );

    expect(state()).toEqual(stateBefore);
  });

  it('cancels a backup job without leaving a file or a temporary copy behind', async () => {
    const t = await testCore({ seedDemo: true });
    closers.push(() => t.close());
    const projectId = t.core.db.prepare('SELECT id FROM projects WHERE is_demo = 1').pluck().get() as number;
    const job = await t.core.call('backup.create', { projectId });
    await t.core.call('jobs.cancel', { jobId: job.id });
    const done = await t.core.jobs.wait(job.id);
    expect(done.state).toBe('cancelled');
    const backups = join(t.dataDir, 'exports', 'backups');
    expect(existsSync(backups) ? readdirSync(backups) : []).toEqual([]);
    expect(readdirSync(t.core.paths.tmp)).toEqual([]);
  });
});
