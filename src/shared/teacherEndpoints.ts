import { z } from 'zod';

/** Remote teacher servers (features/teacher/remote*.ts): an endpoint, what its check found, its live rate. */

/** A remote teacher server (vLLM, or llama.cpp's server), probed and self-checked before it labels anything. */
export const TeacherEndpoint = z
  .object({
    url: z.string(),
    model: z.string(),
    concurrency: z.number(),
    /** Sent to the server only: a run or draft read back never carries it. */
    apiKey: z.string().optional(),
    /** A Jinja chat template chosen by the person; by default the server's own (llama.cpp /props, vLLM /tokenize). */
    chatTemplate: z.string().optional(),
  })
  .readonly();
export type TeacherEndpoint = z.output<typeof TeacherEndpoint>;

export const REMOTE_ENGINES = ['vllm', 'llamacpp', 'ollama', 'openai'] as const;
/** What a probe found behind an address: vLLM, llama.cpp's server, Ollama, or another OpenAI-compatible server. */
export type RemoteEngine = (typeof REMOTE_ENGINES)[number];
/** How labels are scored: vLLM `prompt_logprobs` or `echo`, or llama.cpp's native `/completion` with `n_probs`. */
export const REMOTE_METHODS = ['prompt_logprobs', 'echo', 'n_probs'] as const;
export type RemoteMethod = (typeof REMOTE_METHODS)[number];
/** Why an endpoint is refused (the UI words it in the person's language; `reason` has the specifics in English). */
export const ENDPOINT_REFUSALS = [
  'unreachable',
  'ollama',
  'no-tokenize',
  'no-prompt-logprobs',
  'self-check',
  'no-template',
  'no-model',
] as const;
export type EndpointRefusal = (typeof ENDPOINT_REFUSALS)[number];

/** What `teacher.checkEndpoint` found: the engine, what it supports, and the self-check's verdict. */
export const EndpointCheck = z
  .object({
    url: z.string(),
    engine: z.enum(REMOTE_ENGINES).nullable(),
    engineVersion: z.string().nullable(),
    models: z.array(z.string()).readonly(),
    model: z.string(),
    /** null: not tried (an earlier, better method passed). */
    capabilities: z
      .object({
        tokenize: z.boolean(),
        promptLogprobs: z.boolean().nullable(),
        echoPromptLogprobs: z.boolean().nullable(),
        nativeProbs: z.boolean().nullable(),
        generate: z.boolean(),
      })
      .readonly(),
    method: z.enum(REMOTE_METHODS).nullable(),
    templateSource: z.enum(['server', 'user']).nullable(),
    contextSize: z.number().nullable(),
    /** Parallel requests the server says it serves (llama.cpp slots); null when it does not say. */
    capacity: z.number().nullable(),
    /** Parallel requests Distillery will send. */
    concurrency: z.number(),
    selfCheck: z
      .object({
        passed: z.boolean(),
        prompts: z.number(),
        /** Largest |sum of the two-label distribution - 1| seen. */
        maxSumError: z.number(),
        promptTokensCovered: z.boolean(),
      })
      .readonly()
      .nullable(),
    accepted: z.boolean(),
    refusal: z.enum(ENDPOINT_REFUSALS).nullable(),
    reason: z.string().nullable(),
  })
  .readonly();
export type EndpointCheck = z.output<typeof EndpointCheck>;

/** Live throughput of one endpoint over the last seconds of a run or preview. */
export const EndpointRate = z
  .object({
    url: z.string(),
    documentsPerSecond: z.number(),
    tokensPerSecond: z.number(),
    documents: z.number(),
    inFlight: z.number(),
    retries: z.number(),
    breakerOpen: z.boolean(),
  })
  .readonly();
export type EndpointRate = z.output<typeof EndpointRate>;
