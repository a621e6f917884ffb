import { z } from 'zod';
import { channel } from './channel';
import { pickedFile } from './files';
import type { Job } from './jobs';

import {
  CalibrationReport,
  LabelCalibrationReport,
  type LabelTeacherCheck,
  type TeacherCheck,
} from './teacherCheck';
import type { EndpointCheck, EndpointRate, TeacherEndpoint } from './teacherEndpoints';
import type { PromptDiff, PromptText, PromptVersion } from './teacherPrompts';

/** The teacher's contract; its calibration and check, remote endpoints and prompt lab types are in the files below. */
export * from './teacherCheck';
export * from './teacherEndpoints';
export * from './teacherPrompts';

/** What Distillery reads from a GGUF header without loading the model. */
export const ModelMetadata = z
  .object({
    architecture: z.string(),
    name: z.string().nullable(),
    parameterCount: z.number(),
    /** e.g. "F32", "F16", "Q4_K_M" (from general.file_type) or the dominant tensor type. */
    quantization: z.string(),
    contextLength: z.number().nullable(),
    layers: z.number().nullable(),
    hasChatTemplate: z.boolean(),
    /** "deepseek-r1" when the template is DeepSeek-R1's (think block), "other" for another template, null without one. */
    chatTemplateFamily: z.enum(['deepseek-r1', 'other']).nullable(),
    tensorCount: z.number(),
  })
  .readonly();
export type ModelMetadata = z.output<typeof ModelMetadata>;

/** A GGUF teacher model in the library; also the result of a `teacher.import` job. */
export const TeacherModel = z
  .object({
    id: z.number(),
    name: z.string(),
    fileName: z.string(),
    sha256: z.string(),
    sizeBytes: z.number(),
    metadata: ModelMetadata,
    createdAt: z.string(),
  })
  .readonly();
export type TeacherModel = z.output<typeof TeacherModel>;

export interface RecommendedTeacher {
  readonly name: string;
  readonly parameters: string;
  /** Size of the usual Q4_K_M file. */
  readonly fileSizeGb: number;
  readonly minRamGb: number;
  readonly gpuVramGb: number;
  readonly note: string;
}

export type GpuKind = 'cuda' | 'metal' | 'vulkan' | 'cpu';

export interface ModelFit {
  readonly modelId: number;
  /** 'gpu-full': every layer on the GPU; 'gpu-partial': some; 'cpu': none; 'too-large': refused before loading. */
  readonly placement: 'gpu-full' | 'gpu-partial' | 'cpu' | 'too-large';
  readonly gpuLayers: number;
  readonly totalLayers: number;
  readonly ramBytes: number;
  readonly vramBytes: number;
  readonly contextSize: number;
}

export interface HardwareInfo {
  readonly gpu: GpuKind;
  readonly gpuNames: readonly string[];
  readonly vramTotalBytes: number;
  readonly vramFreeBytes: number;
  readonly ramTotalBytes: number;
  readonly ramFreeBytes: number;
  readonly cpuCores: number;
  readonly recommendedThreads: number;
  readonly fit: ModelFit | null;
}

export const TEACHER_MODES = ['direct', 'reasoning'] as const;
export type TeacherMode = (typeof TEACHER_MODES)[number];

/** What every teacher output for one document holds, single- or multi-label. */
export interface TeacherOutputBase {
  /** The labels as the teacher saw them: `probs` are in this order. */
  readonly labels: ReadonlyArray<{ readonly id: number; readonly name: string }>;
  readonly probs: readonly number[];
  readonly entropy: number;
  readonly margin: number;
  readonly tokens: number;
  readonly timeMs: number;
}

export interface LabelDistribution extends TeacherOutputBase {
  readonly logprobs: readonly number[];
  readonly predictedLabelId: number;
  readonly reasoning: string | null;
}

/**
 * A multi-label project's teacher output for one document: for each label, independently, the probability that it
 * applies (they do not sum to 1). `logOdds` are the uncalibrated log P(yes) - log P(no) of each label's question;
 * `entropy` is the mean binary entropy over labels and `margin` the smallest |2p - 1| (how undecided the most
 * undecided label is), so that uncertainty queues work as for single-label outputs.
 */
export interface LabelProbabilities extends TeacherOutputBase {
  readonly logOdds: readonly number[];
}

export interface PreviewItem {
  readonly exampleId: number | null;
  readonly text: string;
  /** Single-label projects: the distribution over labels. */
  readonly distribution: LabelDistribution | null;
  /** Multi-label projects: each label's own probability (then `distribution` is null). */
  readonly labelProbabilities?: LabelProbabilities | null;
  readonly error: string | null;
}

/** The result of a `teacher.run` job. */
export const TeacherRunResult = z
  .object({
    runId: z.number(),
    labelled: z.number(),
    failed: z.number(),
    skipped: z.number(),
    truncated: z.number(),
    /** Null when the project has too few human-labelled validation examples to fit a temperature. */
    calibration: CalibrationReport.nullable(),
    /** Multi-label runs: the per-label calibration (null for single-label runs). */
    labelCalibration: LabelCalibrationReport.nullable().default(null),
  })
  .readonly();
export type TeacherRunResult = z.output<typeof TeacherRunResult>;

export interface TeacherRunSettings {
  readonly mode: TeacherMode;
  readonly fewShot: number;
  readonly reasoningBudget: number;
  readonly threads: number;
  readonly sequences: number;
  readonly contextSize: number;
  readonly endpoints: readonly TeacherEndpoint[];
}

export interface TeacherRun {
  readonly id: number;
  readonly projectId: number;
  readonly modelId: number | null;
  readonly modelName: string | null;
  readonly modelSha256: string;
  readonly mode: TeacherMode;
  readonly promptTemplate: string;
  readonly labels: ReadonlyArray<{ readonly id: number; readonly name: string }>;
  readonly settings: TeacherRunSettings;
  readonly calibrationTemperature: number | null;
  readonly calibration: CalibrationReport | null;
  /**
   * 'multi': the run scored each label on its own (a multi-label project); its outputs' `probs` are independent
   * per-label probabilities and `predictedLabelId` is null.
   */
  readonly kind: 'single' | 'multi';
  readonly labelCalibration: LabelCalibrationReport | null;
  /** Human-labelled validation examples in the project, and how many of them this run labelled (what calibration fits on). */
  readonly validationLabelled: number;
  readonly calibrationReady: number;
  readonly jobId: number | null;
  readonly targetCount: number;
  readonly outputCount: number;
  readonly failedCount: number;
  /** Labelled examples whose text was cut to fit the model's context. */
  readonly truncatedCount: number;
  /** The saved prompt version the run used, or null for a prompt not saved as a version. */
  readonly promptVersion: { readonly id: number; readonly number: number; readonly name: string } | null;
  readonly createdAt: string;
}

/** What a person set up in the Teacher step, kept per project (never an endpoint's API key). */
export interface TeacherDraft {
  readonly modelId: number | null;
  readonly mode: TeacherMode;
  readonly fewShot: number;
  readonly reasoningBudget: number;
  readonly template: string;
  readonly endpoints: ReadonlyArray<{
    readonly url: string;
    readonly model: string;
    readonly concurrency: number;
    readonly chatTemplate?: string;
  }>;
}

/** How fast this teacher labelled a few of the project's documents, measured on this hardware (`teacher.time`). */
export interface TeacherTiming {
  readonly documents: number;
  /** Wall time per document while labelling them together, as a run does (model loading left out). */
  readonly msPerDocument: number;
  /** Estimated prompt tokens per timed document. */
  readonly tokensPerDocument: number;
  readonly measuredAt: string;
}

/** What a run with these settings would do, told before it starts. */
export interface TeacherRunPlan {
  /** Examples the run would cover. */
  readonly targets: number;
  /** Of those, already labelled by this teacher with this exact prompt: carried over, not labelled again. */
  readonly carriedOver: number;
  /** Examples the teacher would read (targets less those carried over). */
  readonly toLabel: number;
  /** Estimated prompt tokens of the examples to label (prompt around the text included, cut at the context). */
  readonly tokens: number;
  /** The latest timing of this teacher with these settings, or null before one was made. */
  readonly timing: TeacherTiming | null;
  /** Estimated minutes to label them on this hardware, from the timing; null without a timing. */
  readonly minutes: number | null;
  /** The context the model will read with (the asked size capped at the model's own trained context). */
  readonly contextSize: number;
  /** Examples estimated (from their length) not to fit in that context: they would be cut to fit. */
  readonly tooLong: number;
}

/** One invalid line of an imported teacher JSONL file (1-based line number). */
export interface TeacherImportLineError {
  readonly line: number;
  readonly message: string;
}

export interface TeacherOutput {
  readonly exampleId: number;
  readonly text: string;
  readonly split: string | null;
  readonly probs: readonly number[];
  readonly entropy: number;
  readonly margin: number;
  readonly predictedLabelId: number | null;
  readonly predictedLabel: string | null;
  readonly reasoning: string | null;
  readonly tokens: number;
  readonly timeMs: number;
  /** The text was cut to fit the model's context: the teacher did not read all of it. */
  readonly truncated: boolean;
}

const Id = z.number().int().positive();
const Endpoint = z.object({
  url: z.string().url('An endpoint needs a full URL such as http://gpu-server:8080.'),
  model: z.string().max(200).default(''),
  concurrency: z.number().int().min(1).max(64).default(4),
  apiKey: z.string().max(500).optional(),
  chatTemplate: z.string().max(50_000).optional(),
});
const PromptInput = z.object({
  projectId: Id,
  modelId: Id.optional(),
  endpoints: z.array(Endpoint).max(16).default([]),
  template: z.string().max(20_000).optional(),
  mode: z.enum(TEACHER_MODES).default('direct'),
  fewShot: z.number().int().min(0).max(20).default(0),
  reasoningBudget: z.number().int().min(16).max(8192).default(256),
  threads: z.number().int().min(1).max(256).optional(),
  sequences: z.number().int().min(1).max(16).optional(),
  contextSize: z.number().int().min(256).max(131_072).optional(),
});

const SPLIT_NAMES = ['train', 'validation', 'test', 'none'] as const;
/** Which documents a run covers: every document (or only some splits), only those without a human label, a sample. */
const ScopeInput = z.object({
  splits: z.array(z.enum(SPLIT_NAMES)).optional(),
  /** Only documents that have no human label yet. */
  unlabelledOnly: z.boolean().default(false),
  /** A random sample of this many of the chosen documents (seeded: the plan and the run pick the same ones). */
  sample: z.number().int().positive('The sample needs at least one document.').optional(),
  sampleSeed: z.number().int().min(0).default(1),
});

const DraftInput = z.object({
  modelId: Id.nullable(),
  mode: z.enum(TEACHER_MODES),
  fewShot: z.number().int().min(0).max(20),
  reasoningBudget: z.number().int().min(16).max(8192),
  template: z.string().max(20_000),
  endpoints: z
    .array(
      z.object({
        url: z.string().max(2000),
        model: z.string().max(200),
        concurrency: z.number().int().min(1).max(64),
        chatTemplate: z.string().max(50_000).optional(),
      }),
    )
    .max(16),
});

export const teacherContract = {
  /** The model library. */
  'teacher.models': channel<TeacherModel[]>()(z.object({})),
  /** Copies a .gguf into the model folder as a job (progress, SHA-256); the job's result is the TeacherModel. */
  'teacher.importModel': channel<Job>()(
    z.object({
      path: pickedFile(z.string().min(1, 'Choose a .gguf file.')),
      name: z.string().max(200).optional(),
    }),
  ),
  /** Explicit download for machines that are online: never started automatically. */
  'teacher.downloadModel': channel<Job>()(
    z.object({
      url: z.string().url('Give the full address of the .gguf file.'),
      name: z.string().max(200).optional(),
    }),
  ),
  'teacher.removeModel': channel<{ removed: true }>()(z.object({ modelId: Id })),
  'teacher.recommended': channel<RecommendedTeacher[]>()(z.object({})),
  /** What node-llama-cpp detects, and for a model whether and how it fits. */
  'teacher.hardware': channel<HardwareInfo>()(z.object({ modelId: Id.optional() })),
  /** The default prompt template and the prompt it gives for the project's first example. */
  'teacher.promptPreview': channel<{ template: string; rendered: string }>()(PromptInput),
  /** Scores a handful of examples (or given texts) and returns their distributions. */
  'teacher.preview': channel<PreviewItem[]>()(
    PromptInput.extend({
      exampleIds: z.array(Id).max(20).optional(),
      texts: z.array(z.string().max(50_000)).max(20).optional(),
      count: z.number().int().min(1).max(20).default(5),
    }),
  ),
  /** Starts a teacher run as a job over the chosen examples (default: every example not yet labelled by it). */
  'teacher.run': channel<{ run: TeacherRun; job: Job }>()(
    PromptInput.extend(ScopeInput.shape).extend({
      exampleIds: z.array(Id).optional(),
      limit: z.number().int().positive().optional(),
      /** Run a saved prompt version (its template, task, mode and few-shot count replace those given). */
      promptVersionId: Id.optional(),
    }),
  ),
  'teacher.runs': channel<TeacherRun[]>()(z.object({ projectId: Id })),
  /** The project's Teacher step as the person left it, or null before they changed anything. */
  'teacher.draft': channel<TeacherDraft | null>()(z.object({ projectId: Id })),
  'teacher.saveDraft': channel<{ saved: true }>()(z.object({ projectId: Id, draft: DraftInput })),
  /** What `teacher.run` with the same request would do: how many examples, how many carried over, how many too long. */
  'teacher.plan': channel<TeacherRunPlan>()(PromptInput.extend(ScopeInput.shape)),
  /** Labels a few of the run's documents to time the teacher on this hardware; `teacher.plan` then estimates minutes. */
  'teacher.time': channel<TeacherTiming>()(PromptInput.extend(ScopeInput.shape)),
  'teacher.outputs': channel<{ total: number; items: TeacherOutput[] }>()(
    z.object({
      runId: Id,
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(50),
    }),
  ),
  /** The teacher check: the run against labels people chose on the validation split, with a verdict. */
  'teacher.check': channel<TeacherCheck>()(z.object({ runId: Id })),
  /**
   * Imports teacher outputs made elsewhere (JSONL: `{"id" or "text", "probs" or "logprobs": {label: value}}` per
   * line) as a new teacher run. Any invalid line fails the import with every line's error (error details
   * `lineErrors`: TeacherImportLineError[]) and writes nothing.
   */
  'teacher.importRun': channel<{ run: TeacherRun; imported: number }>()(
    z.object({
      projectId: Id,
      path: pickedFile(z.string().min(1, 'Choose a .jsonl file of teacher outputs.')),
    }),
  ),
  /** The teacher check of a multi-label run: per-label agreement with the label sets people chose on validation. */
  'teacher.labelCheck': channel<LabelTeacherCheck>()(z.object({ runId: Id })),
  /** Fits a multi-label run's per-label Platt scaling on validation (also done at the end of every such run). */
  'teacher.calibrateLabels': channel<LabelCalibrationReport>()(z.object({ runId: Id })),
  /** Fits the run's temperature on human-labelled validation examples (also done at the end of every run). */
  'teacher.calibrate': channel<CalibrationReport>()(z.object({ runId: Id })),
  /** The project's saved prompt versions, oldest first. */
  'teacher.promptVersions': channel<PromptVersion[]>()(z.object({ projectId: Id })),
  /** Saves the prompt as a new named version (the person saving it is recorded). */
  'teacher.savePromptVersion': channel<PromptVersion>()(
    z.object({
      projectId: Id,
      name: z
        .string()
        .trim()
        .min(1, 'Give the prompt version a name.')
        .max(100, 'Keep the name under 100 characters.'),
      template: z.string().max(20_000),
      task: z.string().max(5_000, 'Keep the task description under 5,000 characters.'),
      mode: z.enum(TEACHER_MODES).default('direct'),
      fewShot: z.number().int().min(0).max(20).default(0),
    }),
  ),
  /** Line differences between two versions of one project (older first). */
  'teacher.promptDiff': channel<PromptDiff>()(z.object({ fromId: Id, toId: Id })),
  /** The project's task description: the text {{task}} is replaced by. */
  'teacher.task': channel<{ task: string }>()(z.object({ projectId: Id })),
  /** Changes the project's task description: the text {{task}} is replaced by. */
  'teacher.setTask': channel<{ task: string }>()(
    z.object({
      projectId: Id,
      task: z.string().max(5_000, 'Keep the task description under 5,000 characters.'),
    }),
  ),
  /** The exact text the teacher reads for one document, with this prompt (or a saved version's). */
  'teacher.promptText': channel<PromptText>()(
    PromptInput.extend({ exampleId: Id, versionId: Id.optional() }),
  ),
  /**
   * A preview run as a job: the prompt (or a saved version) on documents the person picked, or on a seeded sample of
   * validation documents people labelled, with the teacher's accuracy on them. The job's result is a PromptTrialResult.
   */
  'teacher.trial': channel<Job>()(
    PromptInput.extend({
      versionId: Id.optional(),
      exampleIds: z
        .array(Id)
        .min(1, 'Pick at least one document.')
        .max(100, 'Pick at most 100 documents.')
        .optional(),
      sample: z
        .number()
        .int()
        .min(1, 'The sample needs at least one document.')
        .max(200, 'A preview samples at most 200 documents.')
        .default(20),
      sampleSeed: z.number().int().min(0).default(1),
    }),
  ),
  /** Probes a remote endpoint (engine, capabilities, chat template) and runs its self-check; refused ones say why. */
  'teacher.checkEndpoint': channel<EndpointCheck>()(Endpoint),
  /** Documents/s and tokens/s of every remote endpoint that worked in the last minute. */
  'teacher.endpointRates': channel<EndpointRate[]>()(z.object({})),
} as const;
