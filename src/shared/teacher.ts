import { z } from 'zod';
import { channel } from './channel';
import { pickedFile } from './files';
import type { MetricInterval } from './evaluation';
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

/**
 * A multi-label project's teacher output for one document: for each label, independently, the probability that it
 * applies (they do not sum to 1). `logOdds` are the uncalibrated log P(yes) - log P(no) of each label's question;
 * `entropy` is the mean binary entropy over labels and `margin` the smallest |2p - 1| (how undecided the most
 * undecided label is), so that uncertainty queues work as for single-label outputs.
 */
export interface LabelProbabilities {
  readonly labels: ReadonlyArray<{ readonly id: number; readonly name: string }>;
  readonly probs: readonly number[];
  readonly logOdds: readonly number[];
  readonly entropy: number;
  readonly margin: number;
  readonly tokens: number;
  readonly timeMs: number;
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

/** One label's calibration in a multi-label run: Platt scaling p = sigmoid(a * logOdds + b), fitted on validation. */
export const LabelCalibration = z
  .object({
    label: z.string(),
    /** Validation documents people gave this label, and those they did not. */
    positives: z.number(),
    negatives: z.number(),
    /** False when there were too few positives or negatives: the label keeps its uncalibrated probabilities. */
    calibrated: z.boolean(),
    a: z.number(),
    b: z.number(),
    /** Mean log-loss and Brier score on the validation documents, before and after. */
    before: z.object({ logLoss: z.number(), brier: z.number() }).readonly(),
    after: z.object({ logLoss: z.number(), brier: z.number() }).readonly(),
  })
  .readonly();
export type LabelCalibration = z.output<typeof LabelCalibration>;

/** A multi-label run's calibration: one Platt scaling per label (see `LabelCalibration`). */
export const LabelCalibrationReport = z
  .object({
    examples: z.number(),
    /** A label is calibrated only with at least this many validation positives and as many negatives. */
    minimumPerClass: z.number(),
    labels: z.array(LabelCalibration).readonly(),
  })
  .readonly();
export type LabelCalibrationReport = z.output<typeof LabelCalibrationReport>;

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

/**
 * The teacher check's verdict on a run, against labels people chose on the validation split: 'useful' (kappa at
 * least 0.6 and macro-F1 above both baselines), 'chance' (no better than chance: kappa's interval reaches 0, or
 * neither accuracy nor macro-F1 beats the majority-class and uniform baselines), 'weak' (in between), 'too-few'
 * (fewer than `minimum` documents to judge on).
 */
export const TEACHER_VERDICTS = ['useful', 'weak', 'chance', 'too-few'] as const;
export type TeacherVerdict = (typeof TEACHER_VERDICTS)[number];

export interface TeacherCheckLabel {
  readonly label: string;
  /** Documents people gave this label. */
  readonly support: number;
  /** Documents the teacher gave this label. */
  readonly predicted: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** How well a teacher run agrees with people, before anything trains on it. */
export interface TeacherCheck {
  readonly runId: number;
  /** Validation documents with a label a person chose that this run labelled: what the check is computed on. */
  readonly examples: number;
  /** Validation documents with a label a person chose, in the project. */
  readonly validationLabelled: number;
  /** Fewer documents than this give the verdict 'too-few'. */
  readonly minimum: number;
  readonly accuracy: MetricInterval;
  readonly macroF1: MetricInterval;
  readonly kappa: MetricInterval;
  /** Always answering the commonest label, and answering at random (uniformly): what chance looks like here. */
  readonly baselines: {
    readonly majority: {
      readonly label: string | null;
      readonly accuracy: number | null;
      readonly macroF1: number | null;
    };
    readonly uniform: { readonly accuracy: number | null; readonly macroF1: number | null };
  };
  readonly verdict: TeacherVerdict;
  readonly perLabel: readonly TeacherCheckLabel[];
  /** Labels people used that the teacher never gave. */
  readonly neverPredicted: readonly string[];
  /** The commonest mistakes, most frequent first (at most 5). */
  readonly confusions: ReadonlyArray<{
    readonly gold: string;
    readonly predicted: string;
    readonly count: number;
  }>;
}

/** What a prompt version holds, and what can change from one version to the next. */
export const PROMPT_VERSION_FIELDS = ['template', 'task', 'mode', 'fewShot'] as const;
export type PromptVersionField = (typeof PROMPT_VERSION_FIELDS)[number];

/** A named prompt saved in a project's prompt lab; never edited: a change is saved as a new version. */
export interface PromptVersion {
  readonly id: number;
  readonly projectId: number;
  /** 1, 2, 3... within the project. */
  readonly number: number;
  readonly name: string;
  readonly template: string;
  /** The task description {{task}} is replaced by. */
  readonly task: string;
  readonly mode: TeacherMode;
  readonly fewShot: number;
  /** Who saved it: the logged-in person in team mode, the local user's name otherwise. */
  readonly createdBy: string;
  readonly createdAt: string;
  /** What differs from the version before it (every field for the first version). */
  readonly changed: readonly PromptVersionField[];
}

/** One line of a line diff: kept, added in the newer text, or removed from the older one (1-based line numbers). */
export interface DiffLine {
  readonly kind: 'same' | 'added' | 'removed';
  readonly text: string;
  readonly oldLine: number | null;
  readonly newLine: number | null;
}

export interface PromptDiff {
  readonly from: PromptVersion;
  readonly to: PromptVersion;
  readonly changed: readonly PromptVersionField[];
  readonly template: readonly DiffLine[];
  readonly task: readonly DiffLine[];
}

/** The exact text the teacher reads for one document. */
export interface PromptText {
  readonly exampleId: number;
  /** The user turn: the template with task, labels, few-shot examples and this document's text filled in. */
  readonly userTurn: string;
  /**
   * The whole prompt after the model's chat template, as the model reads it (before the label it scores), and its
   * length in tokens; null for a remote teacher, whose server applies its own template.
   */
  readonly modelText: string | null;
  readonly tokens: number | null;
}

const TrialItem = z
  .object({
    exampleId: z.number(),
    text: z.string(),
    /** The document's human label, or null when it has none. */
    gold: z.string().nullable(),
    predicted: z.string().nullable(),
    confidence: z.number().nullable(),
    /** Null when there is no human label to compare with (or the model failed). */
    correct: z.boolean().nullable(),
    error: z.string().nullable(),
  })
  .readonly();
export type PromptTrialItem = z.output<typeof TrialItem>;

/**
 * The result of a `teacher.trial` job: a preview of one prompt on a few documents, and the teacher's accuracy on
 * those of them people labelled (Wilson 95% interval).
 */
export const PromptTrialResult = z
  .object({
    versionId: z.number().nullable(),
    versionName: z.string().nullable(),
    versionNumber: z.number().nullable(),
    source: z.enum(['picked', 'validation-sample']),
    items: z.array(TrialItem).readonly(),
    /** Documents with a human label and a teacher label: what the accuracy is computed on. */
    scored: z.number(),
    correct: z.number(),
    accuracy: z.object({
      value: z.number().nullable(),
      low: z.number().nullable(),
      high: z.number().nullable(),
    }),
  })
  .readonly();
export type PromptTrialResult = z.output<typeof PromptTrialResult>;
export type MultiLabelVerdict = TeacherVerdict;

/** One label of the multi-label teacher check: the teacher says the label applies when its probability is >= 0.5. */
export interface LabelAgreement {
  readonly label: string;
  readonly support: number;
  readonly predicted: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** F1 of always saying this label applies: what chance looks like for it. */
  readonly alwaysF1: number;
}

/**
 * The teacher check of a multi-label run against the label sets people chose on the validation split: per-label
 * precision/recall/F1, micro and macro F1 (micro F1 with a seeded bootstrap 95% interval), and a verdict:
 * 'too-few' below `minimum` documents; 'chance' when micro F1's interval reaches the F1 of saying every label
 * applies to every document; 'useful' when micro and macro F1 are both at least 0.6; 'weak' otherwise.
 */
export interface LabelTeacherCheck {
  readonly runId: number;
  readonly examples: number;
  readonly validationLabelled: number;
  readonly minimum: number;
  readonly microF1: MetricInterval;
  readonly macroF1: number;
  /** Micro F1 of saying every label applies to every document. */
  readonly alwaysMicroF1: number;
  readonly verdict: MultiLabelVerdict;
  readonly perLabel: readonly LabelAgreement[];
}

/** Placeholders of the prompt template. {{text}} marks where each example goes, exactly once. */
export const PROMPT_PLACEHOLDERS = ['{{task}}', '{{labels}}', '{{examples}}', '{{text}}'] as const;

export const DEFAULT_PROMPT_TEMPLATE =
  '{{task}}\n\nClassify the text into exactly one of these labels:\n{{labels}}\n{{examples}}' +
  'Answer with the label name only.\n\nText:\n{{text}}';

/**
 * Multi-label projects: the template holds the shared part (instructions, labels, examples, the text) and, after
 * {{text}}, one question asked once per label: {{label}} (and {{description}}) are that label's. The teacher's
 * probability that a label applies is P(yes) / (P(yes) + P(no)) of the answer's first words. A template with
 * Chinese characters is answered 是/否, any other yes/no (either case).
 */
export const DEFAULT_MULTI_LABEL_TEMPLATES = {
  en:
    '{{task}}\n\nA text may carry any number of these labels, or none of them:\n{{labels}}\n{{examples}}' +
    'Text:\n{{text}}\n\nDoes the label "{{label}}" apply to this text? Answer yes or no.',
  zh:
    '{{task}}\n\n一段文字可以带有以下任意多个标签，也可以一个都没有：\n{{labels}}\n{{examples}}' +
    '文字：\n{{text}}\n\n标签“{{label}}”适用于这段文字吗？只回答“是”或“否”。',
} as const;

/** The default template for a project of this kind in this language. */
export function defaultPromptTemplate(kind: 'single' | 'multi', language: string): string {
  if (kind === 'single') return DEFAULT_PROMPT_TEMPLATE;
  return language.startsWith('zh') ? DEFAULT_MULTI_LABEL_TEMPLATES.zh : DEFAULT_MULTI_LABEL_TEMPLATES.en;
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
