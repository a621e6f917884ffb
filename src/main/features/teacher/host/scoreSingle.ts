import type { ControlledEvaluateInputItem, LlamaContextSequence, Token } from 'node-llama-cpp';
import { requireModel } from './model';
import { answerOptions, scoreAnswers } from './answers';
import { evalLast, logProb, toDist, withDist } from './nextToken';
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

export const scoreSingle: DocumentScorer = async (seq, plan, p, item, strategy) => {
  const m = requireModel();
  const started = performance.now();
  const {
    sets: [prompt],
    truncated,
  } = promptTokenSets(plan, p, item.text, ['']);
  const prepared = performance.now();
  const reuse = strategy.reusePrefix !== false;
  let base: Token[] = prompt;
  let reasoning: string | null = null;
  const start = await alignPrefix(seq, prompt, reuse);
  const aligned = performance.now();
  let evaluated = prompt.length - start;
  let passes = 0;
  let promptMs = 0;
  let fullDistributions = 0;
  // The tokens the label scoring evaluates first: the prompt's own (direct) or the closing of the thoughts (reasoning).
  let head = prompt.slice(start);
  if (plan.mode === 'reasoning') {
    const input: ControlledEvaluateInputItem[] = head.map((t, i, arr) =>
      i === arr.length - 1 ? [t, { generateNext: { token: true, options: { temperature: 0 } } }] : t,
    );
    const out = await seq.controlledEvaluate(input);
    const first = out[input.length - 1]?.next.token ?? null;
    const thoughts = await generateThoughts(seq, first, p, plan.reasoningBudget);
    reasoning = m.detokenize(thoughts.tokens).trim();
    const close =
      thoughts.closed && p.endThink !== null ? [p.endThink, ...m.tokenize('\n\n', false)] : p.closeThink;
    // A thought token cut by the budget was sampled but not yet evaluated: it goes in with the closing tokens.
    head = thoughts.unevaluated !== null ? [thoughts.unevaluated, ...close] : close;
    evaluated += thoughts.tokens.length + close.length;
    base = [...prompt, ...thoughts.tokens, ...close];
    passes += 1 + Math.max(0, thoughts.tokens.length - (thoughts.unevaluated !== null ? 1 : 0));
    promptMs += performance.now() - aligned;
  }
  let ll: number[];
  if (strategy.appendErase !== false) {
    // The label trie: the longest chain of label tokens rides with the prompt's pass, every other chain is one pass.
    const a = await scoreAnswers(seq, head, p.labels, answerOptions(strategy));
    ll = a.lls;
    evaluated += a.answerTokens;
    passes += a.passes;
    fullDistributions += a.fullDistributions;
    promptMs += a.promptMs;
  } else {
    // The reference: every multi-token label's whole prompt evaluated from an empty sequence.
    const dist = await evalLast(seq, head);
    passes++;
    fullDistributions++;
    ll = [];
    for (const label of p.labels) {
      let total = logProb(dist, label[0]);
      if (label.length > 1) {
        const input = label.slice(0, -1).map((t) => withDist(t));
        await seq.clearHistory();
        const full = [...base.slice(0, -1), withDist(base[base.length - 1]), ...input];
        const out = await seq.controlledEvaluate(full);
        passes++;
        fullDistributions += 1 + input.length;
        evaluated += full.length;
        const offset = base.length;
        total = logProb(toDist(out[offset - 1]?.next), label[0]);
        for (let i = 0; i < input.length; i++) total += logProb(toDist(out[offset + i]?.next), label[i + 1]);
        await seq.eraseContextTokenRanges([{ start: base.length, end: seq.nextTokenIndex }]);
      }
      ll.push(total);
    }
  }
  const finite = ll.every((x) => Number.isFinite(x));
  const done = performance.now();
  return {
    id: item.id,
    logLikelihoods: finite ? ll : null,
    reasoning,
    tokens: base.length,
    evaluated,
    timeMs: done - started,
    truncated,
    error: finite ? null : 'The model produced invalid numbers (NaN or infinity) for this example.',
    phases: {
      prepareMs: prepared - started,
      alignMs: aligned - prepared,
      promptMs,
      answersMs: done - aligned - promptMs,
      passes,
      fullDistributions,
    },
  };
};
