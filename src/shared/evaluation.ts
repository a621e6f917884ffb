import { z } from 'zod';
import {
  MultiLabelEvaluation,
  MultiLabelOverview,
  MultiLabelThresholdsRequest,
  SavedLabelThresholds,
} from './multilabelEvaluation';
import { channel } from './channel';
import {
  Curve,
  evaluationHeader,
  MetricInterval,
  ModelRefSchema,
  NumberMatrix,
  PerLabelCounts,
  Strings,
} from './evaluationBasics';
import { SeedSchema } from './seed';

export {
  CurvePoint,
  EvaluationHeader,
  MetricInterval,
  ModelRefSchema,
  type ModelRef,
} from './evaluationBasics';

export const OPERATING_BY = ['recall', 'precision', 'threshold'] as const;
export type OperatingBy = (typeof OPERATING_BY)[number];

export const ClassResult = z
  .object({
    label: z.string(),
    precision: z.number(),
    recall: z.number(),
    f1: z.number(),
    support: z.number(),
    /** One-vs-rest ROC AUC; null when gold has no example (or only examples) of the class. */
    auc: z.number().nullable(),
    averagePrecision: z.number().nullable(),
    roc: Curve,
    pr: Curve,
  })
  .readonly();
export type ClassResult = z.output<typeof ClassResult>;

export const ReliabilityBinView = z
  .object({
    lower: z.number(),
    upper: z.number(),
    count: z.number(),
    meanConfidence: z.number().nullable(),
    accuracy: z.number().nullable(),
  })
  .readonly();
export type ReliabilityBinView = z.output<typeof ReliabilityBinView>;

const evaluationSummary = {
  ...evaluationHeader,
  accuracy: MetricInterval,
  macroF1: MetricInterval,
  microF1: MetricInterval,
  weightedF1: MetricInterval,
  kappa: MetricInterval,
  macroAuc: z.number().nullable(),
  ece: z.number().nullable(),
  modelBytes: z.number().nullable(),
  latencyMsPerDoc: z.number().nullable(),
};
/** The headline numbers of one evaluation (the comparison table's row). */
export const EvaluationSummary = z.object(evaluationSummary).readonly();
export type EvaluationSummary = z.output<typeof EvaluationSummary>;

export const EvaluationResult = z
  .object({
    ...evaluationSummary,
    perClass: z.array(ClassResult).readonly(),
    confusion: NumberMatrix,
    confusionNormalized: NumberMatrix,
    reliability: z.array(ReliabilityBinView).readonly(),
    /** Counts of top-label confidence in ten bins over [0, 1], for right and wrong predictions. */
    confidenceHistogram: z
      .object({ correct: z.array(z.number()).readonly(), wrong: z.array(z.number()).readonly() })
      .readonly(),
    /** Every evaluated document: gold class index and the model's probabilities (in `labels` order). */
    predictions: z
      .array(z.object({ exampleId: z.number(), gold: z.number(), probs: z.array(z.number()) }).readonly())
      .readonly(),
  })
  .readonly();
export type EvaluationResult = z.output<typeof EvaluationResult>;

/** An evaluation as stored (`metrics.payload` of kind 'eval'): the result without its row id. */
export const StoredEvaluation = EvaluationResult.unwrap().omit({ id: true });

export const SavedThreshold = z
  .object({
    label: z.string(),
    classIndex: z.number(),
    threshold: z.number(),
    by: z.enum(OPERATING_BY),
    target: z.number(),
    costFp: z.number(),
    costFn: z.number(),
    savedAt: z.string(),
  })
  .readonly();
export type SavedThreshold = z.output<typeof SavedThreshold>;

export const EvaluationCandidate = z
  .object({
    model: ModelRefSchema,
    name: z.string(),
    createdAt: z.string(),
    evaluation: EvaluationSummary.nullable(),
    /** Student runs only: the saved operating threshold. */
    threshold: SavedThreshold.nullable(),
  })
  .readonly();
export type EvaluationCandidate = z.output<typeof EvaluationCandidate>;

export const EvaluationOverview = z
  .object({
    projectId: z.number(),
    /** Human-labelled test examples (the gold set). */
    goldCount: z.number(),
    goldPerLabel: PerLabelCounts,
    candidates: z.array(EvaluationCandidate).readonly(),
    /** Documents sent to the Review queue from here and not yet reviewed. */
    reviewRequests: z.number(),
  })
  .readonly();
export type EvaluationOverview = z.output<typeof EvaluationOverview>;

export const DOCUMENT_FILTERS = ['cell', 'threshold', 'bin'] as const;
export const OUTCOMES = ['tp', 'fp', 'fn', 'tn'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const DocumentFilterSchema = z.discriminatedUnion('kind', [
  /** Confusion cell: gold class row, predicted class column. */
  z.object({ kind: z.literal('cell'), gold: z.number().int().min(0), predicted: z.number().int().min(0) }),
  /** A point on a curve: one-vs-rest for a class at a threshold, the documents with that outcome. */
  z.object({
    kind: z.literal('threshold'),
    classIndex: z.number().int().min(0),
    threshold: z.number().nullable(),
    outcome: z.enum(OUTCOMES),
  }),
  /** A reliability bin (by index), optionally only the right or wrong predictions. */
  z.object({ kind: z.literal('bin'), bin: z.number().int().min(0), correct: z.boolean().optional() }),
]);
export type DocumentFilter = z.infer<typeof DocumentFilterSchema>;

export const DocumentDistribution = z
  .object({
    model: ModelRefSchema,
    modelName: z.string(),
    labels: Strings,
    probs: z.array(z.number()).readonly(),
  })
  .readonly();
export type DocumentDistribution = z.output<typeof DocumentDistribution>;

export const EvaluationDocument = z
  .object({
    exampleId: z.number(),
    text: z.string(),
    gold: z.string(),
    predicted: z.string(),
    confidence: z.number(),
    /** This model's distribution and, where available, the other model's (teacher or latest student). */
    distributions: z.array(DocumentDistribution).readonly(),
    inReviewQueue: z.boolean(),
  })
  .readonly();
export type EvaluationDocument = z.output<typeof EvaluationDocument>;

export const DocumentsPage = z
  .object({ total: z.number(), items: z.array(EvaluationDocument).readonly() })
  .readonly();
export type DocumentsPage = z.output<typeof DocumentsPage>;

export const OperatingPoint = z
  .object({
    label: z.string(),
    classIndex: z.number(),
    threshold: z.number(),
    /** False when no threshold reaches the target: the closest one is shown instead. */
    achieved: z.boolean(),
    tp: z.number(),
    fp: z.number(),
    fn: z.number(),
    tn: z.number(),
    precision: z.number(),
    recall: z.number(),
    specificity: z.number(),
    cost: z.number(),
  })
  .readonly();
export type OperatingPoint = z.output<typeof OperatingPoint>;

export const TeacherVsStudent = z
  .object({
    teacher: EvaluationSummary,
    student: EvaluationSummary,
    /** Documents where both predict the same label, over the gold documents both have. */
    agreement: z.number().nullable(),
    shared: z.number(),
    /** Student macro-F1 divided by the teacher's. */
    f1Ratio: z.number().nullable(),
    sizeRatio: z.number().nullable(),
    speedRatio: z.number().nullable(),
  })
  .readonly();
export type TeacherVsStudent = z.output<typeof TeacherVsStudent>;

/**
 * A paired comparison on the same gold documents: McNemar's exact test on which documents each gets right, and a
 * paired bootstrap interval (the same resampled documents for both) of the change in accuracy and macro-F1.
 */
export const PairedSignificance = z
  .object({
    /** Gold documents both models were evaluated on (same document, same gold label). */
    shared: z.number(),
    /** Documents only A gets right, and only B. */
    onlyA: z.number(),
    onlyB: z.number(),
    /** McNemar's exact two-sided p-value; null without shared documents. */
    pValue: z.number().nullable(),
    /** B minus A, with a paired bootstrap 95% interval. */
    accuracyDelta: MetricInterval,
    /** B minus A; null when the two label sets differ. */
    macroF1Delta: MetricInterval,
    /** p < 0.05 or the macro-F1 interval leaves out 0: a difference unlikely to be chance. */
    significant: z.boolean(),
  })
  .readonly();
export type PairedSignificance = z.output<typeof PairedSignificance>;

export const RunDiff = z
  .object({
    a: EvaluationSummary,
    b: EvaluationSummary,
    settings: z.array(z.object({ key: z.string(), a: z.string(), b: z.string() }).readonly()).readonly(),
    metrics: z
      .array(
        z
          .object({
            name: z.string(),
            a: z.number().nullable(),
            b: z.number().nullable(),
            delta: z.number().nullable(),
            /** ECE, loss, Brier: a smaller value is the better one. */
            lowerIsBetter: z.boolean(),
          })
          .readonly(),
      )
      .readonly(),
    /** Whether B differs from A by more than chance, on the gold documents both were evaluated on. */
    significance: PairedSignificance,
  })
  .readonly();
export type RunDiff = z.output<typeof RunDiff>;

export const ReportFile = z
  .object({
    path: z.string(),
    fileName: z.string(),
    bytes: z.number(),
    mimeType: z.string(),
    /** The file itself, so that a browser can save it (reports are small). */
    base64: z.string(),
  })
  .readonly();
export type ReportFile = z.output<typeof ReportFile>;

const ProjectId = z.object({ projectId: z.number().int().positive() });
const WithModel = ProjectId.extend({ model: ModelRefSchema });
/** An operating point's target (the Evaluate step's operating panel, `eval threshold`). */
export const OperatingTarget = z.object({
  classIndex: z.number().int().min(0),
  by: z.enum(OPERATING_BY),
  value: z
    .number()
    .min(0, 'The target must be between 0 and 1.')
    .max(1, 'The target must be between 0 and 1.'),
  costFp: z.number().min(0).default(1).describe('Cost of a false positive'),
  costFn: z.number().min(0).default(1).describe('Cost of a false negative'),
});

/** The bootstrap of an evaluation's 95% intervals: its seed and number of resamples (both project kinds). */
const Bootstrap = z.object({
  seed: SeedSchema.describe('Seed of the bootstrap resampling'),
  iterations: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(1000)
    .describe('Bootstrap resamples for the 95% intervals (0: no intervals)'),
});

/** What `evaluation.evaluate` is asked: a model, and the bootstrap's seed and resamples. */
export const EvaluateRequest = WithModel.extend(Bootstrap.shape);

export const evaluationContract = {
  'evaluation.overview': channel(EvaluationOverview)(ProjectId),
  /** Evaluates a model on the gold test set and stores the result (replacing that model's earlier one). */
  'evaluation.evaluate': channel(EvaluationResult)(EvaluateRequest),
  'evaluation.get': channel(EvaluationResult.nullable())(WithModel),
  'evaluation.documents': channel(DocumentsPage)(
    WithModel.extend({ filter: DocumentFilterSchema, limit: z.number().int().min(1).max(500).default(100) }),
  ),
  'evaluation.operatingPoint': channel(OperatingPoint)(WithModel.extend(OperatingTarget.shape)),
  /** Saves the operating threshold with a student model (student_runs.threshold). */
  'evaluation.saveThreshold': channel(SavedThreshold)(
    ProjectId.extend({ runId: z.number().int().positive() }).extend(OperatingTarget.shape),
  ),
  'evaluation.sendToReview': channel(z.object({ added: z.number(), alreadyQueued: z.number() }).readonly())(
    ProjectId.extend({
      exampleIds: z.array(z.number().int().positive()).min(1, 'Select at least one document.').max(10_000),
      reason: z.string().max(500).default(''),
    }),
  ),
  'evaluation.teacherVsStudent': channel(TeacherVsStudent)(
    ProjectId.extend({ studentRunId: z.number().int().positive() }),
  ),
  'evaluation.compare': channel(RunDiff)(ProjectId.extend({ a: ModelRefSchema, b: ModelRefSchema })),
  'evaluation.exportReport': channel(ReportFile)(
    WithModel.extend({
      format: z.enum(['html', 'pdf']).default('html'),
      language: z.enum(['en', 'zh-CN']).optional().describe('Language of the report: en (default) or zh-CN'),
    }),
  ),
  /** A multi-label project's Evaluate step: gold set, validation set, student runs with their last evaluation. */
  'evaluation.multiOverview': channel(MultiLabelOverview)(ProjectId),
  /** Multi-label student runs: evaluates on the gold test set at the run's thresholds and stores the result. */
  'evaluation.multiEvaluate': channel(MultiLabelEvaluation)(
    ProjectId.extend({ runId: z.number().int().positive() }).extend(Bootstrap.shape),
  ),
  'evaluation.multiGet': channel(MultiLabelEvaluation.nullable())(
    ProjectId.extend({ runId: z.number().int().positive() }),
  ),
  /** Multi-label student runs: sets, tunes on validation (to a target) or resets the thresholds per label. */
  'evaluation.multiThresholds': channel(SavedLabelThresholds.nullable())(MultiLabelThresholdsRequest),
} as const;
