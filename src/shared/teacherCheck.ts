import { z } from 'zod';
import type { MetricInterval } from './evaluation';

/** How far a teacher run can be trusted: its calibration, and its check against labels people chose. */

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

/**
 * The teacher check's verdict on a run, against labels people chose on the validation split: 'useful' (kappa at
 * least 0.6 and macro-F1 above both baselines), 'chance' (no better than chance: kappa's interval reaches 0, or
 * neither accuracy nor macro-F1 beats the majority-class and uniform baselines), 'weak' (in between), 'too-few'
 * (fewer than `minimum` documents to judge on).
 */
export const TEACHER_VERDICTS = ['useful', 'weak', 'chance', 'too-few'] as const;
export type TeacherVerdict = (typeof TEACHER_VERDICTS)[number];

/** One label of a teacher check: how the teacher's answers for it compare with people's. */
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

/** What every teacher check is computed on (single- and multi-label). */
export interface TeacherCheckBase {
  readonly runId: number;
  /** Validation documents with a label a person chose that this run labelled: what the check is computed on. */
  readonly examples: number;
  /** Validation documents with a label a person chose, in the project. */
  readonly validationLabelled: number;
  /** Fewer documents than this give the verdict 'too-few'. */
  readonly minimum: number;
}

/** How well a teacher run agrees with people, before anything trains on it. */
export interface TeacherCheck extends TeacherCheckBase {
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

export type MultiLabelVerdict = TeacherVerdict;

/** One label of the multi-label teacher check: the teacher says the label applies when its probability is >= 0.5. */
export interface LabelAgreement extends TeacherCheckLabel {
  /** F1 of always saying this label applies: what chance looks like for it. */
  readonly alwaysF1: number;
}

/**
 * The teacher check of a multi-label run against the label sets people chose on the validation split: per-label
 * precision/recall/F1, micro and macro F1 (micro F1 with a seeded bootstrap 95% interval), and a verdict:
 * 'too-few' below `minimum` documents; 'chance' when micro F1's interval reaches the F1 of saying every label
 * applies to every document; 'useful' when micro and macro F1 are both at least 0.6; 'weak' otherwise.
 */
export interface LabelTeacherCheck extends TeacherCheckBase {
  readonly microF1: MetricInterval;
  readonly macroF1: number;
  /** Micro F1 of saying every label applies to every document. */
  readonly alwaysMicroF1: number;
  readonly verdict: MultiLabelVerdict;
  readonly perLabel: readonly LabelAgreement[];
}
