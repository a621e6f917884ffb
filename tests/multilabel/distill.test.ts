import { describe, expect, it } from 'vitest';
import {
  multiLabelDistillLoss,
  positiveWeights,
  probabilityLogit,
  sigmoid,
  type MultiLabelTarget,
} from '../../src/main/features/student/distillMultilabel';
import { mulberry32 } from '../../src/shared/random';

/** BCE written the naive way, from probabilities: the formula of the issue, term by term. */
function naive(s: number[], target: MultiLabelTarget, alpha: number, T: number, w?: number[]): number {
  const bce = (a: number, b: number, wk = 1): number => -(wk * a * Math.log(b) + (1 - a) * Math.log(1 - b));
  const both = target.labels && target.teacher;
  const soft = both ? alpha : target.teacher ? 1 : 0;
  const hard = both ? 1 - alpha : target.labels ? 1 : 0;
  let loss = 0;
  s.forEach((sk, k) => {
    if (target.teacher) {
      const t = probabilityLogit(target.teacher[k]);
      loss += soft * T * T * bce(sigmoid(t / T), sigmoid(sk / T));
    }
    if (target.labels) loss += hard * bce(target.labels[k], sigmoid(sk), w?.[k] ?? 1);
  });
  return loss;
}

describe('the multi-label distillation loss', () => {
  const rnd = mulberry32(11);
  const cases: Array<{ target: MultiLabelTarget; w?: number[] }> = [
    { target: { labels: [1, 0, 0, 1, 0], teacher: [0.9, 0.2, 0.05, 0.6, 0.3] } },
    { target: { labels: [0, 0, 0, 0, 0], teacher: null } }, // "none of these", human only
    { target: { labels: null, teacher: [0.01, 0.99, 0.5, 0.3, 0.7] } },
    { target: { labels: [0, 1, 0, 0, 1], teacher: [0.2, 0.8, 0.1, 0.4, 0.3] }, w: [1, 4, 2.5, 1, 10] },
  ];
  for (const [i, c] of cases.entries()) {
    it(`equals the formula and its gradient matches finite differences (case ${i})`, () => {
      for (const T of [1, 2.5]) {
        const s = Array.from({ length: 5 }, () => (rnd() - 0.5) * 6);
        const opts = { alpha: 0.7, temperature: T, positiveWeights: c.w };
        const { loss, grad } = multiLabelDistillLoss(s, c.target, opts);
        expect(Math.abs(loss - naive(s, c.target, 0.7, T, c.w))).toBeLessThan(1e-10);
        const h = 1e-6;
        for (let k = 0; k < s.length; k++) {
          const up = [...s];
          const down = [...s];
          up[k] += h;
          down[k] -= h;
          const fd =
            (multiLabelDistillLoss(up, c.target, opts).loss -
              multiLabelDistillLoss(down, c.target, opts).loss) /
            (2 * h);
          expect(Math.abs(fd - grad[k]), `T=${T} k=${k}`).toBeLessThan(1e-6);
        }
      }
    });
  }

  it('is stable at extreme logits and is smallest where the student agrees with the teacher', () => {
    const far = multiLabelDistillLoss(
      [80, -80],
      { labels: [1, 0], teacher: null },
      { alpha: 0.5, temperature: 1 },
    );
    expect(far.loss).toBeLessThan(1e-30);
    expect(
      Number.isFinite(
        multiLabelDistillLoss([-800], { labels: [1], teacher: [0.5] }, { alpha: 0.5, temperature: 2 }).loss,
      ),
    ).toBe(true);
    const t = { labels: null, teacher: [0.8, 0.1] };
    const at = multiLabelDistillLoss([probabilityLogit(0.8), probabilityLogit(0.1)], t, {
      alpha: 1,
      temperature: 2,
    });
    expect(Math.max(...at.grad.map(Math.abs))).toBeLessThan(1e-12);
  });

  it('weighs rare labels up to the cap', () => {
    const sets = [
      [1, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [1, 1, 0],
    ];
    expect(positiveWeights(sets, 3, 10)).toEqual([1, 3, 1]);
    expect(
      positiveWeights(
        Array.from({ length: 100 }, (_, i) => [i === 0 ? 1 : 0]),
        1,
        10,
      ),
    ).toEqual([10]);
  });
});
