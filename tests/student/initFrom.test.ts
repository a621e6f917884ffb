import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { runAuto } from '../../src/main/features/student/auto';
import { DEFAULT_FEATURIZER } from '../../src/main/features/student/featurizer';
import { readModel } from '../../src/main/features/student/modelFile';
import { runTraining, type TrainData, type TrainOutcome } from '../../src/main/features/student/trainer';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../../src/shared/student';
import { testCore } from '../helpers';
import { insertProject, loadKuake, type FixtureExample } from './fixtures';

let open: Array<(o?: { keep?: boolean }) => Promise<void>> = [];
afterEach(async () => {
  for (const close of open) await close();
  open = [];
});

async function core(): Promise<Core> {
  const t = await testCore();
  open.push(t.close);
  return t.core;
}

function subset(n: number): { labels: string[]; examples: FixtureExample[] } {
  const { labels, train } = loadKuake();
  return {
    labels,
    examples: train
      .slice(0, n)
      .map((r, i) => ({ text: r.text, label: r.label, split: i % 10 === 0 ? 'validation' : 'train' })),
  };
}

// The fastText student (it has a model size to check), as given (no Auto trials).
const SETTINGS = {
  architecture: 'fasttext',
  auto: false,
  maxEpochs: 4,
  patience: 10,
  seed: 7,
  dim: 16,
  useTeacher: false,
} as const;

describe('starting a run from an earlier run (settings.initFromRunId)', () => {
  it('starts at the earlier best model: first validation loss near its best, far below a run from scratch', async () => {
    const c = await core();
    const { labels, examples } = subset(1500);
    const { projectId } = insertProject(c.db, labels, examples);
    const first = await c.call('student.train', { projectId, settings: SETTINGS });
    expect((await c.jobs.wait(first.job.id)).state).toBe('completed');
    const a = await c.call('student.run', { runId: first.run.id });
    const bestLoss = a.epochs[(a.bestEpoch ?? 1) - 1].valLoss;
    const scratchFirst = a.epochs[0].valLoss; // same data, seed and settings: what a run from scratch starts at

    const next = await c.call('student.train', {
      projectId,
      settings: { ...SETTINGS, maxEpochs: 1, initFromRunId: a.id },
    });
    expect(next.run.settings.initFromRunId).toBe(a.id);
    expect((await c.jobs.wait(next.job.id)).state).toBe('completed');
    const b = await c.call('student.run', { runId: next.run.id });
    expect(b.settings.initFromRunId).toBe(a.id);
    const startLoss = b.epochs[0].valLoss;
    expect(startLoss).toBeLessThan(scratchFirst * 0.75);
    expect(Math.abs(startLoss - bestLoss)).toBeLessThan(0.15 * bestLoss);
  }, 60_000);

  it('refuses a run of another project, other labels, another featurizer or size, and a run without a model', async () => {
    const c = await core();
    const { labels, examples } = subset(300);
    const { projectId, labelIds } = insertProject(c.db, labels, examples);
    const first = await c.call('student.train', { projectId, settings: { ...SETTINGS, maxEpochs: 1 } });
    expect((await c.jobs.wait(first.job.id)).state).toBe('completed');
    const runId = first.run.id;
    const other = insertProject(c.db, labels, examples);
    const count = (): number =>
      (c.db.prepare('SELECT COUNT(*) AS n FROM student_runs').get() as { n: number }).n;
    const before = count();
    const train = (pid: number, extra: Partial<TrainSettings> = {}): Promise<unknown> =>
      c.call('student.train', { projectId: pid, settings: { ...SETTINGS, initFromRunId: runId, ...extra } });

    await expect(train(other.projectId)).rejects.toThrow(/belongs to another project/);
    await expect(train(projectId, { dim: 32 })).rejects.toThrow(/Set the model size to 16/);

    const modelJson = join(
      (c.db.prepare('SELECT model_path FROM student_runs WHERE id = ?').get(runId) as { model_path: string })
        .model_path,
      'model.json',
    );
    const original = readFileSync(modelJson, 'utf8');
    const json = JSON.parse(original) as { featurizer: Record<string, unknown> };
    writeFileSync(modelJson, JSON.stringify({ ...json, featurizer: { ...json.featurizer, buckets: 1000 } }));
    await expect(train(projectId)).rejects.toThrow(/another featurizer configuration/);
    writeFileSync(modelJson, original);

    // The same label names in another order, then a renamed label.
    const [l0, l1] = labels;
    const swap = c.db.prepare('UPDATE labels SET position = ? WHERE id = ?');
    swap.run(1, labelIds.get(l0));
    swap.run(0, labelIds.get(l1));
    await expect(train(projectId)).rejects.toThrow(/trained on other labels/);
    swap.run(0, labelIds.get(l0));
    swap.run(1, labelIds.get(l1));
    c.db.prepare('UPDATE labels SET name = ? WHERE id = ?').run(`${l0} (renamed)`, labelIds.get(l0));
    await expect(train(projectId)).rejects.toThrow(/trained on other labels/);
    c.db.prepare('UPDATE labels SET name = ? WHERE id = ?').run(l0, labelIds.get(l0));

    c.db.prepare('UPDATE student_runs SET model_path = NULL WHERE id = ?').run(runId);
    await expect(train(projectId)).rejects.toThrow(/has no model to start from/);
    await expect(train(projectId, { initFromRunId: 9999 })).rejects.toThrow(/does not exist/);
    expect(count()).toBe(before);
  }, 60_000);

  it('warm-starts only a fresh run: a run resumed from its checkpoint ends like an uninterrupted one', async () => {
    const { labels, train } = loadKuake();
    const cls = (l: string): number => labels.indexOf(l);
    const data: TrainData = {
      labels,
      train: train.slice(0, 600).map((r) => ({ text: r.text, label: cls(r.label), teacher: null })),
      validation: train.slice(600, 700).map((r) => ({ text: r.text, label: cls(r.label) })),
    };
    const root = mkdtempSync(join(tmpdir(), 'distillery-init-'));
    const settings: TrainSettings = { ...DEFAULT_TRAIN_SETTINGS, ...SETTINGS, maxEpochs: 2 };
    const hooks = {
      onProgress: async (): Promise<void> => undefined,
      onEpoch: async (): Promise<void> => undefined,
    };
    const run = (dir: string, extra: Partial<Parameters<typeof runTraining>[0]>): Promise<TrainOutcome> =>
      runTraining({ data, settings, runDir: join(root, dir), resumeFrom: null, ...extra }, hooks);
    try {
      const base = await run('base', {});
      const warm = { settings: { ...settings, initFromRunId: 1 }, initFrom: base.modelPath };
      const whole = await run('whole', warm);
      await expect(
        runTraining(
          { data, ...warm, runDir: join(root, 'cut'), resumeFrom: null },
          {
            ...hooks,
            onEpoch: async (e) => {
              if (e.epoch === 1) throw new Error('killed');
            },
          },
        ),
      ).rejects.toThrow('killed');
      const resumed = await run('cut', { ...warm, resumeFrom: join(root, 'cut', 'epoch-0001.ckpt') });
      expect(resumed.bestEpoch).toBe(whole.bestEpoch);
      const weights = (o: TrainOutcome): Buffer => readFileSync(join(o.modelPath, 'weights.bin'));
      expect(weights(resumed).equals(weights(whole))).toBe(true);
      expect(weights(whole).equals(weights(base))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('starts from a model saved before CJK n-grams were taken over spans, and keeps reading text as it did', async () => {
    const { labels, train } = loadKuake();
    const cls = (l: string): number => labels.indexOf(l);
    const data: TrainData = {
      labels,
      train: train.slice(0, 400).map((r) => ({ text: r.text, label: cls(r.label), teacher: null })),
      validation: train.slice(400, 460).map((r) => ({ text: r.text, label: cls(r.label) })),
    };
    const root = mkdtempSync(join(tmpdir(), 'distillery-init-'));
    const settings: TrainSettings = { ...DEFAULT_TRAIN_SETTINGS, auto: false, maxEpochs: 2, seed: 3 };
    const hooks = {
      onProgress: async (): Promise<void> => undefined,
      onEpoch: async (): Promise<void> => undefined,
    };
    try {
      // The featurizer of an earlier version: no cjkScope (CJK runs only).
      const { cjkScope: _spans, ...earlier } = DEFAULT_FEATURIZER;
      const base = await runTraining(
        { data, settings, featurizer: earlier, runDir: join(root, 'base'), resumeFrom: null },
        hooks,
      );
      expect(readModel(base.modelPath).featurizer.cjkScope).toBeUndefined();
      const warm = { settings: { ...settings, initFromRunId: 1 }, initFrom: base.modelPath };
      // Read with today's default featurizer, its rows would mean other features: refused.
      await expect(
        runTraining({ data, ...warm, runDir: join(root, 'strict'), resumeFrom: null }, hooks),
      ).rejects.toThrow(/featurizer/);
      // The run (runAuto, as the worker starts it) reads text as the earlier model did.
      const next = await runAuto({ data, ...warm, runDir: join(root, 'next'), resumeFrom: null }, hooks);
      const model = readModel(next.modelPath);
      expect(model.featurizer.cjkScope).toBeUndefined();
      expect(model.featurizer).toEqual(readModel(base.modelPath).featurizer);
      expect(next.bestEpoch).toBeGreaterThan(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
