import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { runTraining } from '../../src/main/features/student/trainer';
import { updateEarlyStop, type EarlyStopState } from '../../src/main/features/student/training/earlyStop';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettingsInput } from '../../src/shared/student';
import { tempDir, testCore } from '../helpers';
import { insertProject, kuakeSubset as subset, loadKuake, waitForJob } from './fixtures';

// The validated run's epochs are what these tests resume; the final fit's resume is tests/student/final-fit.test.ts.
const KILL_SETTINGS: TrainSettingsInput = {
  finalFit: false,
  maxEpochs: 2,
  patience: 10,
  batchSize: 2,
  dim: 32,
  seed: 7,
  learningRate: 0.01,
  auto: false,
};
const SETTINGS: TrainSettingsInput = {
  finalFit: false,
  maxEpochs: 3,
  patience: 10,
  batchSize: 8,
  dim: 16,
  seed: 7,
  learningRate: 0.01,
  auto: false,
};

function bestWeights(
  core: Core,
  runId: number,
): { weights: Buffer; epochs: unknown[]; bestEpoch: number | null } {
  const run = core.db.prepare('SELECT model_path, best_epoch FROM student_runs WHERE id = ?').get(runId) as {
    model_path: string;
    best_epoch: number | null;
  };
  const epochs = core.db
    .prepare(
      `SELECT epoch, name, value FROM metrics WHERE student_run_id = ? AND name != 'examplesPerSecond' ORDER BY epoch, name`,
    )
    .all(runId) as unknown[];
  return { weights: readFileSync(join(run.model_path, 'weights.bin')), epochs, bestEpoch: run.best_epoch };
}

describe('checkpoints and resume', () => {
  it('continues after the worker is killed mid-epoch and ends exactly like an uninterrupted run', async () => {
    const { labels, examples } = subset(4000);

    const a = await testCore();
    const pa = insertProject(a.core.db, labels, examples);
    const ra = await a.core.call('student.train', { projectId: pa.projectId, settings: KILL_SETTINGS });
    expect((await a.core.jobs.wait(ra.job.id)).state).toBe('completed');
    const reference = bestWeights(a.core, ra.run.id);
    await a.close();

    const dir = tempDir();
    try {
      const b = await testCore({ dataDir: dir.dir });
      const pb = insertProject(b.core.db, labels, examples);
      // Progress is written at most every 250 ms, and on a quiet machine epoch 2 could end within that: no report
      // of it mid-way, and the test waited forever. The job is paused at the end of epoch 1 for longer than that,
      // so the first report of epoch 2 is written as it comes.
      let pausedAfterEpoch1 = false;
      const offEpoch = b.core.events.subscribe((e) => {
        const epoch = e.payload as { jobId: number; epoch: number };
        if (e.name !== 'student.epoch' || epoch.epoch !== 1) return;
        offEpoch();
        pausedAfterEpoch1 = b.core.jobs.pause(epoch.jobId).state === 'paused';
        setTimeout(() => b.core.jobs.resume(epoch.jobId), 400);
      });
      const midEpoch2 = waitForJob(
        b.core,
        (j) => j.progress.phase === 'Epoch 2/2' && j.progress.done < j.progress.total,
      );
      const rb = await b.core.call('student.train', { projectId: pb.projectId, settings: KILL_SETTINGS });
      const seen = await midEpoch2;
      await b.close({ keep: true }); // the app quits (or dies) in the middle of epoch 2
      expect(seen.progress.done).toBeLessThan(seen.progress.total);
      expect(pausedAfterEpoch1).toBe(true);

      const c = await testCore({ dataDir: dir.dir });
      const interrupted = c.core.jobs.get(rb.job.id);
      expect(interrupted.state).toBe('interrupted');
      const saved = c.core.db.prepare('SELECT checkpoint FROM jobs WHERE id = ?').get(rb.job.id) as {
        checkpoint: string;
      };
      expect((JSON.parse(saved.checkpoint) as { epoch: number }).epoch).toBe(1);
      expect((await c.core.call('student.run', { runId: rb.run.id })).state).toBe('interrupted');

      await c.core.call('jobs.resume', { jobId: rb.job.id });
      expect((await c.core.jobs.wait(rb.job.id)).state).toBe('completed');
      const resumed = bestWeights(c.core, rb.run.id);
      expect(resumed.bestEpoch).toBe(reference.bestEpoch);
      expect(resumed.epochs).toEqual(reference.epochs);
      expect(resumed.weights.equals(reference.weights)).toBe(true);
      await c.close({ keep: true });
    } finally {
      dir.cleanup();
    }
  }, 120_000);

  it('pauses (no progress while paused), resumes and cancels a training job', async () => {
    const t = await testCore();
    try {
      const { labels, examples } = subset(1500);
      const p = insertProject(t.core.db, labels, examples);
      // Slow enough (many epochs, one example per step) that it is still running when paused.
      const slow = { ...SETTINGS, maxEpochs: 40, batchSize: 1, dim: 64 };
      const started = waitForJob(t.core, (j) => j.progress.phase === 'Epoch 1/40' && j.progress.done > 0);
      const { run, job } = await t.core.call('student.train', { projectId: p.projectId, settings: slow });
      await started;
      t.core.jobs.pause(job.id);
      // The worker finishes the chunk it is in (at most 512 examples), then waits: let that settle first.
      let pausedAt = -1;
      for (let i = 0; i < 20 && pausedAt !== t.core.jobs.get(job.id).progress.done; i++) {
        pausedAt = t.core.jobs.get(job.id).progress.done;
        await new Promise((r) => setTimeout(r, 1500));
      }
      await new Promise((r) => setTimeout(r, 1000));
      const stillPaused = t.core.jobs.get(job.id);
      expect(stillPaused.state).toBe('paused');
      expect(stillPaused.progress.done).toBe(pausedAt);
      const moved = waitForJob(t.core, (j) => j.progress.done > pausedAt);
      t.core.jobs.resume(job.id);
      await moved;
      t.core.jobs.cancel(job.id);
      expect((await t.core.jobs.wait(job.id)).state).toBe('cancelled');
      expect((await t.core.call('student.run', { runId: run.id })).state).toBe('cancelled');
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('early stopping', () => {
  it('tracks the best epoch for higher-is-better and lower-is-better metrics', () => {
    const f1: EarlyStopState = { bestEpoch: -1, bestMetric: 0, badEpochs: 0 };
    expect([0.5, 0.6, 0.6, 0.55].map((v, i) => updateEarlyStop(f1, i + 1, v, 'macro_f1'))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(f1).toEqual({ bestEpoch: 2, bestMetric: 0.6, badEpochs: 2 });
    const loss: EarlyStopState = { bestEpoch: -1, bestMetric: 0, badEpochs: 0 };
    expect([1.2, 0.9, 1.0, 0.8].map((v, i) => updateEarlyStop(loss, i + 1, v, 'loss'))).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(loss).toEqual({ bestEpoch: 4, bestMetric: 0.8, badEpochs: 0 });
  });

  it('stops once validation loss stops improving and keeps the best epoch as the model', async () => {
    const { labels, train } = loadKuake();
    const cls = (l: string): number => labels.indexOf(l);
    const data = {
      labels,
      train: train.slice(0, 1500).map((r) => ({ text: r.text, label: cls(r.label), teacher: null })),
      validation: train.slice(1500, 1800).map((r) => ({ text: r.text, label: cls(r.label) })),
    };
    const runDir = mkdtempSync(join(tmpdir(), 'distillery-es-'));
    try {
      const losses: number[] = [];
      const out = await runTraining(
        {
          data,
          settings: {
            ...DEFAULT_TRAIN_SETTINGS,
            maxEpochs: 30,
            patience: 2,
            metric: 'loss',
            learningRate: 0.05,
          },
          runDir,
          resumeFrom: null,
        },
        { onProgress: async () => undefined, onEpoch: async (e) => void losses.push(e.valLoss) },
      );
      expect(out.stoppedEarly).toBe(true);
      expect(out.epochsRun).toBeLessThan(30);
      expect(out.epochsRun).toBe(out.bestEpoch + 2);
      expect(Math.min(...losses)).toBe(losses[out.bestEpoch - 1]);
      expect(out.modelPath.endsWith(`model-e${String(out.bestEpoch).padStart(4, '0')}`)).toBe(true);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  }, 60_000);
});
