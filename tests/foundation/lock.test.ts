import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/shared/jobs';
import { acquireDataDirLock, LOCK_FILE } from '../../src/main/core/store/lock';
import { ROOT, tempDir, testCore } from '../helpers';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A real Distillery process (a core running a long test job) on `dir`; resolves once its job has made progress. */
async function startOwner(dir: string): Promise<{ child: ChildProcessWithoutNullStreams; jobId: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/foundation/fixtures/run-test-job.ts', dir, '10000', '20'],
    { cwd: ROOT },
  );
  closers.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const jobId = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /progress (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`exited early (${code})`)));
  });
  return { child, jobId };
}

/** A second process: the CLI listing jobs on the same folder. */
function secondCli(dir: string): { status: number | null; error: { code: string; message: string } } {
  const r = spawnSync(process.execPath, ['bin/distillery.mjs', 'jobs', 'list', '--json', '--data-dir', dir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (!r.stderr.startsWith('{'))
    throw new Error(`unexpected: ${r.status} ${r.signal} ${r.stdout} ${r.stderr}`);
  return {
    status: r.status,
    error: (JSON.parse(r.stderr) as { error: { code: string; message: string } }).error,
  };
}

function jobRow(dir: string, jobId: number): { state: string; progress_done: number } {
  const db = new Database(join(dir, 'distillery.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT state, progress_done FROM jobs WHERE id = ?').get(jobId) as {
      state: string;
      progress_done: number;
    };
  } finally {
    db.close();
  }
}

describe('one owner per data folder (an operating-system lock, not a PID file)', () => {
  it('refuses a second process with host and pid, even when the PID file is stale, replaced or gone; takes over after kill -9 and resumes the job once', async () => {
    const { dir, cleanup } = tempDir();
    closers.push(cleanup);
    const { child, jobId } = await startOwner(dir);

    // 1. A second real process is refused, says who holds the folder, and does not touch the running job.
    const second = secondCli(dir);
    expect(second.status).toBe(1);
    expect(second.error.code).toBe('DB_LOCKED');
    expect(second.error.message).toContain(`already running on host ${hostname()}`);
    expect(second.error.message).toContain(`pid ${child.pid}`);
    expect(second.error.message).toMatch(/close it first/);
    expect(jobRow(dir, jobId).state).toBe('running');

    // 2. The PID file is only a note: a stale pid, garbage or no file at all lets no one in while the owner lives.
    for (const replace of [
      () => writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 12345, host: 'elsewhere' })),
      () => writeFileSync(join(dir, LOCK_FILE), 'not json'),
      () => rmSync(join(dir, LOCK_FILE)),
    ]) {
      replace();
      expect(() => acquireDataDirLock(dir, 'test')).toThrow(/already running/);
      expect(jobRow(dir, jobId).state).toBe('running');
    }
    const again = secondCli(dir);
    expect(again.status).toBe(1);
    expect(again.error.code).toBe('DB_LOCKED');
    expect(jobRow(dir, jobId).state).toBe('running');

    // 3. kill -9: the kernel drops the lock with the process; the next start takes over and resumes exactly once.
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const killedAt = jobRow(dir, jobId).progress_done;
    const next = await testCore({ dataDir: dir });
    closers.unshift(() => next.close({ keep: true }));
    expect(next.core.jobs.get(jobId).state).toBe('interrupted');
    const seen: number[] = [];
    next.core.events.subscribe((e) => {
      if (e.name === 'job.updated' && (e.payload as Job).id === jobId)
        seen.push((e.payload as Job).progress.done);
    });
    await next.core.call('jobs.resume', { jobId });
    // A second resume while it runs is refused: one run of the job, not two.
    await expect(next.core.call('jobs.resume', { jobId })).rejects.toThrow(/running/);
    // It continues from its checkpoint (not from the start), in this process only; then it is stopped here.
    while (next.core.jobs.get(jobId).progress.done < killedAt + 20)
      await new Promise((r) => setTimeout(r, 20));
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(killedAt);
    expect(next.core.jobs.list()).toHaveLength(1);
    await next.core.call('jobs.cancel', { jobId });
    expect((await next.core.jobs.wait(jobId)).state).toBe('cancelled');
  }, 300_000);

  it('in one process: a second lock on the same folder is refused until the first is released', () => {
    const { dir, cleanup } = tempDir();
    closers.push(cleanup);
    const release = acquireDataDirLock(dir, 'test');
    expect(() => acquireDataDirLock(dir, 'cli')).toThrow(/already running on host .* \(test, pid \d+\)/);
    release();
    const again = acquireDataDirLock(dir, 'cli');
    again();
  });
});
