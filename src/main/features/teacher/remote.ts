import type { EndpointCheck, EndpointRate, RemoteMethod, TeacherEndpoint } from '../../../shared/teacher';
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
import { CHECK_PROMPTS, refusedCheck, selfCheck } from './remoteCheck';
import { buildPrompt, Refused, scoreDocument, type RemotePrompt } from './remotePrompt';
import type { Scorer } from './service';

/**
 * A teacher on the site's own GPU servers. Each endpoint is probed (which engine, what it supports), given the adapter
 * of its engine, and self-checked on fixed prompts before it labels anything; one that cannot give exact numbers is
 * refused with the reason. Prompts are built from the model's own chat template (or the person's), tokenised piece by
 * piece with the server's tokenizer exactly as the local teacher does, so the numbers equal the local teacher's on the
 * same model (remotePrompt.ts; the self-check: remoteCheck.ts). Work is spread over the endpoints, each within its
 * capacity.
 */

interface Connection {
  readonly endpoint: TeacherEndpoint;
  readonly http: EndpointHttp;
  readonly info: EngineInfo;
  readonly adapter: Adapter;
  readonly check: EndpointCheck;
  readonly plans: Map<string, Promise<RemotePrompt>>;
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
            const finite =
              s.covered &&
              s.ll.every((x) => Number.isFinite(x)) &&
              (s.answers ?? []).every((a) => Number.isFinite(a.yes) && Number.isFinite(a.no));
            results[i] = {
              id: item.id,
              logLikelihoods: finite && !s.answers ? s.ll : null,
              ...(s.answers ? { answers: finite ? s.answers : null } : {}),
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
