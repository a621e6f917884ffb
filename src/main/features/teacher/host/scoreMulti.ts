import type { Token } from 'node-llama-cpp';
import { answerOptions, scoreAnswers } from './answers';
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
 * (the default) the template's part is kept from one document to the next, the rest of what every question shares
 * (text, the question's common words) is evaluated once per document, and each label's remaining tokens are appended
 * (the answers' trie riding with them, `answers.ts`) and erased back to it. `reusePrefix: false` evaluates every label's prompt from an empty sequence:
 * the reference the fast path must equal.
 */
export const scoreMulti: DocumentScorer = async (seq, plan, p, item, strategy) => {
  const started = performance.now();
  const questions = plan.multi?.questions ?? [];
  const { sets, truncated } = promptTokenSets(plan, p, item.text, questions);
  const prepared = performance.now();
  const answers = [...p.yes, ...p.no];
  const options = answerOptions(strategy);
  const out: Array<{ yes: number; no: number }> = [];
  let evaluated = 0;
  let passes = 0;
  let promptMs = 0;
  let fullDistributions = 0;
  const answer = async (head: readonly Token[]): Promise<void> => {
    const a = await scoreAnswers(seq, head, answers, options);
    evaluated += head.length + a.answerTokens;
    passes += a.passes;
    promptMs += a.promptMs;
    fullDistributions += a.fullDistributions;
    out.push({
      yes: logSumExp(a.lls.slice(0, p.yes.length)),
      no: logSumExp(a.lls.slice(p.yes.length)),
    });
  };
  // Every label keeps at least its last prompt token to evaluate: its next-token distribution is the answer's.
  const shared = Math.min(sharedPrefix(sets), Math.min(...sets.map((x) => x.length)) - 1);
  // The template's own part (chat head, instructions, label list, few-shot examples) is the same for every
  // document: it is always evaluated as a batch of its own, so that a sequence may keep it from one document to the
  // next and still give every label exactly what a fresh sequence fed the same batches gives (llama.cpp computes a
  // token slightly differently in a small batch than in a large one: ~1e-4 in p on the tiny model).
  const template = Math.min(p.deepseek ? p.head.length + p.before.length : 0, shared);
  /** Feeds `tokens[from, to)` as one batch, when there is any. */
  const feed = async (tokens: readonly Token[], from: number, to: number): Promise<void> => {
    if (to <= from) return;
    await seq.controlledEvaluate(tokens.slice(from, to));
    evaluated += to - from;
    passes++;
  };
  if (strategy.reusePrefix !== false) {
    const t = performance.now();
    const held = seq.contextTokens;
    let keeps = held.length >= template;
    for (let i = 0; keeps && i < template; i++) keeps = held[i] === sets[0][i];
    if (keeps) {
      if (seq.nextTokenIndex > template)
        await seq.eraseContextTokenRanges([{ start: template, end: seq.nextTokenIndex }]);
    } else {
      await seq.clearHistory();
      await feed(sets[0], 0, template);
    }
    // The rest of what every question shares (the document and the question's common words): once per document.
    await feed(sets[0], template, shared);
    promptMs += performance.now() - t;
    for (const tokens of sets) {
      if (seq.nextTokenIndex > shared)
        await seq.eraseContextTokenRanges([{ start: shared, end: seq.nextTokenIndex }]);
      await answer(tokens.slice(shared));
    }
  } else {
    // From an empty sequence for every label. llama.cpp's numbers depend slightly on how tokens are grouped into
    // batches, so by default the same batches as the fast path (template, the rest of the shared part, then the
    // label's own tokens); `appendErase: false` evaluates each label's whole prompt in one batch instead.
    const oneBatch = strategy.appendErase === false;
    for (const tokens of sets) {
      await seq.clearHistory();
      if (!oneBatch) {
        await feed(tokens, 0, template);
        await feed(tokens, template, shared);
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
      fullDistributions,
    },
  };
};
