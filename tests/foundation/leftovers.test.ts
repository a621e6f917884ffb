import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, tempDir, testCore } from '../helpers';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A tiny tmpfs (root only, as here): a disk that really fills up. */
function tinyDisk(bytes: number): string {
  const { dir, cleanup } = tempDir('distillery-full-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  closers.push(() => {
    execFileSync('umount', [dir]);
    cleanup();
  });
  return dir;
}

describe('a full disk', () => {
  it.each([2, 3, 5, 8, 12])(
    '(%i MiB) fails an import with DISK_FULL and leaves no job running and no staged rows',
    async (mib) => {
      const disk = tinyDisk(mib * 1024 * 1024);
      const src = tempDir('distillery-src-');
      closers.push(src.cleanup);
      const lines = ['text,label'];
      for (let i = 0; i < 40_000; i++)
        lines.push(`"row ${i}: ${'a fairly long sentence of filler words '.repeat(3)}",l${i % 4}`);
      const file = join(src.dir, 'big.csv');
      writeFileSync(file, lines.join('\n'));
      const t = await testCore({ dataDir: join(disk, 'data') });
      closers.push(() => t.close({ keep: true }));
      const p = await t.core.call('projects.create', { name: 'Full' });
      const started = await t.core.call('dataset.import', {
        projectId: p.id,
        path: file,
        textColumn: 'text',
        labelColumn: 'label',
      });
      const job = await t.core.jobs.wait(started.id);
      const staged = (): number =>
        (t.core.db.prepare('SELECT COUNT(*) AS n FROM import_staging').get() as { n: number }).n;
      const row = (): { state: string } =>
        t.core.db.prepare('SELECT state FROM jobs WHERE id = ?').get(job.id) as { state: string };
      console.log(`disk ${mib} MiB: job ${job.state}, staged rows ${staged()}`);
      expect(job).toMatchObject({ state: 'failed', errorCode: 'DISK_FULL', result: null });
      expect(job.error).toMatch(/disk .*is full/);
      expect(row().state).toBe('failed');
      expect(staged()).toBe(0);
      // Nor a staging file: the disk space it took is given back.
      expect(readdirSync(join(disk, 'data', 'tmp')).filter((f) => f.includes('staging'))).toEqual([]);
      expect(t.core.db.pragma('integrity_check', { simple: true })).toBe('ok');
      // The rows it wrote go with it, at once when the room let go at the failure holds their removal, or else at
      // the first start with room (the failed job keeps its checkpoint until then).
      const left = (await t.core.call('projects.get', { projectId: p.id })).exampleCount;
      const checkpoint = (): unknown =>
        t.core.db.prepare('SELECT checkpoint FROM jobs WHERE id = ?').pluck().get(job.id);
      if (left > 0) expect(checkpoint()).not.toBeNull();
      await t.close({ keep: true });
      execFileSync('mount', ['-o', `remount,size=${64 * 1024 * 1024}`, disk]);
      const again = await testCore({ dataDir: join(disk, 'data') });
      closers.push(() => again.close({ keep: true }));
      expect((await again.core.call('projects.get', { projectId: p.id })).exampleCount).toBe(0);
      expect(again.core.db.prepare('SELECT COUNT(*) FROM datasets').pluck().get()).toBe(0);
      expect(again.core.db.pragma('integrity_check', { simple: true })).toBe('ok');
    },
    300_000,
  );
});

/** Starts the kill target on `dir`; resolves once its job has done at least `fraction` of its work. */
async function startTarget(
  dir: string,
  what: 'teacher' | 'train',
  fraction: number,
): Promise<{ child: ChildProcessWithoutNullStreams; jobId: number; at: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/foundation/fixtures/kill-target.ts', dir, what],
    {
      cwd: ROOT,
    },
  );
  closers.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const reached = await new Promise<{ jobId: number; at: string }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/progress (\d+) (\d+) (\d+)/g)) {
        const [done, total] = [Number(m[2]), Number(m[3])];
        if (total > 0 && done >= fraction * total) resolve({ jobId: Number(m[1]), at: `${done}/${total}` });
      }
    });
    child.once('exit', (code) => reject(new Error(`target exited early (${code}): ${stderr}`)));
  });
  return { child, ...reached };
}

async function kill9(child: ChildProcessWithoutNullStreams): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('kill -9 at random points, then resume', () => {
  it.each(['train', 'teacher'] as const)(
    'a %s job: run and job agree after each kill, no partial files remain, and the resumed job counts every unit once',
    async (what) => {
      const { dir, cleanup } = tempDir();
      closers.push(cleanup);
      const points: string[] = [];
      let jobId = 0;
      for (let k = 0; k < 3; k++) {
        // A random point in the k-th third of the work.
        const fraction = (k + 0.1 + 0.5 * Math.random()) / 3;
        const target = await startTarget(dir, what, fraction);
        jobId = target.jobId;
        await kill9(target.child);
        points.push(`kill ${k + 1} at ${target.at}`);
      }
      console.log(`${what}: ${points.join(', ')}`);

      const t = await testCore({ dataDir: dir });
      closers.push(() => t.close({ keep: true }));
      const db = t.core.db;
      // After start-up: nothing left half-written, and the run says what its job says.
      expect(
        readdirSync(join(dir, 'runs'), { recursive: true }).filter((f) => /\.tmp-\d+$/.test(String(f))),
      ).toEqual([]);
      const job = t.core.jobs.get(jobId);
      if (job.state !== 'completed') {
        expect(job.state).toBe('interrupted');
        if (what === 'train') {
          const run = db.prepare('SELECT state FROM student_runs WHERE job_id = ?').get(jobId) as {
            state: string;
          };
          expect(run.state).toBe('interrupted');
        }
        await t.core.call('jobs.resume', { jobId });
      }
      const final = await t.core.jobs.wait(jobId);
      expect(final.state).toBe('completed');
      if (what === 'train') {
        const run = db
          .prepare('SELECT id, state, best_epoch FROM student_runs WHERE job_id = ?')
          .get(jobId) as {
          id: number;
          state: string;
          best_epoch: number;
        };
        expect(run.state).toBe('completed');
        const epochs = (
          db
            .prepare(
              "SELECT epoch FROM metrics WHERE student_run_id = ? AND name = 'trainLoss' ORDER BY epoch",
            )
            .all(run.id) as Array<{ epoch: number }>
        ).map((e) => e.epoch);
        // Each epoch's curve point once, in order, however often it was killed (early stopping may end before 8).
        expect(epochs).toEqual(epochs.map((_e, i) => i + 1));
        expect(run.best_epoch).toBeGreaterThanOrEqual(1);
        const curve = { n: epochs.length, d: new Set(epochs).size };
        expect(curve.n).toBe(curve.d);
      } else {
        const run = db.prepare('SELECT id FROM teacher_runs WHERE job_id = ?').get(jobId) as { id: number };
        const targets = (
          db.prepare('SELECT COUNT(*) AS n FROM teacher_run_targets WHERE run_id = ?').get(run.id) as {
            n: number;
          }
        ).n;
        const outputs = (
          db.prepare('SELECT COUNT(*) AS n FROM teacher_outputs WHERE run_id = ?').get(run.id) as {
            n: number;
          }
        ).n;
        expect(targets).toBe(120);
        expect(outputs).toBe(120);
        expect(final.result).toMatchObject({ labelled: 120 });
      }
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    },
    600_000,
  );
});
