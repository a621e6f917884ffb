import { z } from 'zod';
import { FeaturizerConfigSchema } from '../student/storedFiles';
import { EXPORT_FORMAT, type Deployment, type OperatingThreshold } from './runtime/student-runtime';

/**
 * deployment.json of an exported folder, read back by `loadExportFolder` (`distillery predict`). The exported
 * runtime (runtime/student-runtime.ts) carries no zod and checks the fields it uses by hand; this is the app's side.
 */

/** A single-label run's saved operating threshold (`student_runs.threshold`, deployment.json's `threshold`). */
export const OperatingThresholdShape = z.object({
  label: z.string(),
  classIndex: z.number().int().nonnegative(),
  threshold: z.number(),
}) satisfies z.ZodType<OperatingThreshold>;

/** What names the file's format and version: read first, so that a newer export is refused as such. */
export const DeploymentEnvelope = z.looseObject({ format: z.string(), version: z.number() });

export const DeploymentFile = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.number(),
  name: z.string(),
  labels: z.array(z.string()),
  threshold: OperatingThresholdShape.nullable(),
  labelThresholds: z.array(z.number()).nullable().optional(),
  featurizer: FeaturizerConfigSchema,
  model: z.object({ json: z.string(), weights: z.string() }),
  report: z.string().nullable(),
  source: z.record(z.string(), z.unknown()),
  exportedAt: z.string(),
  files: z.record(z.string(), z.string()).default({}),
}) satisfies z.ZodType<Deployment>;
