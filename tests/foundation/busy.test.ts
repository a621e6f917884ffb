import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { retryBusy } from '../../src/main/core/store/db';
import { ROOT, testCore } from '../helpers';
import { startTestJob } from '../testJob';

/** Starts a second process that holds the write lock of `file` for `ms`; resolves when it holds it. */
async function holdWriteLock(file: string, ms: number): Promise<Promise<void>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/foundation/fixtures/hold-write-lock.ts', file, String(ms)],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('held')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`holder exited early (${code})`)));
  });
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('a busy database', () => {
  it('does not end a job or the process when another connection holds the write lock longer than the busy timeout', async () => {
    const t = await testCore();
    try {
      const unhandled: unknown[] = [];
      const onUnhandled = (e: unknown): void => void unhandled.push(e);
      process.on('unhandledRejection', onUnhandled);
      const job = await startTestJob(t.core, { steps: 400, stepMs: 10 });
      while (t.core.jobs.get(job.id).progress.done < 5) await new Promise((r) => setTimeout(r, 10));
      // 7 s: longer than the 5 s busy timeout of one statement, so progress and checkpoints meet SQLITE_BUSY.
      const released = await holdWriteLock(join(t.dataDir, 'distillery.db'), 7000);
      const final = await t.core.jobs.wait(job.id);
      await released;
      process.off('unhandledRejection', onUnhandled);
      expect(unhandled).toEqual([]);
      expect(final).toMatchObject({ state: 'completed', progress: { done: 400, total: 400 } });
      const row = t.core.db.prepare('SELECT checkpoint FROM jobs WHERE id = ?').get(job.id) as {
        checkpoint: string;
      };
      expect(JSON.parse(row.checkpoint)).toEqual({ step: 400 });
    } finally {
      await t.close();
    }
  }, 120_000);

  it('retries only busy errors, and gives up after the attempts it was given', () => {
    let calls = 0;
    const busy = (): never => {
      calls++;
      throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    };
    expect(() => retryBusy(busy, 3)).toThrow(/database is locked/);
    expect(calls).toBe(3);
    let n = 0;
    expect(
      retryBusy(() => {
        if (++n < 3) busy();
        return 'written';
      }),
    ).toBe('written');
    calls = 0;
    expect(() =>
      retryBusy(() => {
        calls++;
        throw new Error('other');
      }),
    ).toThrow('other');
    expect(calls).toBe(1);
  });
});
