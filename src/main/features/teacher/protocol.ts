import { z } from 'zod';
import { ERROR_CODES } from '../../../shared/result';
import { GPU_KINDS, TEACHER_MODES } from '../../../shared/teacher';
import { AppError } from '../../core/errors';

/**
 * Messages between the teacher client (core) and the teacher host (its own process), one zod schema per direction:
 * the types below are the schemas' outputs, the host parses every request (`readHostRequest`) and the client every
 * message and answer (`readHostMessage`, `readHostValue`). Plain JSON.
 */

const Count = z.number().int().nonnegative();
/** Any number, NaN and infinities included (what llama.cpp computes is checked by the scoring, not here). */
const Num = z.custom<number>((v) => typeof v === 'number', 'Expected a number');
const Strings = z.array(z.string()).readonly();

export const LoadOptions = z
  .object({ modelPath: z.string(), threads: Count, sequences: Count, contextSize: Count, gpu: z.boolean() })
  .readonly();
export type LoadOptions = z.output<typeof LoadOptions>;

/** How a prompt is built around each example: the host turns it into tokens with the model's tokenizer. */
export const PromptPlan = z
  .object({
    /** The user turn before the example's text (instruction, label list, few-shot examples). */
    before: z.string(),
    /** The user turn after the example's text. */
    after: z.string(),
    labels: Strings,
    mode: z.enum(TEACHER_MODES),
    reasoningBudget: Count,
    /**
     * Multi-label projects: after `before + text + after`, one question per label (in `labels` order) ends the user
     * turn, and the answer's first words are scored: P(yes) / (P(yes) + P(no)), each side summed over its spellings.
     * The part of the prompt all questions share is evaluated once per document.
     */
    multi: z.object({ questions: Strings, yes: Strings, no: Strings }).readonly().optional(),
  })
  .readonly();
export type PromptPlan = z.output<typeof PromptPlan>;

export const ScoreItem = z.object({ id: z.number().int(), text: z.string() }).readonly();
export type ScoreItem = z.output<typeof ScoreItem>;

/** Switches for the equivalence tests and the benchmark: the defaults are the fast paths. */
export const ScoreStrategy = z
  .object({
    /** Keep the shared prompt prefix in the sequence between examples (default true). */
    reusePrefix: z.boolean().optional(),
    /** Score multi-token labels by appending and erasing their tokens (default true); false re-evaluates from scratch. */
    appendErase: z.boolean().optional(),
    /** How many sequences to use at once (default: all of the context's). */
    parallel: Count.optional(),
    /**
     * Labels sharing leading tokens evaluate them once (default true); false scores each label from the prompt's end
     * (the path before the label trie, kept as its reference).
     */
    labelTrie: z.boolean().optional(),
    /**
     * At the positions every label passes through (the prompt's end, and tokens all labels share), how many of the
     * likeliest next tokens the distribution is read over (default COMMON_TOP_K; 0: the whole vocabulary, the path
     * before this, kept as its reference). There only the labels' odds against each other count, and reading the
     * whole vocabulary costs about 115 ms per position at 152k tokens (answers.ts).
     */
    commonTopK: z.number().int().min(0).max(1_000_000).optional(),
    /** What the labels' tokens are lifted by there to be among those (default COMMON_LIFT; 0 tests the fallback). */
    commonLift: z.number().min(0).max(100).optional(),
  })
  .readonly();
export type ScoreStrategy = z.output<typeof ScoreStrategy>;

/** Where one document's time went in the teacher process, in milliseconds (the benchmark's profile). */
const ScorePhases = z.object({
  /** The prompt's tokens built (the text tokenized, the fixed parts cached). */
  prepareMs: Num,
  /** The sequence brought back to the prompt's shared prefix (erasing the previous document). */
  alignMs: Num,
  /** The pass with the document's own prompt tokens (and the label chain riding with it; reasoning included). */
  promptMs: Num,
  /** The other label passes with their erasing. */
  answersMs: Num,
  /** Forward passes (llama.cpp evaluations) for this document. */
  passes: Count,
  /** Positions whose whole next-token distribution (every vocabulary entry) was read. */
  fullDistributions: Count.optional(),
});
export type ScorePhases = z.output<typeof ScorePhases>;

/** Client -> host: a request, numbered by the client (its answer carries the same `seq`). */
export const ToHost = z.discriminatedUnion('op', [
  z.object({ seq: Count, op: z.literal('hardware') }),
  z.object({
    seq: Count,
    op: z.literal('estimate'),
    modelPath: z.string(),
    contextSize: Count,
    gpu: z.boolean(),
  }),
  z.object({ seq: Count, op: z.literal('load'), options: LoadOptions }),
  z.object({ seq: Count, op: z.literal('tokenize'), text: z.string() }),
  z.object({
    seq: Count,
    op: z.literal('score'),
    plan: PromptPlan,
    items: z.array(ScoreItem).readonly(),
    strategy: ScoreStrategy,
  }),
  z.object({ seq: Count, op: z.literal('prompt'), plan: PromptPlan, text: z.string() }),
]);
export type ToHost = z.output<typeof ToHost>;
/** A request as the client's caller writes it (the client numbers it). */
export type HostRequest = ToHost extends infer T ? (T extends ToHost ? Omit<T, 'seq'> : never) : never;

/** What each answer of the host must look like, by request. */
export const HOST_RESPONSES = {
  hardware: z.object({
    gpu: z.enum(GPU_KINDS),
    gpuNames: z.array(z.string()),
    vramTotalBytes: Num,
    vramFreeBytes: Num,
    cpuCores: Count,
  }),
  estimate: z.object({
    gpuLayers: Count,
    totalLayers: Count,
    ramBytes: Num,
    vramBytes: Num,
    contextSize: Count,
    fits: z.boolean(),
  }),
  load: z.object({ trainContextSize: Count, contextSize: Count, gpuLayers: Count, sequences: Count }),
  tokenize: z.array(z.number().int()),
  score: z.array(
    z.object({
      id: z.number().int(),
      /** Log-likelihood of each label's full token sequence, in plan order; null when the model gave non-finite numbers. */
      logLikelihoods: z.array(Num).nullable(),
      /**
       * Multi-label plans (then `logLikelihoods` is null): per label, the log-likelihoods of answering yes and no
       * (each the log-sum-exp over its spellings); null when the model gave non-finite numbers.
       */
      answers: z
        .array(z.object({ yes: Num, no: Num }).readonly())
        .readonly()
        .nullable()
        .optional(),
      reasoning: z.string().nullable(),
      /** Tokens in the prompt (and reasoning) the labels were scored after. */
      tokens: Count,
      /** Tokens this example actually cost to evaluate (what prefix reuse saves). */
      evaluated: Count,
      timeMs: Num,
      truncated: z.boolean(),
      error: z.string().nullable(),
      phases: ScorePhases.optional(),
    }),
  ),
  prompt: z.object({ text: z.string(), tokens: Count }),
} as const satisfies { readonly [K in ToHost['op']]: z.ZodType };

export type HostResponses = { [K in keyof typeof HOST_RESPONSES]: z.output<(typeof HOST_RESPONSES)[K]> };
export type HostHardware = HostResponses['hardware'];
export type HostEstimate = HostResponses['estimate'];
export type LoadedInfo = HostResponses['load'];
export type ScoreResult = HostResponses['score'][number];

/** An error as the host words it: its code, and the catalogue key and parameters when it has them. */
const HostErrorInfo = z.object({
  code: z.string(),
  message: z.string(),
  key: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

/** Host -> client: answers (by sequence number), forwarded log lines, and the start-up signal. */
export const FromHost = z.union([
  z.object({ type: z.literal('reply'), seq: Count, ok: z.literal(true), value: z.unknown() }),
  z.object({ type: z.literal('reply'), seq: Count, ok: z.literal(false), error: HostErrorInfo }),
  z.object({ type: z.literal('log'), level: z.string(), message: z.string() }),
  z.object({ type: z.literal('ready') }),
]);
export type FromHost = z.output<typeof FromHost>;

function problem(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? ` at "${issue.path.join('.')}"` : '';
  return `${where}: ${issue?.message ?? 'malformed'}`;
}

/**
 * A request the teacher process received, checked against the protocol; a malformed one (a client of another
 * version, a bug) is a MODEL_ERROR that says what was wrong, answered to its `seq` when it has one.
 */
export function readHostRequest(raw: unknown): { request: ToHost } | { seq: number | null; error: AppError } {
  const parsed = ToHost.safeParse(raw);
  if (parsed.success) return { request: parsed.data };
  const seq = Count.safeParse((raw as { seq?: unknown } | null)?.seq);
  return {
    seq: seq.success ? seq.data : null,
    error: AppError.keyed('MODEL_ERROR', 'teacher.teacherProcessReceivedMalformed', {
      p1: problem(parsed.error),
    }),
  };
}

/** A message from the teacher process, or null (with the reason) when it is not one of the protocol's. */
export function readHostMessage(raw: unknown): { msg: FromHost } | { invalid: string } {
  const parsed = FromHost.safeParse(raw);
  return parsed.success ? { msg: parsed.data } : { invalid: problem(parsed.error) };
}

/**
 * The value of a successful answer to `op`, checked against its schema; a malformed one is a MODEL_ERROR that says
 * what was wrong (a host of another version, a bug), not a crash of whatever reads it.
 */
export function readHostValue<K extends keyof HostResponses>(op: K, value: unknown): HostResponses[K] {
  const parsed = HOST_RESPONSES[op].safeParse(value);
  if (parsed.success) return parsed.data as HostResponses[K];
  throw AppError.keyed('MODEL_ERROR', 'teacher.teacherProcessAnsweredSomething', {
    op,
    p1: problem(parsed.error),
  });
}

/** An error code the host sent, or MODEL_ERROR for one the app does not know. */
export function hostErrorCode(code: string): (typeof ERROR_CODES)[number] {
  return (ERROR_CODES as readonly string[]).includes(code)
    ? (code as (typeof ERROR_CODES)[number])
    : 'MODEL_ERROR';
}
