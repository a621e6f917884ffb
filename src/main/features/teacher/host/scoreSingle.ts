import type { ControlledEvaluateInputItem, LlamaContextSequence, Token } from 'node-llama-cpp';
import { requireModel } from './model';
import { NO_DIST, evalLast, logProb, toDist, withDist, type Dist } from './nextToken';
import { promptTokenSets, type DocumentScorer, type PlanTokens } from './promptTokens';

/**
 * Scores a single-label plan on one sequence: the log-likelihood of each label's full token sequence after the
 * example's prompt (and, in reasoning mode, after the model's own thoughts within the budget).
 */

/** Brings the sequence to `tokens` minus what it already holds; returns the index of the first token to evaluate. */
async function alignPrefix(
  seq: LlamaContextSequence,
  tokens: readonly Token[],
  reuse: boolean,
): Promise<number> {
  if (!reuse) {
    await seq.clearHistory();
    return 0;
  }
  const held = seq.contextTokens;
  let d = 0;
  while (d < held.length && d < tokens.length && held[d] === tokens[d]) d++;
  d = Math.min(d, tokens.length - 1);
  if (d < seq.nextTokenIndex) await seq.eraseContextTokenRanges([{ start: d, end: seq.nextTokenIndex }]);
  return d;
}

async function generateThoughts(
  seq: LlamaContextSequence,
  first: Token | null,
  p: PlanTokens,
  budget: number,
): Promise<{ tokens: Token[]; closed: boolean; unevaluated: Token | null }> {
  const m = requireModel();
  const generated: Token[] = [];
  let tok = first;
  while (tok !== null) {
    if (tok === p.endThink) return { tokens: generated, closed: true, unevaluated: null };
    if (tok === m.tokens.eos) break;
    generated.push(tok);
    if (generated.length >= budget) return { tokens: generated, closed: false, unevaluated: tok };
    const out = await seq.controlledEvaluate([
      [tok, { generateNext: { token: true, options: { temperature: 0 } } }],
    ]);
    tok = out[0]?.next.token ?? null;
  }
  return { tokens: generated, closed: false, unevaluated: null };
}

/** The index of the longest label of more than one token (the first of equals), or -1. */
function longestMultiToken(labels: readonly Token[][]): number {
  let best = -1;
  for (const [i, l] of labels.entries())
    if (l.length > 1 && (best < 0 || l.length > labels[best].length)) best = i;
  return best;
}

export const scoreSingle: DocumentScorer = async (seq, plan, p, item, strategy) => {
  const m = requireModel();
  const started = performance.now();
  const {
    sets: [prompt],
    truncated,
  } = promptTokenSets(plan, p, item.text, ['']);
  const reuse = strategy.reusePrefix !== false;
  let base: Token[] = prompt;
  let reasoning: string | null = null;
  let dist: Dist = NO_DIST;
  const start = await alignPrefix(seq, prompt, reuse);
  let evaluated = prompt.length - start;
  if (plan.mode === 'reasoning') {
    const input: ControlledEvaluateInputItem[] = prompt
      .slice(start)
      .map((t, i, arr) =>
        i === arr.length - 1 ? [t, { generateNext: { token: true, options: { temperature: 0 } } }] : t,
      );
    const out = await seq.controlledEvaluate(input);
    const first = out[input.length - 1]?.next.token ?? null;
    const thoughts = await generateThoughts(seq, first, p, plan.reasoningBudget);
    reasoning = m.detokenize(thoughts.tokens).trim();
    const close =
      thoughts.closed && p.endThink !== null ? [p.endThink, ...m.tokenize('\n\n', false)] : p.closeThink;
    // A thought token cut by the budget was sampled but not yet evaluated: it goes in with the closing tokens.
    const pending = thoughts.unevaluated !== null ? [thoughts.unevaluated, ...close] : close;
    dist = await evalLast(seq, pending);
    evaluated += thoughts.tokens.length + close.length;
    base = [...prompt, ...thoughts.tokens, ...close];
  }
  const appendErase = strategy.appendErase !== false;
  // The longest multi-token label rides along with the prompt's evaluation: one forward pass fewer per example, and
  // the passes that remain (a few tokens each, where llama.cpp's fixed cost per pass weighs most) are the shortest.
  const riderIndex = plan.mode === 'direct' && appendErase ? longestMultiToken(p.labels) : -1;
  let rider: number | null = null;
  if (plan.mode === 'direct') {
    const head = prompt.slice(start);
    if (riderIndex < 0) dist = await evalLast(seq, head);
    else {
      const label = p.labels[riderIndex];
      const body = label.slice(0, -1);
      const at = seq.nextTokenIndex + head.length;
      const out = await seq.controlledEvaluate([
        ...head.slice(0, -1),
        ...[...head.slice(-1), ...body].map(withDist),
      ]);
      evaluated += body.length;
      dist = toDist(out[head.length - 1]?.next);
      rider = logProb(dist, label[0]);
      for (let i = 0; i < body.length; i++)
        rider += logProb(toDist(out[head.length + i]?.next), label[i + 1]);
      await seq.eraseContextTokenRanges([{ start: at, end: seq.nextTokenIndex }]);
    }
  }
  const ll: number[] = [];
  for (const [index, label] of p.labels.entries()) {
    if (index === riderIndex && rider !== null) {
      ll.push(rider);
      continue;
    }
    let total = logProb(dist, label[0]);
    if (label.length > 1) {
      const input = label.slice(0, -1).map(withDist);
      if (appendErase) {
        const at = seq.nextTokenIndex;
        const out = await seq.controlledEvaluate(input);
        evaluated += input.length;
        for (let i = 0; i < input.length; i++) total += logProb(toDist(out[i]?.next), label[i + 1]);
        await seq.eraseContextTokenRanges([{ start: at, end: seq.nextTokenIndex }]);
      } else {
        await seq.clearHistory();
        const full = [...base.slice(0, -1), withDist(base[base.length - 1]), ...input];
        const out = await seq.controlledEvaluate(full);
        evaluated += full.length;
        const offset = base.length;
        total = logProb(toDist(out[offset - 1]?.next), label[0]);
        for (let i = 0; i < input.length; i++) total += logProb(toDist(out[offset + i]?.next), label[i + 1]);
        await seq.eraseContextTokenRanges([{ start: base.length, end: seq.nextTokenIndex }]);
      }
    }
    ll.push(total);
  }
  const finite = ll.every((x) => Number.isFinite(x));
  return {
    id: item.id,
    logLikelihoods: finite ? ll : null,
    reasoning,
    tokens: base.length,
    evaluated,
    timeMs: performance.now() - started,
    truncated,
    error: finite ? null : 'The model produced invalid numbers (NaN or infinity) for this example.',
  };
};
