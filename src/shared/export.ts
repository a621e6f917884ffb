import { z } from 'zod';
import { channel } from './channel';
import { pickedFile } from './files';
import { IMPORT_FORMATS } from './dataset';
import { JobAnswer } from './jobAnswer';

/** A trained student that can be exported or tried. */
export const ExportableModel = z
  .object({
    runId: z.number(),
    createdAt: z.string(),
    labels: z.array(z.string()).readonly(),
    bestMetric: z.number().nullable(),
    modelBytes: z.number().nullable(),
    /** The operating threshold saved in Evaluate, if any. */
    threshold: z.object({ label: z.string(), threshold: z.number() }).readonly().nullable(),
    /** 'multi': the model predicts a set of labels, each at or above its own threshold. */
    kind: z.enum(['single', 'multi']),
    /** Multi-label models: the threshold of each label (in `labels` order) its predictions use; null otherwise. */
    labelThresholds: z.array(z.number()).readonly().nullable(),
    /** Where those come from: saved in Evaluate, or tuned in training (the model's own). */
    labelThresholdSource: z.enum(['saved', 'model']).nullable(),
  })
  .readonly();
export type ExportableModel = z.output<typeof ExportableModel>;

export const ExportOverview = z
  .object({
    projectId: z.number(),
    /** Newest first. */
    models: z.array(ExportableModel).readonly(),
    /** A teacher model is available to compare with in the playground. */
    teacherAvailable: z.boolean(),
  })
  .readonly();
export type ExportOverview = z.output<typeof ExportOverview>;

/** An exported folder: model, runtime, sample page, README, report. */
export const ExportResult = z
  .object({
    runId: z.number(),
    dir: z.string(),
    /** The same folder as one .zip (for a browser download); null when exported elsewhere than the data folder. */
    zipPath: z.string().nullable(),
    zipName: z.string().nullable(),
    files: z.array(z.string()).readonly(),
    hasReport: z.boolean(),
  })
  .readonly();
export type ExportResult = z.output<typeof ExportResult>;

export const Distribution = z
  .object({
    labels: z.array(z.string()).readonly(),
    probs: z.array(z.number()).readonly(),
    /** The decided label (the operating threshold applied for the student; multi-label: the set joined with '|'). */
    label: z.string(),
    latencyMs: z.number(),
    /** Multi-label students: every label at or above its threshold, with its probability ([]: none of these). */
    labelSet: z
      .array(z.object({ label: z.string(), probability: z.number() }).readonly())
      .readonly()
      .optional(),
    /** Multi-label students: the threshold of each label, in `labels` order. */
    thresholds: z.array(z.number()).readonly().optional(),
  })
  .readonly();
export type Distribution = z.output<typeof Distribution>;

export const PlaygroundResult = z
  .object({
    runId: z.number(),
    student: Distribution,
    /** Present when asked for: the teacher's distribution, or why it could not be had. */
    teacher: z.union([Distribution, z.object({ error: z.string() }).readonly()]).nullable(),
  })
  .readonly();
export type PlaygroundResult = z.output<typeof PlaygroundResult>;

/** The result of an `export.predict` job. */
export const BatchPredictResult = z
  .object({
    outputPath: z.string(),
    fileName: z.string(),
    predicted: z.number(),
    badRows: z.number(),
    labelCounts: z.record(z.string(), z.number()).readonly(),
    /** Multi-label models: rows with no label at or above its threshold ("none of these"). */
    noneOfThese: z.number().optional(),
  })
  .readonly();
export type BatchPredictResult = z.output<typeof BatchPredictResult>;

const ProjectId = z.object({ projectId: z.number().int().positive() });
const FilePath = pickedFile(z.string().trim().min(1, 'Choose a file.'));
const RunId = z.number().int().positive().optional();

export const BatchPredictRequest = ProjectId.extend({
  /** The student run; the newest trained one when absent. */
  runId: RunId,
  path: FilePath,
  textColumn: z.string().min(1, 'Choose the column that holds the text.'),
  idColumn: z.string().nullable().optional(),
  format: z.enum(IMPORT_FORMATS).optional(),
  outputFormat: z.enum(['csv', 'jsonl']).default('csv'),
  /** What to do with a row that cannot be read: skip it (counted) or stop the job. */
  onBadRow: z.enum(['skip', 'abort']).default('skip'),
});
export type BatchPredictRequestInput = z.input<typeof BatchPredictRequest>;

export const exportContract = {
  'export.overview': channel(ExportOverview)(ProjectId),
  /** Writes a self-contained folder (model, runtime, sample page, report) into the data folder's exports. */
  'export.student': channel(ExportResult)(ProjectId.extend({ runId: RunId })),
  /** The student's (and, on request, the teacher's) distribution for one text, with latency. */
  'export.playground': channel(PlaygroundResult)(
    ProjectId.extend({
      runId: RunId,
      text: z.string().min(1, 'Type or paste a text.').max(100_000),
      withTeacher: z.boolean().default(false),
      /** The teacher to ask; default: the one chosen in the Teacher step, else the latest run's, else the newest. */
      teacherModelId: z.number().int().positive().optional(),
    }),
  ),
  /** Predicts every row of a file as a job; the job's result names the CSV/JSONL written. */
  'export.batchPredict': channel(JobAnswer)(BatchPredictRequest),
} as const;
