import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Template } from '@huggingface/jinja';
import type { ControlledEvaluateInputItem, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { SPECIAL_TOKENS } from '../fixtures/gguf/generate';

/**
 * Test engines on 127.0.0.1 serving a real model through node-llama-cpp, speaking the engines' HTTP contracts as
 * their docs describe them (not Distillery's expectations):
 *  - 'vllm': GET /version and /v1/models; POST /tokenize (prompt or chat messages, rendered with the model's own
 *    template), /detokenize, /v1/completions with batch prompts (strings or token ids), `echo` + `logprobs`
 *    (with `return_tokens_as_token_ids`), `prompt_logprobs`, and `max_tokens` of at least 1.
 *  - 'llamacpp': GET /props (slots, n_ctx, chat_template, bos/eos) and /v1/models (meta.n_vocab); POST /tokenize,
 *    /detokenize, native /completion with `n_probs` (full-vocabulary probabilities of each generated token's
 *    position) and `return_tokens`; /v1/completions whose `echo` gives log-probabilities for generated tokens only,
 *    as llama.cpp's server does (issue 27174). `native: false` answers 404 on /completion (an OpenAI-only proxy).
 *  - 'ollama': GET /api/version and /v1/models.
 * Requests are served one at a time on one sequence; the sequence keeps the previous prompt (a prompt cache).
 */

export type EngineKind = 'vllm' | 'llamacpp' | 'ollama';

export interface EngineServer {
  readonly url: string;
  readonly hits: () => number;
  /** Requests per path. */
  readonly paths: Map<string, number>;
  /** Answers the next `n` requests with this status (429, 503...) before serving again. */
  failNext(n: number, status: number): void;
  close(): Promise<void>;
}

export interface EngineOptions {
  readonly kind: EngineKind;
  readonly model: LlamaModel;
  readonly sequence: LlamaContextSequence;
  readonly contextSize: number;
  readonly name?: string;
  readonly slots?: number;
  readonly native?: boolean;
  /** vLLM: false answers 400 to `prompt_logprobs` (versions without it), leaving `echo`. */
  readonly promptLogprobs?: boolean;
  /** vLLM: prompts whose text contains this get a null log-probability on their last token (a broken server). */
  readonly poison?: string;
}

type Dist = Map<Token, number>;

class Evaluator {
  private held: Token[] = [];
  private dists: Array<Dist | undefined> = [];
  private queue: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly model: LlamaModel,
    private readonly seq: LlamaContextSequence,
  ) {}

  /** One request at a time, as one slot. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Distributions after every token of `tokens` (dists[i] predicts token i+1); the common prefix is kept. */
  async evaluate(tokens: readonly Token[]): Promise<Dist[]> {
    let d = 0;
    while (d < this.held.length && d < tokens.length && this.held[d] === tokens[d]) d++;
    if (d === tokens.length && d > 0) d--;
    if (d < this.seq.nextTokenIndex) {
      await this.seq.eraseContextTokenRanges([{ start: d, end: this.seq.nextTokenIndex }]);
    }
    const input: ControlledEvaluateInputItem[] = tokens
      .slice(d)
      .map((t): ControlledEvaluateInputItem => [t, { generateNext: { probabilities: true } }]);
    const out = await this.seq.controlledEvaluate(input);
    this.held = [...tokens];
    this.dists = [...this.dists.slice(0, d), ...out.map((o) => o?.next.probabilities)];
    return this.dists.map((x) => x ?? new Map());
  }

  /** Greedy continuation of up to `max` tokens; `picked` ends with the end-of-text token when the model chose it. */
  async generate(
    prompt: readonly Token[],
    max: number,
  ): Promise<{ tokens: Token[]; picked: Token[]; dists: Dist[]; eos: boolean; prompt: Dist[] }> {
    let all = await this.evaluate(prompt);
    const promptDists = all;
    const picked: Token[] = [];
    const dists: Dist[] = [];
    while (picked.length < max) {
      const dist = all[all.length - 1];
      const next = argmax(dist);
      dists.push(dist);
      picked.push(next);
      if (next === this.model.tokens.eos) {
        return { tokens: picked.slice(0, -1), picked, dists, eos: true, prompt: promptDists };
      }
      if (picked.length >= max) break;
      all = await this.evaluate([...prompt, ...picked]);
    }
    return { tokens: picked, picked, dists, eos: false, prompt: promptDists };
  }
}

function argmax(d: Dist): Token {
  let best: Token = -1 as Token;
  let bp = -Infinity;
  for (const [t, p] of d) if (p > bp) [best, bp] = [t, p];
  return best;
}

const logTotals = new WeakMap<Dist, number>();

/** log p(token) normalised over the whole vocabulary, as the engines compute log-softmax. */
function logprob(d: Dist, t: Token): number {
  let lt = logTotals.get(d);
  if (lt === undefined) {
    let total = 0;
    for (const p of d.values()) total += p;
    lt = Math.log(total);
    logTotals.set(d, lt);
  }
  return Math.log(d.get(t) ?? 0) - lt;
}

function top(d: Dist, n: number): Array<[Token, number]> {
  return [...d.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([t]): [Token, number] => [t, logprob(d, t)]);
}

/** 1 for the most likely token. */
function rank(d: Dist, t: Token): number {
  const p = d.get(t) ?? 0;
  let above = 0;
  for (const q of d.values()) if (q > p) above++;
  return above + 1;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) body += (chunk as Buffer).toString();
  return body ? (JSON.parse(body) as Record<string, unknown>) : {};
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startEngine(opts: EngineOptions): Promise<EngineServer> {
  const { model, kind } = opts;
  const name = opts.name ?? 'tiny';
  const ev = new Evaluator(model, opts.sequence);
  const template = model.fileInfo.metadata.tokenizer?.chat_template as string | undefined;
  const piece = (t: Token): string => model.detokenize([t], true);
  const tokenize = (text: string, addBos: boolean): Token[] => {
    const toks = model.tokenize(text, true);
    const bos = model.tokens.bos;
    return addBos && bos !== null ? [bos, ...toks] : toks;
  };
  const nVocab = model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 0;
  let hits = 0;
  const paths = new Map<string, number>();
  let failing = { n: 0, status: 500 };

  const vllmCompletions = async (b: Record<string, unknown>): Promise<[number, unknown]> => {
    const maxTokens = typeof b.max_tokens === 'number' ? b.max_tokens : 16;
    if (maxTokens < 1)
      return [400, { object: 'error', message: 'max_tokens must be at least 1, got 0.', code: 400 }];
    const raw = b.prompt;
    const prompts: Token[][] = (
      Array.isArray(raw) && (raw.length === 0 || typeof raw[0] !== 'number') ? (raw as unknown[]) : [raw]
    ).map((p) => (typeof p === 'string' ? tokenize(p, true) : (p as Token[])));
    const echo = b.echo === true;
    const nLogprobs = typeof b.logprobs === 'number' ? b.logprobs : null;
    const nPrompt = typeof b.prompt_logprobs === 'number' ? b.prompt_logprobs : null;
    if (nPrompt !== null && opts.promptLogprobs === false) {
      return [400, { object: 'error', message: "Unknown parameter 'prompt_logprobs'", code: 400 }];
    }
    const asIds = b.return_tokens_as_token_ids === true;
    const name = (t: Token): string => (asIds ? `token_id:${t}` : piece(t));
    const choices = [];
    let promptTokens = 0;
    let completionTokens = 0;
    for (const [index, prompt] of prompts.entries()) {
      const gen = await ev.generate(prompt, maxTokens);
      const all = gen.prompt;
      promptTokens += prompt.length;
      completionTokens += gen.picked.length;
      const text = model.detokenize(gen.tokens, true);
      let logprobs = null;
      if (nLogprobs !== null) {
        const toks = echo ? [...prompt, ...gen.picked] : gen.picked;
        const lps = toks.map((t, i) => {
          const at = echo ? i : prompt.length + i;
          if (at === 0) return null;
          const d = at < prompt.length ? all[at - 1] : gen.dists[at - prompt.length];
          return d ? logprob(d, t) : null;
        });
        const tops = toks.map((t, i) => {
          const at = echo ? i : prompt.length + i;
          if (at === 0) return null;
          const d = at < prompt.length ? all[at - 1] : gen.dists[at - prompt.length];
          return d ? Object.fromEntries(top(d, Math.max(1, nLogprobs)).map(([k, v]) => [name(k), v])) : null;
        });
        let off = 0;
        logprobs = {
          tokens: toks.map(name),
          token_logprobs: lps,
          top_logprobs: tops,
          text_offset: toks.map((t) => {
            const o = off;
            off += piece(t).length;
            return o;
          }),
        };
      }
      const promptLogprobs =
        nPrompt === null
          ? null
          : prompt.map((t, i) => {
              if (i === 0) return null;
              const d = all[i - 1];
              const entries = new Map<Token, number | null>(top(d, nPrompt));
              const poisoned =
                opts.poison !== undefined &&
                i === prompt.length - 1 &&
                model.detokenize(prompt, true).includes(opts.poison);
              entries.set(t, poisoned ? null : logprob(d, t));
              return Object.fromEntries(
                [...entries].map(([k, v]) => [
                  String(k),
                  { logprob: v, rank: rank(d, k), decoded_token: piece(k) },
                ]),
              );
            });
      choices.push({
        index,
        text: echo ? model.detokenize(prompt, true) + text : text,
        logprobs,
        finish_reason: gen.eos ? 'stop' : 'length',
        stop_reason: null,
        ...(nPrompt === null ? {} : { prompt_logprobs: promptLogprobs }),
      });
    }
    return [
      200,
      {
        id: `cmpl-${hits}`,
        object: 'text_completion',
        created: 1_700_000_000,
        model: b.model ?? name,
        choices,
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      },
    ];
  };

  const llamaCompletion = async (b: Record<string, unknown>): Promise<[number, unknown]> => {
    const prompt = typeof b.prompt === 'string' ? tokenize(b.prompt, true) : (b.prompt as Token[]);
    const nPredict = typeof b.n_predict === 'number' ? b.n_predict : -1;
    const nProbs = typeof b.n_probs === 'number' ? b.n_probs : 0;
    const gen = await ev.generate(prompt, nPredict < 0 ? 64 : nPredict);
    const entry = (t: Token, lp: number): Record<string, unknown> => ({
      id: t,
      token: piece(t),
      bytes: [...Buffer.from(piece(t))],
      logprob: lp,
    });
    return [
      200,
      {
        index: 0,
        content: model.detokenize(gen.tokens, true),
        ...(b.return_tokens === true ? { tokens: gen.tokens } : { tokens: [] }),
        id_slot: 0,
        stop: true,
        model: name,
        tokens_predicted: gen.tokens.length,
        tokens_evaluated: prompt.length,
        stop_type: gen.eos ? 'eos' : 'limit',
        ...(nProbs > 0
          ? {
              completion_probabilities: gen.picked.map((t, i) => ({
                ...entry(t, logprob(gen.dists[i], t)),
                top_logprobs: top(gen.dists[i], nProbs).map(([k, v]) => entry(k, v)),
              })),
            }
          : {}),
      },
    ];
  };

  const llamaOaiCompletions = async (b: Record<string, unknown>): Promise<[number, unknown]> => {
    // llama.cpp's OpenAI layer: `echo` is ignored for log-probabilities, entries cover generated tokens only.
    const prompt = typeof b.prompt === 'string' ? tokenize(b.prompt, true) : (b.prompt as Token[]);
    const maxTokens = typeof b.max_tokens === 'number' ? b.max_tokens : 16;
    const gen = await ev.generate(prompt, Math.max(1, maxTokens));
    return [
      200,
      {
        choices: [
          {
            text: model.detokenize(gen.tokens, true),
            index: 0,
            logprobs:
              b.logprobs === undefined
                ? null
                : {
                    content: gen.picked.map((t, i) => ({
                      id: t,
                      token: piece(t),
                      bytes: [...Buffer.from(piece(t))],
                      logprob: logprob(gen.dists[i], t),
                      top_logprobs: [],
                    })),
                  },
            finish_reason: 'length',
          },
        ],
        created: 1_700_000_000,
        model: name,
        object: 'text_completion',
        usage: {
          completion_tokens: gen.tokens.length,
          prompt_tokens: prompt.length,
          total_tokens: prompt.length + gen.tokens.length,
        },
      },
    ];
  };

  /** GET /v1/models as each engine words it. */
  const models = (owner: string, extra: object): [number, unknown] => [
    200,
    {
      object: 'list',
      data: [{ id: name, object: 'model', created: 1_700_000_000, owned_by: owner, ...extra }],
    },
  ];

  const route = async (
    method: string,
    path: string,
    b: Record<string, unknown>,
  ): Promise<[number, unknown]> => {
    const notFound: [number, unknown] = [
      404,
      { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } },
    ];
    if (kind === 'ollama') {
      if (path === '/api/version') return [200, { version: '0.6.2' }];
      if (path === '/v1/models') {
        return [
          200,
          {
            object: 'list',
            data: [{ id: `${name}:latest`, object: 'model', created: 1_700_000_000, owned_by: 'library' }],
          },
        ];
      }
      return notFound;
    }
    if (kind === 'vllm') {
      if (method === 'GET' && path === '/version') return [200, { version: '0.8.5' }];
      if (method === 'GET' && path === '/v1/models') {
        return models('vllm', { root: name, parent: null, max_model_len: opts.contextSize, permission: [] });
      }
      if (method === 'POST' && path === '/tokenize') {
        let tokens: Token[];
        if (Array.isArray(b.messages)) {
          const text = new Template(template ?? '').render({
            messages: b.messages,
            add_generation_prompt: b.add_generation_prompt === true,
            bos_token: SPECIAL_TOKENS.bos,
            eos_token: SPECIAL_TOKENS.eos,
          });
          tokens = tokenize(text, b.add_special_tokens === true);
        } else tokens = tokenize(String(b.prompt), b.add_special_tokens !== false);
        return [200, { count: tokens.length, max_model_len: opts.contextSize, tokens }];
      }
      if (method === 'POST' && path === '/detokenize') {
        return [200, { prompt: model.detokenize(b.tokens as Token[], true) }];
      }
      if (method === 'POST' && path === '/v1/completions') return ev.serial(() => vllmCompletions(b));
      return notFound;
    }
    // llama.cpp
    if (method === 'GET' && path === '/props') {
      return [
        200,
        {
          default_generation_settings: {
            n_ctx: opts.contextSize,
            params: { n_predict: -1, temperature: 0.8 },
          },
          total_slots: opts.slots ?? 2,
          model_path: `/models/${name}.gguf`,
          chat_template: template,
          bos_token: SPECIAL_TOKENS.bos,
          eos_token: SPECIAL_TOKENS.eos,
          build_info: 'b6100-testserver',
        },
      ];
    }
    if (method === 'GET' && path === '/v1/models') {
      return models('llamacpp', {
        meta: {
          vocab_type: 2,
          n_vocab: nVocab,
          n_ctx_train: opts.contextSize,
          n_embd: 64,
          n_params: 1,
          size: 1,
        },
      });
    }
    if (method === 'POST' && path === '/tokenize')
      return [200, { tokens: tokenize(String(b.content), b.add_special === true) }];
    if (method === 'POST' && path === '/detokenize')
      return [200, { content: model.detokenize(b.tokens as Token[], true) }];
    if (method === 'POST' && path === '/completion') {
      if (opts.native === false) return notFound;
      return ev.serial(() => llamaCompletion(b));
    }
    if (method === 'POST' && path === '/v1/completions') return ev.serial(() => llamaOaiCompletions(b));
    return notFound;
  };

  const server: Server = createServer((req, res) => {
    hits++;
    const path = (req.url ?? '/').split('?')[0];
    paths.set(path, (paths.get(path) ?? 0) + 1);
    void readJson(req)
      .then(async (b) => {
        if (failing.n > 0) {
          failing.n--;
          return send(res, failing.status, { error: { message: 'busy', code: failing.status } });
        }
        const [status, body] = await route(req.method ?? 'GET', path, b);
        send(res, status, body);
      })
      .catch((e: Error) => send(res, 500, { error: { message: e.message } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    paths,
    failNext: (n, status) => {
      failing = { n, status };
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
