import { z } from 'zod';
import { channel } from './channel';

/** A size for people: bytes, KB, MB (one decimal) or GB (two), powers of 1024; '–' for an unknown size. */
export function formatBytes(n: number | null): string {
  if (n === null) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** A training run's share of the disk, and what depends on it. */
export const RunDiskUse = z
  .object({
    runId: z.number(),
    createdAt: z.string(),
    state: z.string(),
    bytes: z.number(),
    /** Evaluated on the gold test set (its evaluation is deleted with it). */
    evaluated: z.boolean(),
    /** How many times it was exported (the exported folders stay). */
    exports: z.number(),
    /** Its operating threshold was saved in Evaluate. */
    hasThreshold: z.boolean(),
    /** A job still runs or can resume it: it cannot be deleted now. */
    active: z.boolean(),
  })
  .readonly();
export type RunDiskUse = z.output<typeof RunDiskUse>;

/** A teacher run's share of the database (estimated from its rows), and what depends on it. */
export const TeacherRunDiskUse = z
  .object({
    runId: z.number(),
    createdAt: z.string(),
    outputs: z.number(),
    bytes: z.number(),
    /** Training runs that learnt from it (they keep their models and data). */
    studentRuns: z.array(z.number()).readonly(),
    /** Evaluated on the gold test set (its evaluation is deleted with it). */
    evaluated: z.boolean(),
    /** The project's newest teacher run: the one Review and the next student use. */
    latest: z.boolean(),
    /** The run before it, which Review and the next student use once a latest run is deleted (null: none). */
    previousRunId: z.number().nullable(),
    /** Its job still runs or can resume: it cannot be deleted now. */
    active: z.boolean(),
  })
  .readonly();
export type TeacherRunDiskUse = z.output<typeof TeacherRunDiskUse>;

/** What a deletion freed; `alreadyDeleted`: it was gone already (a second click), nothing was freed. */
export const DeletedRun = z.object({ deletedBytes: z.number(), alreadyDeleted: z.boolean() }).readonly();
export type DeletedRun = z.output<typeof DeletedRun>;

export const UploadDiskUse = z
  .object({
    id: z.string(),
    name: z.string(),
    bytes: z.number(),
    createdAt: z.string(),
    /** A job that can still run or resume needs it. */
    inUse: z.boolean(),
  })
  .readonly();
export type UploadDiskUse = z.output<typeof UploadDiskUse>;

/** Disk use of one project (files measured, database rows estimated). */
export const ProjectDiskUse = z
  .object({
    projectId: z.number(),
    /** The project's share of the database: its rows' text, estimated from the bytes of their columns. */
    databaseBytes: z.number(),
    rows: z.number(),
    runsBytes: z.number(),
    uploadsBytes: z.number(),
    exportsBytes: z.number(),
    backupsBytes: z.number(),
    totalBytes: z.number(),
    runs: z.array(RunDiskUse).readonly(),
    /** Uploads its jobs used, and (not owned by any project) uploads no job refers to. */
    uploads: z.array(UploadDiskUse).readonly(),
  })
  .readonly();
export type ProjectDiskUse = z.output<typeof ProjectDiskUse>;

const projectId = z.number().int().positive();

export const diskContract = {
  /** What the project takes on disk, with its runs and uploads. */
  'disk.usage': channel(ProjectDiskUse)(z.object({ projectId })),
  /**
   * Deletes a training run's files and rows. A run that was evaluated, exported or has a saved threshold is
   * refused (the error says which) unless `force` is set; a run a job still needs is always refused.
   */
  'disk.deleteRun': channel(DeletedRun)(
    z.object({ projectId, runId: z.number().int().positive(), force: z.boolean().default(false) }),
  ),
  /** One training run's share of the disk and what depends on it: what deleting it would do. */
  'disk.runUse': channel(RunDiskUse)(z.object({ projectId, runId: z.number().int().positive() })),
  /** One teacher run's share of the database and what depends on it. */
  'disk.teacherRunUse': channel(TeacherRunDiskUse)(
    z.object({ projectId, runId: z.number().int().positive() }),
  ),
  /**
   * Deletes a teacher run's rows (outputs, evaluation). Refused while its job can run; refused, saying why, when
   * it was evaluated or students learnt from it, unless `force`.
   */
  'disk.deleteTeacherRun': channel(DeletedRun)(
    z.object({ projectId, runId: z.number().int().positive(), force: z.boolean().default(false) }),
  ),
  /** Deletes an upload no job needs any more. */
  'disk.deleteUpload': channel(z.object({ deletedBytes: z.number() }).readonly())(
    z.object({ projectId, uploadId: z.string().uuid('Not an upload id.') }),
  ),
} as const;
