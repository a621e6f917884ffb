import { z } from 'zod';
import {
  MultiLabelThresholdsRequest,
  type MultiLabelEvaluation,
  type MultiLabelOverview,
  type SavedLabelThresholds,
} from './multilabelEvaluation';
import { channel } from './channel';
import { SeedSchema } from './seed';

/** Which model an evaluation is of: a teacher run (its stored outputs) or a student run (its trained model). */
export const ModelRefSchema = z.object({
  kind: z.enum(['teacher', 'student']),
  runId: z.number().int().positive(),
});
export type ModelRef = z.infer<typeof ModelRefSchema>;

/** A metric with its seeded bootstrap 95% interval; null where undefined (e.g. kappa with one class). */
export interface MetricInterval {
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

/** One point of a ROC (x = false positive rate, y = recall) or PR (x = recall, y = precision) curve. */
export interface CurvePoint {
  readonly x: number;
  readonly y: number;
  /** Score threshold: predict the class when its probability is at least this; null = above every score. */
  readonly threshold: number | null;
}

export interface ClassResult {
  readonly label: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
  /** One-vs-rest ROC AUC; null when gold has no example (or only examples) of the class. */
  readonly auc: number | null;
  readonly averagePrecision: number | null;
  readonly roc: readonly CurvePoint[] | null;
  readonly pr: readonly CurvePoint[] | null;
}

export interface ReliabilityBinView {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly meanConfidence: number | null;
  readonly accuracy: number | null;
}

/** What every stored evaluation says of itself, single- or multi-label: the model, the gold set, the bootstrap. */
export interface EvaluationHeader {
  readonly id: number;
  readonly model: ModelRef;
  readonly modelName: string;
  readonly createdAt: string;
  readonly labels: readonly string[];
  /** Gold examples evaluated (test split, labelled by a person, prediction available). */
  readonly n: number;
  /** Gold examples the model has no prediction for (e.g. a teacher run over part of the data). */
  readonly missing: number;
  readonly seed: number;
  readonly iterations: number;
}

/** The headline numbers of one evaluation (the comparison table's row). */
export interface EvaluationSummary extends EvaluationHeader {
  readonly accuracy: MetricInterval;
  readonly macroF1: MetricInterval;
  readonly microF1: MetricInterval;
  readonly weightedF1: MetricInterval;
  readonly kappa: MetricInterval;
  readonly macroAuc: number | null;
  readonly ece: number | null;
  readonly modelBytes: number | null;
  readonly latencyMsPerDoc: number | null;
}

export interface EvaluationResult extends EvaluationSummary {
  readonly perClass: readonly ClassResult[];
  readonly confusion: readonly (readonly number[])[];
  readonly confusionNormalized: readonly (readonly number[])[];
  readonly reliability: readonly ReliabilityBinView[];
  /** Counts of top-label confidence in ten bins over [0, 1], for right and wrong predictions. */
  readonly confidenceHistogram: { readonly correct: readonly number[]; readonly wrong: readonly number[] };
  /** Every evaluated document: gold class index and the model's probabilities (in `labels` order). */
  readonly predictions: ReadonlyArray<{
    readonly exampleId: number;
    readonly gold: number;
    readonly probs: number[];
  }>;
}

export interface SavedThreshold {
  readonly label: string;
  readonly classIndex: number;
  readonly threshold: number;
  readonly by: OperatingBy;
  readonly target: number;
  readonly costFp: number;
  readonly costFn: number;
  readonly savedAt: string;
}

export interface EvaluationCandidate {
  readonly model: ModelRef;
  readonly name: string;
  readonly createdAt: string;
  readonly evaluation: EvaluationSummary | null;
  /** Student runs only: the saved operating threshold. */
  readonly threshold: SavedThreshold | null;
}

export interface EvaluationOverview {
  readonly projectId: number;
  /** Human-labelled test examples (the gold set). */
  readonly goldCount: number;
  readonly goldPerLabel: ReadonlyArray<{ readonly label: string; readonly count: number }>;
  readonly candidates: readonly EvaluationCandidate[];
  /** Documents sent to the Review queue from here and not yet reviewed. */
  readonly reviewRequests: number;
}

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

export interface DocumentDistribution {
  readonly model: ModelRef;
  readonly modelName: string;
  readonly labels: readonly string[];
  readonly probs: readonly number[];
}

export interface EvaluationDocument {
  readonly exampleId: number;
  readonly text: string;
  readonly gold: string;
  readonly predicted: string;
  readonly confidence: number;
  /** This model's distribution and, where available, the other model's (teacher or latest student). */
  readonly distributions: readonly DocumentDistribution[];
  readonly inReviewQueue: boolean;
}

export interface DocumentsPage {
  readonly total: number;
  readonly items: readonly EvaluationDocument[];
}

export const OPERATING_BY = ['recall', 'precision', 'threshold'] as const;
export type OperatingBy = (typeof OPERATING_BY)[number];

export interface OperatingPoint {
  readonly label: string;
  readonly classIndex: number;
  readonly threshold: number;
  /** False when no threshold reaches the target: the closest one is shown instead. */
  readonly achieved: boolean;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  readonly precision: number;
  readonly recall: number;
  readonly specificity: number;
  readonly cost: number;
}

export interface TeacherVsStudent {
  readonly teacher: EvaluationSummary;
  readonly student: EvaluationSummary;
  /** Documents where both predict the same label, over the gold documents both have. */
  readonly agreement: number | null;
  readonly shared: number;
  /** Student macro-F1 divided by the teacher's. */
  readonly f1Ratio: number | null;
  readonly sizeRatio: number | null;
  readonly speedRatio: number | null;
}

export interface RunDiff {
  readonly a: EvaluationSummary;
  readonly b: EvaluationSummary;
  readonly settings: ReadonlyArray<{ readonly key: string; readonly a: string; readonly b: string }>;
  readonly metrics: ReadonlyArray<{
    readonly name: string;
    readonly a: number | null;
    readonly b: number | null;
    readonly delta: number | null;
    /** ECE, loss, Brier: a smaller value is the better one. */
    readonly lowerIsBetter: boolean;
  }>;
  /** Whether B differs from A by more than chance, on the gold documents both were evaluated on. */
  readonly significance: PairedSignificance;
}

/**
 * A paired comparison on the same gold documents: McNemar's exact test on which documents each gets right, and a
 * paired bootstrap interval (the same resampled documents for both) of the change in accuracy and macro-F1.
 */
export interface PairedSignificance {
  /** Gold documents both models were evaluated on (same document, same gold label). */
  readonly shared: number;
  /** Documents only A gets right, and only B. */
  readonly onlyA: number;
  readonly onlyB: number;
  /** McNemar's exact two-sided p-value; null without shared documents. */
  readonly pValue: number | null;
  /** B minus A, with a paired bootstrap 95% interval. */
  readonly accuracyDelta: MetricInterval;
  /** B minus A; null when the two label sets differ. */
  readonly macroF1Delta: MetricInterval;
  /** p < 0.05 or the macro-F1 interval leaves out 0: a difference unlikely to be chance. */
  readonly significant: boolean;
}

export interface ReportFile {
  readonly path: string;
  readonly fileName: string;
  readonly bytes: number;
  readonly mimeType: string;
  /** The file itself, so that a browser can save it (reports are small). */
  readonly base64: string;
}

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
  'evaluation.overview': channel<EvaluationOverview>()(ProjectId),
  /** Evaluates a model on the gold test set and stores the result (replacing that model's earlier one). */
  'evaluation.evaluate': channel<EvaluationResult>()(EvaluateRequest),
  'evaluation.get': channel<EvaluationResult | null>()(WithModel),
  'evaluation.documents': channel<DocumentsPage>()(
    WithModel.extend({ filter: DocumentFilterSchema, limit: z.number().int().min(1).max(500).default(100) }),
  ),
  'evaluation.operatingPoint': channel<OperatingPoint>()(WithModel.extend(OperatingTarget.shape)),
  /** Saves the operating threshold with a student model (student_runs.threshold). */
  'evaluation.saveThreshold': channel<SavedThreshold>()(
    ProjectId.extend({ runId: z.number().int().positive() }).extend(OperatingTarget.shape),
  ),
  'evaluation.sendToReview': channel<{ added: number; alreadyQueued: number }>()(
    ProjectId.extend({
      exampleIds: z.array(z.number().int().positive()).min(1, 'Select at least one document.').max(10_000),
      reason: z.string().max(500).default(''),
    }),
  ),
  'evaluation.teacherVsStudent': channel<TeacherVsStudent>()(
    ProjectId.extend({ studentRunId: z.number().int().positive() }),
  ),
  'evaluation.compare': channel<RunDiff>()(ProjectId.extend({ a: ModelRefSchema, b: ModelRefSchema })),
  'evaluation.exportReport': channel<ReportFile>()(
    WithModel.extend({
      format: z.enum(['html', 'pdf']).default('html'),
      language: z.enum(['en', 'zh-CN']).optional().describe('Language of the report: en (default) or zh-CN'),
    }),
  ),
  /** A multi-label project's Evaluate step: gold set, validation set, student runs with their last evaluation. */
  'evaluation.multiOverview': channel<MultiLabelOverview>()(ProjectId),
  /** Multi-label student runs: evaluates on the gold test set at the run's thresholds and stores the result. */
  'evaluation.multiEvaluate': channel<MultiLabelEvaluation>()(
    ProjectId.extend({ runId: z.number().int().positive() }).extend(Bootstrap.shape),
  ),
  'evaluation.multiGet': channel<MultiLabelEvaluation | null>()(
    ProjectId.extend({ runId: z.number().int().positive() }),
  ),
  /** Multi-label student runs: sets, tunes on validation (to a target) or resets the thresholds per label. */
  'evaluation.multiThresholds': channel<SavedLabelThresholds | null>()(MultiLabelThresholdsRequest),
} as const;
