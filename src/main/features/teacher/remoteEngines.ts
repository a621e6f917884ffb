import { ZodError } from 'zod';
import type { RemoteEngine, RemoteMethod, TeacherEndpoint } from '../../../shared/teacher';
import { EndpointHttp, HttpError } from './remoteHttp';
import {
  CompletionsResponse,
  LlamaCompletion,
  LlamaDetokenize,
  LlamaProps,
  LlamaTokenize,
  ModelsResponse,
  OllamaVersion,
  VllmDetokenize,
  VllmTokenize,
  VllmVersion,
  type CompletionsResponseBody,
  type LlamaCompletionBody,
} from './remoteSchemas';

/**
 * One adapter per engine. Every adapter works in the server's own token ids (from its /tokenize), never in character
 * offsets: the prompt is sent as token ids, and the log-probabilities read back are matched to those ids.
 *  - vLLM: all labels of a document in one request (one token-id prompt per label), scored from `prompt_logprobs`
 *    (or, on versions without it, `echo` with `logprobs`; `max_tokens` is 1 because several versions refuse 0).
 *  - llama.cpp's server: its native /completion with `n_probs` gives the full-vocabulary probabilities of the next
 *    token; a label of several tokens is scored by stepping through its tokens, one request per distinct label prefix,
 *    the shared prompt kept in the server's prompt cache (`cache_prompt`). Its /v1/completions `echo` gives entries
 *    for generated tokens only (llama.cpp issue 27174), which the self-check catches.
 */

/** A token id sequence with the log-probability the model gives each label after it. */
export interface Scored {
  /** log p(label | prompt) per label, in order; NaN where the server gave no usable number. */
  readonly ll: number[];
  /** The server's entries covered every prompt token (echo / prompt_logprobs) or it read every prompt token (n_probs). */
  readonly covered: boolean;
  /** Tokens the server evaluated for this document. */
  readonly evaluated: number;
  /** Why a number is missing, when one is. */
  readonly problem: string | null;
}

export interface EngineInfo {
  readonly engine: RemoteEngine | null;
  readonly version: string | null;
  readonly models: string[];
  readonly model: string;
  readonly contextSize: number | null;
  readonly capacity: number | null;
  readonly vocabSize: number | null;
  /** llama.cpp: the Jinja chat template and its special token strings from /props. */
  readonly chatTemplate: string | null;
  readonly bosToken: string;
  readonly eosToken: string | null;
  readonly hasTokenize: boolean;
  readonly hasNative: boolean;
}

export interface Adapter {
  readonly method: RemoteMethod;
  /** The text's token ids, no BOS added (special-token text such as a template's markers is parsed, as servers do). */
  tokenize(text: string, signal?: AbortSignal): Promise<number[]>;
  detokenize(tokens: readonly number[], signal?: AbortSignal): Promise<string>;
  score(
    prompt: readonly number[],
    labels: ReadonlyArray<readonly number[]>,
    signal?: AbortSignal,
  ): Promise<Scored>;
  /** Greedy continuation of the prompt, as token ids (reasoning mode). */
  generate(prompt: readonly number[], maxTokens: number, signal?: AbortSignal): Promise<number[]>;
  /** The chat template rendered with one user turn `content` and the generation prompt (vLLM renders it itself). */
  renderChat?(content: string, signal?: AbortSignal): Promise<string>;
}

async function optional<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    // No such route, or a body of another shape: the route is someone else's, not this engine's.
    if (e instanceof HttpError || e instanceof ZodError) return null;
    throw e;
  }
}

/** Asks the routes that tell the engines apart. Throws HttpError(0) when nothing answers at all. */
export async function probeEngine(
  http: EndpointHttp,
  endpoint: TeacherEndpoint,
  signal?: AbortSignal,
): Promise<EngineInfo> {
  const get = <T>(path: string, parse: (raw: unknown) => T): Promise<T | null> =>
    optional(http.once(path, undefined, signal).then(parse));
  const models = await get('/v1/models', (r) => ModelsResponse.parse(r));
  const [props, vllm, ollama] = await Promise.all([
    get('/props', (r) => LlamaProps.parse(r)),
    get('/version', (r) => VllmVersion.parse(r)),
    get('/api/version', (r) => OllamaVersion.parse(r)),
  ]);
  if (!models && !props && !vllm && !ollama) {
    // Nothing answered: say whether the address is reachable at all.
    await http.once('/v1/models', undefined, signal);
  }
  const ids = models?.data.map((m) => m.id) ?? [];
  const model = endpoint.model || ids[0] || '';
  const entry = models?.data.find((m) => m.id === model) ?? models?.data[0];
  const engine: RemoteEngine | null = ollama
    ? 'ollama'
    : props && (props.default_generation_settings || props.total_slots)
      ? 'llamacpp'
      : vllm || entry?.owned_by === 'vllm'
        ? 'vllm'
        : models
          ? 'openai'
          : null;
  return {
    engine,
    version: ollama?.version ?? vllm?.version ?? props?.build_info ?? null,
    models: ids,
    model,
    contextSize: props?.default_generation_settings?.n_ctx ?? entry?.max_model_len ?? null,
    capacity: engine === 'llamacpp' ? (props?.total_slots ?? null) : null,
    vocabSize: entry?.meta?.n_vocab ?? null,
    chatTemplate: props?.chat_template ?? null,
    bosToken: props?.bos_token ?? '',
    eosToken: props?.eos_token ?? null,
    hasTokenize: engine === 'llamacpp' || engine === 'vllm',
    hasNative: engine === 'llamacpp',
  };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Orders a batch's choices by their index (servers may answer in completion order). */
function ordered(body: CompletionsResponseBody, expected: number): CompletionsResponseBody['choices'] {
  const choices = [...body.choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  if (choices.length !== expected) {
    throw new HttpError(200, `answered ${choices.length} choices for ${expected} prompts`);
  }
  return choices;
}

/** Reads the label's log-probability from one echo choice; `covered` false when prompt tokens have no entries. */
export function fromEcho(
  choice: CompletionsResponseBody['choices'][number],
  full: readonly number[],
  promptLength: number,
): { ll: number; covered: boolean } {
  const lp = choice.logprobs;
  if (!lp) return { ll: Number.NaN, covered: false };
  // llama.cpp answers the chat-style {content: [...]}: entries for generated tokens only.
  if (!('token_logprobs' in lp)) return { ll: Number.NaN, covered: false };
  if (lp.token_logprobs.length < full.length) return { ll: Number.NaN, covered: false };
  // With return_tokens_as_token_ids the entries name their ids: they must be the ids sent.
  for (let i = 0; i < full.length; i++) {
    const m = /^token_id:(\d+)$/.exec(lp.tokens[i] ?? '');
    if (m && Number(m[1]) !== full[i]) return { ll: Number.NaN, covered: false };
  }
  let ll = 0;
  for (let i = promptLength; i < full.length; i++) ll += lp.token_logprobs[i] ?? Number.NaN;
  return { ll, covered: true };
}

/** Reads the label's log-probability from vLLM's `prompt_logprobs` (per position: token id -> logprob). */
export function fromPromptLogprobs(
  choice: CompletionsResponseBody['choices'][number],
  full: readonly number[],
  promptLength: number,
): { ll: number; covered: boolean } {
  const pl = choice.prompt_logprobs;
  if (!pl || pl.length < full.length) return { ll: Number.NaN, covered: false };
  const covered = pl
    .slice(1, full.length)
    .every((e, i) => e !== null && e[String(full[i + 1])] !== undefined);
  let ll = 0;
  for (let i = promptLength; i < full.length; i++) ll += pl[i]?.[String(full[i])]?.logprob ?? Number.NaN;
  return { ll, covered };
}

export function vllmAdapter(http: EndpointHttp, model: string, method: 'prompt_logprobs' | 'echo'): Adapter {
  return {
    method,
    tokenize: async (text, signal) =>
      (
        await http.request(
          '/tokenize',
          { model, prompt: text, add_special_tokens: false },
          VllmTokenize,
          signal,
        )
      ).tokens,
    detokenize: async (tokens, signal) =>
      (await http.request('/detokenize', { model, tokens }, VllmDetokenize, signal)).prompt,
    renderChat: async (content, signal) => {
      const { tokens } = await http.request(
        '/tokenize',
        {
          model,
          messages: [{ role: 'user', content }],
          add_generation_prompt: true,
          add_special_tokens: false,
        },
        VllmTokenize,
        signal,
      );
      return (await http.request('/detokenize', { model, tokens }, VllmDetokenize, signal)).prompt;
    },
    score: async (prompt, labels, signal) => {
      const fulls = labels.map((l) => [...prompt, ...l]);
      const body = await http.request(
        '/v1/completions',
        {
          model,
          prompt: fulls,
          max_tokens: 1,
          temperature: 0,
          ...(method === 'prompt_logprobs'
            ? { prompt_logprobs: 1 }
            : { echo: true, logprobs: 1, return_tokens_as_token_ids: true }),
        },
        CompletionsResponse,
        signal,
      );
      const read = method === 'prompt_logprobs' ? fromPromptLogprobs : fromEcho;
      const got = ordered(body, fulls.length).map((c, i) => read(c, fulls[i], prompt.length));
      const covered = got.every((g) => g.covered);
      return {
        ll: got.map((g) => g.ll),
        covered,
        evaluated: sum(fulls.map((f) => f.length)),
        problem: covered ? null : `vLLM's ${method} did not cover every prompt token`,
      };
    },
    generate: async (prompt, maxTokens, signal) => {
      const body = await http.request(
        '/v1/completions',
        {
          model,
          prompt: [...prompt],
          max_tokens: maxTokens,
          temperature: 0,
          logprobs: 0,
          return_tokens_as_token_ids: true,
          skip_special_tokens: false,
        },
        CompletionsResponse,
        signal,
      );
      const choice = body.choices[0];
      const lp = choice?.logprobs;
      if (!lp || !('tokens' in lp)) throw new HttpError(200, 'the generation came back without its tokens');
      const ids = lp.tokens.map((t) => {
        const m = /^token_id:(\d+)$/.exec(t);
        if (!m) throw new HttpError(200, 'the generation came back without token ids');
        return Number(m[1]);
      });
      // Stopped by the end-of-text token (finish "stop" with no stop string): that last token is not a thought.
      return choice.finish_reason === 'stop' ? ids.slice(0, -1) : ids;
    },
  };
}

/** The n_probs request size first tried; the whole vocabulary when a label's token is not among them. */
const FIRST_N_PROBS = 50;

/** The probabilities of the next token after `tokens` from llama.cpp's /completion, keyed by token id. */
async function nextTokenLogprobs(
  http: EndpointHttp,
  tokens: readonly number[],
  nProbs: number,
  signal?: AbortSignal,
): Promise<{ logprobs: Map<number, number>; evaluated: number | null; exact: boolean }> {
  const body: LlamaCompletionBody = await http.request(
    '/completion',
    {
      prompt: [...tokens],
      n_predict: 1,
      n_probs: nProbs,
      temperature: 0,
      cache_prompt: true,
      post_sampling_probs: false,
    },
    LlamaCompletion,
    signal,
  );
  const first = body.completion_probabilities?.[0];
  if (!first || !('top_logprobs' in first)) {
    return { logprobs: new Map(), evaluated: body.tokens_evaluated ?? null, exact: false };
  }
  return {
    logprobs: new Map(first.top_logprobs.map((e) => [e.id, e.logprob])),
    evaluated: body.tokens_evaluated ?? null,
    exact: true,
  };
}

export function llamaNativeAdapter(http: EndpointHttp, vocabSize: number | null): Adapter {
  const base = llamaTokenizer(http);
  return {
    ...base,
    method: 'n_probs',
    score: async (prompt, labels, signal) => {
      // One request per distinct label prefix: labels sharing their first tokens share the requests.
      const prefixes = new Map<string, number[]>();
      for (const l of labels) {
        for (let k = 0; k < l.length; k++) prefixes.set(l.slice(0, k).join(','), l.slice(0, k));
      }
      const dists = new Map<string, Map<number, number>>();
      let covered = true;
      let evaluated = 0;
      let problem: string | null = null;
      for (const [key, prefix] of prefixes) {
        const full = [...prompt, ...prefix];
        const wanted = labels.filter(
          (l) => l.slice(0, prefix.length).join(',') === key && l.length > prefix.length,
        );
        let r = await nextTokenLogprobs(http, full, FIRST_N_PROBS, signal);
        if (r.exact && wanted.some((l) => !r.logprobs.has(l[prefix.length])) && vocabSize) {
          r = await nextTokenLogprobs(http, full, vocabSize, signal);
        }
        if (!r.exact) {
          problem =
            'this llama.cpp server reports probabilities after sampling (an old build), not the model’s own: update it';
          covered = false;
        }
        if (r.evaluated !== null && r.evaluated !== full.length) covered = false;
        evaluated += full.length;
        dists.set(key, r.logprobs);
      }
      const ll = labels.map((l) => {
        let total = 0;
        for (let k = 0; k < l.length; k++)
          total += dists.get(l.slice(0, k).join(','))?.get(l[k]) ?? Number.NaN;
        return total;
      });
      if (!problem && ll.some((x) => !Number.isFinite(x))) {
        problem = 'the server did not return the probability of a label token';
      }
      return { ll, covered, evaluated, problem };
    },
  };
}

function llamaTokenizer(http: EndpointHttp): Pick<Adapter, 'tokenize' | 'detokenize' | 'generate'> {
  return {
    tokenize: async (text, signal) =>
      (await http.request('/tokenize', { content: text, add_special: false }, LlamaTokenize, signal)).tokens,
    detokenize: async (tokens, signal) =>
      (await http.request('/detokenize', { tokens }, LlamaDetokenize, signal)).content,
    generate: async (prompt, maxTokens, signal) => {
      const body = await http.request(
        '/completion',
        {
          prompt: [...prompt],
          n_predict: maxTokens,
          temperature: 0,
          cache_prompt: true,
          return_tokens: true,
        },
        LlamaCompletion,
        signal,
      );
      if (!body.tokens)
        throw new HttpError(200, 'the generation came back without its tokens (return_tokens)');
      return body.tokens;
    },
  };
}

/** llama.cpp's OpenAI-compatible /v1/completions with echo: tried only to say why it cannot be used. */
export function llamaEchoAdapter(http: EndpointHttp, model: string): Adapter {
  return {
    ...llamaTokenizer(http),
    method: 'echo',
    score: async (prompt, labels, signal) => {
      const got = [];
      for (const l of labels) {
        const full = [...prompt, ...l];
        const body = await http.request(
          '/v1/completions',
          { model, prompt: full, max_tokens: 1, temperature: 0, echo: true, logprobs: 1 },
          CompletionsResponse,
          signal,
        );
        got.push(fromEcho(ordered(body, 1)[0], full, prompt.length));
      }
      const covered = got.every((g) => g.covered);
      return {
        ll: got.map((g) => g.ll),
        covered,
        evaluated: 0,
        problem: covered
          ? null
          : 'its /v1/completions echo gives log-probabilities for generated tokens only',
      };
    },
  };
}
