import { z } from 'zod';
import { channel } from './channel';
import { pickedFile } from './files';
import { IMPORT_FORMATS } from './dataset';
import type { Job } from './jobs';

/** A trained student that can be exported or tried. */
export interface ExportableModel {
  readonly runId: number;
  readonly createdAt: string;
  readonly labels: readonly string[];
  readonly bestMetric: number | null;
  readonly modelBytes: number | null;
  /** The operating threshold saved in Evaluate, if any. */
  readonly threshold: { readonly label: string; readonly threshold: number } | null;
  /** 'multi': the model predicts a set of labels, each at or above its own threshold. */
  readonly kind: 'single' | 'multi';
  /** Multi-label models: the threshold of each label (in `labels` order) its predictions use; null otherwise. */
  readonly labelThresholds: readonly number[] | null;
  /** Where those come from: saved in Evaluate, or tuned in training (the model's own). */
  readonly labelThresholdSource: 'saved' | 'model' | null;
}

export interface ExportOverview {
  readonly projectId: number;
  /** Newest first. */
  readonly models: readonly ExportableModel[];
  /** A teacher model is available to compare with in the playground. */
  readonly teacherAvailable: boolean;
}

/** An exported folder: model, runtime, sample page, README, report. */
export interface ExportResult {
  readonly runId: number;
  readonly dir: string;
  /** The same folder as one .zip (for a browser download); null when exported elsewhere than the data folder. */
  readonly zipPath: string | null;
  readonly zipName: string | null;
  readonly files: readonly string[];
  readonly hasReport: boolean;
}

export interface Distribution {
  readonly labels: readonly string[];
  readonly probs: readonly number[];
  /** The decided label (the operating threshold applied for the student; multi-label: the set joined with '|'). */
  readonly label: string;
  readonly latencyMs: number;
  /** Multi-label students: every label at or above its threshold, with its probability ([]: none of these). */
  readonly labelSet?: ReadonlyArray<{ readonly label: string; readonly probability: number }>;
  /** Multi-label students: the threshold of each label, in `labels` order. */
  readonly thresholds?: readonly number[];
}

export interface PlaygroundResult {
  readonly runId: number;
  readonly student: Distribution;
  /** Present when asked for: the teacher's distribution, or why it could not be had. */
  readonly teacher: Distribution | { readonly error: string } | null;
}

/** What a batch prediction job leaves (Job.result). */
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
  'export.overview': channel<ExportOverview>()(ProjectId),
  /** Writes a self-contained folder (model, runtime, sample page, report) into the data folder's exports. */
  'export.student': channel<ExportResult>()(ProjectId.extend({ runId: RunId })),
  /** The student's (and, on request, the teacher's) distribution for one text, with latency. */
  'export.playground': channel<PlaygroundResult>()(
    ProjectId.extend({
      runId: RunId,
      text: z.string().min(1, 'Type or paste a text.').max(100_000),
      withTeacher: z.boolean().default(false),
      /** The teacher to ask; default: the one chosen in the Teacher step, else the latest run's, else the newest. */
      teacherModelId: z.number().int().positive().optional(),
    }),
  ),
  /** Predicts every row of a file as a job; the job's result names the CSV/JSONL written. */
  'export.batchPredict': channel<Job>()(BatchPredictRequest),
} as const;
