import type { Token } from 'node-llama-cpp';
import { scoreAnswers, type AnswerOptions } from './answers';
import { logSumExp } from './nextToken';
import { promptTokenSets, type DocumentScorer } from './promptTokens';

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
 * evaluated once per document, and each label's remaining tokens are appended (the answers' trie riding with them,
 * `answers.ts`) and erased back to it. `reusePrefix: false` evaluates every label's prompt from an empty sequence:
 * the reference the fast path must equal.
 */
export const scoreMulti: DocumentScorer = async (seq, plan, p, item, strategy) => {
  const started = performance.now();
  const questions = plan.multi?.questions ?? [];
  const { sets, truncated } = promptTokenSets(plan, p, item.text, questions);
  const prepared = performance.now();
  const answers = [...p.yes, ...p.no];
  const options: AnswerOptions = { share: strategy.labelTrie !== false, ride: true };
  const out: Array<{ yes: number; no: number }> = [];
  let evaluated = 0;
  let passes = 0;
  let promptMs = 0;
  const answer = async (head: readonly Token[]): Promise<void> => {
    const a = await scoreAnswers(seq, head, answers, options);
    evaluated += head.length + a.answerTokens;
    passes += a.passes;
    promptMs += a.promptMs;
    out.push({
      yes: logSumExp(a.lls.slice(0, p.yes.length)),
      no: logSumExp(a.lls.slice(p.yes.length)),
    });
  };
  // Every label keeps at least its last prompt token to evaluate: its next-token distribution is the answer's.
  const shared = Math.min(sharedPrefix(sets), Math.min(...sets.map((x) => x.length)) - 1);
  if (strategy.reusePrefix !== false) {
    // The shared part is evaluated in one batch from an empty sequence, not continued from the previous document:
    // llama.cpp computes a token slightly differently in a small batch than in a large one (~1e-4 on the tiny
    // model), and this way every label's numbers are exactly those of a fresh sequence fed the same two batches.
    await seq.clearHistory();
    const t = performance.now();
    if (shared > 0) {
      await seq.controlledEvaluate(sets[0].slice(0, shared));
      evaluated += shared;
      passes++;
    }
    promptMs += performance.now() - t;
    for (const tokens of sets) {
      if (seq.nextTokenIndex > shared)
        await seq.eraseContextTokenRanges([{ start: shared, end: seq.nextTokenIndex }]);
      await answer(tokens.slice(shared));
    }
  } else {
    // From an empty sequence for every label. llama.cpp's numbers depend slightly on how tokens are grouped into
    // batches, so by default the same two batches as the fast path (shared part, then the label's own tokens);
    // `appendErase: false` evaluates each label's whole prompt in one batch instead.
    const oneBatch = strategy.appendErase === false;
    for (const tokens of sets) {
      await seq.clearHistory();
      if (!oneBatch && shared > 0) {
        await seq.controlledEvaluate(tokens.slice(0, shared));
        evaluated += shared;
        passes++;
      }
      await answer(oneBatch ? tokens : tokens.slice(shared));
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
    phases: {
      prepareMs: prepared - started,
      alignMs: 0,
      promptMs,
      answersMs: performance.now() - prepared - promptMs,
      passes,
    },
  };
};
