import { z } from 'zod';
import { BadRow, IMPORT_FORMATS, ImportResult, MULTI_LABEL_FORMATS, sourceReading } from './dataset';
import { QueueSpecSchema } from './review';
import { TEACHER_MODES } from './teacher';
import type { JobKind } from './jobs';

/**
 * What each job kind keeps in its `jobs` row: the params it was started with and the checkpoint it saved last. The
 * job manager parses both with these schemas where it reads them back from SQLite, so that a runner gets typed values
 * and a corrupt row fails its job with a clear error instead of crashing the runner.
 *
 * These describe what was stored, not what a person may ask for: no limits or messages (a request schema checks those
 * before a job starts), and a field added in a later version is optional so that a job from an older one resumes.
 */

/** The job keeps no checkpoint: a resume starts it over (idempotent runners) or reads its progress from its tables. */
export const NoCheckpoint = z.null();

const ProjectJob = z.object({ projectId: z.number() });

/** dataset.import: how the file is read again on a resume (src/main/features/dataset/importStaging.ts). */
export const ImportJobParams = ProjectJob.extend({
  source: z.object({
    ...sourceReading,
    newline: z.literal('cr').optional(),
    quotes: z.boolean().optional(),
  }),
  textColumn: z.string(),
  labelColumn: z.string().nullable(),
  multiLabel: z
    .object({
      format: z.enum(MULTI_LABEL_FORMATS),
      delimiter: z.string(),
      columns: z.array(z.string()).readonly().optional(),
    })
    .optional(),
  idColumn: z.string().nullable(),
  splitColumn: z.string().nullable().optional(),
  onExisting: z.enum(['skip', 'update', 'add']).optional(),
  keepExtras: z.boolean(),
  onBadRow: z.enum(['skip', 'abort']),
  name: z.string(),
  fingerprint: z.object({ size: z.number(), mtimeMs: z.number(), hash: z.string() }).optional(),
});

/** dataset.import: records read, rows staged, and, once committed, what the import did (a resume only reports it). */
const StagedImportJobCheckpoint = z.object({
  records: z.number(),
  staged: z.number(),
  skipped: z.number(),
  badRows: z.array(BadRow).readonly(),
  committed: ImportResult.optional(),
});

/**
 * An import written straight into `examples` (src/main/features/dataset/importDirect.ts): its dataset, the rows
 * written up to `lastId` (a resume deletes the dataset's rows above it), and what the end of the import reports.
 */
export const DirectImportJobCheckpoint = z.object({
  direct: z.literal(true),
  records: z.number(),
  written: z.number(),
  skipped: z.number(),
  badRows: z.array(BadRow),
  datasetId: z.number().nullable(),
  lastId: z.number(),
  labelsCreated: z.array(z.string()),
  nonEmpty: z.boolean(),
  splits: z.object({ train: z.number(), validation: z.number(), test: z.number() }),
  /** Set once the import has ended: a resume after that only reports. */
  committed: ImportResult.optional(),
});

/** dataset.import: staged (a re-import into a project with rows) or written straight into the project. */
export const ImportJobCheckpoint = z.union([DirectImportJobCheckpoint, StagedImportJobCheckpoint]);

export const SearchIndexJobParams = ProjectJob.extend({ datasetId: z.number() });

/** teacher.run and student.train: the run row holds everything else. */
export const RunJobParams = z.object({ runId: z.number() });

/** teacher.run: the documents labelled so far (a resume reads the pending ones from teacher_run_targets). */
export const TeacherRunJobCheckpoint = z.object({ done: z.number() });

export const TeacherImportJobParams = z.object({
  path: z.string().optional(),
  url: z.string().optional(),
  name: z.string().optional(),
});

/** A remote teacher server as a job keeps it (TeacherEndpoint). */
const StoredEndpoint = z.object({
  url: z.string(),
  model: z.string(),
  concurrency: z.number(),
  apiKey: z.string().optional(),
  chatTemplate: z.string().optional(),
});

export const TeacherTrialJobParams = z.object({
  /** The teacher and prompt (src/main/features/teacher/choice.ts TeacherChoice). */
  choice: ProjectJob.extend({
    modelId: z.number().optional(),
    endpoints: z.array(StoredEndpoint).readonly(),
    template: z.string().optional(),
    task: z.string().optional(),
    mode: z.enum(TEACHER_MODES),
    fewShot: z.number(),
    reasoningBudget: z.number(),
    threads: z.number().optional(),
    sequences: z.number().optional(),
    contextSize: z.number().optional(),
  }),
  versionId: z.number().nullable(),
  source: z.enum(['picked', 'validation-sample']),
  exampleIds: z.array(z.number()).readonly(),
});

/**
 * student.train: the last epoch whose checkpoint file is on disk and recorded; during the final fit (settings.finalFit)
 * its last `final-NNNN.ckpt`, with `finalFit` set (then `epoch` is the run's last).
 */
export const TrainJobCheckpoint = z.object({
  epoch: z.number(),
  path: z.string(),
  finalFit: z.literal(true).optional(),
});

/** export.predict: the request (export.batchPredict), the run it resolved to and the output file. */
export const BatchPredictJobParams = ProjectJob.extend({
  runId: z.number(),
  path: z.string(),
  textColumn: z.string(),
  idColumn: z.string().nullable().optional(),
  format: z.enum(IMPORT_FORMATS).optional(),
  outputFormat: z.enum(['csv', 'jsonl']).optional(),
  onBadRow: z.enum(['skip', 'abort']).optional(),
  outputPath: z.string(),
});

/** export.predict: saved after each batch: rows read, bytes of output committed, and the tallies so far. */
export const BatchPredictJobCheckpoint = z.object({
  seen: z.number(),
  bytes: z.number(),
  predicted: z.number(),
  bad: z.number(),
  counts: z.record(z.string(), z.number()),
  /** Multi-label: rows with no label at or above its threshold (absent in checkpoints of older versions). */
  none: z.number().optional(),
});

export const BackupJobParams = ProjectJob.extend({
  /** Where to write (CLI --out); the data folder's exports/backups otherwise. */
  outFile: z.string().optional(),
});

export const BulkAcceptJobParams = ProjectJob.extend({
  queue: QueueSpecSchema,
  minConfidence: z.number(),
  annotator: z.string(),
  /** One time for every row of the action, so that one undo takes the whole action back, even across a resume. */
  stamp: z.string(),
});

export const BulkAcceptJobCheckpoint = z.object({ accepted: z.number() });

/**
 * What a job of each kind keeps in its row besides its result (JOB_RESULTS in jobs.ts): the params it is started with
 * and the checkpoint it saves (`NoCheckpoint` for a kind that saves none). The job manager checks params with it when
 * a job starts, and parses both when the job runs or resumes. A new job kind adds its row here.
 */
export const JOB_STORAGE = {
  'dataset.import': { params: ImportJobParams, checkpoint: ImportJobCheckpoint },
  'dataset.searchIndex': { params: SearchIndexJobParams, checkpoint: NoCheckpoint },
  'teacher.run': { params: RunJobParams, checkpoint: TeacherRunJobCheckpoint },
  'teacher.import': { params: TeacherImportJobParams, checkpoint: NoCheckpoint },
  'teacher.trial': { params: TeacherTrialJobParams, checkpoint: NoCheckpoint },
  'student.train': { params: RunJobParams, checkpoint: TrainJobCheckpoint },
  'export.predict': { params: BatchPredictJobParams, checkpoint: BatchPredictJobCheckpoint },
  'export.backup': { params: BackupJobParams, checkpoint: NoCheckpoint },
  'review.bulkAccept': { params: BulkAcceptJobParams, checkpoint: BulkAcceptJobCheckpoint },
} as const satisfies Record<JobKind, { readonly params: z.ZodType; readonly checkpoint: z.ZodType }>;

/** The params a job of kind K is started with, as its runner gets them. */
export type JobParamsOf<K extends JobKind> = z.output<(typeof JOB_STORAGE)[K]['params']>;
/** The checkpoint a job of kind K saves, as its runner gets it back on a resume. */
export type JobCheckpointOf<K extends JobKind> = z.output<(typeof JOB_STORAGE)[K]['checkpoint']>;
