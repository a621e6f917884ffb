import { describe, expect, it } from 'vitest';
import { segmentDistance, simplifyCurve } from '../../src/shared/downsample';
import { mulberry32 } from '../../src/shared/random';

/** A ROC curve of n scored documents (a noisy classifier), one point per threshold, as evaluation computes it. */
function rocCurve(n: number, seed: number): Array<{ x: number; y: number; threshold: number }> {
  const rnd = mulberry32(seed);
  const docs = Array.from({ length: n }, () => {
    const positive = rnd() < 0.4;
    return { positive, score: Math.min(1, Math.max(0, (positive ? 0.65 : 0.35) + (rnd() - 0.5) * 0.8)) };
  }).sort((a, b) => b.score - a.score);
  const P = docs.filter((d) => d.positive).length;
  const N = n - P;
  let tp = 0;
  let fp = 0;
  const out = [{ x: 0, y: 0, threshold: 1 }];
  for (const d of docs) {
    if (d.positive) tp++;
    else fp++;
    out.push({ x: fp / N, y: tp / P, threshold: d.score });
  }
  return out;
}

/** The largest distance of a point of `all` from the polyline `kept` (between its kept neighbours). */
function maxDeviation(
  all: ReadonlyArray<{ x: number; y: number }>,
  kept: ReadonlyArray<{ x: number; y: number }>,
): number {
  const index = kept.map((k) => all.indexOf(k));
  let worst = 0;
  for (let s = 0; s + 1 < index.length; s++) {
    for (let i = index[s]; i <= index[s + 1]; i++) {
      worst = Math.max(worst, segmentDistance(all[i], kept[s], kept[s + 1]));
    }
  }
  return worst;
}

describe('simplifyCurve (curves downsampled for drawing)', () => {
  it('draws a 17,000-point ROC curve with a few hundred of its own points, none off by more than the tolerance', () => {
    const curve = rocCurve(17_000, 7);
    const drawn = simplifyCurve(curve, 0.002);
    expect(drawn.length).toBeLessThan(curve.length / 20);
    expect(drawn[0]).toBe(curve[0]);
    expect(drawn[drawn.length - 1]).toBe(curve[curve.length - 1]);
    // Its own points, in order, thresholds included: a click on a drawn point still picks a real threshold.
    const positions = drawn.map((p) => curve.indexOf(p));
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]))).toBe(true);
    expect(maxDeviation(curve, drawn)).toBeLessThanOrEqual(0.002);
  });

  it('keeps the corners of a staircase and drops the points on its straight runs', () => {
    const stairs = [
      { x: 0, y: 0 },
      { x: 0, y: 0.25 },
      { x: 0, y: 0.5 },
      { x: 0.5, y: 0.5 },
      { x: 1, y: 0.5 },
      { x: 1, y: 0.75 },
      { x: 1, y: 1 },
    ];
    expect(simplifyCurve(stairs)).toEqual([stairs[0], stairs[2], stairs[4], stairs[6]]);
  });

  it('fits a cap on the number of points by loosening the tolerance; short curves come back whole', () => {
    const curve = rocCurve(5_000, 3);
    expect(simplifyCurve(curve, 0.0001, 50).length).toBeLessThanOrEqual(50);
    const two = [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ];
    expect(simplifyCurve(two)).toEqual(two);
    expect(simplifyCurve([])).toEqual([]);
  });
});
