import { describe, expect, it } from 'vitest';
import type { PromptPlan, ScoreResult } from '../../src/main/features/teacher/protocol';
import { fitTemperature, normalise, reliability } from '../../src/main/features/teacher/scoring';
import { softmax } from '../../src/shared/math';
import { SENTENCES } from './fixtures';
import { tinyTeacherForAll } from './tinyTeacher';

const plan: PromptPlan = {
  before: 'Classify the sentence.\nLabels: fair, unfair, unclear\n\nText:\n',
  after: '\n\nAnswer with the label only.',
  // "unfair" and "unclear" share their first token: only full-sequence scoring tells them apart.
  labels: ['fair', 'unfair', 'unclear'],
  mode: 'direct',
  reasoningBudget: 24,
};
const items = SENTENCES.slice(0, 6).map((text, i) => ({ id: i + 1, text }));

/** Compares the label distributions (what is stored and trained on). */
function expectClose(a: readonly ScoreResult[], b: readonly ScoreResult[], tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((r, i) => {
    expect(r.id).toBe(b[i].id);
    const pa = normalise(r.logLikelihoods!).probs;
    const pb = normalise(b[i].logLikelihoods!).probs;
    pa.forEach((x, k) => (worst = Math.max(worst, Math.abs(x - pb[k]))));
  });
  expect(worst).toBeLessThan(tol);
}

describe('label scoring with the real node-llama-cpp on the tiny model', () => {
  const tiny = tinyTeacherForAll(3);

  it('gives distributions that sum to 1, and multi-token labels sharing a first token differ', async () => {
    const results = await tiny.client.request({ op: 'score', plan, items, strategy: {} });
    for (const r of results) {
      expect(r.error).toBeNull();
      const { probs } = normalise(r.logLikelihoods!);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(r.logLikelihoods![1]).not.toBe(r.logLikelihoods![2]);
      expect(r.tokens).toBeGreaterThan(20);
    }
  });

  it('append-and-erase equals from-scratch scoring within 1e-5', async () => {
    const fast = await tiny.client.request({ op: 'score', plan, items, strategy: { appendErase: true } });
    const scratch = await tiny.client.request({
      op: 'score',
      plan,
      items,
      strategy: { appendErase: false, reusePrefix: false },
    });
    expectClose(fast, scratch, 1e-5);
  });

  it('batched (parallel sequences, prefix reuse) equals sequential within 1e-5, and reruns are identical', async () => {
    const batched = await tiny.client.request({ op: 'score', plan, items, strategy: { parallel: 3 } });
    const sequential = await tiny.client.request({
      op: 'score',
      plan,
      items,
      strategy: { parallel: 1, reusePrefix: false },
    });
    expectClose(batched, sequential, 1e-5);
    // From a clean sequence the same evaluation is bit for bit the same; batched reruns agree within float rounding.
    const sequentialAgain = await tiny.client.request({
      op: 'score',
      plan,
      items,
      strategy: { parallel: 1, reusePrefix: false },
    });
    expect(sequentialAgain.map((r) => r.logLikelihoods)).toEqual(sequential.map((r) => r.logLikelihoods));
    const again = await tiny.client.request({ op: 'score', plan, items, strategy: { parallel: 3 } });
    expectClose(again, batched, 1e-5);
  });

  it('tells apart labels where one is a prefix of the other (end-of-answer token)', async () => {
    const [r] = await tiny.client.request({
      op: 'score',
      plan: { ...plan, labels: ['fair', 'fairly fair'] },
      items: items.slice(0, 1),
      strategy: {},
    });
    const { probs } = normalise(r.logLikelihoods!);
    expect(probs[0] + probs[1]).toBeCloseTo(1, 12);
    expect(probs[0]).toBeLessThan(1);
  });

  it('reasoning mode thinks within its budget, stores the reasoning and scores after </think>', async () => {
    const results = await tiny.client.request({
      op: 'score',
      plan: { ...plan, mode: 'reasoning' },
      items: items.slice(0, 2),
      strategy: {},
    });
    for (const r of results) {
      expect(r.reasoning).not.toBeNull();
      expect(r.logLikelihoods!.every(Number.isFinite)).toBe(true);
    }
    const again = await tiny.client.request({
      op: 'score',
      plan: { ...plan, mode: 'reasoning' },
      items: items.slice(0, 2),
      strategy: { parallel: 1, reusePrefix: false },
    });
    expectClose(again, results, 1e-5);
  });

  it('truncates a text longer than the context instead of failing', async () => {
    const [r] = await tiny.client.request({
      op: 'score',
      plan,
      items: [{ id: 1, text: 'word '.repeat(2000) }],
      strategy: {},
    });
    expect(r.truncated).toBe(true);
    expect(r.logLikelihoods!.every(Number.isFinite)).toBe(true);
  });
});

describe('temperature calibration (pure arithmetic)', () => {
  it('finds the temperature that undoes over-confidence and lowers the calibration error', () => {
    // Logits that are 3x too sharp: the fitted temperature should be near 3.
    const x: number[][] = [];
    const y: number[] = [];
    let seed = 1;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 400; i++) {
      const z = [rand() * 2, rand() * 2, rand() * 2];
      const p = softmax(z);
      const u = rand();
      y.push(u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2);
      x.push(normalise(z.map((v) => v * 3)).logprobs);
    }
    const t = fitTemperature(x, y);
    expect(t).toBeGreaterThan(2);
    expect(t).toBeLessThan(4.5);
    const before = reliability(x, y, 1);
    const after = reliability(x, y, t);
    expect(after.nll).toBeLessThan(before.nll);
    expect(after.ece).toBeLessThan(before.ece);
    expect(after.bins.reduce((a, b) => a + b.count, 0)).toBe(400);
  });
});
