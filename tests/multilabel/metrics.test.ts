import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  coOccurrence,
  multiLabelIntervals,
  multiLabelReport,
  predictSets,
  setMetrics,
  thresholdsWithSharedFallback,
  tuneThresholds,
} from '../../src/main/features/evaluation/multilabelMetrics';

/** Written by tests/fixtures/multilabel/make_reference.py with scikit-learn. */
interface Reference {
  y: number[][];
  scores: number[][];
  thresholds: number[];
  [metric: string]: unknown;
  perLabel: Array<Record<string, number | null>>;
}
const ref = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'multilabel', 'sklearn-reference.json'), 'utf8'),
) as Reference;

const close = (got: number, want: number | null, what: string): void => {
  if (want === null) expect(Number.isNaN(got), what).toBe(true);
  else expect(Math.abs(got - want), `${what}: ${got} vs sklearn ${want}`).toBeLessThan(1e-9);
};

describe('multi-label metrics against scikit-learn', () => {
  it('micro/macro/samples F1, Hamming loss, subset accuracy, LRAP, ROC/PR AUC agree to 1e-9', () => {
    const r = multiLabelReport(ref.y, ref.scores, ref.thresholds);
    for (const m of [
      'microF1',
      'macroF1',
      'samplesF1',
      'microPrecision',
      'microRecall',
      'hammingLoss',
      'subsetAccuracy',
      'lrap',
      'microRocAuc',
      'macroRocAuc',
      'macroPrAuc',
    ] as const) {
      close(r[m], ref[m] as number, m);
    }
    r.perLabel.forEach((l, i) => {
      for (const m of ['precision', 'recall', 'f1', 'support', 'rocAuc', 'prAuc'] as const) {
        close(l[m], ref.perLabel[i][m], `label ${i} ${m}`);
      }
    });
  });

  it('bootstrap intervals hold the point estimate and are the same for the same seed', () => {
    const r = multiLabelReport(ref.y, ref.scores, ref.thresholds);
    const ci = multiLabelIntervals(ref.y, ref.scores, ref.thresholds, { iterations: 300, seed: 5 });
    for (const m of ['microF1', 'macroF1', 'samplesF1', 'hammingLoss', 'subsetAccuracy', 'lrap'] as const) {
      expect(ci[m].low, m).toBeLessThanOrEqual(r[m]);
      expect(ci[m].high, m).toBeGreaterThanOrEqual(r[m]);
      expect(ci[m].high - ci[m].low, m).toBeGreaterThan(0);
    }
    expect(multiLabelIntervals(ref.y, ref.scores, ref.thresholds, { iterations: 300, seed: 5 })).toEqual(ci);
  });

  it('per-label thresholds tuned on validation: the best F1 of every possible cut; a precision target is met', () => {
    const k = ref.thresholds.length;
    const tuned = tuneThresholds(ref.y, ref.scores, { target: 'f1' }, 0.5, 1);
    const labelF1 = (t: number, l: number): number => {
      const th = ref.thresholds.map((_, j) => (j === l ? t : 2));
      return setMetrics(
        ref.y.map((r) => r.map((v, j) => (j === l ? v : 0))),
        predictSets(ref.scores, th),
        [...ref.y.keys()],
      ).microF1;
    };
    for (let l = 0; l < k; l++) {
      const best = Math.max(...ref.scores.map((s) => labelF1(s[l], l)));
      close(labelF1(tuned[l], l), best, `label ${l} tuned F1`);
    }
    const strict = tuneThresholds(ref.y, ref.scores, { target: 'precision', min: 0.8 }, 0.5);
    const r = multiLabelReport(ref.y, ref.scores, strict);
    strict.forEach((t, l) => {
      if (t !== 0.5) expect(r.perLabel[l].precision).toBeGreaterThanOrEqual(0.8);
    });
    // Too few positive validation documents (label 5 has 3): the global default stays.
    expect(tuneThresholds(ref.y, ref.scores, { target: 'f1' }, 0.5)[5]).toBe(0.5);
    expect(tuneThresholds(ref.y, ref.scores, { target: 'f1' }, 0.5)[0]).toBe(tuned[0]);
    // No positive validation document: the global default stays.
    expect(tuneThresholds([[0], [0]], [[0.2], [0.9]], { target: 'f1' }, 0.5)).toEqual([0.5]);
  });

  it('a label with too few validation positives gets the cut that is best for micro-F1 over all labels pooled', () => {
    const k = ref.y[0].length;
    const positives = (l: number): number => ref.y.filter((r) => r[l]).length;
    const min = 5;
    const got = thresholdsWithSharedFallback(ref.y, ref.scores, 0.5, min);
    const own = tuneThresholds(ref.y, ref.scores, { target: 'f1' }, 0.5, min);
    // Every (document, label) pair as one label: the shared cut is the best of every pooled score for micro-F1.
    const pooledMicroF1 = (t: number): number =>
      setMetrics(ref.y, predictSets(ref.scores, new Array<number>(k).fill(t)), [...ref.y.keys()]).microF1;
    const shared = Math.max(...ref.scores.flat().map(pooledMicroF1));
    const rare = [...Array(k).keys()].filter((l) => positives(l) < min);
    expect(rare.length).toBeGreaterThan(0);
    for (let l = 0; l < k; l++) {
      if (positives(l) >= min) expect(got[l]).toBe(own[l]);
      else close(pooledMicroF1(got[l]), shared, `label ${l} shared cut`);
    }
    expect(new Set(rare.map((l) => got[l])).size).toBe(1);
    expect(got[rare[0]]).not.toBe(0.5);
    // Fewer pooled positives than the minimum: the global default, as for a single label.
    expect(
      thresholdsWithSharedFallback(
        [
          [1, 0],
          [0, 0],
        ],
        [
          [0.9, 0.2],
          [0.3, 0.1],
        ],
        0.5,
        2,
      ),
    ).toEqual([0.5, 0.5]);
  });

  it('counts co-occurrences; predicting "none of these" right is a success for samples F1', () => {
    expect(
      coOccurrence([
        [1, 1, 0],
        [1, 0, 0],
        [0, 0, 0],
      ]),
    ).toEqual([
      [2, 1, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
    const m = setMetrics([[0, 0]], [[0, 0]], [0]);
    expect(m).toMatchObject({ samplesF1: 1, subsetAccuracy: 1, hammingLoss: 0 });
  });
});
