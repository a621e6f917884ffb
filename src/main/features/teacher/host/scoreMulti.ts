import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { evalLast, logProb, logSumExp, toDist, withDist, type Dist } from './nextToken';
import { promptTokenSets, type DocumentScorer } from './promptTokens';

/** Log-likelihood of each answer after `dist` (the sequence's last evaluated token): appended, then erased. */
async function answerLikelihoods(
  seq: LlamaContextSequence,
  dist: Dist,
  answers: readonly Token[][],
): Promise<{ lls: number[]; evaluated: number }> {
  const lls: number[] = [];
  let evaluated = 0;
  for (const answer of answers) {
    let total = logProb(dist, answer[0]);
    if (answer.length > 1) {
      const body = answer.slice(0, -1);
      const at = seq.nextTokenIndex;
      const out = await seq.controlledEvaluate(body.map(withDist));
      evaluated += body.length;
      for (let i = 0; i < body.length; i++) total += logProb(toDist(out[i]?.next), answer[i + 1]);
      await seq.eraseContextTokenRanges([{ start: at, end: seq.nextTokenIndex }]);
    }
    lls.push(total);
  }
  return { lls, evaluated };
}

/** Length of the longest common prefix of token sequences. */
function sharedPrefix(sets: readonly Token[][]): number {
  let n = 0;
  const shortest = Math.min(...sets.map((x) => x.length));
  while (n < shortest && sets.every((x) => x[n] === sets[0][n])) n++;
  return n;
}

/**
 * Scores a multi-label plan: for each label, P(yes) against P(no) after that label's question. With prefix reuse
 * (the default) the part of the prompt every question shares (template, text, the question's common words) is
 * evaluated once per document, and each label's remaining tokens are appended and erased back to it. `reusePrefix: false` evaluates every label's prompt from an
 * empty sequence: the reference the fast path must equal.
 */
export const scoreMulti: DocumentScorer = async (seq, plan, p, item, strategy) => {
  const started = performance.now();
  const questions = plan.multi?.questions ?? [];
  const { sets, truncated } = promptTokenSets(plan, p, item.text, questions);
  const answers = [...p.yes, ...p.no];
  const out: Array<{ yes: number; no: number }> = [];
  let evaluated = 0;
  const split = (lls: number[]): { yes: number; no: number } => ({
    yes: logSumExp(lls.slice(0, p.yes.length)),
    no: logSumExp(lls.slice(p.yes.length)),
  });
  if (strategy.reusePrefix !== false) {
    // Every label keeps at least its last prompt token to evaluate: its next-token distribution is the answer's.
    const shared = Math.min(sharedPrefix(sets), Math.min(...sets.map((x) => x.length)) - 1);
    // The shared part is evaluated in one batch from an empty sequence, not continued from the previous document:
    // llama.cpp computes a token slightly differently in a small batch than in a large one (~1e-4 on the tiny
    // model), and this way every label's numbers are exactly those of a fresh sequence fed the same two batches.
    await seq.clearHistory();
    if (shared > 0) {
      await seq.controlledEvaluate(sets[0].slice(0, shared));
      evaluated += shared;
    }
    for (const tokens of sets) {
      const suffix = tokens.slice(shared);
      const dist = await evalLast(seq, suffix);
      evaluated += suffix.length;
      const a = await answerLikelihoods(seq, dist, answers);
      evaluated += a.evaluated;
      await seq.eraseContextTokenRanges([{ start: shared, end: seq.nextTokenIndex }]);
      out.push(split(a.lls));
    }
  } else {
    // From an empty sequence for every label. llama.cpp's numbers depend slightly on how tokens are grouped into
    // batches, so by default the same two batches as the fast path (shared part, then the label's own tokens);
    // `appendErase: false` evaluates each label's whole prompt in one batch instead.
    const oneBatch = strategy.appendErase === false;
    const shared = Math.min(sharedPrefix(sets), Math.min(...sets.map((x) => x.length)) - 1);
    for (const tokens of sets) {
      await seq.clearHistory();
      if (!oneBatch && shared > 0) await seq.controlledEvaluate(tokens.slice(0, shared));
      const dist = await evalLast(seq, oneBatch ? tokens : tokens.slice(shared));
      const a = await answerLikelihoods(seq, dist, answers);
      evaluated += tokens.length + a.evaluated;
      out.push(split(a.lls));
    }
    await seq.clearHistory();
  }
  const finite = out.every((x) => Number.isFinite(x.yes) && Number.isFinite(x.no));
  return {
    id: item.id,
    logLikelihoods: null,
    answers: finite ? out : null,
    reasoning: null,
    tokens: Math.max(...sets.map((x) => x.length)),
    evaluated,
    timeMs: performance.now() - started,
    truncated,
    error: finite ? null : 'The model produced invalid numbers (NaN or infinity) for this example.',
  };
};
