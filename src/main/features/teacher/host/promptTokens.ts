import {
  GeneralChatWrapper,
  resolveChatWrapper,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import type { PromptPlan, ScoreItem, ScoreResult, ScoreStrategy } from '../protocol';
import { HostError, contextSize, requireModel } from './model';

/** A prompt plan in the loaded model's tokens, and each example's prompt built from it. */

export interface PlanTokens {
  readonly deepseek: boolean;
  readonly head: Token[];
  readonly before: Token[];
  readonly after: Token[];
  readonly suffix: Token[];
  readonly labels: Token[][];
  readonly endThink: Token | null;
  readonly closeThink: Token[];
  readonly maxLabel: number;
  /** Multi-label plans: the token sequences of each spelling of yes and of no (empty otherwise). */
  readonly yes: Token[][];
  readonly no: Token[][];
}

/** Scores one document of a plan on one sequence (`scoreSingle`, `scoreMulti`: the plan's kind picks one). */
export type DocumentScorer = (
  seq: LlamaContextSequence,
  plan: PromptPlan,
  p: PlanTokens,
  item: ScoreItem,
  strategy: ScoreStrategy,
) => Promise<ScoreResult>;

const planCache = new Map<string, PlanTokens>();

function isDeepSeek(m: LlamaModel): boolean {
  const template = m.fileInfo.metadata.tokenizer?.chat_template;
  return typeof template === 'string' && template.includes('<｜Assistant｜>');
}

export function planTokens(plan: PromptPlan): PlanTokens {
  const key = JSON.stringify(plan);
  const cached = planCache.get(key);
  if (cached) return cached;
  const m = requireModel();
  const deepseek = isDeepSeek(m);
  const special = (s: string): Token[] => m.tokenize(s, true);
  const plain = (s: string): Token[] => (s ? m.tokenize(s, false) : []);
  const eos = m.tokens.eos;
  // When one answer's tokens begin another's, the end-of-answer token tells them apart.
  const separated = (answers: Token[][]): Token[][] => {
    const prefixClash = answers.some((a, i) =>
      answers.some((b, j) => i !== j && a.length <= b.length && a.every((t, k) => b[k] === t)),
    );
    return prefixClash && eos !== null ? answers.map((l) => [...l, eos]) : answers;
  };
  let labels = separated(plan.labels.map((l) => plain(l)));
  let yes: Token[][] = [];
  let no: Token[][] = [];
  if (plan.multi) {
    const answers = separated([...plan.multi.yes, ...plan.multi.no].map((a) => plain(a)));
    yes = answers.slice(0, plan.multi.yes.length);
    no = answers.slice(plan.multi.yes.length);
    labels = answers;
  }
  const endThinkTokens = special('</think>');
  const common = { deepseek, labels, maxLabel: Math.max(...labels.map((l) => l.length)), yes, no };
  const result: PlanTokens = deepseek
    ? {
        ...common,
        head: special('<｜begin▁of▁sentence｜><｜User｜>'),
        before: plain(plan.before),
        after: plain(plan.after),
        suffix: special(
          plan.mode === 'direct' ? '<｜Assistant｜><think>\n\n</think>\n\n' : '<｜Assistant｜><think>\n',
        ),
        endThink: endThinkTokens.length === 1 ? endThinkTokens[0] : null,
        closeThink: special('\n</think>\n\n'),
      }
    : { ...common, head: [], before: [], after: [], suffix: [], endThink: null, closeThink: [] };
  planCache.set(key, result);
  return result;
}

/**
 * The prompt's tokens for a text, one sequence per question (multi-label plans ask one per label; single-label
 * plans pass ['']): each is the user turn `before + text + after + question` in the model's chat template. A text
 * too long for the context is cut once, for the longest question, so that every question sees the same text.
 */
export function promptTokenSets(
  plan: PromptPlan,
  p: PlanTokens,
  text: string,
  questions: readonly string[],
): { sets: Token[][]; truncated: boolean } {
  const m = requireModel();
  const ctxSize = contextSize();
  const reserve =
    p.maxLabel + 8 + (plan.mode === 'reasoning' ? plan.reasoningBudget + p.closeThink.length : 0);
  if (p.deepseek) {
    const asked = questions.map((q) => (q ? m.tokenize(q, false) : []));
    const fixed =
      p.head.length +
      p.before.length +
      p.after.length +
      p.suffix.length +
      Math.max(...asked.map((q) => q.length));
    const room = ctxSize - reserve - fixed;
    if (room < 8) {
      throw new HostError(
        'INVALID_INPUT',
        'The prompt template is too long for the context size: shorten it or raise the context size.',
      );
    }
    let textTokens = m.tokenize(text, false);
    const truncated = textTokens.length > room;
    if (truncated) textTokens = textTokens.slice(0, room);
    return {
      sets: asked.map((q) => [...p.head, ...p.before, ...textTokens, ...p.after, ...q, ...p.suffix]),
      truncated,
    };
  }
  const wrapper = resolveChatWrapper(m) ?? new GeneralChatWrapper();
  const build = (t: string): Token[][] =>
    questions.map((q) =>
      wrapper
        .generateContextState({
          chatHistory: [
            { type: 'user', text: plan.before + t + plan.after + q },
            { type: 'model', response: [] },
          ],
        })
        .contextText.tokenize(m.tokenizer),
    );
  const longest = (sets: Token[][]): number => Math.max(...sets.map((x) => x.length));
  let sets = build(text);
  let truncated = false;
  let cut = text.length;
  while (longest(sets) > ctxSize - reserve && cut > 0) {
    cut = Math.floor(cut * 0.8);
    sets = build(text.slice(0, cut));
    truncated = true;
  }
  return { sets, truncated };
}

/** The prompt the model reads for `text` (the first question's, for a multi-label plan), as text and its length. */
export function renderPrompt(plan: PromptPlan, text: string): { text: string; tokens: number } {
  const m = requireModel();
  const { sets } = promptTokenSets(plan, planTokens(plan), text, [plan.multi?.questions[0] ?? '']);
  return { text: m.detokenize(sets[0], true), tokens: sets[0].length };
}
