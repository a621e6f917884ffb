import { describe, expect, it } from 'vitest';
import type { PromptPlan, ScoreResult } from '../../src/main/features/teacher/protocol';
import { yesProbability } from '../../src/main/features/teacher/scoring';
import { SENTENCES } from './fixtures';
import { tinyTeacherForAll } from './tinyTeacher';

const labels = ['arbitration', 'unilateral change', 'content removal', 'limitation of liability'];
const plan: PromptPlan = {
  before:
    'A sentence may carry any number of these labels, or none:\n- ' + labels.join('\n- ') + '\n\nText:\n',
  after: '',
  labels,
  mode: 'direct',
  reasoningBudget: 24,
  multi: {
    questions: labels.map((l) => `\n\nDoes the label "${l}" apply to this text? Answer yes or no.`),
    yes: ['yes', 'Yes'],
    no: ['no', 'No'],
  },
};
const items = SENTENCES.slice(0, 5).map((text, i) => ({ id: i + 1, text }));

function probabilities(r: ScoreResult): number[] {
  expect(r.error).toBeNull();
  expect(r.logLikelihoods).toBeNull();
  return r.answers!.map((a) => yesProbability(a.yes, a.no));
}

describe('multi-label scoring (yes/no per label) with the real node-llama-cpp on the tiny model', () => {
  const tiny = tinyTeacherForAll(2);

  it('prefix reuse equals a from-scratch evaluation (a fresh sequence per label) to 1e-5, at far fewer tokens', async () => {
    const fast = await tiny.client.request({ op: 'score', plan, items, strategy: { parallel: 1 } });
    const scratch = await tiny.client.request({
      op: 'score',
      plan,
      items,
      strategy: { parallel: 1, reusePrefix: false },
    });
    let worst = 0;
    fast.forEach((r, i) => {
      expect(r.id).toBe(scratch[i].id);
      const a = probabilities(r);
      const b = probabilities(scratch[i]);
      expect(a).toHaveLength(labels.length);
      a.forEach((p, k) => {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        worst = Math.max(worst, Math.abs(p - b[k]));
      });
    });
    expect(worst).toBeLessThan(1e-5);
    const cost = (rs: readonly ScoreResult[]): number => rs.reduce((s, r) => s + r.evaluated, 0);
    // The shared part (instructions and the document) is read once per document, not once per label.
    expect(cost(fast)).toBeLessThan(cost(scratch) / 2);
  });

  it('keeps the template from one document to the next: a document scored again costs less, with the same numbers', async () => {
    const twice = [items[0], { ...items[0], id: 99 }];
    const [first, again] = await tiny.client.request({
      op: 'score',
      plan,
      items: twice,
      strategy: { parallel: 1 },
    });
    // The instructions and the label list (the plan's `before`) are not evaluated again for the second document.
    expect(again.evaluated).toBeLessThan(first.evaluated - labels.length * 4);
    expect(again.answers).toEqual(first.answers);
  });

  it("evaluating each label's whole prompt in one batch differs only by llama.cpp's batch rounding (< 1e-3)", async () => {
    // llama.cpp computes a token slightly differently in a small batch than in a large one (other matrix kernels):
    // the from-scratch reference above uses the fast path's two batches; in one batch the numbers move by ~1e-4.
    const fast = await tiny.client.request({ op: 'score', plan, items, strategy: { parallel: 1 } });
    const oneBatch = await tiny.client.request({
      op: 'score',
      plan,
      items,
      strategy: { parallel: 1, reusePrefix: false, appendErase: false },
    });
    let worst = 0;
    fast.forEach((r, i) =>
      probabilities(r).forEach(
        (p, k) => (worst = Math.max(worst, Math.abs(p - probabilities(oneBatch[i])[k]))),
      ),
    );
    expect(worst).toBeLessThan(1e-3);
  });

  it('gives independent probabilities: they need not sum to 1, and labels differ', async () => {
    const [r] = await tiny.client.request({ op: 'score', plan, items: items.slice(0, 1), strategy: {} });
    const p = probabilities(r);
    expect(new Set(p.map((x) => x.toFixed(8))).size).toBeGreaterThan(1);
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeGreaterThan(1e-3);
  });

  it('parallel sequences agree with one sequence within llama.cpp batch rounding (< 1e-4)', async () => {
    // Sequences labelled at the same time share llama.cpp batches, which moves the numbers by ~1e-5 (see above).
    const parallel = await tiny.client.request({ op: 'score', plan, items, strategy: { parallel: 2 } });
    const one = await tiny.client.request({
      op: 'score',
      plan,
      items,
      strategy: { parallel: 1, reusePrefix: false },
    });
    parallel.forEach((r, i) =>
      probabilities(r).forEach((p, k) => expect(Math.abs(p - probabilities(one[i])[k])).toBeLessThan(1e-4)),
    );
  });

  it('refuses reasoning mode for a multi-label plan', async () => {
    await expect(
      tiny.client.request({ op: 'score', plan: { ...plan, mode: 'reasoning' }, items, strategy: {} }),
    ).rejects.toThrow(/reasoning mode is for single-label/);
  });
});
