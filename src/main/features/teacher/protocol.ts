import { z } from 'zod';
import { ERROR_CODES } from '../../../shared/result';
import type { GpuKind, TeacherMode } from '../../../shared/teacher';
import { AppError } from '../../core/errors';

/** Messages between the teacher client (core) and the teacher host (its own process). Plain JSON. */

export interface LoadOptions {
  readonly modelPath: string;
  readonly threads: number;
  readonly sequences: number;
  readonly contextSize: number;
  readonly gpu: boolean;
}

/** How a prompt is built around each example: the host turns it into tokens with the model's tokenizer. */
export interface PromptPlan {
  /** The user turn before the example's text (instruction, label list, few-shot examples). */
  readonly before: string;
  /** The user turn after the example's text. */
  readonly after: string;
  readonly labels: readonly string[];
  readonly mode: TeacherMode;
  readonly reasoningBudget: number;
  /**
   * Multi-label projects: after `before + text + after`, one question per label (in `labels` order) ends the user
   * turn, and the answer's first words are scored: P(yes) / (P(yes) + P(no)), each side summed over its spellings.
   * The part of the prompt all questions share is evaluated once per document.
   */
  readonly multi?: {
    readonly questions: readonly string[];
    readonly yes: readonly string[];
    readonly no: readonly string[];
  };
}

export interface ScoreItem {
  readonly id: number;
  readonly text: string;
}

/** Switches for the equivalence tests and the benchmark: the defaults are the fast paths. */
export interface ScoreStrategy {
  /** Keep the shared prompt prefix in the sequence between examples (default true). */
  readonly reusePrefix?: boolean;
  /** Score multi-token labels by appending and erasing their tokens (default true); false re-evaluates from scratch. */
  readonly appendErase?: boolean;
  /** How many sequences to use at once (default: all of the context's). */
  readonly parallel?: number;
  /**
   * Labels sharing leading tokens evaluate them once (default true); false scores each label from the prompt's end
   * (the path before the label trie, kept as its reference).
   */
  readonly labelTrie?: boolean;
}

/** Where one document's time went in the teacher process, in milliseconds (the benchmark's profile). */
export interface ScorePhases {
  /** The prompt's tokens built (the text tokenized, the fixed parts cached). */
  readonly prepareMs: number;
  /** The sequence brought back to the prompt's shared prefix (erasing the previous document). */
  readonly alignMs: number;
  /** The pass with the document's own prompt tokens (and the label chain riding with it; reasoning included). */
  readonly promptMs: number;
  /** The other label passes with their erasing. */
  readonly answersMs: number;
  /** Forward passes (llama.cpp evaluations) for this document. */
  readonly passes: number;
}

export interface ScoreResult {
  readonly id: number;
  /** Log-likelihood of each label's full token sequence, in plan order; null when the model gave non-finite numbers. */
  readonly logLikelihoods: number[] | null;
  /**
   * Multi-label plans (then `logLikelihoods` is null): per label, the log-likelihoods of answering yes and no (each
   * the log-sum-exp over its spellings); null when the model gave non-finite numbers.
   */
  readonly answers?: ReadonlyArray<{ readonly yes: number; readonly no: number }> | null;
  readonly reasoning: string | null;
  /** Tokens in the prompt (and reasoning) the labels were scored after. */
  readonly tokens: number;
  /** Tokens this example actually cost to evaluate (what prefix reuse saves). */
  readonly evaluated: number;
  readonly timeMs: number;
  readonly truncated: boolean;
  readonly error: string | null;
  readonly phases?: ScorePhases;
}

export interface HostHardware {
  readonly gpu: GpuKind;
  readonly gpuNames: string[];
  readonly vramTotalBytes: number;
  readonly vramFreeBytes: number;
  readonly cpuCores: number;
}

export interface HostEstimate {
  readonly gpuLayers: number;
  readonly totalLayers: number;
  readonly ramBytes: number;
  readonly vramBytes: number;
  readonly contextSize: number;
  readonly fits: boolean;
}

export interface LoadedInfo {
  readonly trainContextSize: number;
  readonly contextSize: number;
  readonly gpuLayers: number;
  readonly sequences: number;
}

export type HostRequest =
  | { readonly op: 'hardware' }
  | {
      readonly op: 'estimate';
      readonly modelPath: string;
      readonly contextSize: number;
      readonly gpu: boolean;
    }
  | { readonly op: 'load'; readonly options: LoadOptions }
  | { readonly op: 'tokenize'; readonly text: string }
  | {
      readonly op: 'score';
      readonly plan: PromptPlan;
      readonly items: readonly ScoreItem[];
      readonly strategy: ScoreStrategy;
    }
  | { readonly op: 'prompt'; readonly plan: PromptPlan; readonly text: string };

export interface HostResponses {
  hardware: HostHardware;
  estimate: HostEstimate;
  load: LoadedInfo;
  tokenize: number[];
  score: ScoreResult[];
  prompt: { text: string; tokens: number };
}

export type ToHost = { readonly seq: number } & HostRequest;

const HOST_OPS = [
  'hardware',
  'estimate',
  'load',
  'tokenize',
  'score',
  'prompt',
] as const satisfies ReadonlyArray<HostRequest['op']>;
/** The envelope of a request (its fields are the client's own, typed by `HostRequest`). */
export const ToHostEnvelope = z.looseObject({ seq: z.number().int().nonnegative(), op: z.enum(HOST_OPS) });

const Count = z.number().int().nonnegative();
/** Any number, NaN and infinities included (what llama.cpp computes is checked by the scoring, not here). */
const Num = z.custom<number>((v) => typeof v === 'number', 'Expected a number');

/** What each answer of the host must look like, by request. */
export const HOST_RESPONSES = {
  hardware: z.object({
    gpu: z.enum(['cuda', 'metal', 'vulkan', 'cpu']),
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
      logLikelihoods: z.array(Num).nullable(),
      answers: z
        .array(z.object({ yes: Num, no: Num }).readonly())
        .readonly()
        .nullable()
        .optional(),
      reasoning: z.string().nullable(),
      tokens: Count,
      evaluated: Count,
      timeMs: Num,
      truncated: z.boolean(),
      error: z.string().nullable(),
      phases: z
        .object({ prepareMs: Num, alignMs: Num, promptMs: Num, answersMs: Num, passes: Count })
        .optional(),
    }),
  ),
  prompt: z.object({ text: z.string(), tokens: Count }),
} as const;

// The schemas and the interfaces above are one shape: a field added to one and not the other fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameResponses: Same<
  { [K in keyof HostResponses]: z.output<(typeof HOST_RESPONSES)[K]> },
  HostResponses
> = true;
void sameResponses;

/** Host -> client: answers (by sequence number), forwarded log lines, and the start-up signal. */
export const FromHost = z.union([
  z.object({ type: z.literal('reply'), seq: Count, ok: z.literal(true), value: z.unknown() }),
  z.object({
    type: z.literal('reply'),
    seq: Count,
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
  z.object({ type: z.literal('log'), level: z.string(), message: z.string() }),
  z.object({ type: z.literal('ready') }),
]);
export type FromHost = z.output<typeof FromHost>;

function problem(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? ` at "${issue.path.join('.')}"` : '';
  return `${where}: ${issue?.message ?? 'malformed'}`;
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
