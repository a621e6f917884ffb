import { z } from 'zod';

/**
 * The response bodies of the engines a remote teacher talks to, as zod schemas: every body is parsed where it enters,
 * so that a server that answers something else is refused with a reason instead of giving wrong numbers.
 * Shapes follow the engines' documented APIs (vLLM's OpenAI-compatible server and its /tokenize, llama.cpp's
 * tools/server README, Ollama's API docs); real bodies are in tests/teacher/fixtures/engines/.
 */

const TokenId = z.number().int().min(0);
const LogProb = z.number().nullable();

/** GET /v1/models (every OpenAI-compatible server). llama.cpp adds `meta`, vLLM `max_model_len`. */
export const ModelsResponse = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      owned_by: z.string().optional(),
      max_model_len: z.number().int().positive().nullish(),
      meta: z
        .object({
          n_vocab: z.number().int().positive().optional(),
          n_ctx_train: z.number().int().positive().optional(),
        })
        .nullish(),
    }),
  ),
});

/** vLLM's GET /version. */
export const VllmVersion = z.object({ version: z.string() });

/** Ollama's GET /api/version. */
export const OllamaVersion = z.object({ version: z.string() });

/** llama.cpp's GET /props. */
export const LlamaProps = z.object({
  default_generation_settings: z.object({ n_ctx: z.number().int().positive().optional() }).loose().optional(),
  total_slots: z.number().int().positive().optional(),
  chat_template: z.string().optional(),
  bos_token: z.string().optional(),
  eos_token: z.string().optional(),
  build_info: z.string().optional(),
  model_path: z.string().optional(),
});

/** llama.cpp's POST /tokenize (`with_pieces: false`). */
export const LlamaTokenize = z.object({ tokens: z.array(TokenId) });
/** llama.cpp's POST /detokenize. */
export const LlamaDetokenize = z.object({ content: z.string() });

const TopEntry = z.object({ id: TokenId, token: z.string().optional(), logprob: z.number() });

/**
 * llama.cpp's native POST /completion with `n_probs` (builds since early 2025): for each generated token the
 * probabilities of the `n_probs` most likely next tokens, computed from the full-vocabulary softmax when
 * `post_sampling_probs` is false. Older builds answered `probs: [{tok_str, prob}]` after sampling: not exact.
 */
export const LlamaCompletion = z.object({
  content: z.string(),
  tokens: z.array(TokenId).optional(),
  tokens_evaluated: z.number().int().min(0).optional(),
  tokens_predicted: z.number().int().min(0).optional(),
  stop_type: z.string().optional(),
  completion_probabilities: z
    .array(
      z.union([
        z.object({ id: TokenId, logprob: z.number(), top_logprobs: z.array(TopEntry) }),
        z.object({
          content: z.string(),
          probs: z.array(z.object({ tok_str: z.string(), prob: z.number() })),
        }),
      ]),
    )
    .optional(),
});

/** vLLM's POST /tokenize (a prompt or chat messages). */
export const VllmTokenize = z.object({
  count: z.number().int().min(0),
  max_model_len: z.number().int().positive().optional(),
  tokens: z.array(TokenId),
});
/** vLLM's POST /detokenize. */
export const VllmDetokenize = z.object({ prompt: z.string() });

/** The OpenAI legacy `logprobs` object of /v1/completions (echo includes the prompt's tokens when the server can). */
const CompletionLogprobs = z.object({
  tokens: z.array(z.string()),
  token_logprobs: z.array(LogProb),
  text_offset: z.array(z.number()).optional(),
  top_logprobs: z.array(z.record(z.string(), z.number()).nullable()).nullish(),
});

/** llama.cpp's /v1/completions answers the chat style: entries for the generated tokens only. */
const ContentLogprobs = z.object({
  content: z.array(z.object({ id: TokenId.optional(), token: z.string(), logprob: z.number() })).nullable(),
});

/** vLLM's prompt_logprobs: per prompt position (the first is null) token id -> {logprob, rank, decoded_token}. */
const PromptLogprobs = z.array(
  z
    .record(
      z.string(),
      z.object({
        logprob: z.number().nullable(),
        rank: z.number().nullish(),
        decoded_token: z.string().nullish(),
      }),
    )
    .nullable(),
);

/** POST /v1/completions: vLLM, llama.cpp's OpenAI-compatible layer, and other servers. */
export const CompletionsResponse = z.object({
  choices: z.array(
    z.object({
      index: z.number().int().min(0).optional(),
      text: z.string().nullish(),
      logprobs: z.union([CompletionLogprobs, ContentLogprobs]).nullish(),
      prompt_logprobs: PromptLogprobs.nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: z
    .object({ prompt_tokens: z.number().int().min(0), completion_tokens: z.number().int().min(0).optional() })
    .nullish(),
});

export type CompletionsResponseBody = z.infer<typeof CompletionsResponse>;
export type LlamaCompletionBody = z.infer<typeof LlamaCompletion>;
