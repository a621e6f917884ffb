import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUTO_FILE,
  chosenSettings,
  readAutoReport,
  runAuto,
  runConfigurations,
  type AutoProgress,
} from '../../src/main/features/student/auto';
import { readModel } from '../../src/main/features/student/modelFile';
import type { TrainData } from '../../src/main/features/student/trainer';
import {
  AUTO_CONFIGURATIONS,
  autoConfigurations,
  TrainSettings,
  type AutoReport,
} from '../../src/shared/student';
import { loadPhrasebank } from '../../bench/lib/datasets';
import { kuakeTrainData, splitTrainData } from './fixtures';

/** 400 Chinese medical queries: 360 to train on, 40 (human-labelled) to validate on. */
const data = (): TrainData => kuakeTrainData(400);

/** 300 English financial sentences (financial_phrasebank's training split): 270 to train on, 30 to validate on. */
function english(): TrainData {
  const rows = loadPhrasebank().train.slice(0, 300);
  return splitTrainData(rows, [...new Set(rows.map((r) => r.label))].sort());
}

const SETTINGS = TrainSettings.parse({ maxEpochs: 2, patience: 5, seed: 3 });

const dirs: string[] = [];
function runDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'auto-test-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const TRIAL = {
  valAccuracy: 0.8,
  measuredOn: 'people',
  validationCount: 40,
  bestEpoch: 1,
  seconds: 1,
} as const;

/** A clock that moves `step` ms per reading (simulated training time), plus whatever a test adds. */
function clock(step = 1): { now: () => number; add: (ms: number) => void } {
  let t = 0;
  return { now: () => (t += step), add: (ms) => (t += ms) };
}

describe('Auto mode', () => {
  it('is the default for new runs, of the sparse student', () => {
    const d = TrainSettings.parse({});
    expect(d.auto).toBe(true);
    expect(d.architecture).toBe('sparse');
  });

  it('tries every configuration within the budget, records each, keeps the best by validation macro-F1, then trains it', async () => {
    const dir = runDir();
    const phases = new Set<number>();
    const reports: AutoReport[] = [];
    const epochs: number[] = [];
    const out = await runAuto(
      { data: data(), settings: SETTINGS, runDir: dir, resumeFrom: null },
      {
        onProgress: async (p: AutoProgress) => void (p.auto && phases.add(p.auto.trial)),
        onEpoch: async (e) => void epochs.push(e.epoch),
        onAuto: async (r) => void reports.push(r),
      },
      clock().now,
    );
    const auto = out.auto;
    expect(auto).toBeDefined();
    if (!auto) return;
    expect(auto.trials.map((t) => t.trial)).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...phases]).toEqual([1, 2, 3, 4, 5, 6]);
    auto.trials.forEach((t, i) => {
      expect(t.features).toBe(AUTO_CONFIGURATIONS[i].features);
      expect(t.classBalance).toBe(AUTO_CONFIGURATIONS[i].classBalance);
      expect(t.l2).toBe(AUTO_CONFIGURATIONS[i].l2);
      expect(t.averageWeights).toBe(true);
      expect(t.measuredOn).toBe('people');
      expect(t.validationCount).toBe(40);
      expect(t.valMacroF1 ?? 0).toBeGreaterThan(0);
    });
    const top = Math.max(...auto.trials.map((t) => t.valMacroF1 ?? -1));
    const chosen = auto.trials.find((t) => t.trial === auto.chosen);
    expect(chosen?.valMacroF1).toBe(top);
    expect(auto.trials.findIndex((t) => t.valMacroF1 === top) + 1).toBe(auto.chosen);
    expect(auto.skipped).toBe(0);
    // One report per trial, one with the choice; the file says the same; the trials' folders are gone.
    expect(reports).toHaveLength(7);
    expect(readAutoReport(dir)).toEqual(auto);
    expect(existsSync(join(dir, 'auto'))).toBe(false);
    // The run itself trained the chosen configuration: its epochs were reported, its model reads those features.
    expect(epochs.length).toBeGreaterThan(0);
    const model = readModel(out.modelPath);
    expect(model.architecture).toBe('sparse');
    expect(chosen?.features === 'chars' ? model.featurizer.words : model.featurizer.words !== false).toBe(
      chosen?.features === 'chars' ? false : true,
    );
  }, 120_000);

  it('does not start another configuration once the budget is spent (the first always runs)', async () => {
    const dir = runDir();
    // Six seconds of (simulated) training between two readings of the clock: the first trial takes over 10 s.
    const c = clock(6000);
    const out = await runAuto(
      { data: data(), settings: { ...SETTINGS, autoBudgetSeconds: 10 }, runDir: dir, resumeFrom: null },
      { onProgress: async () => undefined, onEpoch: async () => undefined },
      c.now,
    );
    expect(out.auto?.trials).toHaveLength(1);
    expect(out.auto?.trials[0].seconds).toBeGreaterThanOrEqual(10);
    expect(out.auto?.skipped).toBe(5);
    expect(out.auto?.chosen).toBe(1);
  }, 60_000);

  it('does not count time paused against the budget', async () => {
    const dir = runDir();
    const c = clock();
    const out = await runAuto(
      { data: data(), settings: { ...SETTINGS, autoBudgetSeconds: 10 }, runDir: dir, resumeFrom: null },
      {
        // Paused for an hour inside every progress report (the job holds the worker there).
        onProgress: async () => void c.add(3_600_000),
        onEpoch: async () => undefined,
      },
      c.now,
    );
    expect(out.auto?.trials).toHaveLength(6);
    for (const t of out.auto?.trials ?? []) expect(t.seconds).toBeLessThan(10);
  }, 120_000);

  it('continues after an interruption from the last finished trial, with the same results', async () => {
    const reference = await runAuto(
      { data: data(), settings: SETTINGS, runDir: runDir(), resumeFrom: null },
      { onProgress: async () => undefined, onEpoch: async () => undefined },
      clock().now,
    );
    const dir = runDir();
    const stop = new Error('the app quit');
    await expect(
      runAuto(
        { data: data(), settings: SETTINGS, runDir: dir, resumeFrom: null },
        {
          onProgress: async () => undefined,
          onEpoch: async () => undefined,
          onAuto: async (r) => {
            if (r.trials.length === 2) throw stop;
          },
        },
        clock().now,
      ),
    ).rejects.toBe(stop);
    expect(readAutoReport(dir)?.trials).toHaveLength(2);
    expect(existsSync(join(dir, AUTO_FILE))).toBe(true);
    const tried = new Set<number>();
    const resumed = await runAuto(
      { data: data(), settings: SETTINGS, runDir: dir, resumeFrom: null },
      {
        onProgress: async (p) => void (p.auto && tried.add(p.auto.trial)),
        onEpoch: async () => undefined,
      },
      clock().now,
    );
    expect([...tried]).toEqual([3, 4, 5, 6]);
    const scores = (r: AutoReport | undefined): Array<number | null> =>
      (r?.trials ?? []).map((t) => t.valMacroF1);
    expect(scores(resumed.auto)).toEqual(scores(reference.auto));
    expect(resumed.auto?.chosen).toBe(reference.auto?.chosen);
    expect(resumed.bestMetric).toBe(reference.bestMetric);
  }, 180_000);

  it('tries the configurations in this order, the same learning rate and L2 with class balance 0.75 then 1', () => {
    expect(
      AUTO_CONFIGURATIONS.map((c) => `${c.features}/${c.classBalance}/${c.learningRate}/${c.l2}`),
    ).toEqual([
      'both/0.75/0.1/0.00003',
      'both/1/0.1/0.00003',
      'chars/0.75/0.1/0.00003',
      'chars/1/0.1/0.00003',
      'words/0.75/0.1/0.00003',
      'words/1/0.1/0.00003',
    ]);
    expect(autoConfigurations('single', false).map((c) => c.features)).toEqual([
      'both',
      'both',
      'chars',
      'chars',
    ]);
    // On Chinese text every configuration averages the weights over epochs; on English text none does.
    expect(runConfigurations(data())).toEqual(
      AUTO_CONFIGURATIONS.map((c) => ({ ...c, averageWeights: true })),
    );
    expect(runConfigurations(english())).toEqual(autoConfigurations('single', false));
    expect(runConfigurations(english()).some((c) => 'averageWeights' in c)).toBe(false);
  });

  it("a run that learns from a teacher's distributions also tries the manual defaults; validation chooses", () => {
    const plain = english();
    if (plain.kind === 'multi') throw new Error('english() gives single-label data');
    const taught: TrainData = {
      ...plain,
      train: plain.train.map((e, i) =>
        i % 2
          ? {
              ...e,
              label: null,
              teacher: plain.labels.map((_, k) => (k === 0 ? 0.6 : 0.4 / (plain.labels.length - 1))),
            }
          : e,
      ),
    };
    const defaults = TrainSettings.parse({});
    expect(runConfigurations(taught)).toEqual([
      ...autoConfigurations('single', false),
      {
        features: defaults.features,
        classBalance: defaults.classBalance,
        learningRate: defaults.learningRate,
        l2: defaults.l2,
      },
    ]);
    expect(defaults).toMatchObject({ features: 'both', classBalance: 0.5, learningRate: 0.01 });
    // Human labels alone: Auto's own configurations only.
    expect(runConfigurations(plain)).toEqual(autoConfigurations('single', false));
  });

  it('on English text does not try the words-only configurations (they read what `both` reads)', async () => {
    const out = await runAuto(
      { data: english(), settings: SETTINGS, runDir: runDir(), resumeFrom: null },
      { onProgress: async () => undefined, onEpoch: async () => undefined },
      clock().now,
    );
    const auto = out.auto;
    expect(auto?.configurations).toBe(4);
    expect(auto?.skipped).toBe(0);
    expect(auto?.trials.map((t) => [t.trial, t.features, t.classBalance, t.learningRate, t.l2])).toEqual([
      [1, 'both', 0.75, 0.1, 3e-5],
      [2, 'both', 1, 0.1, 3e-5],
      [3, 'chars', 0.75, 0.1, 3e-5],
      [4, 'chars', 1, 0.1, 3e-5],
    ]);
    expect(auto?.trials.every((t) => t.measuredOn === 'people' && t.validationCount === 30)).toBe(true);
    expect(auto?.trials.every((t) => t.averageWeights === false)).toBe(true);
  }, 120_000);

  it("trains what the chosen trial recorded, also a run's report from an earlier list of configurations", () => {
    const report: AutoReport = {
      budgetSeconds: 300,
      configurations: 6,
      // Written before this list (trial 5 was words at 0.5 / 0.05) and before trials recorded their L2.
      trials: [
        { ...TRIAL, trial: 1, features: 'both', classBalance: 0.5, learningRate: 0.05, valMacroF1: 0.7 },
        { ...TRIAL, trial: 5, features: 'words', classBalance: 0.5, learningRate: 0.05, valMacroF1: 0.8 },
      ],
      chosen: 5,
      skipped: 0,
    };
    const settings = { ...SETTINGS, l2: 2e-5 };
    const chosen = chosenSettings(settings, report);
    expect([chosen.features, chosen.classBalance, chosen.learningRate, chosen.l2]).toEqual([
      'words',
      0.5,
      0.05,
      2e-5,
    ]);
    const withL2 = chosenSettings(settings, {
      ...report,
      trials: report.trials.map((t) => ({ ...t, l2: 3e-5 })),
    });
    expect(withL2.l2).toBe(3e-5);
    // A trial recorded before trials recorded averageWeights trains with the run's own setting.
    expect(chosen.averageWeights).toBe(false);
    const averaged = chosenSettings(settings, {
      ...report,
      trials: report.trials.map((t) => ({ ...t, averageWeights: true })),
    });
    expect(averaged.averageWeights).toBe(true);
    expect(chosenSettings(settings, { ...report, chosen: null })).toEqual(settings);
    expect(chosenSettings(settings, null)).toEqual(settings);
  });

  it('uses the settings as given when Auto is off, or for another architecture', async () => {
    const off = await runAuto(
      { data: data(), settings: { ...SETTINGS, auto: false }, runDir: runDir(), resumeFrom: null },
      { onProgress: async () => undefined, onEpoch: async () => undefined },
    );
    expect(off.auto).toBeUndefined();
    const dir = runDir();
    await runAuto(
      { data: data(), settings: { ...SETTINGS, architecture: 'fasttext' }, runDir: dir, resumeFrom: null },
      { onProgress: async () => undefined, onEpoch: async () => undefined },
    );
    expect(readAutoReport(dir)).toBeNull();
  }, 60_000);
});
