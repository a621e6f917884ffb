import { z } from 'zod';
import { channel } from './channel';
import { pickedFile } from './files';
import { JobAnswer } from './jobAnswer';
import { CalibrationReport, LabelCalibrationReport, LabelTeacherCheck, TeacherCheck } from './teacherCheck';
import { TeacherModel } from './teacherResults';
import { EndpointCheck, EndpointRate, TeacherEndpoint } from './teacherEndpoints';
import { PromptDiff, PromptText, PromptVersion, TEACHER_MODES } from './teacherPrompts';

/**
 * The teacher's contract; its calibration and check, remote endpoints, prompt lab types and job results are in the
 * files below.
 */
export * from './teacherCheck';
export * from './teacherEndpoints';
export * from './teacherPrompts';
export * from './teacherResults';

export const RecommendedTeacher = z
  .object({
    name: z.string(),
    parameters: z.string(),
    /** Size of the usual Q4_K_M file. */
    fileSizeGb: z.number(),
    minRamGb: z.number(),
    gpuVramGb: z.number(),
    note: z.string(),
  })
  .readonly();
export type RecommendedTeacher = z.output<typeof RecommendedTeacher>;

export const GPU_KINDS = ['cuda', 'metal', 'vulkan', 'cpu'] as const;
export type GpuKind = (typeof GPU_KINDS)[number];

export const ModelFit = z
  .object({
    modelId: z.number(),
    /** 'gpu-full': every layer on the GPU; 'gpu-partial': some; 'cpu': none; 'too-large': refused before loading. */
    placement: z.enum(['gpu-full', 'gpu-partial', 'cpu', 'too-large']),
    gpuLayers: z.number(),
    totalLayers: z.number(),
    ramBytes: z.number(),
    vramBytes: z.number(),
    contextSize: z.number(),
  })
  .readonly();
export type ModelFit = z.output<typeof ModelFit>;

export const HardwareInfo = z
  .object({
    gpu: z.enum(GPU_KINDS),
    gpuNames: z.array(z.string()).readonly(),
    vramTotalBytes: z.number(),
    vramFreeBytes: z.number(),
    ramTotalBytes: z.number(),
    ramFreeBytes: z.number(),
    cpuCores: z.number(),
    recommendedThreads: z.number(),
    fit: ModelFit.nullable(),
  })
  .readonly();
export type HardwareInfo = z.output<typeof HardwareInfo>;

/** The labels of a run as the teacher saw them (its snapshot): outputs' `probs` are in this order. */
const LabelRefs = z.array(z.object({ id: z.number(), name: z.string() }).readonly()).readonly();

/** What every teacher output for one document holds, single- or multi-label. */
const TeacherOutputBase = z.object({
  /** The labels as the teacher saw them: `probs` are in this order. */
  labels: LabelRefs,
  probs: z.array(z.number()).readonly(),
  entropy: z.number(),
  margin: z.number(),
  tokens: z.number(),
  timeMs: z.number(),
});

export const LabelDistribution = TeacherOutputBase.extend({
  logprobs: z.array(z.number()).readonly(),
  predictedLabelId: z.number(),
  reasoning: z.string().nullable(),
}).readonly();
export type LabelDistribution = z.output<typeof LabelDistribution>;

/**
 * A multi-label project's teacher output for one document: for each label, independently, the probability that it
 * applies (they do not sum to 1). `logOdds` are the uncalibrated log P(yes) - log P(no) of each label's question;
 * `entropy` is the mean binary entropy over labels and `margin` the smallest |2p - 1| (how undecided the most
 * undecided label is), so that uncertainty queues work as for single-label outputs.
 */
export const LabelProbabilities = TeacherOutputBase.extend({
  logOdds: z.array(z.number()).readonly(),
}).readonly();
export type LabelProbabilities = z.output<typeof LabelProbabilities>;

export const PreviewItem = z
  .object({
    exampleId: z.number().nullable(),
    text: z.string(),
    /** Single-label projects: the distribution over labels. */
    distribution: LabelDistribution.nullable(),
    /** Multi-label projects: each label's own probability (then `distribution` is null). */
    labelProbabilities: LabelProbabilities.nullable().optional(),
    error: z.string().nullable(),
  })
  .readonly();
export type PreviewItem = z.output<typeof PreviewItem>;

export const TeacherRunSettings = z
  .object({
    mode: z.enum(TEACHER_MODES),
    fewShot: z.number(),
    reasoningBudget: z.number(),
    /** 0 (with `sequences` and `contextSize`) for a run imported from a file: no model ran here. */
    threads: z.number(),
    sequences: z.number(),
    contextSize: z.number(),
    endpoints: z.array(TeacherEndpoint).readonly(),
  })
  .readonly();
export type TeacherRunSettings = z.output<typeof TeacherRunSettings>;

export const TeacherRun = z
  .object({
    id: z.number(),
    projectId: z.number(),
    modelId: z.number().nullable(),
    modelName: z.string().nullable(),
    modelSha256: z.string(),
    mode: z.enum(TEACHER_MODES),
    promptTemplate: z.string(),
    labels: LabelRefs,
    settings: TeacherRunSettings,
    calibrationTemperature: z.number().nullable(),
    calibration: CalibrationReport.nullable(),
    /**
     * 'multi': the run scored each label on its own (a multi-label project); its outputs' `probs` are independent
     * per-label probabilities and `predictedLabelId` is null.
     */
    kind: z.enum(['single', 'multi']),
    labelCalibration: LabelCalibrationReport.nullable(),
    /** Human-labelled validation examples in the project, and how many of them this run labelled (what calibration fits on). */
    validationLabelled: z.number(),
    calibrationReady: z.number(),
    jobId: z.number().nullable(),
    targetCount: z.number(),
    outputCount: z.number(),
    failedCount: z.number(),
    /** Labelled examples whose text was cut to fit the model's context. */
    truncatedCount: z.number(),
    /** The saved prompt version the run used, or null for a prompt not saved as a version. */
    promptVersion: z.object({ id: z.number(), number: z.number(), name: z.string() }).readonly().nullable(),
    createdAt: z.string(),
  })
  .readonly();
export type TeacherRun = z.output<typeof TeacherRun>;

const Id = z.number().int().positive();

/** What a person set up in the Teacher step, kept per project (never an endpoint's API key). */
export const TeacherDraft = z
  .object({
    modelId: Id.nullable(),
    mode: z.enum(TEACHER_MODES),
    fewShot: z.number().int().min(0).max(20),
    reasoningBudget: z.number().int().min(16).max(8192),
    template: z.string().max(20_000),
    endpoints: z
      .array(
        z
          .object({
            url: z.string().max(2000),
            model: z.string().max(200),
            concurrency: z.number().int().min(1).max(64),
            chatTemplate: z.string().max(50_000).optional(),
          })
          .readonly(),
      )
      .max(16)
      .readonly(),
  })
  .readonly();
export type TeacherDraft = z.output<typeof TeacherDraft>;

/** How fast this teacher labelled a few of the project's documents, measured on this hardware (`teacher.time`). */
export const TeacherTiming = z
  .object({
    documents: z.number(),
    /** Wall time per document while labelling them together, as a run does (model loading left out). */
    msPerDocument: z.number(),
    /** Estimated prompt tokens per timed document. */
    tokensPerDocument: z.number(),
    measuredAt: z.string(),
  })
  .readonly();
export type TeacherTiming = z.output<typeof TeacherTiming>;

/** What a run with these settings would do, told before it starts. */
export const TeacherRunPlan = z
  .object({
    /** Examples the run would cover. */
    targets: z.number(),
    /** Of those, already labelled by this teacher with this exact prompt: carried over, not labelled again. */
    carriedOver: z.number(),
    /** Examples the teacher would read (targets less those carried over). */
    toLabel: z.number(),
    /** Estimated prompt tokens of the examples to label (prompt around the text included, cut at the context). */
    tokens: z.number(),
    /** The latest timing of this teacher with these settings, or null before one was made. */
    timing: TeacherTiming.nullable(),
    /** Estimated minutes to label them on this hardware, from the timing; null without a timing. */
    minutes: z.number().nullable(),
    /** The context the model will read with (the asked size capped at the model's own trained context). */
    contextSize: z.number(),
    /** Examples estimated (from their length) not to fit in that context: they would be cut to fit. */
    tooLong: z.number(),
  })
  .readonly();
export type TeacherRunPlan = z.output<typeof TeacherRunPlan>;

/** One invalid line of an imported teacher JSONL file (1-based line number): `teacher.importRun`'s error details. */
export const TeacherImportLineError = z.object({ line: z.number(), message: z.string() }).readonly();
export type TeacherImportLineError = z.output<typeof TeacherImportLineError>;

export const TeacherOutput = z
  .object({
    exampleId: z.number(),
    text: z.string(),
    split: z.string().nullable(),
    probs: z.array(z.number()).readonly(),
    entropy: z.number(),
    margin: z.number(),
    predictedLabelId: z.number().nullable(),
    predictedLabel: z.string().nullable(),
    reasoning: z.string().nullable(),
    tokens: z.number(),
    timeMs: z.number(),
    /** The text was cut to fit the model's context: the teacher did not read all of it. */
    truncated: z.boolean(),
  })
  .readonly();
export type TeacherOutput = z.output<typeof TeacherOutput>;

const Task = z.object({ task: z.string() }).readonly();

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

export const teacherContract = {
  /** The model library. */
  'teacher.models': channel(z.array(TeacherModel))(z.object({})),
  /** Copies a .gguf into the model folder as a job (progress, SHA-256); the job's result is the TeacherModel. */
  'teacher.importModel': channel(JobAnswer)(
    z.object({
      path: pickedFile(z.string().min(1, 'Choose a .gguf file.')),
      name: z.string().max(200).optional(),
    }),
  ),
  /** Explicit download for machines that are online: never started automatically. */
  'teacher.downloadModel': channel(JobAnswer)(
    z.object({
      url: z.string().url('Give the full address of the .gguf file.'),
      name: z.string().max(200).optional(),
    }),
  ),
  'teacher.removeModel': channel(z.object({ removed: z.literal(true) }).readonly())(
    z.object({ modelId: Id }),
  ),
  'teacher.recommended': channel(z.array(RecommendedTeacher))(z.object({})),
  /** What node-llama-cpp detects, and for a model whether and how it fits. */
  'teacher.hardware': channel(HardwareInfo)(z.object({ modelId: Id.optional() })),
  /** The default prompt template and the prompt it gives for the project's first example. */
  'teacher.promptPreview': channel(z.object({ template: z.string(), rendered: z.string() }).readonly())(
    PromptInput,
  ),
  /** Scores a handful of examples (or given texts) and returns their distributions. */
  'teacher.preview': channel(z.array(PreviewItem))(
    PromptInput.extend({
      exampleIds: z.array(Id).max(20).optional(),
      texts: z.array(z.string().max(50_000)).max(20).optional(),
      count: z.number().int().min(1).max(20).default(5),
    }),
  ),
  /** Starts a teacher run as a job over the chosen examples (default: every example not yet labelled by it). */
  'teacher.run': channel(z.object({ run: TeacherRun, job: JobAnswer }).readonly())(
    PromptInput.extend(ScopeInput.shape).extend({
      exampleIds: z.array(Id).optional(),
      limit: z.number().int().positive().optional(),
      /** Run a saved prompt version (its template, task, mode and few-shot count replace those given). */
      promptVersionId: Id.optional(),
    }),
  ),
  'teacher.runs': channel(z.array(TeacherRun))(z.object({ projectId: Id })),
  /** The project's Teacher step as the person left it, or null before they changed anything. */
  'teacher.draft': channel(TeacherDraft.nullable())(z.object({ projectId: Id })),
  'teacher.saveDraft': channel(z.object({ saved: z.literal(true) }).readonly())(
    z.object({ projectId: Id, draft: TeacherDraft }),
  ),
  /** What `teacher.run` with the same request would do: how many examples, how many carried over, how many too long. */
  'teacher.plan': channel(TeacherRunPlan)(PromptInput.extend(ScopeInput.shape)),
  /** Labels a few of the run's documents to time the teacher on this hardware; `teacher.plan` then estimates minutes. */
  'teacher.time': channel(TeacherTiming)(PromptInput.extend(ScopeInput.shape)),
  'teacher.outputs': channel(z.object({ total: z.number(), items: z.array(TeacherOutput) }).readonly())(
    z.object({
      runId: Id,
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(50),
    }),
  ),
  /** The teacher check: the run against labels people chose on the validation split, with a verdict. */
  'teacher.check': channel(TeacherCheck)(z.object({ runId: Id })),
  /**
   * Imports teacher outputs made elsewhere (JSONL: `{"id" or "text", "probs" or "logprobs": {label: value}}` per
   * line) as a new teacher run. Any invalid line fails the import with every line's error (error details
   * `lineErrors`: TeacherImportLineError[]) and writes nothing.
   */
  'teacher.importRun': channel(z.object({ run: TeacherRun, imported: z.number() }).readonly())(
    z.object({
      projectId: Id,
      path: pickedFile(z.string().min(1, 'Choose a .jsonl file of teacher outputs.')),
    }),
  ),
  /** The teacher check of a multi-label run: per-label agreement with the label sets people chose on validation. */
  'teacher.labelCheck': channel(LabelTeacherCheck)(z.object({ runId: Id })),
  /** Fits a multi-label run's per-label Platt scaling on validation (also done at the end of every such run). */
  'teacher.calibrateLabels': channel(LabelCalibrationReport)(z.object({ runId: Id })),
  /** Fits the run's temperature on human-labelled validation examples (also done at the end of every run). */
  'teacher.calibrate': channel(CalibrationReport)(z.object({ runId: Id })),
  /** The project's saved prompt versions, oldest first. */
  'teacher.promptVersions': channel(z.array(PromptVersion))(z.object({ projectId: Id })),
  /** Saves the prompt as a new named version (the person saving it is recorded). */
  'teacher.savePromptVersion': channel(PromptVersion)(
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
  'teacher.promptDiff': channel(PromptDiff)(z.object({ fromId: Id, toId: Id })),
  /** The project's task description: the text {{task}} is replaced by. */
  'teacher.task': channel(Task)(z.object({ projectId: Id })),
  /** Changes the project's task description: the text {{task}} is replaced by. */
  'teacher.setTask': channel(Task)(
    z.object({
      projectId: Id,
      task: z.string().max(5_000, 'Keep the task description under 5,000 characters.'),
    }),
  ),
  /** The exact text the teacher reads for one document, with this prompt (or a saved version's). */
  'teacher.promptText': channel(PromptText)(PromptInput.extend({ exampleId: Id, versionId: Id.optional() })),
  /**
   * A preview run as a job: the prompt (or a saved version) on documents the person picked, or on a seeded sample of
   * validation documents people labelled, with the teacher's accuracy on them. The job's result is a PromptTrialResult.
   */
  'teacher.trial': channel(JobAnswer)(
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
  'teacher.checkEndpoint': channel(EndpointCheck)(Endpoint),
  /** Documents/s and tokens/s of every remote endpoint that worked in the last minute. */
  'teacher.endpointRates': channel(z.array(EndpointRate))(z.object({})),
} as const;
