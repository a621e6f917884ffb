import type { TeacherEndpoint } from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import type { PromptPlan, ScoreItem, ScoreResult } from './protocol';
import type { Scorer } from './service';

/**
 * A teacher on the site's own GPU servers: OpenAI-compatible `/v1/completions` with `echo` and `logprobs`
 * (llama.cpp's server, vLLM, Ollama). Each label is scored by echoing prompt + label and summing the log-probs of
 * the tokens after the prompt. Work is spread over the endpoints, each within its concurrency limit.
 */

interface CompletionLogprobs {
  tokens?: string[];
  token_logprobs?: Array<number | null>;
  text_offset?: number[];
}

/** The raw prompt text (DeepSeek-R1 chat format, empty think block) the remote model completes. */
export function remotePrompt(plan: PromptPlan, text: string): string {
  return `<｜begin▁of▁sentence｜><｜User｜>${plan.before}${text}${plan.after}<｜Assistant｜><think>\n\n</think>\n\n`;
}

async function labelLogLikelihood(
  endpoint: TeacherEndpoint,
  prompt: string,
  label: string,
  signal: AbortSignal | undefined,
): Promise<number> {
  const url = `${endpoint.url.replace(/\/+$/, '')}/v1/completions`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: endpoint.model,
        prompt: prompt + label,
        max_tokens: 0,
        echo: true,
        logprobs: 1,
        temperature: 0,
      }),
      signal,
    });
  } catch (e) {
    throw new AppError(
      'MODEL_ERROR',
      `The teacher endpoint ${endpoint.url} cannot be reached (${(e as Error).message}). Check that the server runs and the address is right.`,
    );
  }
  if (!res.ok) {
    throw new AppError(
      'MODEL_ERROR',
      `The teacher endpoint ${endpoint.url} answered ${res.status}. Check the model name and that the server supports echo with logprobs.`,
    );
  }
  const body = (await res.json()) as { choices?: Array<{ logprobs?: CompletionLogprobs }> };
  const lp = body.choices?.[0]?.logprobs;
  if (!lp?.token_logprobs || !lp.text_offset) {
    throw new AppError(
      'MODEL_ERROR',
      `The teacher endpoint ${endpoint.url} returned no log-probabilities. Use a server that supports "echo" and "logprobs" on /v1/completions.`,
    );
  }
  let total = 0;
  let counted = 0;
  lp.text_offset.forEach((offset, i) => {
    if (offset >= prompt.length) {
      total += lp.token_logprobs?.[i] ?? Number.NaN;
      counted++;
    }
  });
  return counted ? total : Number.NaN;
}

export function remoteScorer(endpoints: readonly TeacherEndpoint[], signal?: AbortSignal): Scorer {
  const slots = endpoints.flatMap((e) => Array.from({ length: e.concurrency }, () => e));
  return {
    batchSize: Math.max(2, slots.length * 2),
    score: async (plan, items) => {
      if (plan.mode !== 'direct') {
        throw new AppError(
          'UNSUPPORTED',
          'Reasoning mode runs on a local model only; remote endpoints score labels directly. Choose "direct" mode.',
        );
      }
      const results = new Array<ScoreResult>(items.length);
      let next = 0;
      const work = async (endpoint: TeacherEndpoint): Promise<void> => {
        while (next < items.length) {
          const i = next++;
          const item: ScoreItem = items[i];
          const started = performance.now();
          const prompt = remotePrompt(plan, item.text);
          const ll: number[] = [];
          for (const label of plan.labels) ll.push(await labelLogLikelihood(endpoint, prompt, label, signal));
          const finite = ll.every((x) => Number.isFinite(x));
          results[i] = {
            id: item.id,
            logLikelihoods: finite ? ll : null,
            reasoning: null,
            tokens: 0,
            evaluated: 0,
            timeMs: performance.now() - started,
            truncated: false,
            error: finite
              ? null
              : `The endpoint ${endpoint.url} returned invalid log-probabilities for this example.`,
          };
        }
      };
      await Promise.all(slots.slice(0, Math.max(1, items.length)).map(work));
      return results;
    },
  };
}
