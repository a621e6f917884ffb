import { Template } from '@huggingface/jinja';
import type { EndpointRefusal, TeacherEndpoint } from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import type { PromptPlan } from './protocol';
import { logSumExp } from '../../../shared/math';
import type { Adapter, EngineInfo } from './remoteEngines';

/**
 * A remote teacher's prompts and scores (remote.ts): the chat frame from the model's own chat template (or the
 * person's), each piece tokenised with the server's tokenizer exactly as the local teacher does, and one document's
 * label log-likelihoods through the endpoint's adapter.
 */

/** What prompts and scores need of a connection (remote.ts `Connection`). */
export interface EndpointParts {
  readonly endpoint: TeacherEndpoint;
  readonly info: EngineInfo;
  readonly adapter: Adapter;
}

/** Stands for the user turn while the chat template is rendered; the template's text around it is the frame. */
const MARK = '\u0001DISTILLERY_USER_TURN\u0001';

/** The chat frame around the user turn, as token ids of the server's tokenizer. */
export interface RemotePrompt {
  readonly head: number[];
  readonly before: number[];
  readonly after: number[];
  readonly gen: number[];
  /** Single-label plans: each label's tokens; multi-label plans: each spelling of yes, then each spelling of no. */
  readonly labels: number[][];
  readonly maxLabel: number;
  /** Multi-label plans: each label's question (ends the user turn), and how many of `labels` spell yes. */
  readonly questions: number[][];
  readonly yesCount: number;
  readonly endThink: number | null;
  readonly eos: number | null;
  readonly closeThink: number[];
  readonly afterEndThink: number[];
}

export class Refused extends Error {
  constructor(
    readonly refusal: EndpointRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** The chat frame (text before and after the user turn) from the person's template, the server's, or vLLM itself. */
export async function chatFrame(
  endpoint: TeacherEndpoint,
  info: EngineInfo,
  adapter: Adapter,
  signal?: AbortSignal,
): Promise<{ head: string; gen: string }> {
  const source = endpoint.chatTemplate?.trim() ? endpoint.chatTemplate : info.chatTemplate;
  let rendered: string;
  if (source) {
    try {
      rendered = new Template(source).render({
        messages: [{ role: 'user', content: MARK }],
        add_generation_prompt: true,
        bos_token: info.bosToken,
        eos_token: info.eosToken ?? '',
      });
    } catch (e) {
      throw new Refused(
        'no-template',
        `The chat template cannot be rendered (${(e as Error).message}). Choose another template.`,
      );
    }
  } else if (adapter.renderChat) {
    rendered = await adapter.renderChat(MARK, signal);
  } else {
    throw new Refused(
      'no-template',
      'The server does not tell its chat template. Paste the model’s chat template (Jinja) for this endpoint.',
    );
  }
  const parts = rendered.split(MARK);
  if (parts.length !== 2) {
    throw new Refused(
      'no-template',
      'The chat template does not place the user’s message once. Choose another template.',
    );
  }
  return { head: parts[0], gen: parts[1] };
}

export async function buildPrompt(
  conn: EndpointParts,
  plan: PromptPlan,
  signal?: AbortSignal,
): Promise<RemotePrompt> {
  const { adapter, info } = conn;
  const { head, gen } = await chatFrame(conn.endpoint, info, adapter, signal);
  const opensThink = /<think>\n?$/.test(gen);
  if (plan.mode === 'reasoning' && !opensThink) {
    throw AppError.keyed('UNSUPPORTED', 'teacher.modelSChatTemplate', {});
  }
  // Direct mode closes an opened thinking block at once, as the local teacher does.
  const genText =
    plan.mode === 'direct' && opensThink ? `${gen}${gen.endsWith('\n') ? '' : '\n'}\n</think>\n\n` : gen;
  const tok = (s: string): Promise<number[]> => (s ? adapter.tokenize(s, signal) : Promise.resolve([]));
  // A multi-label plan's answers are its spellings of yes and no (asked after each label's question).
  const answers = plan.multi ? [...plan.multi.yes, ...plan.multi.no] : plan.labels;
  const questions = await Promise.all((plan.multi?.questions ?? []).map(tok));
  const [headT, beforeT, afterT, genT, endThinkT, closeThink, afterEndThink, eosT, ...labelT] =
    await Promise.all([
      tok(head),
      tok(plan.before),
      tok(plan.after),
      tok(genText),
      tok('</think>'),
      tok('\n</think>\n\n'),
      tok('\n\n'),
      tok(info.eosToken ?? ''),
      ...answers.map(tok),
    ]);
  let labels = labelT;
  const eos = eosT.length === 1 ? eosT[0] : null;
  // When one label's tokens begin another's, the end-of-answer token tells them apart (as locally).
  const clash = labels.some((a, i) =>
    labels.some((b, j) => i !== j && a.length <= b.length && a.every((t, k) => b[k] === t)),
  );
  if (clash) {
    if (eos === null) {
      throw AppError.keyed('UNSUPPORTED', 'teacher.twoLabelsBeginSame', {});
    }
    labels = labels.map((l) => [...l, eos]);
  }
  return {
    head: headT,
    before: beforeT,
    after: afterT,
    gen: genT,
    labels,
    maxLabel: Math.max(...labels.map((l) => l.length)),
    questions,
    yesCount: plan.multi ? plan.multi.yes.length : 0,
    endThink: endThinkT.length === 1 ? endThinkT[0] : null,
    eos,
    closeThink,
    afterEndThink,
  };
}

export interface DocScore {
  /** Single-label plans: log p(label | prompt) per label (empty for a multi-label plan). */
  readonly ll: number[];
  /** Multi-label plans: per label, the log-likelihoods of answering yes and no (log-sum-exp over spellings). */
  readonly answers: Array<{ yes: number; no: number }> | null;
  readonly covered: boolean;
  readonly problem: string | null;
  readonly reasoning: string | null;
  readonly tokens: number;
  readonly evaluated: number;
  readonly truncated: boolean;
}

export async function scoreDocument(
  conn: Pick<EndpointParts, 'adapter' | 'info'>,
  rp: RemotePrompt,
  plan: PromptPlan,
  text: string,
  signal?: AbortSignal,
): Promise<DocScore> {
  const { adapter } = conn;
  let textT = await adapter.tokenize(text, signal);
  let truncated = false;
  const ctx = conn.info.contextSize;
  if (ctx) {
    const reserve =
      rp.maxLabel + 8 + (plan.mode === 'reasoning' ? plan.reasoningBudget + rp.closeThink.length : 0);
    const question = Math.max(0, ...rp.questions.map((q) => q.length));
    const room =
      ctx - reserve - (rp.head.length + rp.before.length + rp.after.length + question + rp.gen.length);
    if (room < 8) {
      throw AppError.keyed('INVALID_INPUT', 'teacher.promptTemplateTooLong', { ctx });
    }
    // Cut once, for the longest question, so that every question sees the same text (as the local teacher does).
    if (textT.length > room) {
      textT = textT.slice(0, room);
      truncated = true;
    }
  }
  if (rp.questions.length > 0) return scoreQuestions(adapter, rp, textT, truncated, signal);
  const prompt = [...rp.head, ...rp.before, ...textT, ...rp.after, ...rp.gen];
  let base = prompt;
  let reasoning: string | null = null;
  let evaluated = 0;
  if (plan.mode === 'reasoning') {
    const out = await adapter.generate(prompt, plan.reasoningBudget, signal);
    let end = out.findIndex((t) => t === rp.endThink || t === rp.eos);
    const closed = end >= 0 && out[end] === rp.endThink;
    if (end < 0) end = Math.min(out.length, plan.reasoningBudget);
    const thoughts = out.slice(0, end);
    reasoning = (await adapter.detokenize(thoughts, signal)).trim();
    const close = closed && rp.endThink !== null ? [rp.endThink, ...rp.afterEndThink] : rp.closeThink;
    base = [...prompt, ...thoughts, ...close];
    evaluated += prompt.length + thoughts.length;
  }
  const s = await adapter.score(base, rp.labels, signal);
  return {
    ll: s.ll,
    answers: null,
    covered: s.covered,
    problem: s.problem,
    reasoning,
    tokens: base.length,
    evaluated: evaluated + s.evaluated,
    truncated,
  };
}

/**
 * A multi-label plan's document: each label's question ends the user turn (`before + text + after + question`, as
 * the local teacher builds it), and the answer's spellings of yes and of no are scored after it, one request per
 * label. Multi-label plans answer directly (the prompt builder refuses reasoning mode for them).
 */
async function scoreQuestions(
  adapter: Adapter,
  rp: RemotePrompt,
  textT: readonly number[],
  truncated: boolean,
  signal?: AbortSignal,
): Promise<DocScore> {
  const answers: Array<{ yes: number; no: number }> = [];
  let covered = true;
  let problem: string | null = null;
  let evaluated = 0;
  let tokens = 0;
  for (const q of rp.questions) {
    const prompt = [...rp.head, ...rp.before, ...textT, ...rp.after, ...q, ...rp.gen];
    const s = await adapter.score(prompt, rp.labels, signal);
    covered &&= s.covered;
    problem ??= s.problem;
    evaluated += s.evaluated;
    tokens = Math.max(tokens, prompt.length);
    answers.push({
      yes: logSumExp(s.ll.slice(0, rp.yesCount)),
      no: logSumExp(s.ll.slice(rp.yesCount)),
    });
  }
  return { ll: [], answers, covered, problem, reasoning: null, tokens, evaluated, truncated };
}
