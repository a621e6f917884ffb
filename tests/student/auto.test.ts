import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTO_FILE, readAutoReport, runAuto, type AutoProgress } from '../../src/main/features/student/auto';
import { readModel } from '../../src/main/features/student/modelFile';
import type { TrainData } from '../../src/main/features/student/trainer';
import { AUTO_CONFIGURATIONS, TrainSettings, type AutoReport } from '../../src/shared/student';
import { loadKuake } from './fixtures';

/** 400 Chinese medical queries: 360 to train on, 40 (human-labelled) to validate on. */
function data(): TrainData {
  const { labels, train } = loadKuake();
  const rows = train.slice(0, 400);
  const cls = (l: string): number => labels.indexOf(l);
  return {
    labels,
    train: rows
      .filter((_, i) => i % 10 !== 0)
      .map((r) => ({ text: r.text, label: cls(r.label), teacher: null })),
    validation: rows.filter((_, i) => i % 10 === 0).map((r) => ({ text: r.text, label: cls(r.label) })),
  };
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
