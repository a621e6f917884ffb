import { z } from 'zod';
import { channel } from './channel';
import { SeedSchema } from './seed';
import { JobAnswer } from './jobAnswer';
import { STUDENT_ARCHITECTURES } from './studentArchitectures';
import { TeacherCheck } from './teacherCheck';

export * from './studentArchitectures';

export const LR_SCHEDULES = ['linear', 'constant'] as const;

/**
 * What a student reads of a text (featurizer.ts `featurizerFor`): 'words' = words, adjacent word pairs and word
 * stems; 'chars' = character n-grams (3-5 inside English words, 1-3 over Chinese text), no words; 'both' = words,
 * pairs, stems and Chinese character 1-3-grams (the featurizer of every run before this setting existed).
 */
export const STUDENT_FEATURES = ['words', 'chars', 'both'] as const;
export type StudentFeatures = (typeof STUDENT_FEATURES)[number];

export const STOPPING_METRICS = ['macro_f1', 'accuracy', 'loss'] as const;
export type StoppingMetric = (typeof STOPPING_METRICS)[number];

/** The training form. Defaults are what a person gets without touching anything. */
export const TrainSettings = z.object({
  architecture: z
    .enum(STUDENT_ARCHITECTURES)
    .default(STUDENT_ARCHITECTURES[0])
    .describe(
      'Student: sparse linear (default), fastText-style, CNN or tiny transformer (the last two on TensorFlow.js)',
    ),
  /**
   * Auto (sparse student only): before training, try AUTO_CONFIGURATIONS on the validation split within
   * autoBudgetSeconds, keep the best by validation macro-F1, then train it (auto.ts). Off: the settings as given.
   */
  auto: z
    .boolean()
    .default(true)
    .describe('Sparse student: try a few configurations on the validation split and train the best'),
  /** Auto: seconds of trials; a trial is not started once they are spent (the first always runs). */
  autoBudgetSeconds: z
    .number()
    .int()
    .min(10)
    .max(86_400)
    .default(300)
    .describe("Seconds of Auto's trials (the first always runs)"),
  /**
   * Sparse student, single-label runs: once the best epoch E is found on the validation split, train the same
   * configuration again on the training and human-labelled validation documents for E epochs, and keep that model
   * (auto.ts, finalFit.ts). Its validation figures are those measured before this final fit.
   */
  finalFit: z
    .boolean()
    .default(true)
    .describe('Sparse student: after validation picks the epoch, train again on all labelled documents'),
  /** What the student reads of a text (STUDENT_FEATURES). */
  features: z
    .enum(STUDENT_FEATURES)
    .default('both')
    .describe('What the student reads: words, character n-grams, or both (set by Auto unless it is off)'),
  /**
   * Sparse student: L2 penalty on the weights of the features a batch reads (against overfitting rare n-grams);
   * 0 = none. The default 1e-5 was chosen on validation splits only (bench/student-defaults.ts,
   * docs/student-model.md).
   */
  l2: z
    .number()
    .min(0)
    .max(1)
    .default(1e-5)
    .describe('Sparse student: L2 penalty on the weights of the features read'),
  /** Use the latest teacher run's soft labels; false = "human labels only". */
  useTeacher: z.boolean().default(true),
  temperature: z
    .number()
    .min(0.5, 'The temperature must be at least 0.5.')
    .max(20)
    .default(2)
    .describe("Softens the teacher's answers before the student learns them"),
  alpha: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe("Weight of the teacher's answers against the human labels"),
  learningRate: z
    .number()
    .positive('The learning rate must be above 0.')
    .max(1)
    .default(0.01)
    .describe('Step size of the optimizer'),
  batchSize: z.number().int().min(1).max(1024).default(32).describe('Examples per optimizer step'),
  maxEpochs: z.number().int().min(1).max(200).default(20).describe('Passes over the training data at most'),
  patience: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(3)
    .describe('Epochs without improvement before training stops'),
  metric: z
    .enum(STOPPING_METRICS)
    .default('macro_f1')
    .describe('Validation figure that chooses the best epoch'),
  seed: SeedSchema.describe('Random seed (the same seed trains the same model)'),
  /** Embedding size (both students). */
  dim: z.number().int().min(4).max(256).default(32).describe('Embedding size'),
  /** CNN student: convolution filters (features it looks for). */
  filters: z.number().int().min(4).max(512).default(64).describe('CNN: convolution filters'),
  /** CNN student: how many consecutive words each filter reads. */
  kernelSize: z.number().int().min(1).max(7).default(3).describe('CNN: consecutive words each filter reads'),
  /**
   * CNN and transformer students: the fraction of pooled features dropped at random at each training step
   * (dropout), against overfitting. Prediction uses all of them.
   */
  dropout: z
    .number()
    .min(0)
    .max(0.9)
    .default(0.5)
    .describe('CNN and transformer: share of pooled features dropped at each step'),
  /** CNN and transformer students: words read per text (the rest is ignored). */
  maxTokens: z
    .number()
    .int()
    .min(8)
    .max(4096)
    .default(256)
    .describe('CNN and transformer: words read per text'),
  /**
   * Sparse student, single-label runs: which rows the L2 penalty holds back. 'all' (default): every row, as the
   * objective mean loss + l2/2 |W|^2 does (a row read by a fraction q of the batches gets l2 / q when read:
   * sparseArch.ts); 'read': only the rows a batch reads, l2 once per batch (runs created before 'all' existed, and
   * multi-label runs always).
   */
  l2Rows: z
    .enum(['all', 'read'])
    .default('all')
    .describe(
      'Sparse student: the L2 penalty holds back every row (all) or only the rows a batch reads (read)',
    ),
  /**
   * Sparse student, single-label runs: the model is the mean of the weights at the ends of the epochs so far
   * (Polyak-Ruppert averaging once per epoch, training/average.ts), which validation scores and the run saves; the
   * weights trained on are unchanged. Off (default): the weights at the end of the epoch. Auto turns it on for
   * Chinese, Japanese or Korean text (autoConfigurations).
   */
  averageWeights: z
    .boolean()
    .default(false)
    .describe('Sparse student: the model is the mean of the weights over the epochs so far'),
  /**
   * Learning rate over training: 'linear' decays it from learningRate to 0 over maxEpochs epochs (as fastText
   * does), by optimizer step, so a resumed run continues the same schedule; 'constant' keeps it.
   */
  lrSchedule: z
    .enum(LR_SCHEDULES)
    .default('linear')
    .describe('Learning rate over training: decays to 0 (linear) or stays'),
  /**
   * Class weights in the loss, for imbalanced data and a macro-averaged stopping metric: an example of class c
   * weighs (n / (K * n_c)) ^ classBalance, normalised to a mean of 1 over the training examples (n examples, K
   * classes present, n_c of class c: its human label, else the teacher's top label). 0 = unweighted, 1 = fully
   * balanced, 0.5 (default) = the square root of the balanced weight.
   */
  classBalance: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('Class weights against imbalance: 0 none, 1 fully balanced'),
  /**
   * Start from the best model of this earlier run (same project, labels and featurizer) instead of from scratch:
   * its embedding rows and head initialise the new run. Absent = from scratch.
   */
  initFromRunId: z.number().int().positive().optional(),
});
export type TrainSettings = z.output<typeof TrainSettings>;
export type TrainSettingsInput = z.input<typeof TrainSettings>;

export const DEFAULT_TRAIN_SETTINGS: TrainSettings = TrainSettings.parse({});

/**
 * What Auto mode tries for a single-label project's sparse student, in this order (each on top of the run's other
 * settings): what the student reads (`both`, `chars`, `words`) x the two best ways to train it by mean validation
 * macro-F1 over the shared datasets: a learning rate of 0.1 with the L2 penalty 3e-5, class balance 0.75, then 1.
 * On text without Chinese, Japanese or Korean characters the `words` ones are not tried (`autoConfigurations`).
 * Chosen on validation splits only, never a test split (bench/student-defaults.ts; docs/student-model.md says how).
 */
export const AUTO_CONFIGURATIONS: ReadonlyArray<
  Readonly<Pick<TrainSettings, 'features' | 'classBalance' | 'learningRate' | 'l2'>>
> = [
  { features: 'both', classBalance: 0.75, learningRate: 0.1, l2: 3e-5 },
  { features: 'both', classBalance: 1, learningRate: 0.1, l2: 3e-5 },
  { features: 'chars', classBalance: 0.75, learningRate: 0.1, l2: 3e-5 },
  { features: 'chars', classBalance: 1, learningRate: 0.1, l2: 3e-5 },
  { features: 'words', classBalance: 0.75, learningRate: 0.1, l2: 3e-5 },
  { features: 'words', classBalance: 1, learningRate: 0.1, l2: 3e-5 },
];

/** One configuration Auto mode tried, and how the student it trained did on the validation split. */
export const AutoTrial = z
  .object({
    /** 1-based, in AUTO_CONFIGURATIONS order. */
    trial: z.number().int(),
    features: z.enum(STUDENT_FEATURES),
    classBalance: z.number(),
    learningRate: z.number(),
    /** The L2 penalty tried (absent in reports written before single-label Auto tried it). */
    l2: z.number().optional(),
    /**
     * Whether its weights were averaged over epochs (settings.averageWeights; absent in multi-label runs and in
     * reports written before Auto recorded it: the run's own setting).
     */
    averageWeights: z.boolean().optional(),
    /**
     * Macro-F1 (evaluation/metrics.ts) and accuracy of its best epoch on the validation documents below (null when
     * there are none).
     */
    valMacroF1: z.number().nullable(),
    valAccuracy: z.number().nullable(),
    /**
     * 'people': the human-labelled validation documents (there are at least MIN_HUMAN_VALIDATION); 'all': every
     * validation document (people's labels, and the teacher's top label where there is none).
     */
    measuredOn: z.enum(['people', 'all']),
    validationCount: z.number().int(),
    bestEpoch: z.number().int(),
    seconds: z.number(),
  })
  .readonly();
export type AutoTrial = z.output<typeof AutoTrial>;

/** What Auto mode tried for a run, and what it kept (runs/<id>/auto.json). */
export const AutoReport = z
  .object({
    budgetSeconds: z.number(),
    /** How many configurations there are to try (AUTO_CONFIGURATIONS). */
    configurations: z.number().int(),
    trials: z.array(AutoTrial).readonly(),
    /** The trial whose configuration the run trained (`trial` number), null until the trials are over. */
    chosen: z.number().int().nullable(),
    /** Configurations not tried because the budget was spent. */
    skipped: z.number().int(),
  })
  .readonly();
export type AutoReport = z.output<typeof AutoReport>;

/**
 * A model trained by the final fit (settings.finalFit): the best epoch's configuration trained again for `epochs`
 * epochs on `documents` documents (the training ones and the human-labelled validation ones, `validation` of them).
 * The run's validation figures were measured before it: the final model has seen those validation documents.
 */
export const FinalFitInfo = z
  .object({ epochs: z.number().int(), documents: z.number().int(), validation: z.number().int() })
  .readonly();
export type FinalFitInfo = z.output<typeof FinalFitInfo>;

/** The result of a `student.train` job: the run and where its best model is. */
export const TrainJobResult = z
  .object({
    runId: z.number(),
    bestEpoch: z.number(),
    bestMetric: z.number(),
    modelPath: z.string(),
    modelBytes: z.number(),
    epochsRun: z.number(),
    stoppedEarly: z.boolean(),
    /** Auto mode's trials and choice (absent when the run's settings were used as given). */
    auto: AutoReport.optional(),
    /** The final fit that made the model (absent when the model is the best epoch's). */
    finalFit: FinalFitInfo.optional(),
  })
  .readonly();
export type TrainJobResult = z.output<typeof TrainJobResult>;

/** A project takes one label per document ('single') or any set of them ('multi', issue 16). */
export const LabelKind = z.enum(['single', 'multi']);
export type LabelKind = z.output<typeof LabelKind>;

/**
 * Multi-label students: a label's threshold is tuned on the validation documents (to maximise its F1) only when they
 * hold at least this many of its positives; below that it gets one cut shared by all such labels, tuned for micro-F1
 * on every label's validation documents pooled (the global default, 0.5, when fewer than this many positives are
 * there in all; `thresholdsWithSharedFallback`). Chosen before looking at any test figure, from the F1 curve's noise:
 * a cut fitted to n positives moves the label's recall in steps of 1/n, and with fewer than 20 one document more or
 * less moves it by more than 5 points, as much as tuning can gain.
 */
export const MIN_THRESHOLD_POSITIVES = 20;
export const DEFAULT_LABEL_THRESHOLD = 0.5;

/**
 * What Auto mode tries for a multi-label project's sparse student, in this order, instead of AUTO_CONFIGURATIONS:
 * class balance does nothing there (a per-label positive weight handles imbalance), but with eight sigmoid outputs
 * over a few hundred positives the student overfits rare n-grams within an epoch or two unless held back, so Auto
 * tries the L2 penalty with the learning rate. Chosen by 5-fold cross-validation by document on CLAUDETTE's
 * training split only (never its test split): l2 0 at a learning rate of 0.05 scored micro/macro-F1 .58/.55; l2 3e-4
 * at 0.2, .66/.63; l2 1e-3 at 0.2, .66/.62; at 0.1, .64-.65/.61-.62; l2 1e-2 and a rate of 0.4 did worse.
 */
export const MULTI_LABEL_AUTO_CONFIGURATIONS: ReadonlyArray<
  Readonly<Pick<TrainSettings, 'features' | 'learningRate' | 'l2'>>
> = [
  { features: 'both', learningRate: 0.2, l2: 3e-4 },
  { features: 'both', learningRate: 0.2, l2: 1e-3 },
  { features: 'both', learningRate: 0.1, l2: 3e-4 },
  { features: 'chars', learningRate: 0.2, l2: 1e-3 },
];

/** AUTO_CONFIGURATIONS as tried on Chinese, Japanese or Korean text: each with its weights averaged over epochs. */
const AUTO_CONFIGURATIONS_CJK = AUTO_CONFIGURATIONS.map((c) => ({ ...c, averageWeights: true }));

/**
 * The configurations Auto mode tries for a project of this kind. `cjk` false (no training text holds a Chinese,
 * Japanese or Korean character): a single-label project's `words` configurations are left out, since on such text
 * they read exactly what `both` reads. `cjk` true: a single-label project's configurations average the weights
 * over epochs (settings.averageWeights), which raised kuake_qic's dev-fold macro-F1 and was not tried as a default
 * on English text, where it did not (docs/student-model.md).
 */
export function autoConfigurations(
  kind: LabelKind,
  cjk = true,
): ReadonlyArray<
  Readonly<
    Partial<Pick<TrainSettings, 'features' | 'classBalance' | 'learningRate' | 'l2' | 'averageWeights'>>
  >
> {
  if (kind === 'multi') return MULTI_LABEL_AUTO_CONFIGURATIONS;
  return cjk ? AUTO_CONFIGURATIONS_CJK : AUTO_CONFIGURATIONS.filter((c) => c.features !== 'words');
}

export const StudentRunState = z.enum([
  'created',
  'running',
  'interrupted',
  'completed',
  'failed',
  'cancelled',
]);
export type StudentRunState = z.output<typeof StudentRunState>;

const Strings = z.array(z.string()).readonly();
const Numbers = z.array(z.number()).readonly();

export const StudentDataSnapshot = z
  .object({
    trainCount: z.number(),
    validationCount: z.number(),
    /** Training examples with a human label (the rest have only the teacher's). */
    humanCount: z.number(),
    teacherCount: z.number(),
    /** Human and teacher disagree: the human label wins (CE only). */
    conflictCount: z.number(),
    perClass: z.array(z.object({ label: z.string(), count: z.number() }).readonly()).readonly(),
    warnings: Strings,
  })
  .readonly();
export type StudentDataSnapshot = z.output<typeof StudentDataSnapshot>;

/**
 * `student_runs.labels_snapshot`: the run's label names in the order of its outputs. Read as names whether stored as
 * names (what training writes) or as {id, name} objects (the teacher's snapshot shape, which some rows carry).
 */
export const StoredLabelNames = z.array(
  z.union([z.string(), z.looseObject({ name: z.string() }).transform((l) => l.name)]),
);

/**
 * `student_runs.data_snapshot`: the snapshot and, for runs made since multi-label projects, the project's kind; '{}'
 * (the column's default) before the run's data is taken.
 */
export const StoredDataSnapshot = StudentDataSnapshot.unwrap()
  .partial()
  .extend({
    kind: z.enum(['single', 'multi']).optional(),
  });

const studentRun = {
  id: z.number(),
  projectId: z.number(),
  /** 'multi': independent sigmoid outputs, a label set per document (the project's kind when the run was made). */
  kind: LabelKind,
  teacherRunId: z.number().nullable(),
  jobId: z.number().nullable(),
  architecture: z.enum(STUDENT_ARCHITECTURES),
  settings: TrainSettings,
  labels: Strings,
  data: StudentDataSnapshot,
  state: StudentRunState,
  bestEpoch: z.number().nullable(),
  bestMetric: z.number().nullable(),
  modelPath: z.string().nullable(),
  modelBytes: z.number().nullable(),
  backend: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
};
export const StudentRun = z.object(studentRun).readonly();
export type StudentRun = z.output<typeof StudentRun>;

/**
 * Early stopping and the best epoch use the human-labelled validation documents alone when there are at least
 * this many; below that, every validation document (people's labels, and the teacher's top label on the others):
 * with fewer than 30 documents macro-F1 moves by several points from one document to the next, and picking the
 * best epoch on that noise is worse than agreeing with the teacher.
 */
export const MIN_HUMAN_VALIDATION = 30;

/**
 * A figure that is NaN when unknown (an epoch recorded before it existed, none to measure it on). JSON carries NaN
 * as null: read back as NaN, so that a browser sees what the app's own window sees.
 */
const Figure = z.union([z.number(), z.nan(), z.null().transform(() => Number.NaN)]);

export const EpochMetrics = z
  .object({
    epoch: z.number(),
    trainLoss: Figure,
    valLoss: Figure,
    valAccuracy: Figure,
    valMacroF1: Figure,
    /**
     * Validation documents labelled by people, and how the student agrees with those labels (NaN when none). The
     * stopping figures above (valLoss, valAccuracy, valMacroF1) are these when there are at least
     * MIN_HUMAN_VALIDATION (30) of them, else over every validation document.
     */
    valHumanCount: Figure,
    valHumanAccuracy: Figure,
    valHumanMacroF1: Figure,
    /** Validation documents with no human label, and the student's agreement with the teacher's top label there. */
    valTeacherCount: Figure,
    valTeacherAccuracy: Figure,
    valTeacherMacroF1: Figure,
    examplesPerSecond: Figure,
    /**
     * Multi-label runs only (absent otherwise), on the stopping set: micro-F1 and samples-F1 at the global threshold
     * 0.5 (multilabelMetrics.ts), and micro-F1 on the human-labelled documents. In a multi-label run valMacroF1 is the
     * macro-F1 over labels, valAccuracy the subset accuracy (whole set right) and valLoss the mean binary
     * cross-entropy summed over labels.
     */
    valMicroF1: Figure.optional(),
    valSamplesF1: Figure.optional(),
    valHumanMicroF1: Figure.optional(),
  })
  .readonly();
export type EpochMetrics = z.output<typeof EpochMetrics>;

export const StudentRunDetail = z
  .object({
    ...studentRun,
    /** Auto mode's trials so far and its choice; null when the run did not use Auto mode. */
    auto: AutoReport.nullable(),
    /** The final fit that made the run's model; null when the model is the best epoch's (or not trained yet). */
    finalFit: FinalFitInfo.nullable(),
    epochs: z.array(EpochMetrics).readonly(),
    /**
     * Multi-label runs: the threshold per label (in `labels` order) predictions use: those saved in Evaluate, else
     * the best model's, tuned on validation when the label has at least MIN_THRESHOLD_POSITIVES positives there,
     * else one cut shared by such labels (tuned on all labels' validation documents pooled) or
     * DEFAULT_LABEL_THRESHOLD; null for single-label runs and runs without a model yet.
     */
    thresholds: Numbers.nullable(),
    checkpoints: z
      .array(z.object({ epoch: z.number(), metric: z.number().nullable(), isBest: z.boolean() }).readonly())
      .readonly(),
  })
  .readonly();
export type StudentRunDetail = z.output<typeof StudentRunDetail>;

/** What the Train step shows before a run: data available, teacher run, backend. */
export const TrainOverview = z
  .object({
    projectId: z.number(),
    kind: LabelKind,
    labels: Strings,
    teacherRunId: z.number().nullable(),
    /** The teacher check of that run; when its verdict is 'chance', `defaults.useTeacher` is false (human labels only). */
    teacherCheck: TeacherCheck.nullable(),
    trainHuman: z.number(),
    trainTeacher: z.number(),
    validation: z.number(),
    /** Where the default architecture trains. */
    backend: z.string(),
    /** Where each architecture trains (the CNN on TensorFlow.js: tfjs-node-gpu, tfjs-node or WebAssembly). */
    backends: z.record(z.enum(STUDENT_ARCHITECTURES), z.string()).readonly(),
    defaults: TrainSettings,
  })
  .readonly();
export type TrainOverview = z.output<typeof TrainOverview>;

/**
 * Probabilities of a run's best model for a few texts, in `labels` order. Multi-label: independent per-label
 * probabilities, with `thresholds` (a label applies when its probability is at least its threshold).
 */
export const StudentPrediction = z
  .object({
    labels: Strings,
    probs: z.array(z.array(z.number())),
    kind: LabelKind,
    thresholds: Numbers.nullable(),
  })
  .readonly();
export type StudentPrediction = z.output<typeof StudentPrediction>;

const ProjectId = z.object({ projectId: z.number().int().positive() });
const RunId = z.object({ runId: z.number().int().positive() });

export const studentContract = {
  'student.overview': channel(TrainOverview)(ProjectId),
  'student.train': channel(z.object({ run: StudentRun, job: JobAnswer }).readonly())(
    ProjectId.extend({ settings: TrainSettings.partial().default({}) }),
  ),
  'student.runs': channel(z.array(StudentRun).readonly())(ProjectId),
  'student.run': channel(StudentRunDetail)(RunId),
  /**
   * Probabilities of the run's best model for a few texts (try it out). Multi-label: independent per-label
   * probabilities, with `thresholds` (a label applies when its probability is at least its threshold).
   */
  'student.predict': channel(StudentPrediction)(
    RunId.extend({ texts: z.array(z.string().max(100_000)).min(1).max(1000) }),
  ),
} as const;
