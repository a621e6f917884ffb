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
export interface RunDiskUse {
  readonly runId: number;
  readonly createdAt: string;
  readonly state: string;
  readonly bytes: number;
  /** Evaluated on the gold test set (its evaluation is deleted with it). */
  readonly evaluated: boolean;
  /** How many times it was exported (the exported folders stay). */
  readonly exports: number;
  /** Its operating threshold was saved in Evaluate. */
  readonly hasThreshold: boolean;
  /** A job still runs or can resume it: it cannot be deleted now. */
  readonly active: boolean;
}

/** A teacher run's share of the database (estimated from its rows), and what depends on it. */
export interface TeacherRunDiskUse {
  readonly runId: number;
  readonly createdAt: string;
  readonly outputs: number;
  readonly bytes: number;
  /** Training runs that learnt from it (they keep their models and data). */
  readonly studentRuns: readonly number[];
  /** Evaluated on the gold test set (its evaluation is deleted with it). */
  readonly evaluated: boolean;
  /** The project's newest teacher run: the one Review and the next student use. */
  readonly latest: boolean;
  /** The run before it, which Review and the next student use once a latest run is deleted (null: none). */
  readonly previousRunId: number | null;
  /** Its job still runs or can resume: it cannot be deleted now. */
  readonly active: boolean;
}

/** What a deletion freed; `alreadyDeleted`: it was gone already (a second click), nothing was freed. */
export interface DeletedRun {
  readonly deletedBytes: number;
  readonly alreadyDeleted: boolean;
}

export interface UploadDiskUse {
  readonly id: string;
  readonly name: string;
  readonly bytes: number;
  readonly createdAt: string;
  /** A job that can still run or resume needs it. */
  readonly inUse: boolean;
}

/** Disk use of one project (files measured, database rows estimated). */
export interface ProjectDiskUse {
  readonly projectId: number;
  /** The project's share of the database: its rows' text, estimated from the bytes of their columns. */
  readonly databaseBytes: number;
  readonly rows: number;
  readonly runsBytes: number;
  readonly uploadsBytes: number;
  readonly exportsBytes: number;
  readonly backupsBytes: number;
  readonly totalBytes: number;
  readonly runs: readonly RunDiskUse[];
  /** Uploads its jobs used, and (not owned by any project) uploads no job refers to. */
  readonly uploads: readonly UploadDiskUse[];
}

const projectId = z.number().int().positive();

export const diskContract = {
  /** What the project takes on disk, with its runs and uploads. */
  'disk.usage': channel<ProjectDiskUse>()(z.object({ projectId })),
  /**
   * Deletes a training run's files and rows. A run that was evaluated, exported or has a saved threshold is
   * refused (the error says which) unless `force` is set; a run a job still needs is always refused.
   */
  'disk.deleteRun': channel<DeletedRun>()(
    z.object({ projectId, runId: z.number().int().positive(), force: z.boolean().default(false) }),
  ),
  /** One training run's share of the disk and what depends on it: what deleting it would do. */
  'disk.runUse': channel<RunDiskUse>()(z.object({ projectId, runId: z.number().int().positive() })),
  /** One teacher run's share of the database and what depends on it. */
  'disk.teacherRunUse': channel<TeacherRunDiskUse>()(
    z.object({ projectId, runId: z.number().int().positive() }),
  ),
  /**
   * Deletes a teacher run's rows (outputs, evaluation). Refused while its job can run; refused, saying why, when
   * it was evaluated or students learnt from it, unless `force`.
   */
  'disk.deleteTeacherRun': channel<DeletedRun>()(
    z.object({ projectId, runId: z.number().int().positive(), force: z.boolean().default(false) }),
  ),
  /** Deletes an upload no job needs any more. */
  'disk.deleteUpload': channel<{ deletedBytes: number }>()(
    z.object({ projectId, uploadId: z.string().uuid('Not an upload id.') }),
  ),
} as const;
