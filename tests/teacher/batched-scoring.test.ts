import { describe, expect, it } from 'vitest';
import type { PromptPlan, ScoreResult } from '../../src/main/features/teacher/protocol';
import { SENTENCES } from './fixtures';
import { tinyTeacherForAll, worstDifference } from './tinyTeacher';

// The batched path (several documents in one llama.cpp evaluation, one per sequence) is most of the speed on a GPU
// and is what a GPU run of `npm run bench -- teacher` reports per sequence count: its distributions must be the
// sequential path's. Real node-llama-cpp, CPU only (no GPU here), on the tiny generated GGUF.
const plan: PromptPlan = {
  before: 'Classify the sentence.\nLabels: fair, unfair, unclear\n\nText:\n',
  after: '\n\nAnswer with the label only.',
  // Multi-token labels: each document also has a label pass of its own, batched with other documents' passes.
  labels: ['fair', 'unfair', 'unclear'],
  mode: 'direct',
  reasoningBudget: 24,
};
// More documents than sequences, of different lengths: the sequences drift apart and meet again in batches.
const items = [...SENTENCES, ...SENTENCES.map((s) => `${s} ${s}`)]
  .slice(0, 12)
  .map((text, i) => ({ id: i + 1, text }));

describe('batched scoring (sequences > 1) on the tiny model, CPU only', () => {
  const tiny = tinyTeacherForAll(4);

  it('gives the sequential distributions to 1e-5 at 2 and 4 sequences, each document scored once, in order', async () => {
    const sequential = await tiny.client.request({ op: 'score', plan, items, strategy: { parallel: 1 } });
    const fromScratch = await tiny.client.request({
      op: 'score',
      plan,
      items,
      strategy: { parallel: 1, reusePrefix: false, appendErase: false },
    });
    expect(worstDifference(sequential, fromScratch)).toBeLessThan(1e-5);
    for (const parallel of [2, 4]) {
      const batched = await tiny.client.request({ op: 'score', plan, items, strategy: { parallel } });
      expect(batched.map((r) => r.id)).toEqual(items.map((i) => i.id));
      expect(worstDifference(batched, sequential)).toBeLessThan(1e-5);
      expect(worstDifference(batched, fromScratch)).toBeLessThan(1e-5);
      // Prefix reuse holds per sequence: a batched run evaluates far fewer tokens than from scratch.
      const tokens = (rs: readonly ScoreResult[]): number => rs.reduce((a, r) => a + r.evaluated, 0);
      expect(tokens(batched)).toBeLessThan(tokens(fromScratch) * 0.8);
    }
  });

  it('keeps every document apart when one is far longer than the others in the same batch', async () => {
    const mixed = [
      { id: 1, text: SENTENCES[0] },
      { id: 2, text: `${SENTENCES[1]} `.repeat(12) },
      { id: 3, text: SENTENCES[2] },
      { id: 4, text: SENTENCES[3] },
    ];
    const batched = await tiny.client.request({ op: 'score', plan, items: mixed, strategy: { parallel: 4 } });
    // One request at a time: requests in flight together would be batched by the host as well.
    const alone: ScoreResult[] = [];
    for (const item of mixed) {
      alone.push(
        ...(await tiny.client.request({ op: 'score', plan, items: [item], strategy: { parallel: 1 } })),
      );
    }
    expect(worstDifference(batched, alone)).toBeLessThan(1e-5);
  });
});
