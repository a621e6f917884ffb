import { z } from 'zod';
import { channel } from './channel';
import { pickedFile } from './files';
import type { Job } from './jobs';

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

/** A remote OpenAI-compatible completions server that returns log-probs (llama.cpp server, vLLM, Ollama). */
export interface TeacherEndpoint {
  readonly url: string;
  readonly model: string;
  readonly concurrency: number;
  readonly apiKey?: string;
}

export interface LabelDistribution {
  readonly labels: ReadonlyArray<{ readonly id: number; readonly name: string }>;
  readonly probs: readonly number[];
  readonly logprobs: readonly number[];
  readonly entropy: number;
  readonly margin: number;
  readonly predictedLabelId: number;
  readonly reasoning: string | null;
  readonly tokens: number;
  readonly timeMs: number;
}

export interface PreviewItem {
  readonly exampleId: number | null;
  readonly text: string;
  readonly distribution: LabelDistribution | null;
  readonly error: string | null;
}

export const ReliabilityBin = z
  .object({
    lower: z.number(),
    upper: z.number(),
    count: z.number(),
    confidence: z.number(),
    accuracy: z.number(),
  })
  .readonly();
export type ReliabilityBin = z.output<typeof ReliabilityBin>;

export const CalibrationSide = z
  .object({
    ece: z.number(),
    nll: z.number(),
    accuracy: z.number(),
    bins: z.array(ReliabilityBin).readonly(),
  })
  .readonly();
export type CalibrationSide = z.output<typeof CalibrationSide>;

export const CalibrationReport = z
  .object({ temperature: z.number(), examples: z.number(), before: CalibrationSide, after: CalibrationSide })
  .readonly();
export type CalibrationReport = z.output<typeof CalibrationReport>;

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
  /** Human-labelled validation examples in the project, and how many of them this run labelled (what calibration fits on). */
  readonly validationLabelled: number;
  readonly calibrationReady: number;
  readonly jobId: number | null;
  readonly targetCount: number;
  readonly outputCount: number;
  readonly failedCount: number;
  /** Labelled examples whose text was cut to fit the model's context. */
  readonly truncatedCount: number;
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
  }>;
}

/** What a run with these settings would do, told before it starts. */
export interface TeacherRunPlan {
  /** Examples the run would cover. */
  readonly targets: number;
  /** Of those, already labelled by this teacher with this exact prompt: carried over, not labelled again. */
  readonly carriedOver: number;
  /** The context the model will read with (the asked size capped at the model's own trained context). */
  readonly contextSize: number;
  /** Examples estimated (from their length) not to fit in that context: they would be cut to fit. */
  readonly tooLong: number;
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

/** Placeholders of the prompt template. {{text}} marks where each example goes, exactly once. */
export const PROMPT_PLACEHOLDERS = ['{{task}}', '{{labels}}', '{{examples}}', '{{text}}'] as const;

export const DEFAULT_PROMPT_TEMPLATE =
  '{{task}}\n\nClassify the text into exactly one of these labels:\n{{labels}}\n{{examples}}' +
  'Answer with the label name only.\n\nText:\n{{text}}';

const Id = z.number().int().positive();
const Endpoint = z.object({
  url: z.string().url('An endpoint needs a full URL such as http://gpu-server:8080.'),
  model: z.string().max(200).default(''),
  concurrency: z.number().int().min(1).max(64).default(4),
  apiKey: z.string().max(500).optional(),
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
    PromptInput.extend({
      exampleIds: z.array(Id).optional(),
      splits: z.array(z.enum(['train', 'validation', 'test', 'none'])).optional(),
      limit: z.number().int().positive().optional(),
    }),
  ),
  'teacher.runs': channel<TeacherRun[]>()(z.object({ projectId: Id })),
  /** The project's Teacher step as the person left it, or null before they changed anything. */
  'teacher.draft': channel<TeacherDraft | null>()(z.object({ projectId: Id })),
  'teacher.saveDraft': channel<{ saved: true }>()(z.object({ projectId: Id, draft: DraftInput })),
  /** What `teacher.run` with the same request would do: how many examples, how many carried over, how many too long. */
  'teacher.plan': channel<TeacherRunPlan>()(
    PromptInput.extend({ splits: z.array(z.enum(['train', 'validation', 'test', 'none'])).optional() }),
  ),
  'teacher.outputs': channel<{ total: number; items: TeacherOutput[] }>()(
    z.object({
      runId: Id,
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(50),
    }),
  ),
  /** Fits the run's temperature on human-labelled validation examples (also done at the end of every run). */
  'teacher.calibrate': channel<CalibrationReport>()(z.object({ runId: Id })),
} as const;
