import { Template } from '@huggingface/jinja';
import type {
  EndpointCheck,
  EndpointRate,
  EndpointRefusal,
  RemoteMethod,
  TeacherEndpoint,
} from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import type { PromptPlan, ScoreItem, ScoreResult } from './protocol';
import {
  llamaEchoAdapter,
  llamaNativeAdapter,
  probeEngine,
  vllmAdapter,
  type Adapter,
  type EngineInfo,
} from './remoteEngines';
import { DEFAULT_HTTP, EndpointHttp, HttpError, describeHttpError, type HttpOptions } from './remoteHttp';
import { normalise } from './scoring';
import type { Scorer } from './service';

/**
 * A teacher on the site's own GPU servers. Each endpoint is probed (which engine, what it supports), given the adapter
 * of its engine, and self-checked on fixed prompts before it labels anything; one that cannot give exact numbers is
 * refused with the reason. Prompts are built from the model's own chat template (or the person's), tokenised piece by
 * piece with the server's tokenizer exactly as the local teacher does, so the numbers equal the local teacher's on the
 * same model. Work is spread over the endpoints, each within its capacity.
 */

/** Stands for the user turn while the chat template is rendered; the template's text around it is the frame. */
const MARK = '\u0001DISTILLERY_USER_TURN\u0001';

/** Fixed prompts of the self-check: two labels whose token sequences are not prefixes of each other. */
const CHECK_PROMPTS: ReadonlyArray<{ plan: PromptPlan; text: string }> = [
  {
    plan: {
      before: 'Is this sentence about the weather? Answer yes or no.\n\nText:\n',
      after: '',
      labels: ['yes', 'no'],
      mode: 'direct',
      reasoningBudget: 16,
    },
    text: 'It is raining in the city today.',
  },
  {
    plan: {
      before: 'Classify the review as positive or negative.\n\nText:\n',
      after: '\n\nAnswer with the label only.',
      labels: ['positive', 'negative'],
      mode: 'direct',
      reasoningBudget: 16,
    },
    text: 'The food was cold and the staff ignored us.',
  },
];

/** The chat frame around the user turn, as token ids of the server's tokenizer. */
interface RemotePrompt {
  readonly head: number[];
  readonly before: number[];
  readonly after: number[];
  readonly gen: number[];
  readonly labels: number[][];
  readonly maxLabel: number;
  readonly endThink: number | null;
  readonly eos: number | null;
  readonly closeThink: number[];
  readonly afterEndThink: number[];
}

interface Connection {
  readonly endpoint: TeacherEndpoint;
  readonly http: EndpointHttp;
  readonly info: EngineInfo;
  readonly adapter: Adapter;
  readonly check: EndpointCheck;
  readonly plans: Map<string, Promise<RemotePrompt>>;
}

class Refused extends Error {
  constructor(
    readonly refusal: EndpointRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** The chat frame (text before and after the user turn) from the person's template, the server's, or vLLM itself. */
async function chatFrame(
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

async function buildPrompt(
  conn: Pick<Connection, 'endpoint' | 'info' | 'adapter'>,
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
      ...plan.labels.map(tok),
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
    endThink: endThinkT.length === 1 ? endThinkT[0] : null,
    eos,
    closeThink,
    afterEndThink,
  };
}

function planOf(conn: Connection, plan: PromptPlan, signal?: AbortSignal): Promise<RemotePrompt> {
  const key = JSON.stringify(plan);
  let p = conn.plans.get(key);
  if (!p) {
    p = buildPrompt(conn, plan, signal);
    conn.plans.set(key, p);
    p.catch(() => conn.plans.delete(key));
  }
  return p;
}

interface DocScore {
  readonly ll: number[];
  readonly covered: boolean;
  readonly problem: string | null;
  readonly reasoning: string | null;
  readonly tokens: number;
  readonly evaluated: number;
  readonly truncated: boolean;
}

async function scoreDocument(
  conn: Pick<Connection, 'adapter' | 'info'>,
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
    const room = ctx - reserve - (rp.head.length + rp.before.length + rp.after.length + rp.gen.length);
    if (room < 8) {
      throw AppError.keyed('INVALID_INPUT', 'teacher.promptTemplateTooLong', { ctx });
    }
    if (textT.length > room) {
      textT = textT.slice(0, room);
      truncated = true;
    }
  }
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
    covered: s.covered,
    problem: s.problem,
    reasoning,
    tokens: base.length,
    evaluated: evaluated + s.evaluated,
    truncated,
  };
}

/** The self-check on fixed prompts; null when it passes, else why not. */
async function selfCheck(
  conn: Pick<Connection, 'endpoint' | 'info' | 'adapter'>,
  signal?: AbortSignal,
): Promise<{ problem: string | null; maxSumError: number; covered: boolean }> {
  let maxSumError = 0;
  let covered = true;
  for (const { plan, text } of CHECK_PROMPTS) {
    const rp = await buildPrompt(conn, plan, signal);
    const s = await scoreDocument(conn, rp, plan, text, signal);
    covered &&= s.covered;
    if (!s.covered) {
      return {
        problem: s.problem ?? 'the log-probabilities do not cover every prompt token',
        maxSumError,
        covered,
      };
    }
    if (!s.ll.every((x) => Number.isFinite(x) && x <= 1e-6)) {
      return {
        problem: s.problem ?? `the log-probabilities are not valid (${s.ll.join(', ')})`,
        maxSumError,
        covered,
      };
    }
    // The two labels are disjoint events: their probabilities add to at most 1, and normalised to exactly 1.
    const raw = s.ll.reduce((a, l) => a + Math.exp(l), 0);
    const err = Math.abs(normalise(s.ll).probs.reduce((a, p) => a + p, 0) - 1);
    maxSumError = Math.max(maxSumError, err);
    if (raw > 1 + 1e-6 || err > 1e-6) {
      return {
        problem: `the label probabilities do not form a distribution (they add to ${raw})`,
        maxSumError,
        covered,
      };
    }
  }
  return { problem: null, maxSumError, covered };
}

const REFUSAL_HINT: Record<EndpointRefusal, string> = {
  unreachable: 'Check that the server runs and the address is right.',
  ollama:
    'Ollama does not return log-probabilities for the prompt, so it cannot score labels exactly. Serve the same model with vLLM or llama.cpp’s llama-server instead.',
  'no-tokenize':
    'This server has no /tokenize, so Distillery cannot know the model’s tokens. Use vLLM or llama.cpp’s llama-server.',
  'no-prompt-logprobs':
    'This server cannot give the log-probabilities of given text, so it would label at chance. Use vLLM, or a recent llama.cpp llama-server (native /completion with n_probs).',
  'self-check':
    'The numbers are not exact, so this endpoint would label wrongly. Use vLLM or a recent llama-server.',
  'no-template': 'Paste the model’s chat template (Jinja) for this endpoint.',
  'no-model': 'Give the model name the server serves (see its /v1/models).',
};

function refusedCheck(
  endpoint: TeacherEndpoint,
  info: EngineInfo | null,
  refusal: EndpointRefusal,
  reason: string,
  extra: Partial<EndpointCheck> = {},
): EndpointCheck {
  return {
    url: endpoint.url,
    engine: info?.engine ?? null,
    engineVersion: info?.version ?? null,
    models: info?.models ?? [],
    model: info?.model ?? endpoint.model,
    capabilities: {
      tokenize: info?.hasTokenize ?? false,
      promptLogprobs: null,
      echoPromptLogprobs: null,
      nativeProbs: null,
      generate: false,
    },
    method: null,
    templateSource: null,
    contextSize: info?.contextSize ?? null,
    capacity: info?.capacity ?? null,
    concurrency: 0,
    selfCheck: null,
    ...extra,
    accepted: false,
    refusal,
    reason: `${reason} ${REFUSAL_HINT[refusal]}`,
  };
}

async function connect(
  endpoint: TeacherEndpoint,
  signal?: AbortSignal,
  httpOptions: HttpOptions = DEFAULT_HTTP,
): Promise<{ check: EndpointCheck; conn: Connection | null }> {
  const http = new EndpointHttp(endpoint.url, endpoint.apiKey, httpOptions);
  let info: EngineInfo;
  try {
    info = await probeEngine(http, endpoint, signal);
  } catch (e) {
    if (signal?.aborted) throw e;
    return {
      check: refusedCheck(endpoint, null, 'unreachable', describeHttpError(endpoint.url, e)),
      conn: null,
    };
  }
  const at = `The endpoint ${endpoint.url}`;
  if (info.engine === 'ollama') {
    return {
      check: refusedCheck(endpoint, info, 'ollama', `${at} is Ollama ${info.version ?? ''}.`),
      conn: null,
    };
  }
  if (info.engine === null || info.engine === 'openai') {
    return {
      check: refusedCheck(
        endpoint,
        info,
        'no-tokenize',
        `${at} is an OpenAI-compatible server Distillery does not know.`,
      ),
      conn: null,
    };
  }
  if (info.engine === 'vllm' && !info.model) {
    return { check: refusedCheck(endpoint, info, 'no-model', `${at} lists no model.`), conn: null };
  }
  const methods: RemoteMethod[] = info.engine === 'vllm' ? ['prompt_logprobs', 'echo'] : ['n_probs', 'echo'];
  const tried: Partial<Record<RemoteMethod, boolean>> = {};
  const reasons: string[] = [];
  let lastCheck: { maxSumError: number; covered: boolean } | null = null;
  const capabilities = (generate: boolean): EndpointCheck['capabilities'] => ({
    tokenize: true,
    promptLogprobs: info.engine === 'vllm' ? (tried.prompt_logprobs ?? null) : false,
    echoPromptLogprobs: tried.echo ?? null,
    nativeProbs: info.engine === 'llamacpp' ? (tried.n_probs ?? null) : false,
    generate,
  });
  for (const method of methods) {
    const adapter =
      info.engine === 'vllm'
        ? vllmAdapter(http, info.model, method === 'echo' ? 'echo' : 'prompt_logprobs')
        : method === 'n_probs'
          ? llamaNativeAdapter(http, info.vocabSize)
          : llamaEchoAdapter(http, info.model);
    const probe = { endpoint, info, adapter };
    let result: Awaited<ReturnType<typeof selfCheck>>;
    try {
      result = await selfCheck(probe, signal);
    } catch (e) {
      if (signal?.aborted) throw e;
      if (e instanceof Refused)
        return { check: refusedCheck(endpoint, info, e.refusal, `${at}: ${e.message}`), conn: null };
      tried[method] = false;
      reasons.push(
        `${method}: ${e instanceof HttpError ? describeHttpError(endpoint.url, e) : (e as Error).message}`,
      );
      continue;
    }
    lastCheck = result;
    tried[method] = result.problem === null;
    if (result.problem !== null) {
      reasons.push(`${method}: ${result.problem}`);
      continue;
    }
    const concurrency = Math.max(1, Math.min(64, info.capacity ?? endpoint.concurrency));
    const check: EndpointCheck = {
      url: endpoint.url,
      engine: info.engine,
      engineVersion: info.version,
      models: info.models,
      model: info.model,
      capabilities: capabilities(true),
      method,
      templateSource: endpoint.chatTemplate?.trim() ? 'user' : 'server',
      contextSize: info.contextSize,
      capacity: info.capacity,
      concurrency,
      selfCheck: {
        passed: true,
        prompts: CHECK_PROMPTS.length,
        maxSumError: result.maxSumError,
        promptTokensCovered: result.covered,
      },
      accepted: true,
      refusal: null,
      reason: null,
    };
    return { check, conn: { endpoint, http, info, adapter, check, plans: new Map() } };
  }
  const anyAnswered = lastCheck !== null;
  return {
    check: refusedCheck(
      endpoint,
      info,
      anyAnswered ? 'self-check' : 'no-prompt-logprobs',
      `${at} (${info.engine}) failed the self-check: ${reasons.join('; ')}.`,
      {
        capabilities: capabilities(false),
        selfCheck: lastCheck
          ? {
              passed: false,
              prompts: CHECK_PROMPTS.length,
              maxSumError: lastCheck.maxSumError,
              promptTokensCovered: lastCheck.covered,
            }
          : null,
      },
    ),
    conn: null,
  };
}

/** Accepted endpoints for a few minutes, so that a preview and the run after it do not probe again. */
const connections = new Map<string, { at: number; conn: Connection }>();
const CONNECTION_TTL_MS = 5 * 60_000;

function keyOf(e: TeacherEndpoint): string {
  return JSON.stringify([e.url, e.model, e.apiKey ?? '', e.chatTemplate ?? '', e.concurrency]);
}

/** Probes and self-checks an endpoint: what the Teacher step shows when one is added. */
export async function checkEndpoint(endpoint: TeacherEndpoint, signal?: AbortSignal): Promise<EndpointCheck> {
  const { check, conn } = await connect(endpoint, signal);
  if (conn) connections.set(keyOf(endpoint), { at: Date.now(), conn });
  return check;
}

async function connection(
  endpoint: TeacherEndpoint,
  signal?: AbortSignal,
  http?: HttpOptions,
): Promise<Connection> {
  const key = keyOf(endpoint);
  const cached = connections.get(key);
  if (cached && Date.now() - cached.at < CONNECTION_TTL_MS) return cached.conn;
  const { check, conn } = await connect(endpoint, signal, http);
  if (!conn) {
    throw AppError.keyed(
      check.refusal === 'unreachable' ? 'MODEL_ERROR' : 'UNSUPPORTED',
      'teacher.endpointRefused',
      { reason: check.reason ?? endpoint.url },
      { refusal: check.refusal },
    );
  }
  connections.set(key, { at: Date.now(), conn });
  return conn;
}

/** Live documents/s and tokens/s per endpoint, over a sliding window. */
class RateMeter {
  private events: Array<{ t: number; tokens: number }> = [];
  documents = 0;
  inFlight = 0;
  constructor(readonly http: EndpointHttp) {}
  add(tokens: number): void {
    const t = Date.now();
    this.documents++;
    this.events.push({ t, tokens });
    while (this.events.length && this.events[0].t < t - 60_000) this.events.shift();
  }
  rate(windowMs = 10_000): EndpointRate {
    const now = Date.now();
    const recent = this.events.filter((e) => e.t >= now - windowMs);
    const span = recent.length ? Math.max(1000, now - recent[0].t) / 1000 : 1;
    return {
      url: this.http.baseUrl,
      documentsPerSecond: recent.length / span,
      tokensPerSecond: recent.reduce((a, e) => a + e.tokens, 0) / span,
      documents: this.documents,
      inFlight: this.inFlight,
      retries: this.http.counters.retries,
      breakerOpen: this.http.breakerOpen,
    };
  }
  get lastAt(): number {
    return this.events.at(-1)?.t ?? 0;
  }
}

const meters = new Map<string, RateMeter>();

function meterOf(conn: Connection): RateMeter {
  let m = meters.get(conn.endpoint.url);
  if (!m || m.http !== conn.http) {
    m = new RateMeter(conn.http);
    meters.set(conn.endpoint.url, m);
  }
  return m;
}

/** Endpoints that scored something in the last minute, with their current rates. */
export function endpointRates(): EndpointRate[] {
  const now = Date.now();
  return [...meters.values()]
    .filter((m) => m.inFlight > 0 || m.http.breakerOpen || now - m.lastAt < 60_000)
    .map((m) => m.rate());
}

/** A document that could not be sent this many times stops the run (it stays resumable). */
const MAX_DOCUMENT_ATTEMPTS = 3;

export async function remoteScorer(
  endpoints: readonly TeacherEndpoint[],
  signal?: AbortSignal,
  http?: HttpOptions,
): Promise<Scorer> {
  const conns = await Promise.all(endpoints.map((e) => connection(e, signal, http)));
  // Slots taken round-robin over the endpoints, so that a small batch still reaches every endpoint.
  const slots: Connection[] = [];
  for (let k = 0; k < Math.max(...conns.map((c) => c.check.concurrency)); k++) {
    for (const c of conns) if (k < c.check.concurrency) slots.push(c);
  }
  return {
    batchSize: Math.max(8, slots.length * 4),
    score: async (plan, items) => {
      // Every endpoint's frame first: a template problem is one error, not one per document. An endpoint that
      // cannot be reached now sits this batch out while the others work.
      for (const c of conns) meterOf(c);
      const frames = await Promise.allSettled(conns.map((c) => planOf(c, plan, signal)));
      const down = new Set<Connection>();
      frames.forEach((f, k) => {
        if (f.status === 'fulfilled') return;
        if (!(f.reason instanceof HttpError)) throw f.reason;
        down.add(conns[k]);
      });
      if (down.size === conns.length) {
        const first = frames.find((f) => f.status === 'rejected');
        throw AppError.keyed('MODEL_ERROR', 'teacher.endpointFailed', {
          reason: describeHttpError(conns[0].endpoint.url, first?.reason),
        });
      }
      const results = new Array<ScoreResult>(items.length);
      const queue = items.map((_, i) => i);
      const attempts = new Map<number, number>();
      let fatal: unknown = null;
      const work = async (conn: Connection): Promise<void> => {
        const meter = meterOf(conn);
        while (queue.length && fatal === null) {
          // An endpoint whose breaker is open waits while the others take the work (and stops when it is done).
          if (conn.http.breakerOpen) {
            await new Promise((r) => setTimeout(r, 200));
            if (signal?.aborted) throw signal.reason as Error;
            continue;
          }
          const i = queue.shift();
          if (i === undefined) break;
          const item: ScoreItem = items[i];
          const started = performance.now();
          meter.inFlight++;
          try {
            const rp = await planOf(conn, plan, signal);
            const s = await scoreDocument(conn, rp, plan, item.text, signal);
            const finite = s.covered && s.ll.every((x) => Number.isFinite(x));
            results[i] = {
              id: item.id,
              logLikelihoods: finite ? s.ll : null,
              reasoning: s.reasoning,
              tokens: s.tokens,
              evaluated: s.evaluated,
              timeMs: performance.now() - started,
              truncated: s.truncated,
              error: finite
                ? null
                : `The endpoint ${conn.endpoint.url} gave no valid numbers for this example (${s.problem ?? 'not finite'}).`,
            };
            meter.add(s.evaluated);
          } catch (e) {
            if (signal?.aborted) throw e;
            const n = (attempts.get(i) ?? 0) + 1;
            attempts.set(i, n);
            if (e instanceof HttpError && n < MAX_DOCUMENT_ATTEMPTS) queue.push(i);
            else
              fatal ??=
                e instanceof HttpError
                  ? AppError.keyed('MODEL_ERROR', 'teacher.endpointFailed', {
                      reason: describeHttpError(conn.endpoint.url, e),
                    })
                  : e;
          } finally {
            meter.inFlight--;
          }
        }
      };
      const up = slots.filter((c) => !down.has(c));
      await Promise.all(up.slice(0, Math.max(1, items.length)).map(work));
      if (fatal !== null) throw fatal;
      return results;
    },
  };
}

/** Forgets the accepted endpoints (tests, and a person pressing "check again"). */
export function forgetEndpoints(): void {
  connections.clear();
}
