import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  averagePrecision,
  bootstrapIntervals,
  cohenKappa,
  confusionMatrix,
  expectedCalibrationError,
  histogram,
  macroF1,
  mulberry32,
  nanMean,
  normalizeRows,
  precisionRecallCurve,
  precisionRecallF1,
  reliabilityBins,
  rocAuc,
  rocCurve,
  type Curve,
} from '../../src/main/features/evaluation/metrics';
import { argmax } from '../../src/shared/math';
import { ROOT } from '../helpers';

type Num = number | null;
interface RefCurve {
  x: Num[];
  y: Num[];
  thresholds: number[];
}
interface RefCase {
  name: string;
  k: number;
  yTrue: number[];
  probs: number[][];
  yPred: number[];
  accuracy: number;
  confusion: number[][];
  confusionNormalized: number[][];
  perClass: Array<{ precision: number; recall: number; f1: number; support: number }>;
  macroF1: number;
  microF1: number;
  weightedF1: number;
  kappa: Num;
  roc: Array<RefCurve | null>;
  auc: Num[];
  macroAuc: Num;
  macroAucSklearn?: number;
  pr: Array<RefCurve | null>;
  averagePrecision: Num[];
  reliability: { counts: number[]; accuracy: number[]; meanConfidence: number[] };
  ece: number;
  histogramCorrect: number[];
  histogramWrong: number[];
  bootstrap: Record<'accuracy' | 'macroF1' | 'kappa', { low: Num; high: Num }>;
}
interface Reference {
  sklearn: string;
  bootstrap: { iterations: number; seed: number };
  nBins: number;
  cases: RefCase[];
}

const FIXTURE = join(ROOT, 'tests', 'evaluation', 'fixtures', 'sklearn-reference.json');
const SCRIPT = join(ROOT, 'scripts', 'sklearn-reference.py');
const SYSTEM_PYTHON = '/usr/bin/python3';
const TOL = 1e-9;

/** NaN (ours) matches null (sklearn's undefined, written as null); numbers match to 1e-9. */
function close(actual: number, expected: Num, what: string): void {
  if (expected === null) {
    expect(Number.isNaN(actual), `${what}: expected undefined, got ${actual}`).toBe(true);
    return;
  }
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOL);
}

function closeAll(actual: readonly number[], expected: readonly Num[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  actual.forEach((v, i) => close(v, expected[i], `${what}[${i}]`));
}

function compareCurve(
  actual: Curve | null,
  expected: RefCurve | null,
  what: string,
  skipFirstThreshold: boolean,
): void {
  if (expected === null) {
    expect(actual, `${what}: undefined curve`).toBeNull();
    return;
  }
  expect(actual, what).not.toBeNull();
  if (!actual) return;
  closeAll(actual.x, expected.x, `${what}.x`);
  closeAll(actual.y, expected.y, `${what}.y`);
  const thresholds = skipFirstThreshold ? actual.thresholds.slice(1) : actual.thresholds;
  closeAll(thresholds, expected.thresholds, `${what}.thresholds`);
  if (skipFirstThreshold) expect(actual.thresholds[0]).toBe(Number.POSITIVE_INFINITY);
}

/** Every metric of one case, computed by our library and compared with sklearn's values. */
function checkCase(ref: RefCase, settings: Pick<Reference, 'bootstrap' | 'nBins'>): void {
  const { k, yTrue, probs, name } = ref;
  const yPred = probs.map(argmax);
  expect(yPred, `${name}: argmax`).toEqual(ref.yPred);
  close(accuracy(yTrue, yPred), ref.accuracy, `${name} accuracy`);
  expect(confusionMatrix(yTrue, yPred, k)).toEqual(ref.confusion);
  normalizeRows(confusionMatrix(yTrue, yPred, k)).forEach((row, i) =>
    closeAll(row, ref.confusionNormalized[i], `${name} normalized row ${i}`),
  );
  const prf = precisionRecallF1(yTrue, yPred, k);
  prf.perClass.forEach((c, i) => {
    close(c.precision, ref.perClass[i].precision, `${name} precision[${i}]`);
    close(c.recall, ref.perClass[i].recall, `${name} recall[${i}]`);
    close(c.f1, ref.perClass[i].f1, `${name} f1[${i}]`);
    expect(c.support).toBe(ref.perClass[i].support);
  });
  close(prf.macroF1, ref.macroF1, `${name} macroF1`);
  close(macroF1(yTrue, Int32Array.from(yPred), k), ref.macroF1, `${name} macroF1 (the trainer's)`);
  close(prf.microF1, ref.microF1, `${name} microF1`);
  close(prf.weightedF1, ref.weightedF1, `${name} weightedF1`);
  close(cohenKappa(yTrue, yPred, k), ref.kappa, `${name} kappa`);

  const aucs: number[] = [];
  for (let c = 0; c < k; c++) {
    const yc = yTrue.map((y) => y === c);
    const scores = probs.map((p) => p[c]);
    compareCurve(rocCurve(yc, scores), ref.roc[c], `${name} roc[${c}]`, true);
    compareCurve(precisionRecallCurve(yc, scores), ref.pr[c], `${name} pr[${c}]`, false);
    aucs.push(rocAuc(yc, scores));
    close(aucs[c], ref.auc[c], `${name} auc[${c}]`);
    close(averagePrecision(yc, scores), ref.averagePrecision[c], `${name} ap[${c}]`);
  }
  close(nanMean(aucs), ref.macroAuc, `${name} macroAuc`);
  if (ref.macroAucSklearn !== undefined)
    close(nanMean(aucs), ref.macroAucSklearn, `${name} roc_auc_score ovr`);

  const confidence = probs.map((p) => Math.max(...p));
  const correct = yTrue.map((y, i) => y === yPred[i]);
  const bins = reliabilityBins(confidence, correct, settings.nBins);
  expect(bins.map((b) => b.count)).toEqual(ref.reliability.counts);
  const filled = bins.filter((b) => b.count > 0);
  closeAll(
    filled.map((b) => b.accuracy),
    ref.reliability.accuracy,
    `${name} reliability accuracy`,
  );
  closeAll(
    filled.map((b) => b.meanConfidence),
    ref.reliability.meanConfidence,
    `${name} reliability confidence`,
  );
  close(expectedCalibrationError(bins), ref.ece, `${name} ece`);
  expect(
    histogram(
      confidence.filter((_, i) => correct[i]),
      settings.nBins,
    ),
  ).toEqual(ref.histogramCorrect);
  expect(
    histogram(
      confidence.filter((_, i) => !correct[i]),
      settings.nBins,
    ),
  ).toEqual(ref.histogramWrong);

  const pick = (idx: readonly number[]): [number[], number[]] => [
    idx.map((i) => yTrue[i]),
    idx.map((i) => yPred[i]),
  ];
  const intervals = bootstrapIntervals(
    yTrue.length,
    (idx) => ({
      accuracy: accuracy(...pick(idx)),
      macroF1: precisionRecallF1(...pick(idx), k).macroF1,
      kappa: cohenKappa(...pick(idx), k),
    }),
    settings.bootstrap,
  );
  for (const metric of ['accuracy', 'macroF1', 'kappa'] as const) {
    close(intervals[metric].low, ref.bootstrap[metric].low, `${name} bootstrap ${metric} low`);
    close(intervals[metric].high, ref.bootstrap[metric].high, `${name} bootstrap ${metric} high`);
  }
}

const reference = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Reference;

describe('metrics agree with scikit-learn to 1e-9 (checked-in fixtures from scripts/sklearn-reference.py)', () => {
  it('covers the edge cases the issue names', () => {
    expect(reference.cases.map((c) => c.name)).toEqual([
      'multiclass_ties',
      'binary_tied_scores',
      'class_absent_from_predictions',
      'class_absent_from_gold',
      'single_gold_class',
      'perfect',
    ]);
  });
  for (const ref of reference.cases) {
    it(`case ${ref.name}`, () => checkCase(ref, reference));
  }
});

const hasSklearn =
  existsSync(SYSTEM_PYTHON) &&
  spawnSync(SYSTEM_PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0;

describe('metrics agree with a fresh run of scikit-learn', () => {
  it.skipIf(!hasSklearn)(
    'regenerates the expected values with /usr/bin/python3 and matches them (skipped when Debian python3-sklearn is not installed)',
    () => {
      const fresh = JSON.parse(
        execFileSync(SYSTEM_PYTHON, [SCRIPT, '--stdout'], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 }),
      ) as Reference;
      expect(fresh.cases.length).toBe(reference.cases.length);
      for (const ref of fresh.cases) checkCase(ref, fresh);
    },
  );
});

describe('metrics outside the reference', () => {
  it('gives the same bootstrap for the same seed and a different one for another seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
    for (const v of seqA) expect(v >= 0 && v < 1).toBe(true);
  });

  it('calls kappa undefined when both labelings are one and the same class', () => {
    expect(Number.isNaN(cohenKappa([1, 1, 1], [1, 1, 1], 2))).toBe(true);
    expect(Number.isNaN(accuracy([], []))).toBe(true);
  });
});
