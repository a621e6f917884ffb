/**
 * bench/student: the default student against Debian's fastText CLI and TF-IDF + logistic regression (scikit-learn),
 * trained on the same gold labels of each dataset's canonical split (../shared/datasets/README.md).
 *
 * The student holds out every 10th training example as validation (early stopping); the references train on the
 * same 90% and never see the held-out 10% (they have no use for it). Test = the canonical held-out split.
 * Training examples/s = examples x epochs / wall time (featurizing, validation and checkpoints included).
 * fastText: `-epoch 25 -lr 0.5 -wordNgrams 2 -thread 1` (one thread, like the student) on text split into words
 * by the same Intl.Segmenter (fastText cannot split Chinese itself). p50 latency is the median of single-example
 * predictions in-process; the fastText CLI cannot be timed per example (null).
 *
 * The CNN and tiny transformer students (architectures 'cnn' and 'transformer', otherwise default settings) are
 * trained and reported beside the default student as `cnn` and `transformer` (no target: the targets are for
 * the default student).
 * Prints one JSON line per dataset, then a summary line (the last line) with all of them.
 * Options: `npm run bench -- student [kuake_qic,unfair_tos,financial_phrasebank]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATASET_LOADERS, datasetLoader, type Dataset, type Row } from './lib/datasets';
import { DEFAULT_FEATURIZER, normalizeText, words } from '../src/main/features/student/featurizer';
import { loadStudent } from '../src/main/features/student/predictor';
import { macroF1 } from '../src/main/features/evaluation/metrics';
import { runTraining } from '../src/main/features/student/trainer';
import { DEFAULT_TRAIN_SETTINGS, TrainSettings } from '../src/shared/student';

const FASTTEXT = '/usr/bin/fasttext';
const PYTHON = '/usr/bin/python3';

interface Scores {
  /** Gradient steps only (the student's loop; featurizing, validation and checkpoints excluded), else null. */
  trainLoopExamplesPerSecond?: number | null;
  accuracy: number;
  macroF1: number;
  trainExamplesPerSecond: number;
  inferenceExamplesPerSecond: number;
  p50LatencyMs: number | null;
}

function score(
  labels: readonly string[],
  gold: readonly string[],
  pred: readonly string[],
): { accuracy: number; macroF1: number } {
  const idx = new Map(labels.map((l, i) => [l, i]));
  const g = gold.map((l) => idx.get(l) ?? 0);
  const p = pred.map((l) => idx.get(l) ?? 0);
  const correct = g.filter((x, i) => x === p[i]).length;
  return { accuracy: correct / gold.length, macroF1: macroF1(g, p, labels.length) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function student(
  ds: Dataset,
  labels: string[],
  train: Row[],
  validation: Row[],
  settings: TrainSettings = DEFAULT_TRAIN_SETTINGS,
): Promise<Scores> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-student-'));
  try {
    const cls = (l: string): number => labels.indexOf(l);
    const loopRates: number[] = [];
    const t0 = performance.now();
    const out = await runTraining(
      {
        data: {
          labels,
          train: train.map((r) => ({ text: r.text, label: cls(r.label), teacher: null })),
          validation: validation.map((r) => ({ text: r.text, label: cls(r.label) })),
        },
        settings,
        runDir: dir,
        resumeFrom: null,
      },
      {
        onProgress: async () => undefined,
        onEpoch: async (e) => void loopRates.push(e.examplesPerSecond),
      },
    );
    const trainSeconds = (performance.now() - t0) / 1000;
    const predictor = await loadStudent(out.modelPath);
    const t1 = performance.now();
    const probs = await predictor.predict(ds.test.map((r) => r.text));
    const inferSeconds = (performance.now() - t1) / 1000;
    const latencies: number[] = [];
    for (const r of ds.test.slice(0, 300)) {
      const s = performance.now();
      await predictor.predict([r.text]);
      latencies.push(performance.now() - s);
    }
    predictor.dispose();
    const pred = probs.map((p) => labels[p.indexOf(Math.max(...p))]);
    return {
      ...score(
        labels,
        ds.test.map((r) => r.label),
        pred,
      ),
      trainExamplesPerSecond: (train.length * out.epochsRun) / trainSeconds,
      trainLoopExamplesPerSecond: median(loopRates),
      inferenceExamplesPerSecond: ds.test.length / inferSeconds,
      p50LatencyMs: median(latencies),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fastTextLine(text: string): string {
  return words(normalizeText(text, DEFAULT_FEATURIZER), DEFAULT_FEATURIZER).join(' ');
}

const FT_EPOCHS = 25;
const CNN_SETTINGS = TrainSettings.parse({ ...DEFAULT_TRAIN_SETTINGS, architecture: 'cnn' });
const TRANSFORMER_SETTINGS = TrainSettings.parse({ ...DEFAULT_TRAIN_SETTINGS, architecture: 'transformer' });

function fastText(ds: Dataset, labels: string[], train: Row[]): Scores {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fasttext-'));
  try {
    const tag = (l: string): string => `__label__${labels.indexOf(l)}`;
    writeFileSync(
      join(dir, 'train.txt'),
      train.map((r) => `${tag(r.label)} ${fastTextLine(r.text)}`).join('\n') + '\n',
    );
    writeFileSync(join(dir, 'test.txt'), ds.test.map((r) => fastTextLine(r.text)).join('\n') + '\n');
    const t0 = performance.now();
    const tr = spawnSync(
      FASTTEXT,
      [
        'supervised',
        '-input',
        join(dir, 'train.txt'),
        '-output',
        join(dir, 'model'),
        '-epoch',
        String(FT_EPOCHS),
        '-lr',
        '0.5',
        '-wordNgrams',
        '2',
        '-thread',
        '1',
        '-verbose',
        '0',
      ],
      { encoding: 'utf8' },
    );
    const trainSeconds = (performance.now() - t0) / 1000;
    if (tr.status !== 0) throw new Error(`fasttext supervised failed: ${tr.stderr}`);
    const t1 = performance.now();
    const pr = spawnSync(FASTTEXT, ['predict', join(dir, 'model.bin'), join(dir, 'test.txt')], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const inferSeconds = (performance.now() - t1) / 1000;
    if (pr.status !== 0) throw new Error(`fasttext predict failed: ${pr.stderr}`);
    const pred = pr.stdout
      .trim()
      .split('\n')
      .map((l) => labels[Number(l.replace('__label__', ''))]);
    return {
      ...score(
        labels,
        ds.test.map((r) => r.label),
        pred,
      ),
      trainExamplesPerSecond: (train.length * FT_EPOCHS) / trainSeconds,
      inferenceExamplesPerSecond: ds.test.length / inferSeconds,
      p50LatencyMs: null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SKLEARN = String.raw`
import json, sys, time
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
d = json.load(open(sys.argv[1]))
if d['language'] == 'zh':
    vec = TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True)
else:
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
t0 = time.perf_counter()
X = vec.fit_transform(d['train_texts'])
clf = LogisticRegression(max_iter=2000, C=10.0)
clf.fit(X, d['train_labels'])
train_s = time.perf_counter() - t0
t1 = time.perf_counter()
pred = clf.predict(vec.transform(d['test_texts']))
infer_s = time.perf_counter() - t1
lat = []
for t in d['test_texts'][:300]:
    s = time.perf_counter(); clf.predict(vec.transform([t])); lat.append((time.perf_counter() - s) * 1000)
print(json.dumps({'pred': [str(p) for p in pred], 'train_s': train_s, 'infer_s': infer_s, 'p50_ms': float(np.median(lat))}))
`;

function sklearn(ds: Dataset, labels: string[], train: Row[]): Scores {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sklearn-'));
  try {
    writeFileSync(join(dir, 'ref.py'), SKLEARN);
    writeFileSync(
      join(dir, 'data.json'),
      JSON.stringify({
        language: ds.language,
        train_texts: train.map((r) => r.text),
        train_labels: train.map((r) => r.label),
        test_texts: ds.test.map((r) => r.text),
      }),
    );
    const r = spawnSync(PYTHON, [join(dir, 'ref.py'), join(dir, 'data.json')], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`scikit-learn reference failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
      pred: string[];
      train_s: number;
      infer_s: number;
      p50_ms: number;
    };
    return {
      ...score(
        labels,
        ds.test.map((x) => x.label),
        out.pred,
      ),
      trainExamplesPerSecond: train.length / out.train_s,
      inferenceExamplesPerSecond: ds.test.length / out.infer_s,
      p50LatencyMs: out.p50_ms,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number | null, d = 4): number | null {
  return x === null ? null : Number(x.toFixed(d));
}

function rounded(s: Scores): Record<string, number | null> {
  return {
    accuracy: round(s.accuracy),
    macroF1: round(s.macroF1),
    trainExamplesPerSecond: round(s.trainExamplesPerSecond, 0),
    ...(s.trainLoopExamplesPerSecond === undefined
      ? {}
      : { trainLoopExamplesPerSecond: round(s.trainLoopExamplesPerSecond, 0) }),
    inferenceExamplesPerSecond: round(s.inferenceExamplesPerSecond, 0),
    p50LatencyMs: round(s.p50LatencyMs, 3),
  };
}

async function main(): Promise<void> {
  const chosen = (process.argv[2] ?? Object.keys(DATASET_LOADERS).join(',')).split(',');
  const results: Array<Record<string, unknown>> = [];
  for (const name of chosen) {
    const ds = datasetLoader(name)();
    const labels = [...new Set([...ds.train, ...ds.test].map((r) => r.label))].sort();
    const train = ds.train.filter((_, i) => i % 10 !== 0);
    const validation = ds.train.filter((_, i) => i % 10 === 0);
    const s = await student(ds, labels, train, validation);
    // The CNN and transformer students (TensorFlow.js, WebAssembly here): reported beside the default, no target.
    const cnn = await student(ds, labels, train, validation, CNN_SETTINGS);
    const transformer = await student(ds, labels, train, validation, TRANSFORMER_SETTINGS);
    const ft = fastText(ds, labels, train);
    const sk = sklearn(ds, labels, train);
    const line = {
      dataset: name,
      train: train.length,
      validation: validation.length,
      test: ds.test.length,
      classes: labels.length,
      student: rounded(s),
      cnn: rounded(cnn),
      transformer: rounded(transformer),
      fasttext: rounded(ft),
      sklearn: rounded(sk),
      ratio: {
        cnnTrainSpeedVsFasttext: round(cnn.trainExamplesPerSecond / ft.trainExamplesPerSecond),
        transformerTrainSpeedVsFasttext: round(
          transformer.trainExamplesPerSecond / ft.trainExamplesPerSecond,
        ),
        macroF1VsFasttext: round(s.macroF1 / ft.macroF1),
        macroF1VsSklearn: round(s.macroF1 / sk.macroF1),
        trainSpeedVsFasttext: round(s.trainExamplesPerSecond / ft.trainExamplesPerSecond),
      },
      targets: {
        macroF1AtLeastBoth: s.macroF1 >= ft.macroF1 && s.macroF1 >= sk.macroF1,
        trainSpeedAtLeast0_3xFasttext: s.trainExamplesPerSecond >= 0.3 * ft.trainExamplesPerSecond,
        p50Under1ms: (s.p50LatencyMs ?? Infinity) < 1,
      },
    };
    results.push(line);
    console.log(JSON.stringify(line));
  }
  const misses: string[] = [];
  for (const r of results) {
    const st = r.student as Record<string, number>;
    const ft = r.fasttext as Record<string, number>;
    const sk = r.sklearn as Record<string, number>;
    for (const [ref, v] of [
      ['fastText', ft],
      ['TF-IDF+LR', sk],
    ] as const) {
      if (st.macroF1 < v.macroF1) {
        misses.push(
          `${String(r.dataset)}: macro-F1 ${(100 * (v.macroF1 - st.macroF1)).toFixed(1)} points below ${ref}`,
        );
      }
    }
    if (st.trainExamplesPerSecond < 0.3 * ft.trainExamplesPerSecond) {
      misses.push(
        `${String(r.dataset)}: training at ${(st.trainExamplesPerSecond / ft.trainExamplesPerSecond).toFixed(2)}x fastText`,
      );
    }
  }
  console.log(
    JSON.stringify({
      bench: 'student',
      misses,
      settings: DEFAULT_TRAIN_SETTINGS,
      datasets: results,
      allTargetsMet: results.every((r) => Object.values(r.targets as Record<string, boolean>).every(Boolean)),
    }),
  );
}

await main();
