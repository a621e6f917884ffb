import { describe, expect, it } from 'vitest';
import { judgeTarget, parseMultiLabelTarget, parseTarget, wilsonInterval } from '../../src/shared/target';

describe('an evaluation target and its verdict', () => {
  it('Wilson intervals equal scipy.stats.binomtest(k, n).proportion_ci(method="wilson") (scipy 1.17)', () => {
    expect(wilsonInterval(19, 20)!.low).toBeCloseTo(0.763868806553258, 12);
    expect(wilsonInterval(19, 20)!.high).toBeCloseTo(0.9911185511992047, 12);
    expect(wilsonInterval(95, 100)!.low).toBeCloseTo(0.8882495307680809, 12);
    expect(wilsonInterval(0, 7)).toEqual({
      low: expect.closeTo(0, 12),
      high: expect.closeTo(0.35433043506668743, 12),
    });
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('reads targets as a person writes them, and refuses what is not one', () => {
    expect(parseTarget('recall:unfair>=0.95')).toEqual({ metric: 'recall', label: 'unfair', min: 0.95 });
    expect(parseTarget(' accuracy >= .9 ')).toEqual({ metric: 'accuracy', min: 0.9 });
    expect(parseTarget('macro-F1>=0.8')).toEqual({ metric: 'macroF1', min: 0.8 });
    expect(parseTarget('precision:a:b>=0.5')).toEqual({ metric: 'precision', label: 'a:b', min: 0.5 });
    for (const bad of ['recall>=0.9', 'accuracy:x>=0.9', 'recall:x>=1.5', 'speed>=1', 'recall:x=0.9'])
      expect(parseTarget(bad), bad).toBeNull();
  });

  it("reads a multi-label project's targets: set metrics, or a label's recall, precision or F1", () => {
    expect(parseMultiLabelTarget('recall:Unilateral change>=0.95')).toEqual({
      metric: 'recall',
      label: 'Unilateral change',
      min: 0.95,
    });
    expect(parseMultiLabelTarget('samples-F1 >= .8')).toEqual({ metric: 'samplesF1', min: 0.8 });
    expect(parseMultiLabelTarget('subsetAccuracy>=0.6')).toEqual({ metric: 'subsetAccuracy', min: 0.6 });
    expect(parseMultiLabelTarget('microF1>=0.7')).toEqual({ metric: 'microF1', min: 0.7 });
    for (const bad of ['accuracy>=0.9', 'microF1:x>=0.9', 'f1>=0.5', 'samplesF1>=2'])
      expect(parseMultiLabelTarget(bad), bad).toBeNull();
  });

  // 20 "unfair" test documents of which 19 found; 80 "fair", 3 of them taken for "unfair".
  const e = {
    labels: ['fair', 'unfair'],
    confusion: [
      [77, 3],
      [1, 19],
    ],
    perClass: [
      { label: 'fair', precision: 77 / 78, recall: 77 / 80, f1: 0.97, support: 80 },
      { label: 'unfair', precision: 19 / 22, recall: 0.95, f1: 0.9, support: 20 },
    ],
    accuracy: { value: 0.96, low: 0.92, high: 0.99 },
    macroF1: { value: 0.935, low: 0.88, high: 0.97 },
  } as unknown as Parameters<typeof judgeTarget>[0];

  it('met, uncertain (met on these documents, interval below), not met, and undefined', () => {
    expect(judgeTarget(e, { metric: 'recall', label: 'unfair', min: 0.95 })).toMatchObject({
      verdict: 'uncertain',
      value: 0.95,
      low: expect.closeTo(0.763868806553258, 12),
    });
    expect(judgeTarget(e, { metric: 'recall', label: 'unfair', min: 0.7 }).verdict).toBe('met');
    expect(judgeTarget(e, { metric: 'precision', label: 'unfair', min: 0.9 })).toMatchObject({
      verdict: 'not-met',
      value: 19 / 22,
    });
    expect(judgeTarget(e, { metric: 'accuracy', min: 0.9 }).verdict).toBe('met');
    expect(judgeTarget(e, { metric: 'macroF1', min: 0.9 }).verdict).toBe('uncertain');
    expect(judgeTarget(e, { metric: 'f1', label: 'unfair', min: 0.95 })).toMatchObject({
      verdict: 'not-met',
      value: 0.9,
    });
    expect(judgeTarget(e, { metric: 'recall', label: 'nope', min: 0.5 }).verdict).toBe('undefined');
  });
});
