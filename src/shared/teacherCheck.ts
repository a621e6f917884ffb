import { z } from 'zod';

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

/** A metric with its 95% interval (null where it cannot be computed): the Evaluate step's MetricInterval. */
const Interval = z
  .object({ value: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable() })
  .readonly();

const TeacherCheckLabelFields = z.object({
  label: z.string(),
  /** Documents people gave this label. */
  support: z.number(),
  /** Documents the teacher gave this label. */
  predicted: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
});
/** One label of a teacher check: how the teacher's answers for it compare with people's. */
export const TeacherCheckLabel = TeacherCheckLabelFields.readonly();
export type TeacherCheckLabel = z.output<typeof TeacherCheckLabel>;

/** What every teacher check is computed on (single- and multi-label). */
const TeacherCheckBase = z.object({
  runId: z.number(),
  /** Validation documents with a label a person chose that this run labelled: what the check is computed on. */
  examples: z.number(),
  /** Validation documents with a label a person chose, in the project. */
  validationLabelled: z.number(),
  /** Fewer documents than this give the verdict 'too-few'. */
  minimum: z.number(),
});

/** How well a teacher run agrees with people, before anything trains on it. */
export const TeacherCheck = TeacherCheckBase.extend({
  accuracy: Interval,
  macroF1: Interval,
  kappa: Interval,
  /** Always answering the commonest label, and answering at random (uniformly): what chance looks like here. */
  baselines: z
    .object({
      majority: z
        .object({
          label: z.string().nullable(),
          accuracy: z.number().nullable(),
          macroF1: z.number().nullable(),
        })
        .readonly(),
      uniform: z.object({ accuracy: z.number().nullable(), macroF1: z.number().nullable() }).readonly(),
    })
    .readonly(),
  verdict: z.enum(TEACHER_VERDICTS),
  perLabel: z.array(TeacherCheckLabel).readonly(),
  /** Labels people used that the teacher never gave. */
  neverPredicted: z.array(z.string()).readonly(),
  /** The commonest mistakes, most frequent first (at most 5). */
  confusions: z
    .array(z.object({ gold: z.string(), predicted: z.string(), count: z.number() }).readonly())
    .readonly(),
}).readonly();
export type TeacherCheck = z.output<typeof TeacherCheck>;

export type MultiLabelVerdict = TeacherVerdict;

/** One label of the multi-label teacher check: the teacher says the label applies when its probability is >= 0.5. */
export const LabelAgreement = TeacherCheckLabelFields.extend({
  /** F1 of always saying this label applies: what chance looks like for it. */
  alwaysF1: z.number(),
}).readonly();
export type LabelAgreement = z.output<typeof LabelAgreement>;

/**
 * The teacher check of a multi-label run against the label sets people chose on the validation split: per-label
 * precision/recall/F1, micro and macro F1 (micro F1 with a seeded bootstrap 95% interval), and a verdict:
 * 'too-few' below `minimum` documents; 'chance' when micro F1's interval reaches the F1 of saying every label
 * applies to every document; 'useful' when micro and macro F1 are both at least 0.6; 'weak' otherwise.
 */
export const LabelTeacherCheck = TeacherCheckBase.extend({
  microF1: Interval,
  macroF1: z.number(),
  /** Micro F1 of saying every label applies to every document. */
  alwaysMicroF1: z.number(),
  verdict: z.enum(TEACHER_VERDICTS),
  perLabel: z.array(LabelAgreement).readonly(),
}).readonly();
export type LabelTeacherCheck = z.output<typeof LabelTeacherCheck>;
