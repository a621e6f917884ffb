/** Remote teacher servers (features/teacher/remote*.ts): an endpoint, what its check found, its live rate. */

/** A remote teacher server (vLLM, or llama.cpp's server), probed and self-checked before it labels anything. */
export interface TeacherEndpoint {
  readonly url: string;
  readonly model: string;
  readonly concurrency: number;
  readonly apiKey?: string;
  /** A Jinja chat template chosen by the person; by default the server's own (llama.cpp /props, vLLM /tokenize). */
  readonly chatTemplate?: string;
}

export const REMOTE_ENGINES = ['vllm', 'llamacpp', 'ollama', 'openai'] as const;
/** What a probe found behind an address: vLLM, llama.cpp's server, Ollama, or another OpenAI-compatible server. */
export type RemoteEngine = (typeof REMOTE_ENGINES)[number];
/** How labels are scored: vLLM `prompt_logprobs` or `echo`, or llama.cpp's native `/completion` with `n_probs`. */
export type RemoteMethod = 'prompt_logprobs' | 'echo' | 'n_probs';
/** Why an endpoint is refused (the UI words it in the person's language; `reason` has the specifics in English). */
export type EndpointRefusal =
  'unreachable' | 'ollama' | 'no-tokenize' | 'no-prompt-logprobs' | 'self-check' | 'no-template' | 'no-model';

/** What `teacher.checkEndpoint` found: the engine, what it supports, and the self-check's verdict. */
export interface EndpointCheck {
  readonly url: string;
  readonly engine: RemoteEngine | null;
  readonly engineVersion: string | null;
  readonly models: readonly string[];
  readonly model: string;
  /** null: not tried (an earlier, better method passed). */
  readonly capabilities: {
    readonly tokenize: boolean;
    readonly promptLogprobs: boolean | null;
    readonly echoPromptLogprobs: boolean | null;
    readonly nativeProbs: boolean | null;
    readonly generate: boolean;
  };
  readonly method: RemoteMethod | null;
  readonly templateSource: 'server' | 'user' | null;
  readonly contextSize: number | null;
  /** Parallel requests the server says it serves (llama.cpp slots); null when it does not say. */
  readonly capacity: number | null;
  /** Parallel requests Distillery will send. */
  readonly concurrency: number;
  readonly selfCheck: {
    readonly passed: boolean;
    readonly prompts: number;
    /** Largest |sum of the two-label distribution - 1| seen. */
    readonly maxSumError: number;
    readonly promptTokensCovered: boolean;
  } | null;
  readonly accepted: boolean;
  readonly refusal: EndpointRefusal | null;
  readonly reason: string | null;
}

/** Live throughput of one endpoint over the last seconds of a run or preview. */
export interface EndpointRate {
  readonly url: string;
  readonly documentsPerSecond: number;
  readonly tokensPerSecond: number;
  readonly documents: number;
  readonly inFlight: number;
  readonly retries: number;
  readonly breakerOpen: boolean;
}
