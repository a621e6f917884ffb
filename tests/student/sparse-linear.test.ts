import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURIZER, featurize } from '../../src/main/features/student/featurizer';
import { buildVocabulary, rowIndex, sparseLogits, tfidfVector } from '../../src/main/features/student/sparse';
import {
  lbfgs,
  parameterCount,
  sparseObjective,
  type SparseProblem,
} from '../../src/main/features/student/sparseLinear';
import { mulberry32 } from '../../src/shared/random';

const TEXTS = [
  'profits rose sharply',
  'sales fell again',
  '利润大幅增长',
  'revenue rose',
  'costs fell sharply',
];

function problem(): SparseProblem {
  const ids = TEXTS.map((t) => featurize(t, DEFAULT_FEATURIZER));
  const vocab = buildVocabulary(ids);
  const rowOf = rowIndex(vocab.rowIds);
  return {
    vectors: ids.map((i) => tfidfVector(i, rowOf, vocab.idf)),
    // Human labels, a teacher distribution alone, and both.
    targets: [
      { label: 0, teacher: null },
      { label: 1, teacher: null },
      { label: null, teacher: [0.7, 0.2, 0.1] },
      { label: 0, teacher: [0.6, 0.3, 0.1] },
      { label: 2, teacher: null },
    ],
    weights: [1, 2, 1, 0.5, 1],
    rows: vocab.rowIds.length,
    classes: 3,
    l2: 0.01,
    distill: { alpha: 0.5, temperature: 2 },
  };
}

describe('TF-IDF vectors and the sparse linear objective', () => {
  it('gives unit-length vectors with sublinear tf and smooth idf', () => {
    const ids = [featurize('a a b', DEFAULT_FEATURIZER), featurize('b c', DEFAULT_FEATURIZER)];
    const vocab = buildVocabulary(ids);
    const v = tfidfVector(ids[0], rowIndex(vocab.rowIds), vocab.idf);
    const norm = Math.hypot(...v.values);
    expect(norm).toBeCloseTo(1, 6);
    // "b" is in both documents: idf ln(3/3) + 1 = 1; "a" twice in one: (1 + ln 2) * (ln(3/2) + 1).
    expect(vocab.idf.some((x) => Math.abs(x - 1) < 1e-6)).toBe(true);
    expect(vocab.idf.some((x) => Math.abs(x - (Math.log(1.5) + 1)) < 1e-6)).toBe(true);
  });

  it('has the exact gradient (finite differences, float64)', () => {
    const p = problem();
    const rnd = mulberry32(7);
    const theta = Float64Array.from({ length: parameterCount(p.rows, p.classes) }, () => rnd() - 0.5);
    const grad = new Float64Array(theta.length);
    sparseObjective(p, theta, grad);
    const scratch = new Float64Array(theta.length);
    for (let j = 0; j < theta.length; j += Math.max(1, Math.floor(theta.length / 40))) {
      const h = 1e-6;
      const plus = Float64Array.from(theta);
      plus[j] += h;
      const minus = Float64Array.from(theta);
      minus[j] -= h;
      const fd = (sparseObjective(p, plus, scratch) - sparseObjective(p, minus, scratch)) / (2 * h);
      expect(Math.abs(fd - grad[j])).toBeLessThan(1e-7 + 1e-5 * Math.abs(fd));
    }
  });

  it('L-BFGS reaches the minimum (gradient near zero) and fits the human labels', () => {
    const p = { ...problem(), l2: 1e-3 };
    const theta = new Float64Array(parameterCount(p.rows, p.classes));
    lbfgs((th, g) => sparseObjective(p, th, g), theta, {
      maxIterations: 500,
      memory: 7,
      gradientTolerance: 1e-7,
    });
    const grad = new Float64Array(theta.length);
    sparseObjective(p, theta, grad);
    expect(Math.max(...grad.map(Math.abs))).toBeLessThan(1e-5);
    const logits = new Float64Array(3);
    const bias = theta.subarray(p.rows * 3);
    const top = (i: number): number => {
      sparseLogits(p.vectors[i], theta, bias, logits);
      return logits.indexOf(Math.max(...logits));
    };
    expect([top(0), top(1), top(4)]).toEqual([0, 1, 2]);
  });
});
