import type { ControlledEvaluateInputItem, LlamaContextSequence, Token } from 'node-llama-cpp';

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

/** An input item that asks for the distribution after `token`. */
export function withDist(token: Token): ControlledEvaluateInputItem {
  return [token, LOGITS_REQUEST];
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
