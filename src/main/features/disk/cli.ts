import { requireId } from '../../cli/args';
import type { CliCommand } from '../../cli/types';
import { AppError, notFound } from '../../core/errors';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

const diskCommand: CliCommand = {
  name: 'disk',
  summary: "Show a project's disk use: database rows (estimated), runs, uploads, exports, backups",
  usage: 'distillery disk PROJECT_ID',
  run: async ({ positionals }, io) => {
    const core = await io.core();
    const u = await core.call('disk.usage', { projectId: requireId(positionals[0], 'project') });
    io.print(`Project ${u.projectId}: ${formatBytes(u.totalBytes)} in all`);
    io.print(`  database  ${formatBytes(u.databaseBytes)} (about ${u.rows} rows, estimated)`);
    io.print(`  runs      ${formatBytes(u.runsBytes)}`);
    io.print(`  uploads   ${formatBytes(u.uploadsBytes)}`);
    io.print(`  exports   ${formatBytes(u.exportsBytes)}`);
    io.print(`  backups   ${formatBytes(u.backupsBytes)}`);
    for (const r of u.runs) {
      const notes = [
        r.evaluated ? 'evaluated' : '',
        r.exports ? `exported ${r.exports}x` : '',
        r.hasThreshold ? 'threshold saved' : '',
        r.active ? 'job active' : '',
      ].filter(Boolean);
      io.print(
        `  run ${r.runId} (${r.state}) ${formatBytes(r.bytes)}${notes.length ? `: ${notes.join(', ')}` : ''}`,
      );
    }
    for (const up of u.uploads) {
      io.print(`  upload ${up.id} ${up.name} ${formatBytes(up.bytes)}${up.inUse ? ' (in use)' : ''}`);
    }
    return u;
  },
};

const deleteRunCommand: CliCommand = {
  name: 'runs delete',
  summary:
    "Delete a training run's files and rows (--force if it was evaluated, exported or has a threshold)",
  usage: 'distillery runs delete RUN_ID [--force]',
  options: { force: { type: 'boolean' } },
  run: async ({ positionals, values }, io) => {
    const core = await io.core();
    const runId = requireId(positionals[0], 'training run');
    const projectId = core.db
      .prepare('SELECT project_id FROM student_runs WHERE id = ?')
      .pluck()
      .get(runId) as number | undefined;
    if (projectId === undefined) throw notFound('Training run', runId);
    try {
      const r = await core.call('disk.deleteRun', { projectId, runId, force: Boolean(values.force) });
      io.print(`Deleted training run ${runId} (${formatBytes(r.deletedBytes)}).`);
      return r;
    } catch (e) {
      if (e instanceof AppError && e.code === 'CONFLICT') {
        throw new AppError(e.code, `${e.message.replace('Confirm to', 'Add --force to')}`, e.details);
      }
      throw e;
    }
  },
};

const deleteUploadCommand: CliCommand = {
  name: 'uploads delete',
  summary: 'Delete an upload (a file sent by a browser) that no job needs',
  usage: 'distillery uploads delete UPLOAD_ID --project PROJECT_ID',
  options: { project: { type: 'string' } },
  run: async ({ positionals, values }, io) => {
    const core = await io.core();
    if (!positionals[0])
      throw new AppError('INVALID_INPUT', 'Give the upload id ("distillery disk" lists them).');
    const r = await core.call('disk.deleteUpload', {
      projectId: requireId(values.project === undefined ? undefined : String(values.project), 'project'),
      uploadId: positionals[0],
    });
    io.print(`Deleted upload ${positionals[0]} (${formatBytes(r.deletedBytes)}).`);
    return r;
  },
};

/** `distillery disk`, `distillery runs delete`, `distillery uploads delete`. */
export const diskCommands: CliCommand[] = [diskCommand, deleteRunCommand, deleteUploadCommand];
