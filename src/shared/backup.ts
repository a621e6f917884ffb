import { z } from 'zod';
import { channel } from './channel';
import { pickedFile } from './files';
import { JobAnswer } from './jobAnswer';

/** A project backup that was written: one file holding the project's rows and files. */
export const BackupResult = z
  .object({ path: z.string(), fileName: z.string(), bytes: z.number(), rows: z.number(), files: z.number() })
  .readonly();
export type BackupResult = z.output<typeof BackupResult>;

/** What a backup file holds, read and verified without changing anything. */
export const BackupSummary = z
  .object({
    projectName: z.string(),
    createdAt: z.string(),
    appVersion: z.string(),
    schemaVersion: z.number(),
    rows: z.number(),
    files: z.number(),
    bytes: z.number(),
    /** A project of that name exists here: restoring needs another name. */
    nameTaken: z.boolean(),
    /** A free name to restore under. */
    suggestedName: z.string(),
  })
  .readonly();
export type BackupSummary = z.output<typeof BackupSummary>;

export const RestoreResult = z
  .object({
    projectId: z.number(),
    name: z.string(),
    rows: z.number(),
    files: z.number(),
    /** Some ids were taken in this data folder, so the restored rows got new ones. */
    idsRemapped: z.boolean(),
  })
  .readonly();
export type RestoreResult = z.output<typeof RestoreResult>;

const FilePath = pickedFile(z.string().trim().min(1, 'Choose a file.'));

/**
 * Backup and restore of one project. The job a backup runs keeps the kind `export.backup`, the name data folders
 * already store (docs/architecture.md, "One name per capability").
 */
export const backupContract = {
  /**
   * Backs up the project as a job (the app keeps working); the job's result is a BackupResult naming the file in
   * the data folder's exports/backups (hand it to the user with api.saveFile).
   */
  'backup.create': channel(JobAnswer)(z.object({ projectId: z.number().int().positive() })),
  /** Reads and verifies a backup file (checksums, schema version): changes nothing. */
  'backup.inspect': channel(BackupSummary)(z.object({ path: FilePath })),
  /** Restores a backup as a new project; refuses a name that is taken rather than overwrite anything. */
  'backup.restore': channel(RestoreResult)(
    z.object({ path: FilePath, name: z.string().trim().min(1).max(200).optional() }),
  ),
} as const;
