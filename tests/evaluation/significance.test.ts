import { describe, expect, it } from 'vitest';
import { mcnemarExact } from '../../src/main/features/evaluation/metrics';
import { pairedSignificance } from '../../src/main/features/evaluation/significance';

describe('paired significance of two models on the same gold documents', () => {
  it("McNemar's exact p-value equals scipy.stats.binomtest(min, n, 0.5) (values computed with scipy 1.17)", () => {
    const scipy: Array<[number, number, number]> = [
      [1, 9, 0.021484375],
      [5, 5, 1.0],
      [0, 3, 0.25],
      [12, 30, 0.007915897334896727],
      [200, 260, 0.0058839224731039984],
      [0, 0, 1.0],
    ];
    for (const [a, b, p] of scipy) {
      expect(mcnemarExact(a, b)).toBeCloseTo(p, 12);
      expect(mcnemarExact(b, a)).toBeCloseTo(p, 12);
    }
  });

  const onehot = (k: number, c: number): number[] =>
    Array.from({ length: k }, (_, i) => (i === c ? 0.9 : 0.1 / (k - 1)));
  const labels = ['fair', 'unfair'];

  it('B right on 30 more of 100 documents: significant, and the change is +0.30 inside its interval', () => {
    const gold = Array.from({ length: 100 }, (_, i) => i % 2);
    const a = {
      labels,
      predictions: gold.map((g, i) => ({ exampleId: i + 1, gold: g, probs: onehot(2, i < 60 ? g : 1 - g) })),
    };
    const b = {
      labels,
      predictions: gold.map((g, i) => ({ exampleId: i + 1, gold: g, probs: onehot(2, i < 90 ? g : 1 - g) })),
    };
    const s = pairedSignificance(a, b);
    expect(s).toMatchObject({ shared: 100, onlyA: 0, onlyB: 30, significant: true });
    expect(s.pValue).toBeCloseTo(2 * 0.5 ** 30, 15);
    expect(s.accuracyDelta.value).toBeCloseTo(0.3, 12);
    expect(s.accuracyDelta.low!).toBeGreaterThan(0);
    expect(s.macroF1Delta.value!).toBeGreaterThan(0);
  });

  it('the same accuracy reached on different documents is not a difference; unshared documents are left out', () => {
    const gold = Array.from({ length: 40 }, (_, i) => i % 2);
    // A wrong on 0-4, B wrong on 5-9: each right on 5 the other gets wrong.
    const a = {
      labels,
      predictions: gold.map((g, i) => ({ exampleId: i + 1, gold: g, probs: onehot(2, i < 5 ? 1 - g : g) })),
    };
    const b = {
      labels,
      predictions: [
        ...gold.map((g, i) => ({
          exampleId: i + 1,
          gold: g,
          probs: onehot(2, i >= 5 && i < 10 ? 1 - g : g),
        })),
        { exampleId: 999, gold: 0, probs: onehot(2, 0) },
      ],
    };
    const s = pairedSignificance(a, b);
    expect(s).toMatchObject({ shared: 40, onlyA: 5, onlyB: 5, pValue: 1, significant: false });
    expect(s.accuracyDelta.value).toBe(0);
    expect(s.accuracyDelta.low!).toBeLessThan(0);
    expect(s.accuracyDelta.high!).toBeGreaterThan(0);
    // Different label sets: accuracy is still compared, macro-F1 is not.
    const other = pairedSignificance(a, { ...b, labels: ['fair', 'unfair', 'other'] });
    expect(other.macroF1Delta).toEqual({ value: null, low: null, high: null });
    expect(other.shared).toBe(40);
  });
});
