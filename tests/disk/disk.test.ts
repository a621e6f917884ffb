import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newUpload } from '../../src/main/core/uploads';
import { sizeOf } from '../../src/main/features/disk/disk';
import type { Core } from '../../src/main/core/core';
import { nowIso } from '../../src/main/core/time';
import { tinyModelPath } from '../fixtures/gguf/generate';
import { addStudentModel } from '../export/fixtures';
import { ROOT, testCore, tempDir } from '../helpers';

/** A file as a browser sends it: copied into uploads/<id>/<name> by the server. */
function upload(core: Core, name: string, content: string | Buffer): string {
  const u = newUpload(core.paths, name);
  writeFileSync(u.file, content);
  return u.file;
}

const CSV =
  'text,label\n' + Array.from({ length: 30 }, (_, i) => `note ${i},${i % 2 ? 'a' : 'b'}\n`).join('');

describe('uploads are removed when their job ends', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it('after an import that succeeds or fails, after a model import (one copy of the GGUF), after a restore', async () => {
    const t = await testCore();
    closers.push(() => t.close());
    const { core } = t;
    const project = await core.call('projects.create', { name: 'Uploads' });
    const good = upload(core, 'notes.csv', CSV);
    // Preview and import name the same upload; the job's title carries the person's file name.
    await core.call('dataset.preview', { path: good });
    const job = await core.call('dataset.import', {
      projectId: project.id,
      path: good,
      textColumn: 'text',
      labelColumn: 'label',
    });
    expect((await core.jobs.wait(job.id)).state).toBe('completed');
    expect(existsSync(good)).toBe(false);

    const bad = upload(core, 'bad.csv', 'text,label\n"unterminated,a\n');
    const failing = await core.call('dataset.import', {
      projectId: project.id,
      path: bad,
      textColumn: 'text',
      onBadRow: 'abort',
    });
    const ended = await core.jobs.wait(failing.id);
    expect(['failed', 'completed']).toContain(ended.state);
    expect(existsSync(bad)).toBe(false);

    const gguf = upload(core, 'tiny.gguf', Buffer.alloc(0));
    copyFileSync(tinyModelPath(), gguf);
    const model = await core.jobs.wait((await core.call('teacher.importModel', { path: gguf })).id);
    expect(model.state).toBe('completed');
    expect(existsSync(gguf)).toBe(false);
    const ggufs = readdirSync(core.paths.models, { recursive: true }).filter((n) =>
      String(n).endsWith('.gguf'),
    );
    expect(ggufs).toHaveLength(1);

    const backup = await core.jobs.wait((await core.call('backup.create', { projectId: project.id })).id);
    const sent = upload(core, 'sent.distillery-backup', Buffer.alloc(0));
    copyFileSync((backup.result as { path: string }).path, sent);
    await core.call('backup.restore', { path: sent, name: 'Restored copy' });
    expect(existsSync(sent)).toBe(false);
    expect(readdirSync(core.paths.uploads)).toEqual([]);
  });

  it('keeps uploads a job can still resume, removes those of ended jobs at start', async () => {
    const data = tempDir();
    closers.push(data.cleanup);
    const first = await testCore({ dataDir: data.dir });
    const project = await first.core.call('projects.create', { name: 'Resumable' });
    const resumable = upload(first.core, 'big.csv', CSV);
    const ended = upload(first.core, 'done.csv', CSV);
    const previewed = upload(first.core, 'previewed.csv', CSV);
    const insert = first.core.db.prepare(
      `INSERT INTO jobs (project_id, kind, title, state, params, created_at, updated_at) VALUES (?, 'dataset.import', 'x', ?, ?, ?, ?)`,
    );
    insert.run(project.id, 'interrupted', JSON.stringify({ path: resumable }), nowIso(), nowIso());
    insert.run(project.id, 'completed', JSON.stringify({ path: ended }), nowIso(), nowIso());
    await first.close({ keep: true });
    const second = await testCore({ dataDir: data.dir });
    closers.push(() => second.close({ keep: true }));
    expect(existsSync(resumable)).toBe(true);
    expect(existsSync(ended)).toBe(false);
    expect(existsSync(previewed)).toBe(true);
    const usage = await second.core.call('disk.usage', { projectId: project.id });
    expect(usage.uploads.map((u) => [u.name, u.inUse]).sort()).toEqual([
      ['big.csv', true],
      ['previewed.csv', false],
    ]);
    const inUse = usage.uploads.find((u) => u.inUse)!;
    await expect(
      second.core.call('disk.deleteUpload', { projectId: project.id, uploadId: inUse.id }),
    ).rejects.toThrow(/can still run or resume/);
    const free = usage.uploads.find((u) => !u.inUse)!;
    expect(await second.core.call('disk.deleteUpload', { projectId: project.id, uploadId: free.id })).toEqual(
      {
        deletedBytes: CSV.length,
      },
    );
    expect(existsSync(previewed)).toBe(false);
  });
});

describe('disk use per project', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it('counts runs, exports and backups, and deletes a run only when told what depends on it', async () => {
    const t = await testCore({ seedDemo: true });
    closers.push(() => t.close());
    const { core } = t;
    const demo = core.db.prepare('SELECT id FROM projects WHERE is_demo = 1').pluck().get() as number;
    const used = addStudentModel(core, demo, { seed: 1 });
    const spare = addStudentModel(core, demo, { seed: 2 });
    core.db.prepare('UPDATE student_runs SET threshold = NULL WHERE id = ?').run(spare.runId);
    await core.call('export.student', { projectId: demo, runId: used.runId });
    await core.jobs.wait((await core.call('backup.create', { projectId: demo })).id);

    const usage = await core.call('disk.usage', { projectId: demo });
    const runDir = (id: number): string => join(core.paths.runs, `student-${id}`);
    expect(usage.runs.map((r) => r.runId).sort()).toEqual([used.runId, spare.runId].sort());
    expect(usage.runsBytes).toBe(sizeOf(runDir(used.runId)) + sizeOf(runDir(spare.runId)));
    expect(usage.runsBytes).toBeGreaterThan(0);
    expect(usage.exportsBytes).toBeGreaterThan(0);
    expect(usage.backupsBytes).toBe(sizeOf(join(core.paths.exports, 'backups')));
    expect(usage.rows).toBeGreaterThan(677);
    expect(usage.databaseBytes).toBeGreaterThan(0);
    expect(usage.totalBytes).toBe(
      usage.databaseBytes + usage.runsBytes + usage.uploadsBytes + usage.exportsBytes + usage.backupsBytes,
    );
    console.log(
      `[disk] demo project: ${JSON.stringify({ ...usage, runs: usage.runs.length, uploads: usage.uploads.length })}`,
    );
    const usedInfo = usage.runs.find((r) => r.runId === used.runId)!;
    expect(usedInfo).toMatchObject({ exports: 1, hasThreshold: true, active: false });

    await expect(core.call('disk.deleteRun', { projectId: demo, runId: used.runId })).rejects.toThrow(
      /exported 1 time.*Confirm to delete it anyway|threshold was saved.*Confirm/,
    );
    expect(existsSync(runDir(used.runId))).toBe(true);

    const removed = await core.call('disk.deleteRun', { projectId: demo, runId: spare.runId });
    expect(removed.deletedBytes).toBeGreaterThan(0);
    expect(existsSync(runDir(spare.runId))).toBe(false);
    expect(core.db.prepare('SELECT COUNT(*) FROM student_runs WHERE id = ?').pluck().get(spare.runId)).toBe(
      0,
    );

    await core.call('disk.deleteRun', { projectId: demo, runId: used.runId, force: true });
    expect(existsSync(runDir(used.runId))).toBe(false);
    expect(core.db.pragma('foreign_key_check')).toEqual([]);
    expect((await core.call('disk.usage', { projectId: demo })).runs).toEqual([]);
  });

  it('from the command line, with --json', async () => {
    const t = await testCore({ seedDemo: true });
    const demo = t.core.db.prepare('SELECT id FROM projects WHERE is_demo = 1').pluck().get() as number;
    const run = addStudentModel(t.core, demo, { seed: 3 });
    await t.close({ keep: true });
    closers.push(() => rmSync(t.dataDir, { recursive: true, force: true }));
    const cli = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', t.dataDir], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    const disk = cli('disk', String(demo), '--json');
    expect(disk.status).toBe(0);
    expect(JSON.parse(disk.stdout)).toMatchObject({
      projectId: demo,
      runs: [{ runId: run.runId, hasThreshold: true }],
    });
    const refused = cli('runs', 'delete', String(run.runId), '--json');
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: 'CONFLICT', message: /--force/ } });
    const deleted = cli('runs', 'delete', String(run.runId), '--force', '--json');
    expect(deleted.status).toBe(0);
    expect(JSON.parse(deleted.stdout).deletedBytes).toBeGreaterThan(0);
  });
});
