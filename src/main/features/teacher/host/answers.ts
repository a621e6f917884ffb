import {
  TokenBias,
  type ControlledEvaluateInputItem,
  type LlamaContextSequence,
  type Token,
} from 'node-llama-cpp';
import type { ScoreStrategy } from '../protocol';
import { LOGITS_REQUEST, logProb, toDist, topKRequest, withDist, type Dist } from './nextToken';

/**
 * The log-likelihood of each answer (a label's tokens, or a spelling of yes or no) after a prompt, exactly:
 * every answer token's probability comes from a forward pass over the prompt and that answer's own earlier tokens.
 *
 * The answers' tokens form a trie. Each of its inner nodes (a proper prefix of some answer) is evaluated once, for
 * the distribution of the token after it; the root's distribution is the prompt's last token's. The inner nodes are
 * walked depth first as chains: the longest chain rides with the prompt's own pass (`ride`), every other chain is
 * one pass of its own after erasing the sequence back to the node it hangs from. Answers sharing first tokens
 * ("unfair", "unclear") evaluate those tokens once (`share`); `share: false` gives every answer its own chain from
 * the prompt's end, as before the trie (the reference the trie must equal).
 *
 * At a node every answer passes through (the root, and any tokens all answers begin with), the normaliser of the
 * next-token distribution is the same for every answer, and the callers only use the answers' log-likelihoods
 * against each other (a softmax over labels, or yes against no): there the distribution is read over the
 * `commonTopK` likeliest tokens (`topKRequest`, the answers' tokens lifted among them by `commonLift` each) instead
 * of the whole vocabulary. node-llama-cpp 3.21.1 sorts the whole vocabulary and builds a Map of it for every full
 * distribution: about 115 ms per position at DeepSeek-R1-Distill-Qwen's 152k tokens, more than a 100M model's whole
 * pass. If an answer's token is still not among those k (a model that puts another token more than e^30 above it),
 * the answers are scored again with full distributions: exact either way. So the log-likelihoods are exact up to a
 * constant shared by all answers.
 *
 * On return the sequence holds the prompt and the last chain's tokens: whoever evaluates next erases back to where
 * its own tokens begin (the next document's prompt diverges at its text anyway).
 */

export interface AnswerOptions {
  /** Evaluate the answers' shared leading tokens once (default path); false: each answer from the prompt's end. */
  readonly share: boolean;
  /** The longest chain goes in the same pass as the prompt's tokens (direct mode); false: a pass of its own. */
  readonly ride: boolean;
  /** At nodes on every answer's path, read the distribution over this many likeliest tokens; 0: the whole vocabulary. */
  readonly commonTopK: number;
  /** What the answers' tokens are lifted by there (COMMON_LIFT; 0 in the test of the fallback). */
  readonly commonLift: number;
}

/** The default `commonTopK`: label names a prompt asks for are far likelier than the 256th token. */
export const COMMON_TOP_K = 256;
/**
 * What the answers' tokens are lifted by at those nodes (a logit of +30 is a factor of 1e13), so that they are among
 * the k whatever the model expects there. Small enough that float32 keeps their odds to about 4e-6 in log space.
 */
export const COMMON_LIFT = 30;

/** The options a document's scoring asks for under `strategy` (the longest chain riding with the prompt's pass). */
export function answerOptions(strategy: ScoreStrategy): AnswerOptions {
  return {
    share: strategy.labelTrie !== false,
    ride: true,
    commonTopK: strategy.commonTopK ?? COMMON_TOP_K,
    commonLift: strategy.commonLift ?? COMMON_LIFT,
  };
}

export interface AnswerScores {
  /** Per answer, in order. */
  readonly lls: number[];
  /** Answer tokens evaluated (the trie's inner nodes, each once). */
  readonly answerTokens: number;
  /** Forward passes (controlledEvaluate calls), the prompt's included. */
  readonly passes: number;
  /** Milliseconds in the prompt's pass (with its rider) and in the other passes with their erasing. */
  readonly promptMs: number;
  readonly answersMs: number;
  /** Positions read over the whole vocabulary. */
  readonly fullDistributions: number;
}

interface Node {
  readonly token: Token;
  readonly children: number[];
  height: number;
}

/** A run of inner nodes, each the child of the one before; the first hangs from the node at depth `from`. */
interface Chain {
  readonly from: number;
  readonly nodes: number[];
}

/** The trie's inner nodes (node 0 is the root: the prompt's end) and, per answer, the node giving each token. */
function buildTrie(answers: readonly Token[][], share: boolean): { nodes: Node[]; at: number[][] } {
  const nodes: Node[] = [{ token: -1 as Token, children: [], height: 0 }];
  const byKey = new Map<string, number>();
  const at = answers.map((answer, a) => {
    const path = [0];
    for (let d = 0; d < answer.length - 1; d++) {
      const key = share ? answer.slice(0, d + 1).join(',') : `${a}:${d}`;
      let id = byKey.get(key);
      if (id === undefined) {
        id = nodes.length;
        nodes.push({ token: answer[d], children: [], height: 0 });
        nodes[path[path.length - 1]].children.push(id);
        byKey.set(key, id);
      }
      path.push(id);
    }
    return path;
  });
  const height = (id: number): number => {
    const n = nodes[id];
    n.height = n.children.reduce((h, c) => Math.max(h, height(c) + 1), 0);
    return n.height;
  };
  height(0);
  return { nodes, at };
}

/** Depth-first chains: a node's tallest child (the first of equals) continues its chain, the others start one. */
function chainsOf(nodes: readonly Node[]): Chain[] {
  const chains: Chain[] = [{ from: 0, nodes: [] }];
  const walk = (id: number, depth: number, chain: Chain): void => {
    const kids = [...nodes[id].children].sort((x, y) => nodes[y].height - nodes[x].height);
    kids.forEach((kid, i) => {
      const into = i === 0 ? chain : { from: depth, nodes: [] };
      if (i > 0) chains.push(into);
      into.nodes.push(kid);
      walk(kid, depth + 1, into);
    });
  };
  walk(0, 0, chains[0]);
  return chains;
}

/**
 * Scores `answers` after `head`, the prompt's tokens not yet in `seq` (at least one: its last token's distribution
 * gives every answer's first token).
 */
export async function scoreAnswers(
  seq: LlamaContextSequence,
  head: readonly Token[],
  answers: readonly Token[][],
  options: AnswerOptions,
): Promise<AnswerScores> {
  const { nodes, at } = buildTrie(answers, options.share);
  const chains = chainsOf(nodes);
  const dists = new Array<Dist>(nodes.length);
  const entry = seq.nextTokenIndex;
  const base = entry + head.length;
  // The nodes every answer passes through, each with the tokens the answers take after it.
  const common = new Map<number, Set<Token>>();
  at[0]?.forEach((id) => {
    if (options.commonTopK > 0 && at.every((path) => path.includes(id))) common.set(id, new Set());
  });
  answers.forEach((answer, a) => answer.forEach((token, d) => common.get(at[a][d])?.add(token)));
  let fullDistributions = 0;
  /** The input item for `token`, whose distribution is node `id`'s. */
  const ask = (id: number, token: Token): ControlledEvaluateInputItem => {
    const needed = common.get(id);
    if (!needed) {
      fullDistributions++;
      return withDist(token, LOGITS_REQUEST);
    }
    const lift = options.commonLift
      ? new TokenBias(seq.model.tokenizer).set([...needed], { logit: options.commonLift })
      : undefined;
    return withDist(token, topKRequest(Math.max(options.commonTopK, needed.size), lift));
  };
  let answerTokens = 0;
  let passes = 0;
  const t0 = performance.now();
  const rider = options.ride ? chains[0].nodes : [];
  const first: ControlledEvaluateInputItem[] = [
    ...head.slice(0, -1),
    ask(0, head[head.length - 1]),
    ...rider.map((id) => ask(id, nodes[id].token)),
  ];
  const out = await seq.controlledEvaluate(first);
  passes++;
  dists[0] = toDist(out[head.length - 1]?.next);
  rider.forEach((id, i) => (dists[id] = toDist(out[head.length + i]?.next)));
  answerTokens += rider.length;
  const t1 = performance.now();
  for (const chain of options.ride ? chains.slice(1) : chains) {
    if (chain.nodes.length === 0) continue;
    const from = base + chain.from;
    if (seq.nextTokenIndex > from)
      await seq.eraseContextTokenRanges([{ start: from, end: seq.nextTokenIndex }]);
    const res = await seq.controlledEvaluate(chain.nodes.map((id) => ask(id, nodes[id].token)));
    passes++;
    chain.nodes.forEach((id, i) => (dists[id] = toDist(res[i]?.next)));
    answerTokens += chain.nodes.length;
  }
  const missed = [...common].some(([id, tokens]) => [...tokens].some((t) => !dists[id]?.probs.has(t)));
  if (missed) {
    // An answer's token was not among the likeliest: again with the whole vocabulary (what this pass cost is kept).
    await seq.eraseContextTokenRanges([{ start: entry, end: seq.nextTokenIndex }]);
    const again = await scoreAnswers(seq, head, answers, { ...options, commonTopK: 0 });
    const promptMs = t1 - t0 + again.promptMs;
    return {
      ...again,
      answerTokens: again.answerTokens + answerTokens,
      passes: again.passes + passes,
      promptMs,
      answersMs: performance.now() - t0 - promptMs,
      fullDistributions: again.fullDistributions + fullDistributions,
    };
  }
  const lls = answers.map((answer, a) =>
    answer.reduce((sum, token, d) => sum + logProb(dists[at[a][d]], token), 0),
  );
  return {
    lls,
    answerTokens,
    passes,
    promptMs: t1 - t0,
    answersMs: performance.now() - t1,
    fullDistributions,
  };
}
