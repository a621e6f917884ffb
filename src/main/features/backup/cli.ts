import { resolve } from 'node:path';
import { defineCommand, PROJECT_ID } from '../../cli/command';
import { followJobResult } from '../../cli/jobs';
import type { CliCommand } from '../../cli/types';
import { AppError } from '../../core/errors';
import { getSettings } from '../app/settings';
import { formatBytes } from '../../../shared/disk';
import { startBackup } from './feature';
import { restoreBackup } from './restore';

const backupCommand = defineCommand({
  name: 'backup',
  summary: 'Back up a project (rows, models, checkpoints) into one verified file, as a resumable job',
  args: [PROJECT_ID],
  options: {
    out: { type: 'string', value: 'FILE', help: 'Write the backup there (default: the backups folder)' },
  },
  run: async ({ id, values }, io) => {
    const core = await io.core();
    const outFile = values.out ? resolve(String(values.out)) : undefined;
    const job = startBackup(core.ctx, { projectId: id(0), outFile });
    const r = await followJobResult(core, job, io, 'export.backup');
    io.print(`Backed up ${r.rows} rows and ${r.files} files (${formatBytes(r.bytes)}) to ${r.path}`);
    return r;
  },
});

const restoreCommand = defineCommand({
  name: 'restore',
  summary: 'Restore a project from a backup file, as a new project (never over an existing one)',
  args: [{ name: 'FILE' }],
  options: {
    name: { type: 'string', value: 'NEW_NAME', help: "The new project's name (default: the backup's)" },
  },
  run: async ({ positionals, values }, io) => {
    if (!positionals[0]) throw AppError.keyed('INVALID_INPUT', 'backup.giveBackupFileRestore', {});
    const core = await io.core();
    const r = restoreBackup(core.db, core.paths, resolve(positionals[0]), {
      name: values.name === undefined ? undefined : String(values.name),
      actor: getSettings(core.db).annotator,
    });
    io.print(`Restored project ${r.projectId}: ${r.name} (${r.rows} rows, ${r.files} files)`);
    return r;
  },
});

/** `distillery backup|restore`. */
export const backupCommands: CliCommand[] = [backupCommand, restoreCommand];
