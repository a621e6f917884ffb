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
 * Stage 6 (Chinese datasets): CJK character n-grams over CJK runs or over the non-whitespace spans holding CJK
 * (featurizer cjkScope), 1-3 or 1-4 long, with `both` and `chars` and Auto's variants, on the validation split.
 * Stage 7: a few candidates (DEV_FOLD_CANDIDATES), each scored over `--folds` dev folds of the training split (fold
 * k held out, the rest trains with every 10th example as validation for the best epoch): steadier than one
 * validation split of a few hundred documents when configurations are close.
 * Stage 8 (the featurizer's cjkScope default): the default student (Auto on, final fit on) with CJK n-grams over
 * spans against over runs, on the dev folds of stage 5; datasets whose texts read the same ids both ways are
 * reported as identical, not trained.
 * Stage 9 (kuake_qic): from stage 7's best, one training setting changed at a time, over the dev folds.
 * Stage 10 (settings.averageWeights): the default student (Auto on, final fit on; on CJK text its trials average
 * their weights over epochs) on the dev folds of stage 5.
 * Stage 11: Auto's training variants with and without weights averaged over epochs, over the dev folds.
 * Prints one JSON line per configuration and dataset, then a summary (the last line): the choice, and per
 * configuration the mean validation macro-F1 over the datasets, ranked.
 * Options: `npm run bench -- student-defaults [datasets] [--stages 1,2,3,4,5,6,7,8,9,10,11] [--folds 5]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATASET_LOADERS, datasetLoader } from './lib/datasets';
import { runTraining, type TrainData } from '../src/main/features/student/trainer';
import { runAuto } from '../src/main/features/student/auto';
import { loadStudent } from '../src/main/features/student/predictor';
import { modelDirName } from '../src/main/features/student/training/checkpoint';
import { macroF1 } from '../src/main/features/evaluation/metrics';
import {
  DEFAULT_FEATURIZER,
  featurize,
  featurizerFor,
  type FeaturizerConfig,
} from '../src/main/features/student/featurizer';
import {
  AUTO_CONFIGURATIONS,
  DEFAULT_TRAIN_SETTINGS,
  STUDENT_FEATURES,
  TrainSettings,
  type TrainSettingsInput,
} from '../src/shared/student';

type Config = Pick<TrainSettingsInput, 'features' | 'classBalance' | 'learningRate' | 'l2'> & {
  /** Character n-grams inside non-CJK words (fastText subwords) added to the featurizer; absent: none. */
  readonly subwords?: readonly [number, number];
  /** The CJK character n-grams (featurizer cjkMin, cjkMax, cjkScope); absent: the default featurizer's. */
  readonly cjk?: { readonly min: number; readonly max: number; readonly scope: 'runs' | 'spans' };
  /** Other settings (maxEpochs, patience, batch size); absent: the defaults. */
  readonly extra?: Pick<TrainSettingsInput, 'maxEpochs' | 'patience' | 'batchSize' | 'averageWeights'>;
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
  `${c.features}${c.subwords ? `+sub${c.subwords.join('-')}` : ''}${
    c.cjk ? `+cjk${c.cjk.min}-${c.cjk.max}${c.cjk.scope}` : ''
  }/cb${c.classBalance}/lr${c.learningRate}/l2=${c.l2}${c.extra ? `/${JSON.stringify(c.extra)}` : ''}`;

/** The featurizer a configuration runs over (the default one with its subwords and CJK n-grams). */
function baseFeaturizer({ subwords, cjk }: Pick<Config, 'subwords' | 'cjk'>): FeaturizerConfig | undefined {
  if (!subwords && !cjk) return undefined;
  return {
    ...DEFAULT_FEATURIZER,
    ...(subwords ? { subwordMin: subwords[0], subwordMax: subwords[1] } : {}),
    ...(cjk ? { cjkMin: cjk.min, cjkMax: cjk.max, cjkScope: cjk.scope } : {}),
  };
}

/** Stage 6: CJK character n-grams over CJK runs (the default) or over the spans holding CJK, 1-3 or 1-4 long. */
const CJK_GRID: ReadonlyArray<NonNullable<Config['cjk']>> = [
  { min: 1, max: 3, scope: 'runs' },
  { min: 1, max: 3, scope: 'spans' },
  { min: 1, max: 4, scope: 'runs' },
  { min: 1, max: 4, scope: 'spans' },
];

/** Auto's training variants (class balance, learning rate, l2) as AUTO_CONFIGURATIONS has them, each once. */
function autoVariants(): Config[] {
  const seen = new Map<string, Config>();
  for (const { classBalance, learningRate, l2 } of AUTO_CONFIGURATIONS)
    seen.set(`${classBalance}/${learningRate}/${l2}`, { features: 'both', classBalance, learningRate, l2 });
  return [...seen.values()];
}

async function validationF1(
  name: string,
  { subwords, cjk, extra, ...config }: Config,
): Promise<{ f1: number; epoch: number; seconds: number }> {
  const featurizer = baseFeaturizer({ subwords, cjk });
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
        settings: TrainSettings.parse({ ...DEFAULT_TRAIN_SETTINGS, auto: false, ...config, ...extra }),
        ...(featurizer ? { featurizer } : {}),
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

/**
 * Dev fold k of a dataset's TRAINING split (every `folds`-th example from k, with its labels) and the rest as a run
 * reads it: every 10th example validation, the others training. The test split is not read.
 */
function devFold(
  name: string,
  k: number,
  folds: number,
): { labels: string[]; dev: Array<{ text: string; label: number }>; data: TrainData } {
  const ds = datasetLoader(name)();
  const labels = [...new Set(ds.train.map((r) => r.label))].sort();
  const cls = (l: string): number => labels.indexOf(l);
  const dev = ds.train.filter((_, i) => i % folds === k).map((r) => ({ text: r.text, label: cls(r.label) }));
  const rest = ds.train.filter((_, i) => i % folds !== k);
  return {
    labels,
    dev,
    data: {
      labels,
      train: rest
        .filter((_, i) => i % 10 !== 0)
        .map((r) => ({ text: r.text, label: cls(r.label), teacher: null })),
      validation: rest.filter((_, i) => i % 10 === 0).map((r) => ({ text: r.text, label: cls(r.label) })),
    },
  };
}

/**
 * Stage 7, one configuration (Auto off, no final fit) on one dataset: for each fold k, the training split without
 * fold k (every `folds`-th example from k) trains it, every 10th of those examples being its validation split (the
 * best epoch), and the best epoch's model is scored on fold k. Steadier than one validation split of a few hundred
 * documents when configurations are close. Never reads the test split.
 */
async function devFoldF1(
  name: string,
  { subwords, cjk, extra, ...config }: Config,
  folds: number,
): Promise<number[]> {
  const featurizer = baseFeaturizer({ subwords, cjk });
  const out: number[] = [];
  for (let k = 0; k < folds; k++) {
    const { labels, dev, data } = devFold(name, k, folds);
    const dir = mkdtempSync(join(tmpdir(), 'bench-devfold-'));
    try {
      const run = await runTraining(
        {
          data,
          settings: TrainSettings.parse({ ...DEFAULT_TRAIN_SETTINGS, auto: false, ...config, ...extra }),
          ...(featurizer ? { featurizer } : {}),
          runDir: dir,
          resumeFrom: null,
        },
        { onProgress: async () => undefined, onEpoch: async () => undefined },
      );
      out.push(await scoreModel(join(dir, modelDirName(run.bestEpoch)), dev, labels.length));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

const RUNS = { min: 1, max: 3, scope: 'runs' } as const;
const SPANS = { min: 1, max: 3, scope: 'spans' } as const;
const AUTO_FIRST = { classBalance: 0.75, learningRate: 0.1, l2: 3e-5 } as const;

/**
 * Stage 7: candidates for Chinese text (kuake_qic), each over the dev folds: Auto's first variant with `both` and
 * `chars` over CJK runs (the featurizer before) and spans (the default since), then, over runs, one setting changed
 * at a time.
 */
const DEV_FOLD_CANDIDATES: readonly Config[] = [
  { features: 'both', ...AUTO_FIRST, cjk: RUNS },
  { features: 'chars', ...AUTO_FIRST, cjk: RUNS },
  { features: 'both', ...AUTO_FIRST, cjk: SPANS },
  { features: 'chars', ...AUTO_FIRST, cjk: SPANS },
  { features: 'both', ...AUTO_FIRST, l2: 1e-5, cjk: RUNS },
  { features: 'both', ...AUTO_FIRST, l2: 1e-4, cjk: RUNS },
  { features: 'both', ...AUTO_FIRST, classBalance: 0.5, cjk: RUNS },
  { features: 'both', ...AUTO_FIRST, learningRate: 0.05, cjk: RUNS },
  { features: 'both', ...AUTO_FIRST, cjk: RUNS, extra: { batchSize: 16 } },
  { features: 'both', ...AUTO_FIRST, cjk: RUNS, extra: { patience: 6 } },
];

/**
 * Stage 9 (kuake_qic, issue 21's last half point): from the best of stage 7 (`chars`, CJK n-grams over spans, the
 * default featurizer since), one training setting changed at a time, over the same dev folds.
 */
const SPANS_CANDIDATES: readonly Config[] = [
  { features: 'chars', ...AUTO_FIRST, extra: { averageWeights: false } },
  { features: 'chars', ...AUTO_FIRST },
  { features: 'chars', ...AUTO_FIRST, learningRate: 0.2, extra: { maxEpochs: 10 } },
  { features: 'chars', ...AUTO_FIRST, extra: { maxEpochs: 10 } },
  { features: 'chars', ...AUTO_FIRST, learningRate: 0.2 },
  { features: 'chars', ...AUTO_FIRST, l2: 2e-5 },
  { features: 'chars', ...AUTO_FIRST, l2: 5e-5 },
  { features: 'chars', ...AUTO_FIRST, classBalance: 1 },
  { features: 'chars', ...AUTO_FIRST, extra: { batchSize: 64 } },
];

/**
 * Stage 11 (settings.averageWeights, each dataset): Auto's two training variants on `both` (and on `chars`), the
 * weights averaged over epochs or not, over the dev folds.
 */
const AVERAGING_CANDIDATES: readonly Config[] = (['both', 'chars'] as const).flatMap((features) =>
  [0.75, 1].flatMap((classBalance) =>
    [false, true].map((averageWeights) => ({
      features,
      ...AUTO_FIRST,
      classBalance,
      extra: { averageWeights },
    })),
  ),
);

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
  featurizer?: FeaturizerConfig,
  settings: TrainSettingsInput = {},
): Promise<{ validated: number; finalFit: number; bestEpoch: number; seconds: number; chosen: string }> {
  const { labels, dev, data } = devFold(name, k, folds);
  const dir = mkdtempSync(join(tmpdir(), 'bench-finalfit-'));
  const started = performance.now();
  try {
    const out = await runAuto(
      {
        data,
        settings: TrainSettings.parse({ ...DEFAULT_TRAIN_SETTINGS, finalFit: true, ...settings }),
        ...(featurizer ? { featurizer } : {}),
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
      chosen: trial ? `${trial.features}/cb${trial.classBalance}${trial.averageWeights ? '/avg' : ''}` : '?',
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

/** The featurizer before CJK character n-grams were taken over whole non-whitespace spans (stage 8). */
const RUNS_FEATURIZER: FeaturizerConfig = { ...DEFAULT_FEATURIZER, cjkScope: 'runs' };

/**
 * Stage 8: the default student (Auto on, final fit on) with the default featurizer against the same with
 * RUNS_FEATURIZER, both scored on the same dev folds of the training split (as stage 5). A dataset on which the two
 * featurizers give every training text the same ids trains the same models: it is reported as such, not trained.
 */
async function featurizerStage(names: readonly string[], folds: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const texts = datasetLoader(name)().train.map((r) => r.text);
    const same = (f: 'both' | 'chars' | 'words'): boolean =>
      texts.every((t) => {
        const a = featurize(t, featurizerFor(f, DEFAULT_FEATURIZER));
        const b = featurize(t, featurizerFor(f, RUNS_FEATURIZER));
        return a.length === b.length && a.every((x, i) => x === b[i]);
      });
    if (STUDENT_FEATURES.every(same)) {
      out[name] = { identicalFeatures: true };
      console.log(JSON.stringify({ stage: 8, dataset: name, identicalFeatures: true }));
      continue;
    }
    const rows: Array<{ spans: number; runs: number }> = [];
    for (let k = 0; k < folds; k++) {
      const spans = await finalFitFold(name, k, folds);
      const runs = await finalFitFold(name, k, folds, RUNS_FEATURIZER);
      rows.push({ spans: spans.finalFit, runs: runs.finalFit });
      console.log(
        JSON.stringify({
          stage: 8,
          dataset: name,
          fold: k,
          devMacroF1: { spans: Number(spans.finalFit.toFixed(4)), runs: Number(runs.finalFit.toFixed(4)) },
          chosen: { spans: spans.chosen, runs: runs.chosen },
        }),
      );
    }
    const m = (f: (r: { spans: number; runs: number }) => number): number =>
      rows.reduce((a, r) => a + f(r), 0) / rows.length;
    out[name] = {
      spans: Number(m((r) => r.spans).toFixed(4)),
      runs: Number(m((r) => r.runs).toFixed(4)),
      meanDifference: Number(m((r) => r.spans - r.runs).toFixed(4)),
      foldsBetter: rows.filter((r) => r.spans > r.runs).length,
      folds: rows.length,
    };
  }
  return out;
}

/**
 * Stage 10 (settings.averageWeights): the default student (Auto on, final fit on; on CJK text every trial and the
 * run average their weights over epochs, shared/student.ts autoConfigurations) on the same dev folds of the
 * training split as stages 5 and 8, whose figures are the same student without averaging.
 */
async function averagingStage(names: readonly string[], folds: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const f1s: number[] = [];
    for (let k = 0; k < folds; k++) {
      const r = await finalFitFold(name, k, folds);
      f1s.push(r.finalFit);
      console.log(
        JSON.stringify({
          stage: 10,
          dataset: name,
          fold: k,
          devMacroF1: Number(r.finalFit.toFixed(4)),
          chosen: r.chosen,
          seconds: Number(r.seconds.toFixed(1)),
        }),
      );
    }
    out[name] = { devMacroF1: Number((f1s.reduce((a, b) => a + b, 0) / f1s.length).toFixed(4)), folds };
  }
  return out;
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
  if (stages.has(8)) chosen.cjkScope = await featurizerStage(names, folds);
  if (stages.has(10)) chosen.averageWeights = await averagingStage(names, folds);
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
  // Stage 6 (Chinese datasets): where and how long the CJK character n-grams are, with Auto's training variants.
  const chinese = names.filter((n) => datasetLoader(n)().language === 'zh');
  if (stages.has(6))
    for (const config of autoVariants())
      for (const features of ['both', 'chars'] as const)
        for (const cjk of CJK_GRID) await measure({ ...config, features, cjk }, chinese);
  const devStages: Array<[number, readonly Config[]]> = [
    [7, DEV_FOLD_CANDIDATES],
    [9, SPANS_CANDIDATES],
    [11, AVERAGING_CANDIDATES],
  ];
  for (const [stage, candidates] of devStages.filter(([s]) => stages.has(s)))
    for (const config of candidates)
      for (const name of names) {
        const f1s = await devFoldF1(name, config, folds);
        console.log(
          JSON.stringify({
            stage,
            dataset: name,
            config: key(config),
            devMacroF1: Number((f1s.reduce((a, b) => a + b, 0) / f1s.length).toFixed(4)),
            folds: f1s.map((x) => Number(x.toFixed(4))),
          }),
        );
      }
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
