/**
 * bench/student-defaults: how the sparse student's defaults and Auto's configurations were chosen, on validation
 * data only. For each shared dataset (../shared/datasets/README.md) it reads the canonical TRAINING split only
 * (the test split is never loaded into a run or scored): every 10th training example is validation, the rest is
 * training (the split bench/student uses). Each configuration of the grids below trains the sparse student (Auto off)
 * and is scored as Auto scores a trial: its best epoch's macro-F1 on that validation split (evaluation/metrics.ts).
 * Stage 1 trains every (learning rate, l2) of a grid on the default features at class balance 0.5; the default l2
 * (manual runs) is the one with the best mean over the datasets and the learning rates.
 * Stage 2 trains every (class balance, learning rate, l2) of a second grid on the default features; Auto's two
 * training variants are the best two by mean (shared/student.ts AUTO_CONFIGURATIONS, each tried with every
 * `features`).
 * Stage 3 trains `words` and `chars` with those two, to show what choosing the features gains on each dataset.
 * Stage 4 (English datasets): words together with character 3-5-grams inside words (`both` over a featurizer with
 * fastText subwords 3-5), with those two: the configuration Auto does not have.
 * Stage 5 (the final fit, settings.finalFit): 5-fold over the TRAINING split. Fold k holds out every training
 * example i with i % 5 == k as a development split; on the rest the default student (Auto on) trains as
 * `bench -- student` trains it (every 10th example validation), and both of its models are scored on the
 * development split: the best epoch's (no final fit) and the final fit's (the same configuration retrained on
 * training + validation for the best epoch's epochs). Whether the final fit is on by default is read from the
 * mean paired difference.
 * Prints one JSON line per configuration and dataset, then a summary (the last line): the choice, and per
 * configuration the mean validation macro-F1 over the datasets, ranked.
 * Options: `npm run bench -- student-defaults [datasets] [--stages 1,2,3,4,5] [--folds 5]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATASET_LOADERS, datasetLoader } from './lib/datasets';
import { runTraining } from '../src/main/features/student/trainer';
import { runAuto } from '../src/main/features/student/auto';
import { loadStudent } from '../src/main/features/student/predictor';
import { modelDirName } from '../src/main/features/student/training/checkpoint';
import { macroF1 } from '../src/main/features/evaluation/metrics';
import { DEFAULT_FEATURIZER } from '../src/main/features/student/featurizer';
import {
  DEFAULT_TRAIN_SETTINGS,
  STUDENT_FEATURES,
  TrainSettings,
  type TrainSettingsInput,
} from '../src/shared/student';

type Config = Pick<TrainSettingsInput, 'features' | 'classBalance' | 'learningRate' | 'l2'> & {
  /** Character n-grams inside non-CJK words (fastText subwords) added to the featurizer; absent: none. */
  readonly subwords?: readonly [number, number];
};

// The sparse student's L2 penalty on every row (sparseArch.ts): 1e-5 and 3e-5 per example are C = 1 / (l2 n) of
// about 4 to 30 in scikit-learn's terms on these datasets (n = 3,400 to 8,000 training documents).
const L2S = [1e-5, 3e-5];

/** Stage 1: how the student trains (learning rate x L2), on the default features (`both`). */
function trainingGrid(): Config[] {
  const out: Config[] = [];
  for (const learningRate of [0.05, 0.02])
    for (const l2 of L2S) out.push({ features: 'both', classBalance: 0.5, learningRate, l2 });
  return out;
}

/** Stage 2: Auto's training variants (class balance x learning rate x L2), on the default features. */
function variantGrid(): Config[] {
  const out: Config[] = [];
  for (const classBalance of [0.5, 0.75, 1])
    for (const learningRate of [0.05, 0.1])
      for (const l2 of [3e-5, 1e-4]) out.push({ features: 'both', classBalance, learningRate, l2 });
  return out;
}

const key = (c: Config): string =>
  `${c.features}${c.subwords ? `+sub${c.subwords.join('-')}` : ''}/cb${c.classBalance}/lr${c.learningRate}/l2=${c.l2}`;

async function validationF1(
  name: string,
  { subwords, ...config }: Config,
): Promise<{ f1: number; epoch: number; seconds: number }> {
  const ds = datasetLoader(name)();
  // Training split only: ds.test is not read.
  const labels = [...new Set(ds.train.map((r) => r.label))].sort();
  const cls = (l: string): number => labels.indexOf(l);
  const train = ds.train.filter((_, i) => i % 10 !== 0);
  const validation = ds.train.filter((_, i) => i % 10 === 0);
  const dir = mkdtempSync(join(tmpdir(), 'bench-defaults-'));
  const started = performance.now();
  try {
    const out = await runTraining(
      {
        data: {
          labels,
          train: train.map((r) => ({ text: r.text, label: cls(r.label), teacher: null })),
          validation: validation.map((r) => ({ text: r.text, label: cls(r.label) })),
        },
        settings: TrainSettings.parse({ ...DEFAULT_TRAIN_SETTINGS, auto: false, ...config }),
        ...(subwords
          ? { featurizer: { ...DEFAULT_FEATURIZER, subwordMin: subwords[0], subwordMax: subwords[1] } }
          : {}),
        runDir: dir,
        resumeFrom: null,
      },
      { onProgress: async () => undefined, onEpoch: async () => undefined },
    );
    return { f1: out.bestMetric, epoch: out.bestEpoch, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Macro-F1 of the model folder `dir` on `docs` (evaluation/metrics.ts). */
async function scoreModel(
  dir: string,
  docs: ReadonlyArray<{ text: string; label: number }>,
  classes: number,
): Promise<number> {
  const predictor = await loadStudent(dir);
  try {
    const probs = await predictor.predict(docs.map((d) => d.text));
    const pred = probs.map((p) => p.indexOf(Math.max(...p)));
    return macroF1(
      docs.map((d) => d.label),
      pred,
      classes,
    );
  } finally {
    predictor.dispose();
  }
}

/**
 * Stage 5, one fold: the default student (Auto on, final fit on) trained on the training split without fold `k`
 * (every 5th example from k), both its models scored on fold k. Never reads the test split.
 */
async function finalFitFold(
  name: string,
  k: number,
  folds: number,
): Promise<{ validated: number; finalFit: number; bestEpoch: number; seconds: number; chosen: string }> {
  const ds = datasetLoader(name)();
  const labels = [...new Set(ds.train.map((r) => r.label))].sort();
  const cls = (l: string): number => labels.indexOf(l);
  const dev = ds.train.filter((_, i) => i % folds === k).map((r) => ({ text: r.text, label: cls(r.label) }));
  const rest = ds.train.filter((_, i) => i % folds !== k);
  const dir = mkdtempSync(join(tmpdir(), 'bench-finalfit-'));
  const started = performance.now();
  try {
    const out = await runAuto(
      {
        data: {
          labels,
          train: rest
            .filter((_, i) => i % 10 !== 0)
            .map((r) => ({ text: r.text, label: cls(r.label), teacher: null })),
          validation: rest.filter((_, i) => i % 10 === 0).map((r) => ({ text: r.text, label: cls(r.label) })),
        },
        settings: TrainSettings.parse({ ...DEFAULT_TRAIN_SETTINGS, finalFit: true }),
        runDir: dir,
        resumeFrom: null,
      },
      { onProgress: async () => undefined, onEpoch: async () => undefined },
    );
    if (!out.finalFit) throw new Error(`${name}: the run had no final fit`);
    const trial = out.auto?.trials.find((t) => t.trial === out.auto?.chosen);
    return {
      validated: await scoreModel(join(dir, modelDirName(out.bestEpoch)), dev, labels.length),
      finalFit: await scoreModel(out.modelPath, dev, labels.length),
      bestEpoch: out.bestEpoch,
      seconds: (performance.now() - started) / 1000,
      chosen: trial ? `${trial.features}/cb${trial.classBalance}` : '?',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Stage 5 over every fold and dataset: the paired difference final fit - best epoch on the development folds. */
async function finalFitStage(names: readonly string[], folds: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const diffs: number[] = [];
  for (const name of names) {
    const rows: Array<{ validated: number; finalFit: number }> = [];
    for (let k = 0; k < folds; k++) {
      const r = await finalFitFold(name, k, folds);
      rows.push(r);
      console.log(
        JSON.stringify({
          stage: 5,
          dataset: name,
          fold: k,
          devMacroF1: { bestEpoch: Number(r.validated.toFixed(4)), finalFit: Number(r.finalFit.toFixed(4)) },
          bestEpoch: r.bestEpoch,
          chosen: r.chosen,
          seconds: Number(r.seconds.toFixed(1)),
        }),
      );
    }
    const m = (f: (r: { validated: number; finalFit: number }) => number): number =>
      rows.reduce((a, r) => a + f(r), 0) / rows.length;
    const d = rows.map((r) => r.finalFit - r.validated);
    diffs.push(...d);
    out[name] = {
      bestEpoch: Number(m((r) => r.validated).toFixed(4)),
      finalFit: Number(m((r) => r.finalFit).toFixed(4)),
      meanDifference: Number(m((r) => r.finalFit - r.validated).toFixed(4)),
      foldsBetter: d.filter((x) => x > 0).length,
      folds: rows.length,
    };
  }
  const meanDiff = diffs.reduce((a, b) => a + b, 0) / Math.max(1, diffs.length);
  return { ...out, meanDifference: Number(meanDiff.toFixed(4)), finalFitOnByDefault: meanDiff > 0 };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const names = (args.find((a) => !a.startsWith('--')) ?? Object.keys(DATASET_LOADERS).join(',')).split(',');
  const at = args.indexOf('--stages');
  const stages = new Set((at >= 0 ? args[at + 1] : '1,2,3,4').split(',').map(Number));
  const foldsAt = args.indexOf('--folds');
  const folds = foldsAt >= 0 ? Number(args[foldsAt + 1]) : 5;
  const scores = new Map<string, Record<string, number>>();
  const meanOf = (c: Config, over = names): number => {
    const r = scores.get(key(c)) ?? {};
    return over.reduce((a, n) => a + r[n], 0) / over.length;
  };
  const measure = async (config: Config, over = names): Promise<void> => {
    const row: Record<string, number> = scores.get(key(config)) ?? {};
    for (const name of over) {
      if (row[name] !== undefined) continue;
      const r = await validationF1(name, config);
      row[name] = Number(r.f1.toFixed(4));
      console.log(
        JSON.stringify({
          dataset: name,
          ...config,
          valMacroF1: row[name],
          bestEpoch: r.epoch,
          seconds: Number(r.seconds.toFixed(1)),
        }),
      );
    }
    scores.set(key(config), row);
  };
  const chosen: Record<string, unknown> = {};
  if (stages.has(1)) {
    const training = trainingGrid();
    for (const config of training) await measure(config);
    // The default l2 (manual runs): the best mean over the learning rates.
    chosen.l2 = [...L2S].sort((a, b) => {
      const over = (x: number): number => {
        const at = training.filter((c) => c.l2 === x);
        return at.reduce((sum, c) => sum + meanOf(c), 0) / at.length;
      };
      return over(b) - over(a);
    })[0];
  }
  if (stages.has(5)) chosen.finalFit = await finalFitStage(names, folds);
  const grid = variantGrid();
  if (stages.has(2) || stages.has(3) || stages.has(4)) for (const config of grid) await measure(config);
  // Auto's two training variants: the best two of stage 2 by mean.
  const variants = [...grid].sort((a, b) => meanOf(b) - meanOf(a)).slice(0, 2);
  if (stages.has(2) || stages.has(3) || stages.has(4))
    chosen.autoVariants = variants.map((c) => ({
      classBalance: c.classBalance,
      learningRate: c.learningRate,
      l2: c.l2,
    }));
  // Stage 3 (what each dataset gains from choosing the features): words and chars for those two variants.
  if (stages.has(3))
    for (const config of variants)
      for (const features of STUDENT_FEATURES.filter((f) => f !== 'both'))
        await measure({ ...config, features });
  // Stage 4: words with character 3-5-grams inside words, on the English datasets.
  const english = names.filter((n) => datasetLoader(n)().language === 'en');
  if (stages.has(4)) for (const config of variants) await measure({ ...config, subwords: [3, 5] }, english);
  const ranked = [...scores].sort((a, b) => mean(b[1]) - mean(a[1]));
  console.log(
    JSON.stringify({
      bench: 'student-defaults',
      measuredOn: 'validation split of the training split (every 10th example); test never read',
      chosen,
      ranked: ranked.map(([k, r]) => ({ config: k, mean: Number(mean(r).toFixed(4)), ...r })),
    }),
  );
}

/** The mean of a row's datasets (those it was measured on). */
function mean(r: Record<string, number>): number {
  const xs = Object.values(r);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

await main();
