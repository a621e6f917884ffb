import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAutoReport, runAuto } from '../../src/main/features/student/auto';
import { featurizerFor, DEFAULT_FEATURIZER } from '../../src/main/features/student/featurizer';
import { positiveWeights } from '../../src/main/features/student/distillMultilabel';
import { readModel } from '../../src/main/features/student/modelFile';
import { indicator, type MultiLabelData } from '../../src/main/features/student/trainer';
import { MULTI_LABEL_AUTO_CONFIGURATIONS, TrainSettings } from '../../src/shared/student';
import { CLAUDETTE } from './fixture';

/**
 * 700 CLAUDETTE training sentences (every unfair one among the first 2,500 and every 6th of the others), every 10th on
 * validation: a real multi-label training set small enough for a test.
 */
function data(): MultiLabelData {
  const rows = readFileSync(CLAUDETTE, 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split('\t'))
    .filter((r) => r[2] === 'train')
    .slice(0, 2500)
    .filter((r, i) => r[3] !== '' || i % 6 === 0)
    .slice(0, 700);
  const labels = [...new Set(rows.flatMap((r) => r[3].split('|').filter(Boolean)))].sort();
  const set = (r: string[]): number[] =>
    r[3]
      .split('|')
      .filter(Boolean)
      .map((l) => labels.indexOf(l))
      .sort((a, b) => a - b);
  const train = rows.filter((_, i) => i % 10 !== 0);
  return {
    kind: 'multi',
    labels,
    positiveWeights: positiveWeights(
      train.map((r) => indicator(set(r), labels.length)),
      labels.length,
    ),
    train: train.map((r) => ({ text: r[4], labels: set(r), teacher: null })),
    validation: rows
      .filter((_, i) => i % 10 === 0)
      .map((r) => ({ text: r[4], labels: set(r), fromTeacher: false })),
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Auto mode for a multi-label project', () => {
  it('tries the L2 x learning-rate configurations, records each with its L2, and trains the best one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-auto-test-'));
    dirs.push(dir);
    const settings = TrainSettings.parse({ maxEpochs: 2, patience: 5, seed: 3 });
    expect(settings.auto).toBe(true);
    const out = await runAuto(
      { data: data(), settings, runDir: dir, resumeFrom: null },
      { onProgress: async () => undefined, onEpoch: async () => undefined },
    );
    const auto = out.auto;
    expect(auto).toBeDefined();
    if (!auto) return;
    expect(auto.configurations).toBe(MULTI_LABEL_AUTO_CONFIGURATIONS.length);
    expect(auto.trials).toHaveLength(MULTI_LABEL_AUTO_CONFIGURATIONS.length);
    auto.trials.forEach((t, i) => {
      const c = MULTI_LABEL_AUTO_CONFIGURATIONS[i];
      expect([t.features, t.learningRate, t.l2]).toEqual([c.features, c.learningRate, c.l2]);
      expect(t.measuredOn).toBe('people');
      expect(t.valMacroF1 ?? 0).toBeGreaterThan(0);
    });
    // Not every configuration trains the same student: L2 and the learning rate change what it learns.
    expect(new Set(auto.trials.map((t) => t.valMacroF1)).size).toBeGreaterThan(1);
    const top = Math.max(...auto.trials.map((t) => t.valMacroF1 ?? -1));
    expect(auto.trials.findIndex((t) => t.valMacroF1 === top) + 1).toBe(auto.chosen);
    expect(readAutoReport(dir)).toEqual(auto);
    // The run itself trained the chosen configuration: it reads text as that configuration says.
    const chosen = MULTI_LABEL_AUTO_CONFIGURATIONS[(auto.chosen ?? 1) - 1];
    const model = readModel(out.modelPath);
    expect(model.featurizer).toEqual(featurizerFor(chosen.features, DEFAULT_FEATURIZER));
    expect(model.kind).toBe('multi');
  }, 300_000);
});
