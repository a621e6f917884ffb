import { describe, expect, it } from 'vitest';
import { distillLoss } from '../../src/main/features/student/distill';
import { softmax } from '../../src/shared/math';

const logits = [2, 0.5, -1];
const teacher = [0.7, 0.2, 0.1];

/** KL(p || q) with p = softmax(log(teacher)/T), q = softmax(logits/T), computed by hand below. */
function handKl(T: number): number {
  const pw = teacher.map((p) => Math.pow(p, 1 / T));
  const ps = pw.reduce((a, b) => a + b, 0);
  const p = pw.map((x) => x / ps);
  const qw = logits.map((z) => Math.exp(z / T));
  const qs = qw.reduce((a, b) => a + b, 0);
  const q = qw.map((x) => x / qs);
  return p.reduce((s, pi, i) => s + pi * Math.log(pi / q[i]), 0);
}

describe('distillation loss', () => {
  it('matches a hand-computed value at T = 1 (numbers worked out on paper)', () => {
    // softmax([2, .5, -1]) = [0.78559703, 0.17529039, 0.03911257]
    const s = softmax(logits);
    expect(s[0]).toBeCloseTo(0.78559703, 7);
    expect(s[2]).toBeCloseTo(0.03911257, 7);
    // KL = .7 ln(.7/.78559703) + .2 ln(.2/.17529039) + .1 ln(.1/.03911257) = 0.0403424...
    const kl =
      0.7 * Math.log(0.7 / 0.78559703) + 0.2 * Math.log(0.2 / 0.17529039) + 0.1 * Math.log(0.1 / 0.03911257);
    const ce = -Math.log(0.17529039);
    const { loss } = distillLoss(logits, { label: 1, teacher }, { alpha: 0.3, temperature: 1 });
    expect(loss).toBeCloseTo(0.3 * kl + 0.7 * ce, 6);
  });

  it('scales the soft term by T^2', () => {
    for (const T of [1, 2, 4]) {
      const { loss } = distillLoss(logits, { label: 0, teacher }, { alpha: 1, temperature: T });
      expect(loss).toBeCloseTo(T * T * handKl(T), 10);
    }
  });

  it('alpha = 0 is plain cross-entropy and alpha = 1 is the soft term only', () => {
    const ce = distillLoss(logits, { label: 2, teacher }, { alpha: 0, temperature: 3 });
    expect(ce.loss).toBeCloseTo(-Math.log(softmax(logits)[2]), 12);
    const soft = distillLoss(logits, { label: 2, teacher }, { alpha: 1, temperature: 3 });
    expect(soft.loss).toBeCloseTo(9 * handKl(3), 10);
  });

  it('uses CE alone without a teacher and the soft term alone without a human label', () => {
    const onlyHuman = distillLoss(logits, { label: 0, teacher: null }, { alpha: 0.9, temperature: 2 });
    expect(onlyHuman.loss).toBeCloseTo(-Math.log(softmax(logits)[0]), 12);
    const onlyTeacher = distillLoss(logits, { label: null, teacher }, { alpha: 0.1, temperature: 2 });
    expect(onlyTeacher.loss).toBeCloseTo(4 * handKl(2), 10);
  });

  it('returns the gradient of the loss (checked by finite differences)', () => {
    const opts = { alpha: 0.6, temperature: 2.5 };
    const target = { label: 1, teacher };
    const { grad } = distillLoss(logits, target, opts);
    for (let i = 0; i < logits.length; i++) {
      const up = [...logits];
      const down = [...logits];
      up[i] += 1e-5;
      down[i] -= 1e-5;
      const numeric = (distillLoss(up, target, opts).loss - distillLoss(down, target, opts).loss) / 2e-5;
      expect(grad[i]).toBeCloseTo(numeric, 6);
    }
  });

  it('treats a zero teacher probability as a tiny one instead of -Infinity', () => {
    const { loss, grad } = distillLoss(
      logits,
      { label: null, teacher: [1, 0, 0] },
      { alpha: 0.5, temperature: 1 },
    );
    expect(Number.isFinite(loss)).toBe(true);
    expect(grad.every((g) => Number.isFinite(g))).toBe(true);
    expect(loss).toBeCloseTo(-Math.log(softmax(logits)[0]), 6);
  });
});
