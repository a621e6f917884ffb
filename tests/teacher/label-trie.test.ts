import { describe, expect, it } from 'vitest';
import type { PromptPlan, ScoreResult, ScoreStrategy } from '../../src/main/features/teacher/protocol';
import { yesProbability } from '../../src/main/features/teacher/scoring';
import { SENTENCES } from './fixtures';
import { tinyLargeVocabularyModelPath } from '../fixtures/gguf/generate';
import { tinyTeacherForAll, worstDifference } from './tinyTeacher';

// The label trie (labels sharing leading tokens evaluate them once, the longest chain riding with the prompt's pass)
// must give the distributions of the path before it (`labelTrie: false`: every label from the prompt's end) and of
// a from-scratch evaluation. Real node-llama-cpp, CPU only, on the tiny generated GGUF.
const plan: PromptPlan = {
  before: 'Classify the sentence.\nLabels: fair, unfair, unclear, unknown, fairly fair\n\nText:\n',
  after: '\n\nAnswer with the label only.',
  // "unfair", "unclear" and "unknown" share leading tokens; "fair" begins "fairly fair" (then every label ends with
  // the end-of-answer token, which the trie shares too).
  labels: ['fair', 'unfair', 'unclear', 'unknown', 'fairly fair'],
  mode: 'direct',
  reasoningBudget: 16,
};
const items = SENTENCES.slice(0, 6).map((text, i) => ({ id: i + 1, text }));

/** Summed over the documents after the first (the first of a request may find the sequence holding anything). */
const total = (rs: readonly ScoreResult[], f: (r: ScoreResult) => number): number =>
  rs.slice(1).reduce((a, r) => a + f(r), 0);

describe('label trie on the tiny model, CPU only', () => {
  const tiny = tinyTeacherForAll(2);
  const score = (p: PromptPlan, strategy: ScoreStrategy): Promise<ScoreResult[]> =>
    tiny.client.request({ op: 'score', plan: p, items, strategy });

  it('gives the previous path and a from-scratch evaluation to 1e-5, in fewer tokens and passes', async () => {
    const trie = await score(plan, { parallel: 1 });
    const before = await score(plan, { parallel: 1, labelTrie: false });
    const scratch = await score(plan, { parallel: 1, reusePrefix: false, appendErase: false });
    expect(worstDifference(trie, before)).toBeLessThan(1e-5);
    expect(worstDifference(trie, scratch)).toBeLessThan(1e-5);
    // Shared leading label tokens are evaluated once per document instead of once per label.
    expect(total(trie, (r) => r.evaluated)).toBeLessThan(total(before, (r) => r.evaluated));
    expect(total(trie, (r) => r.phases!.passes)).toBeLessThanOrEqual(total(before, (r) => r.phases!.passes));
    // The profile accounts for the document's time in the teacher process.
    for (const r of trie) {
      const ph = r.phases!;
      const sum = ph.prepareMs + ph.alignMs + ph.promptMs + ph.answersMs;
      expect(ph.promptMs).toBeGreaterThan(0);
      expect(sum).toBeLessThanOrEqual(r.timeMs + 1e-6);
      expect(sum).toBeGreaterThan(r.timeMs * 0.9);
    }
  });

  it('keeps batched sequences and reasoning mode equal to the previous path to 1e-5', async () => {
    const batched = await score(plan, { parallel: 2 });
    const before = await score(plan, { parallel: 1, labelTrie: false });
    expect(worstDifference(batched, before)).toBeLessThan(1e-5);
    const reasoning = { ...plan, mode: 'reasoning' as const };
    const trie = await score(reasoning, { parallel: 1 });
    const reference = await score(reasoning, { parallel: 1, labelTrie: false });
    expect(trie.map((r) => r.reasoning)).toEqual(reference.map((r) => r.reasoning));
    expect(worstDifference(trie, reference)).toBeLessThan(1e-5);
  });

  it('scores multi-label answers (spellings sharing tokens) as the previous path does, to 1e-5', async () => {
    const multiLabels = ['arbitration', 'unilateral change'];
    const multi: PromptPlan = {
      before: 'A sentence may carry any of these labels:\n- ' + multiLabels.join('\n- ') + '\n\nText:\n',
      after: '',
      labels: multiLabels,
      mode: 'direct',
      reasoningBudget: 16,
      multi: {
        questions: multiLabels.map((l) => `\n\nDoes "${l}" apply? Answer yes or no.`),
        yes: ['yes', 'yes indeed'],
        no: ['no', 'nope'],
      },
    };
    const trie = await score(multi, { parallel: 1 });
    const before = await score(multi, { parallel: 1, labelTrie: false });
    const scratch = await score(multi, { parallel: 1, reusePrefix: false });
    let worst = 0;
    trie.forEach((r, i) => {
      expect(r.error).toBeNull();
      r.answers!.forEach((a, k) => {
        const p = yesProbability(a.yes, a.no);
        worst = Math.max(
          worst,
          Math.abs(p - yesProbability(before[i].answers![k].yes, before[i].answers![k].no)),
          Math.abs(p - yesProbability(scratch[i].answers![k].yes, scratch[i].answers![k].no)),
        );
      });
    });
    expect(worst).toBeLessThan(1e-5);
    expect(total(trie, (r) => r.evaluated)).toBeLessThan(total(before, (r) => r.evaluated));
  });

  it('reads the positions every label passes through over the likeliest tokens only, exact, and falls back when a label is not among them', async () => {
    const whole = await score(plan, { parallel: 1, commonTopK: 0 });
    const fast = await score(plan, { parallel: 1 });
    // Unlifted, the labels' first tokens are not all the likeliest one of 321: this scores again.
    const forced = await score(plan, { parallel: 1, commonTopK: 1, commonLift: 0 });
    // Lifted, they are always among them.
    const lifted = await score(plan, { parallel: 1, commonTopK: 1 });
    expect(worstDifference(fast, whole)).toBeLessThan(1e-5);
    expect(worstDifference(forced, whole)).toBeLessThan(1e-5);
    expect(worstDifference(lifted, whole)).toBeLessThan(1e-5);
    const full = (r: ScoreResult): number => r.phases!.fullDistributions!;
    const passes = (r: ScoreResult): number => r.phases!.passes;
    expect(total(fast, full)).toBeLessThan(total(whole, full));
    expect(total(lifted, full)).toBe(total(fast, full));
    expect(total(forced, passes)).toBeGreaterThan(total(fast, passes));
    expect(total(lifted, passes)).toBe(total(fast, passes));
  });
});

describe("a real model's vocabulary size (151,921 tokens), CPU only", () => {
  const large = tinyTeacherForAll(1, tinyLargeVocabularyModelPath);
  // Single-token labels: only the prompt's end is scored, and every label passes through it.
  const letters: PromptPlan = { ...plan, labels: ['x', 'y', 'z'] };
  const score = (strategy: ScoreStrategy): Promise<ScoreResult[]> =>
    large.client.request({ op: 'score', plan: letters, items, strategy });

  it('scores single-token labels without reading the whole vocabulary anywhere, to 1e-5 of reading it', async () => {
    const whole = await score({ parallel: 1, commonTopK: 0 });
    const fast = await score({ parallel: 1 });
    expect(worstDifference(fast, whole)).toBeLessThan(1e-5);
    expect(fast.map((r) => r.phases!.fullDistributions)).toEqual(items.map(() => 0));
    expect(whole.map((r) => r.phases!.fullDistributions)).toEqual(items.map(() => 1));
  }, 120_000);
});
