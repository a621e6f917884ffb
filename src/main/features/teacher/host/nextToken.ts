import type { ControlledEvaluateInputItem, LlamaContextSequence, Token, TokenBias } from 'node-llama-cpp';

/** One next-token distribution as node-llama-cpp returns it, and the arithmetic the scorers do on it. */

export interface Dist {
  /** Next-token probabilities over the whole vocabulary. */
  readonly probs: ReadonlyMap<Token, number>;
  /** Their sum (1 up to float32 rounding; NaN when the model's output has a NaN anywhere). */
  readonly total: number;
}

export const NO_DIST: Dist = { probs: new Map(), total: Number.NaN };

export function logProb(d: Dist, token: Token): number {
  const p = d.probs.get(token);
  if (p === undefined) return Number.NaN;
  return Math.log(p) - Math.log(d.total);
}

type EvalOptions = Extract<ControlledEvaluateInputItem, readonly unknown[]>[1];

// node-llama-cpp 3.21.1 (the newest release whose lock installs from the registry here) has no filtered-logits
// request: `probabilities` is the softmax of the raw logits over the whole vocabulary (greedy sampling leaves the
// logits untouched), computed by the addon. Its sum is kept so that a NaN anywhere (damaged weights) shows.
export const LOGITS_REQUEST: EvalOptions = { generateNext: { probabilities: true } };

/**
 * The distribution over the `k` likeliest next tokens only, each token's probability against theirs: a top-k
 * sampler at temperature 1 keeps those k raw logits (top-p 1 and min-p 0 change nothing), and the addon's softmax
 * runs over them. `lift` adds the same amount to the logits of the tokens it names first (llama.cpp's logit-bias
 * sampler runs before top-k), so that they are among the k without changing their odds against each other. Exact
 * for the odds of tokens among those k; cheap at any vocabulary size (no sort of the whole vocabulary, no Map of it).
 * The token the sampler draws is not used.
 */
export function topKRequest(k: number, lift?: TokenBias): EvalOptions {
  return {
    generateNext: {
      probabilities: true,
      options: { temperature: 1, topK: k, topP: 1, minP: 0, ...(lift ? { tokenBias: lift } : {}) },
    },
  };
}

/** An input item that asks for the distribution after `token` (the whole vocabulary's, unless told otherwise). */
export function withDist(token: Token, request: EvalOptions = LOGITS_REQUEST): ControlledEvaluateInputItem {
  return [token, request];
}

export function toDist(next: { probabilities?: Map<Token, number> } | undefined): Dist {
  const probs = next?.probabilities ?? new Map<Token, number>();
  let total = next?.probabilities ? 0 : Number.NaN;
  for (const p of probs.values()) total += p;
  return { probs, total };
}

/** Evaluates `tokens` and returns the next-token distribution after the last one. */
export async function evalLast(seq: LlamaContextSequence, tokens: readonly Token[]): Promise<Dist> {
  const input: ControlledEvaluateInputItem[] = tokens.map((t, i) =>
    i === tokens.length - 1 ? withDist(t) : t,
  );
  const out = await seq.controlledEvaluate(input);
  return toDist(out[tokens.length - 1]?.next);
}

/** log(sum(exp(xs))), stable. */
export function logSumExp(xs: readonly number[]): number {
  const max = Math.max(...xs);
  if (!Number.isFinite(max)) return max;
  return max + Math.log(xs.reduce((a, x) => a + Math.exp(x - max), 0));
}
