import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/shared/jobs';
import { spawn } from 'node:child_process';
import { ROOT, tempDir, testCore } from '../helpers';
import { z } from 'zod';
import { startTestJob, TEST_JOB_KIND } from '../testJob';

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('jobs', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('runs to completion with progress, rate and ETA, pushing events', async () => {
    const t = await testCore();
    closers.push(() => t.close());
    const seen: Job[] = [];
    t.core.events.subscribe((e) => {
      if (e.name === 'job.updated') seen.push(e.payload as Job);
    });
    const job = await startTestJob(t.core, { steps: 20, stepMs: 15 });
    const final = await t.core.jobs.wait(job.id);
    expect(final.state).toBe('completed');
    expect(final.progress).toMatchObject({ done: 20, total: 20 });
    expect(final.result).toEqual({ steps: 20 });
    const running = seen.filter((j) => j.state === 'running' && j.progress.done > 2);
    expect(running.length).toBeGreaterThan(0);
    expect(running.some((j) => (j.progress.rate ?? 0) > 0 && j.progress.etaSeconds !== null)).toBe(true);
  });

  it('pauses, resumes and cancels', async () => {
    const t = await testCore();
    closers.push(() => t.close());
    const job = await startTestJob(t.core, { steps: 200, stepMs: 5 });
    await until(() => t.core.jobs.get(job.id).progress.done >= 3);
    await t.core.call('jobs.pause', { jobId: job.id });
    await new Promise((r) => setTimeout(r, 100));
    const pausedAt = t.core.jobs.get(job.id).progress.done;
    await new Promise((r) => setTimeout(r, 150));
    expect(t.core.jobs.get(job.id)).toMatchObject({ state: 'paused' });
    expect(t.core.jobs.get(job.id).progress.done).toBeLessThanOrEqual(pausedAt + 1);
    await t.core.call('jobs.resume', { jobId: job.id });
    await until(() => t.core.jobs.get(job.id).progress.done > pausedAt + 3);
    const cancelled = await t.core.call('jobs.cancel', { jobId: job.id });
    expect(cancelled.state).toBe('cancelled');
    const final = await t.core.jobs.wait(job.id);
    expect(final.state).toBe('cancelled');
    expect(final.progress.done).toBeLessThan(200);
  });

  it('refuses to pause a job that is not running, with a typed error', async () => {
    const t = await testCore();
    closers.push(() => t.close());
    const job = await startTestJob(t.core, { steps: 1, stepMs: 0 });
    await t.core.jobs.wait(job.id);
    const r = await t.core.invoke('jobs.pause', { jobId: job.id });
    expect(r).toMatchObject({ ok: false, error: { code: 'JOB_STATE' } });
  });

  it('after a kill shows the job as interrupted, and resuming continues from its checkpoint', async () => {
    const { dir, cleanup } = tempDir();
    closers.push(async () => cleanup());
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'tests/foundation/fixtures/run-test-job.ts', dir],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const jobId = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        const m = /progress (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited early (${code})`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const again = await testCore({ dataDir: dir });
    closers.unshift(() => again.close({ keep: true }));
    const after = again.core.jobs.get(jobId);
    expect(after.state).toBe('interrupted');
    expect(after.progress.done).toBeGreaterThanOrEqual(10);
    const doneSeen: number[] = [];
    again.core.events.subscribe((e) => {
      if (e.name === 'job.updated') doneSeen.push((e.payload as Job).progress.done);
    });
    await again.core.call('jobs.resume', { jobId });
    const final = await again.core.jobs.wait(jobId);
    expect(final.state).toBe('completed');
    expect(final.progress.done).toBe(60);
    // It continued from its checkpoint instead of starting over.
    expect(Math.min(...doneSeen)).toBeGreaterThanOrEqual(10);
  });
});

describe('failed jobs', () => {
  it('keep the error code of their failure, for the CLI and the UI', async () => {
    const { JobManager } = await import('../../src/main/core/jobs/jobs');
    const { AppError } = await import('../../src/main/core/errors');
    const t = await testCore();
    try {
      const jobs = new JobManager(t.core.db, t.core.events);
      jobs.registerExtension(TEST_JOB_KIND, {
        result: z.null(),
        run: async () => {
          throw new AppError('BAD_FILE', 'This file is not a model.');
        },
      });
      const job = jobs.startExtension(TEST_JOB_KIND, { title: 'failing', params: {} });
      const final = await jobs.wait(job.id);
      expect(final).toMatchObject({
        state: 'failed',
        error: 'This file is not a model.',
        errorCode: 'BAD_FILE',
        result: null,
      });
    } finally {
      await t.close();
    }
  });
});

describe('stored params and checkpoints', () => {
  it('are parsed with the kind schemas: a damaged row fails its job with what is wrong, its runner never called', async () => {
    const { JobManager } = await import('../../src/main/core/jobs/jobs');
    const t = await testCore();
    try {
      const jobs = new JobManager(t.core.db, t.core.events);
      const seen: unknown[] = [];
      jobs.register('review.bulkAccept', async (ctl) => {
        seen.push(ctl.checkpoint);
        return { accepted: ctl.checkpoint?.accepted ?? 0 };
      });
      const params = {
        projectId: 1,
        queue: { kind: 'unreviewed' },
        minConfidence: 0.9,
        annotator: 'a',
        stamp: 's',
      };
      const row = (p: string, checkpoint: string | null): number =>
        Number(
          t.core.db
            .prepare(
              `INSERT INTO jobs (project_id, kind, title, state, params, checkpoint, created_at, updated_at)
               VALUES (NULL, 'review.bulkAccept', 'bulk', 'interrupted', ?, ?, '', '')`,
            )
            .run(p, checkpoint).lastInsertRowid,
        );
      const resumed = async (id: number) => {
        jobs.resume(id);
        return jobs.wait(id);
      };

      const good = await resumed(row(JSON.stringify(params), JSON.stringify({ accepted: 7 })));
      expect(good).toMatchObject({ state: 'completed', result: { accepted: 7 } });
      expect(seen).toEqual([{ accepted: 7 }]);

      const badParams = await resumed(row(JSON.stringify({ ...params, minConfidence: 'high' }), null));
      expect(badParams).toMatchObject({
        state: 'failed',
        errorCode: 'INTERNAL',
        errorKey: 'core.jobParamsUnreadable',
      });
      expect(badParams.error).toContain('minConfidence');
      expect(badParams.error).toContain(String(badParams.id));

      const badCheckpoint = await resumed(row(JSON.stringify(params), JSON.stringify({ accepted: 'many' })));
      expect(badCheckpoint).toMatchObject({ state: 'failed', errorKey: 'core.jobCheckpointUnreadable' });
      expect(badCheckpoint.error).toContain('accepted');

      const notJson = await resumed(row(JSON.stringify(params), '{"accepted": 3'));
      expect(notJson).toMatchObject({ state: 'failed', errorKey: 'core.jobCheckpointUnreadable' });
      expect(notJson.error).toContain('not JSON');
      expect(seen).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('are checked when a job starts: params its kind would not parse back are refused before a row exists', async () => {
    const { JobManager } = await import('../../src/main/core/jobs/jobs');
    const t = await testCore();
    try {
      const jobs = new JobManager(t.core.db, t.core.events);
      jobs.register('student.train', async (ctl) => {
        throw new Error(`not run: ${ctl.params.runId}`);
      });
      const before = jobs.list().length;
      // A caller that lost its types (JSON from elsewhere) is what the check is for.
      const params = JSON.parse('{"runId": "7"}') as { runId: number };
      expect(() => jobs.start('student.train', { title: 'train', params })).toThrow(/runId/);
      expect(jobs.list()).toHaveLength(before);
    } finally {
      await t.close();
    }
  });
});
