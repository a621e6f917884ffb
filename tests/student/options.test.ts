import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURIZER } from '../../src/main/features/student/featurizer';
import { parseRunSettings } from '../../src/main/features/student/runs';
import { runTraining } from '../../src/main/features/student/trainer';
import {
  classWeights,
  learningRateAt,
  weightedTargets,
} from '../../src/main/features/student/training/schedule';
import { DEFAULT_TRAIN_SETTINGS } from '../../src/shared/student';

describe('class weights and learning-rate schedule', () => {
  const targets = [
    ...Array.from({ length: 8 }, () => ({ label: 0, teacher: null })),
    { label: 1, teacher: null },
    { label: null, teacher: [0.1, 0.9, 0] }, // counts for class 1 (the teacher's top label)
  ];

  it('weighs rare classes up, averaging 1 over the examples', () => {
    const mean = (w: Float64Array): number => (8 * w[0] + 2 * w[1]) / 10;
    expect(Array.from(classWeights(targets, 3, 0))).toEqual([1, 1, 1]);
    const balanced = classWeights(targets, 3, 1);
    expect(balanced[1] / balanced[0]).toBeCloseTo(4, 12);
    expect(mean(balanced)).toBeCloseTo(1, 12);
    const sqrt = classWeights(targets, 3, 0.5);
    expect(sqrt[1] / sqrt[0]).toBeCloseTo(2, 12);
    expect(mean(sqrt)).toBeCloseTo(1, 12);
    expect(sqrt[2]).toBeGreaterThan(0); // an absent class keeps a finite weight
  });

  it('weighs a soft target class by class, leaving human labels and one-hot teacher labels as they are', () => {
    const soft = { label: null, teacher: [0.6, 0.4, 0] };
    const oneHot = { label: null, teacher: [0, 1, 0] };
    const all = [...targets, soft, oneHot];
    const w = classWeights(all, 3, 1);
    const { targets: out, weights } = weightedTargets(all, 3, 1);
    // Human labels and a one-hot teacher label keep their target; their weights keep the ratio of their classes.
    expect(out[0]).toBe(all[0]);
    expect(out[11]).toEqual(all[11]);
    expect(weights[8] / weights[0]).toBeCloseTo(w[1] / w[0], 12);
    expect(weights[11] / weights[0]).toBeCloseTo(w[1] / w[0], 12);
    // The soft target: sum_c w_c p_c (-log q_c) = W * sum_c p'_c (-log q_c), W = sum_c w_c p_c, p' = w * p / W.
    const W = 0.6 * w[0] + 0.4 * w[1];
    expect(weights[10] / weights[0]).toBeCloseTo(W / w[0], 12);
    const moved = out[10].teacher ?? [];
    expect(moved[0]).toBeCloseTo((0.6 * w[0]) / W, 12);
    expect(moved[1]).toBeCloseTo((0.4 * w[1]) / W, 12);
    expect(moved[1]).toBeGreaterThan(0.4); // the rarer class gains
    expect(weights.reduce((a, b) => a + b, 0) / weights.length).toBeCloseTo(1, 12);
    // classBalance 0: nothing changes.
    const none = weightedTargets(all, 3, 0);
    expect(none.targets[10]).toBe(all[10]);
    expect(Array.from(none.weights)).toEqual(all.map(() => 1));
  });

  it('decays the learning rate linearly by step, or keeps it constant', () => {
    const s = { ...DEFAULT_TRAIN_SETTINGS, learningRate: 0.01 };
    expect(s.lrSchedule).toBe('linear');
    expect(learningRateAt(s, 0, 100)).toBe(0.01);
    expect(learningRateAt(s, 50, 100)).toBeCloseTo(0.005, 15);
    expect(learningRateAt(s, 99, 100)).toBeGreaterThan(0);
    expect(learningRateAt({ ...s, lrSchedule: 'constant' }, 99, 100)).toBe(0.01);
  });

  it('reads the settings of a run created before lrSchedule, classBalance and l2Rows as it was trained', () => {
    const { lrSchedule: _a, classBalance: _b, l2Rows: _c, ...old } = DEFAULT_TRAIN_SETTINGS;
    const legacy = parseRunSettings(JSON.stringify(old));
    expect(legacy.lrSchedule).toBe('constant');
    expect(legacy.classBalance).toBe(0);
    expect(DEFAULT_TRAIN_SETTINGS.l2Rows).toBe('all');
    expect(legacy.l2Rows).toBe('read');
    expect(parseRunSettings(JSON.stringify(DEFAULT_TRAIN_SETTINGS))).toEqual(DEFAULT_TRAIN_SETTINGS);
  });

  it('refuses to resume from a checkpoint written with another featurizer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'distillery-options-'));
    try {
      const data = {
        labels: ['up', 'down'],
        train: [
          { text: 'profits increased sharply', label: 0, teacher: null },
          { text: 'sales decreased again', label: 1, teacher: null },
        ],
        validation: [{ text: 'revenue increased', label: 0 }],
      };
      const hooks = { onProgress: async () => undefined, onEpoch: async () => undefined };
      const settings = { ...DEFAULT_TRAIN_SETTINGS, maxEpochs: 1 };
      const oldFeaturizer = { ...DEFAULT_FEATURIZER, wordPrefix: 0 };
      await runTraining({ data, settings, featurizer: oldFeaturizer, runDir: dir, resumeFrom: null }, hooks);
      const ckpt = join(dir, readdirSync(dir).find((f) => f.endsWith('.ckpt')) ?? '');
      await expect(
        runTraining({ data, settings: { ...settings, maxEpochs: 2 }, runDir: dir, resumeFrom: ckpt }, hooks),
      ).rejects.toThrow(/another featurizer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
