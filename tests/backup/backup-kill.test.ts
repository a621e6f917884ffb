import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackupResult } from '../../src/shared/backup';
import { ROOT, tempDir, testCore } from '../helpers';

/** Sizes of what lies in the data folder's tmp (killed backups leave database copies there). */
function tmpEntries(dataDir: string): string[] {
  const tmp = join(dataDir, 'tmp');
  return existsSync(tmp) ? readdirSync(tmp) : [];
}

describe('a backup killed with SIGKILL', () => {
  const data = tempDir();
  afterAll(() => data.cleanup());

  it('leaves no temporary copy after the next start, and its job resumes to a verified backup', async () => {
    // A project large enough that the backup is caught while it works: 120,000 rows and a 48 MB run file.
    const setup = await testCore({ dataDir: data.dir });
    const project = await setup.core.call('projects.create', { name: 'Large ward' });
    const insert = setup.core.db.prepare(
      "INSERT INTO examples (project_id, text, length, created_at) VALUES (?, ?, ?, 'x')",
    );
    setup.core.db.transaction(() => {
      for (let i = 0; i < 120_000; i++) {
        const text = `Patient ${i}: ${randomBytes(90).toString('base64')}`;
        insert.run(project.id, text, text.length);
      }
    })();
    const runDir = join(setup.core.paths.runs, 'student-1', 'best');
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'weights.bin'), randomBytes(48 * 1024 * 1024));
    const now = new Date().toISOString();
    setup.core.db
      .prepare(
        `INSERT INTO student_runs (id, project_id, architecture, labels_snapshot, state, model_path, created_at)
         VALUES (1, ?, 'fasttext', '[]', 'completed', ?, ?)`,
      )
      .run(project.id, runDir, now);
    await setup.close({ keep: true });

    const child = spawn(
      process.execPath,
      ['bin/distillery.mjs', 'backup', String(project.id), '--data-dir', data.dir],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let progress = '';
    child.stderr.on('data', (d: Buffer) => (progress += d.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    // Killed while it works: once its temporary copy of the database has grown past a few MB.
    let seen = 0;
    for (let i = 0; i < 3000 && child.exitCode === null; i++) {
      const copy = tmpEntries(data.dir).find((n) => n.startsWith('backup-') && n.endsWith('.db'));
      if (copy) {
        try {
          seen = statSync(join(data.dir, 'tmp', copy)).size;
        } catch {
          seen = 0;
        }
        if (seen > 4 * 1024 * 1024) break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(child.exitCode).toBeNull();
    child.kill('SIGKILL');
    await exited;
    const left = tmpEntries(data.dir);
    console.log(
      `[backup-kill] killed with a ${(seen / 1024 / 1024).toFixed(1)} MB temporary copy; tmp held ${left.join(', ')}`,
    );
    expect(left.some((n) => n.startsWith('backup-'))).toBe(true);

    const after = await testCore({ dataDir: data.dir });
    try {
      expect(tmpEntries(data.dir)).toEqual([]);
      const job = after.core.jobs.list({}).find((j) => j.kind === 'export.backup');
      expect(job?.state).toBe('interrupted');
      await after.core.call('jobs.resume', { jobId: job!.id });
      const done = await after.core.jobs.wait(job!.id);
      expect(done.state).toBe('completed');
      const r = done.result as BackupResult;
      const summary = await after.core.call('backup.inspect', { path: r.path });
      expect(summary).toMatchObject({ projectName: 'Large ward', files: 1 });
      expect(summary.rows).toBeGreaterThan(120_000);
      expect(tmpEntries(data.dir)).toEqual([]);
      expect(readdirSync(join(data.dir, 'exports', 'backups'))).toEqual([r.fileName]);
    } finally {
      await after.close({ keep: true });
    }
  });
});
