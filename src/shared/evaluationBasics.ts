import { z } from 'zod';

/*
 * The pieces every evaluation is made of, single- or multi-label. They live apart from evaluation.ts (which re-exports
 * them) so that multilabelEvaluation.ts can build on them while evaluation.ts's contract answers with its schemas:
 * two modules that read each other's schemas when they load would break whichever is loaded first.
 */

/** Which model an evaluation is of: a teacher run (its stored outputs) or a student run (its trained model). */
export const ModelRefSchema = z.object({
  kind: z.enum(['teacher', 'student']),
  runId: z.number().int().positive(),
});
export type ModelRef = z.infer<typeof ModelRefSchema>;

/** A metric with its seeded bootstrap 95% interval; null where undefined (e.g. kappa with one class). */
export const MetricInterval = z
  .object({ value: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable() })
  .readonly();
export type MetricInterval = z.output<typeof MetricInterval>;

/** One point of a ROC (x = false positive rate, y = recall) or PR (x = recall, y = precision) curve. */
export const CurvePoint = z
  .object({
    x: z.number(),
    y: z.number(),
    /** Score threshold: predict the class when its probability is at least this; null = above every score. */
    threshold: z.number().nullable(),
  })
  .readonly();
export type CurvePoint = z.output<typeof CurvePoint>;

/** A curve as stored and sent: its points, or null where it is undefined. */
export const Curve = z.array(CurvePoint).readonly().nullable();

/** Rows of counts or rates (confusion, co-occurrence): plain number arrays, quick to read at any size. */
export const NumberMatrix = z.array(z.array(z.number()).readonly()).readonly();

export const Strings = z.array(z.string()).readonly();

/** What every stored evaluation says of itself, single- or multi-label: the model, the gold set, the bootstrap. */
export const evaluationHeader = {
  id: z.number(),
  model: ModelRefSchema,
  modelName: z.string(),
  createdAt: z.string(),
  labels: Strings,
  /** Gold examples evaluated (test split, labelled by a person, prediction available). */
  n: z.number(),
  /** Gold examples the model has no prediction for (e.g. a teacher run over part of the data). */
  missing: z.number(),
  seed: z.number(),
  iterations: z.number(),
};
export const EvaluationHeader = z.object(evaluationHeader).readonly();
export type EvaluationHeader = z.output<typeof EvaluationHeader>;

/** Documents (or examples) per label: a gold or validation set's make-up. */
export const PerLabelCounts = z
  .array(z.object({ label: z.string(), count: z.number() }).readonly())
  .readonly();
