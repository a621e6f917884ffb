import { z } from 'zod';
import { parseStored } from '../../../shared/storedJson';
import { TrainJobResult } from '../../../shared/student';
import { AppError } from '../../core/errors';
import { readStoredJson } from '../../core/store/storedJson';
import type { FeaturizerConfig } from './featurizer';
import { MODEL_FORMAT, MODEL_JSON, type TensorSpec } from './modelFile';
import type { CheckpointHeader } from './training/checkpoint';

/**
 * The shapes of a student's stored JSON (docs/student-model.md), read back with `readStoredJson`: model.json, a
 * checkpoint's header. They check what the readers use; a hand-edited or truncated file fails with what was wrong
 * instead of a TypeError further on. format and version stay open here: the reader refuses another version with its
 * own message.
 */

export const FeaturizerConfigSchema = z.object({
  kind: z.literal('hashed-ngrams'),
  version: z.literal(1),
  buckets: z.number().int().positive(),
  lowercase: z.boolean(),
  segmenter: z.enum(['intl', 'whitespace']),
  wordNgrams: z.union([z.literal(1), z.literal(2)]),
  subwordMin: z.number().int().nonnegative(),
  subwordMax: z.number().int().nonnegative(),
  cjkMin: z.number().int().nonnegative(),
  cjkMax: z.number().int().nonnegative(),
  cjkScope: z.enum(['runs', 'spans']).optional(),
  wordPrefix: z.number().int().nonnegative().optional(),
  words: z.boolean().optional(),
}) satisfies z.ZodType<FeaturizerConfig>;

/**
 * Every field of FeaturizerConfig is in the schema: zod drops a key it does not know, so a field added to the
 * featurizer but not here would vanish from every model read back (and the model would read text another way).
 */
type MissingFeaturizerKeys = Exclude<keyof FeaturizerConfig, keyof z.output<typeof FeaturizerConfigSchema>>;
export const FEATURIZER_SCHEMA_COMPLETE: [MissingFeaturizerKeys] extends [never] ? true : MissingFeaturizerKeys = true;

export const TensorSpecSchema = z.object({
  name: z.string(),
  dtype: z.enum(['float32', 'uint32']),
  shape: z.array(z.number().int().nonnegative()),
  offset: z.number().int().nonnegative(),
}) satisfies z.ZodType<TensorSpec>;

/** model.json; an architecture's section (`cnn`, `transformer`) passes through to the architecture that reads it. */
export const ModelJsonFile = z.looseObject({
  format: z.string(),
  version: z.number(),
  architecture: z.string(),
  labels: z.array(z.string()),
  featurizer: FeaturizerConfigSchema,
  dim: z.number().int().positive(),
  kind: z.enum(['single', 'multi']).optional(),
  thresholds: z.array(z.number()).optional(),
  weights: z.string().optional(),
  tensors: z.array(TensorSpecSchema),
  meta: z.record(z.string(), z.unknown()).optional(),
});
export type StoredModelJson = z.output<typeof ModelJsonFile>;

/** What names model.json's format and version: read first, so that another format is refused as such. */
const ModelJsonEnvelope = z.looseObject({ format: z.unknown(), version: z.unknown() });

/**
 * The model.json of the model folder `dir`, read and checked: UNSUPPORTED for another format or version, BAD_FILE
 * naming what is wrong for a damaged one (not JSON, a field missing or of the wrong type).
 */
export function readModelJson(text: string, dir: string): StoredModelJson {
  const damaged = (problem: string): Error =>
    AppError.keyed('BAD_FILE', 'student.usableStudentModelTrain', { dir, p1: `${MODEL_JSON}: ${problem}` });
  const envelope = parseStored(ModelJsonEnvelope, text);
  if (envelope.ok && (envelope.value.format !== MODEL_FORMAT || envelope.value.version !== 1)) {
    throw AppError.keyed('UNSUPPORTED', 'student.modelStudentModelVersion', {
      dir,
      format: String(envelope.value.format),
      version: String(envelope.value.version),
    });
  }
  return readStoredJson(ModelJsonFile, text, damaged);
}

/** A multi-label model's thresholds as its model.json holds them (`modelThresholds`). */
export const ModelThresholdsJson = z.looseObject({ thresholds: z.array(z.number()).optional() });

/** What a final fit's model.json says of it (`meta.finalFit`, read by `readFinalFit`). */
export const FinalFitModelJson = z.looseObject({
  meta: z.looseObject({ finalFit: z.unknown() }).optional(),
});

/** A checkpoint's JSON header (training/checkpoint.ts); fields a later version adds pass through. */
export const CheckpointHeaderSchema = z.looseObject({
  epoch: z.number(),
  step: z.number(),
  early: z.looseObject({ bestEpoch: z.number(), bestMetric: z.number(), badEpochs: z.number() }),
  bestModelPath: z.string(),
  bestModelBytes: z.number(),
  finalFit: z
    .looseObject({
      epochs: z.number(),
      // The validated run's result (a `student.train` job's, as the final fit reports it).
      main: TrainJobResult.unwrap()
        .pick({
          bestEpoch: true,
          bestMetric: true,
          modelPath: true,
          modelBytes: true,
          epochsRun: true,
          stoppedEarly: true,
        })
        .loose(),
    })
    .optional(),
  tensors: z.array(TensorSpecSchema),
}) satisfies z.ZodType<CheckpointHeader>;
