import { describe, expect, it } from 'vitest';
import { independentLabelColumns } from '../../src/main/core/labels';
import { binaryScores, fitPlatt, sigmoid, yesProbability } from '../../src/main/features/teacher/scoring';
import { mulberry32 } from '../../src/shared/random';

/** Platt's smoothed log-loss of sigmoid(a z + b): what fitPlatt minimises. */
function smoothedLoss(z: readonly number[], y: readonly (0 | 1)[], a: number, b: number): number {
  const pos = y.filter((v) => v === 1).length;
  const neg = y.length - pos;
  let f = 0;
  for (let i = 0; i < z.length; i++) {
    const t = y[i] === 1 ? (pos + 1) / (pos + 2) : 1 / (neg + 2);
    const p = sigmoid(a * z[i] + b);
    f -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
  }
  return f;
}

function synthetic(n: number, a: number, b: number, seed: number): { z: number[]; y: Array<0 | 1> } {
  const rand = mulberry32(seed);
  const z: number[] = [];
  const y: Array<0 | 1> = [];
  for (let i = 0; i < n; i++) {
    const v = -4 + 8 * rand();
    z.push(v);
    y.push(rand() < sigmoid(a * v + b) ? 1 : 0);
  }
  return { z, y };
}

describe('per-label calibration maths (pure)', () => {
  it('Platt scaling recovers the slope and intercept that generated the data', () => {
    const { z, y } = synthetic(20_000, 2, -0.5, 7);
    const fit = fitPlatt(z, y);
    expect(fit.a).toBeGreaterThan(1.85);
    expect(fit.a).toBeLessThan(2.15);
    expect(fit.b).toBeGreaterThan(-0.62);
    expect(fit.b).toBeLessThan(-0.38);
  });

  it('its fit is the minimum of the smoothed log-loss (finite differences in every direction are not lower)', () => {
    const { z, y } = synthetic(60, 0.7, 0.3, 3);
    const fit = fitPlatt(z, y);
    const at = smoothedLoss(z, y, fit.a, fit.b);
    const h = 1e-4;
    for (const [da, db] of [
      [h, 0],
      [-h, 0],
      [0, h],
      [0, -h],
      [h, h],
      [-h, -h],
    ]) {
      expect(smoothedLoss(z, y, fit.a + da, fit.b + db)).toBeGreaterThanOrEqual(at - 1e-12);
    }
    // Gradient by central differences is ~0.
    const ga = (smoothedLoss(z, y, fit.a + h, fit.b) - smoothedLoss(z, y, fit.a - h, fit.b)) / (2 * h);
    const gb = (smoothedLoss(z, y, fit.a, fit.b + h) - smoothedLoss(z, y, fit.a, fit.b - h)) / (2 * h);
    expect(Math.abs(ga)).toBeLessThan(1e-6);
    expect(Math.abs(gb)).toBeLessThan(1e-6);
  });

  it('separable data gives a finite fit (the smoothed targets), and calibration lowers the log-loss of an overconfident teacher', () => {
    const z = [-3, -2, -1, 1, 2, 3];
    const y: Array<0 | 1> = [0, 0, 0, 1, 1, 1];
    const fit = fitPlatt(z, y);
    expect(Number.isFinite(fit.a) && Number.isFinite(fit.b)).toBe(true);
    expect(fit.a).toBeGreaterThan(0);
    // Overconfident: log-odds 5x too large and often wrong.
    const { z: z2, y: y2 } = synthetic(2000, 0.4, 0, 11);
    const loud = z2.map((v) => 5 * v);
    const p = fitPlatt(loud, y2);
    const before = binaryScores(loud.map(sigmoid), y2);
    const after = binaryScores(
      loud.map((v) => sigmoid(p.a * v + p.b)),
      y2,
    );
    expect(p.a).toBeCloseTo(0.08, 1);
    expect(after.logLoss).toBeLessThan(before.logLoss);
    expect(after.brier).toBeLessThan(before.brier);
  });

  it('P(yes)/(P(yes)+P(no)) is sigmoid of the difference, stable at extreme log-likelihoods', () => {
    expect(yesProbability(Math.log(0.3), Math.log(0.1))).toBeCloseTo(0.75, 14);
    expect(yesProbability(-1000, -2000)).toBe(1);
    expect(yesProbability(-2000, -1000)).toBe(0);
    expect(yesProbability(-5, -5)).toBe(0.5);
  });

  it('stores multi-label outputs by the agreed convention: no predicted label, mean binary entropy, min |2p-1|', () => {
    const o = independentLabelColumns([0.5, 0.9, 0]);
    expect(o.predictedLabelId).toBeNull();
    expect(JSON.parse(o.probs)).toEqual([0.5, 0.9, 0]);
    expect(o.entropy).toBeCloseTo((Math.log(2) - 0.9 * Math.log(0.9) - 0.1 * Math.log(0.1)) / 3, 14);
    expect(o.margin).toBe(0);
    expect(independentLabelColumns([0.95, 0.1]).margin).toBeCloseTo(0.8, 14);
  });
});
