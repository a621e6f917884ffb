import { z } from 'zod';
import { CalibrationReport, LabelCalibrationReport } from './teacherCheck';

/**
 * What the teacher's jobs produce (the `teacher.import` and `teacher.run` results; `teacher.trial`'s is in
 * teacherPrompts.ts). Apart from teacher.ts because jobs.ts reads these schemas and teacher.ts reads jobs.ts's: in
 * one file the two would import each other, and whichever loaded first would find the other's schemas undefined.
 */

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
