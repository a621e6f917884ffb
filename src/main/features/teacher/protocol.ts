import type { GpuKind, TeacherMode } from '../../../shared/teacher';

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

export type FromHost =
  | { readonly type: 'reply'; readonly seq: number; readonly ok: true; readonly value: unknown }
  | {
      readonly type: 'reply';
      readonly seq: number;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
    }
  | { readonly type: 'log'; readonly level: string; readonly message: string }
  | { readonly type: 'ready' };
