import { defineCommand, idArg, PROJECT_ID, type ExtraOption } from '../../cli/command';
import type { CliCommand } from '../../cli/types';
import { AppError, notFound } from '../../core/errors';
import type { Db } from '../../core/store/db';
import { formatBytes, type DeletedRun } from '../../../shared/disk';

const FORCE: Readonly<Record<string, ExtraOption>> = {
  force: { type: 'boolean', help: 'Delete it even though it was evaluated, exported or used' },
};

const diskCommand = defineCommand({
  name: 'disk',
  summary: "Show a project's disk use: database rows (estimated), runs, uploads, exports, backups",
  args: [PROJECT_ID],
  run: async ({ id }, io) => {
    const core = await io.core();
    const u = await core.call('disk.usage', { projectId: id(0) });
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
});

/** Adds "(confirm ...)" hints of the CLI to a refusal the core worded for the UI. */
function withForceHint(e: unknown): unknown {
  if (e instanceof AppError && e.code === 'CONFLICT')
    return AppError.relayed({ ...e.toInfo(), message: e.message.replace('Confirm to', 'Add --force to') });
  return e;
}

function deletedText(what: string, r: DeletedRun): string {
  return r.alreadyDeleted
    ? `${what} was deleted already; nothing more to free.`
    : `Deleted ${what} (${formatBytes(r.deletedBytes)} freed).`;
}

function deleteStudentRunCommand(name: string): CliCommand {
  return defineCommand({
    name,
    summary:
      "Delete a training run's model, checkpoints and rows (--force if it was evaluated, exported or has a threshold)",
    args: [{ name: 'RUN_ID', id: { what: 'training run', hint: 'distillery train runs PROJECT_ID' } }],
    options: FORCE,
    run: async ({ id, values }, io) => {
      const core = await io.core();
      const runId = id(0);
      const projectId = projectOf(
        core.db,
        'student_runs',
        'delete_run',
        'student_run',
        runId,
        'Training run',
      );
      try {
        const r = await core.call('disk.deleteRun', { projectId, runId, force: Boolean(values.force) });
        io.print(deletedText(`training run ${runId}`, r));
        return r;
      } catch (e) {
        throw withForceHint(e);
      }
    },
  });
}

/** The project of a run, or of a run deleted already (from the audit log), so that a repeated delete says so. */
function projectOf(
  db: Db,
  table: 'student_runs' | 'teacher_runs',
  action: string,
  entity: string,
  runId: number,
  what: string,
): number {
  const live = db.prepare(`SELECT project_id FROM ${table} WHERE id = ?`).pluck().get(runId) as
    number | undefined;
  const gone = db
    .prepare('SELECT project_id FROM audit_log WHERE action = ? AND entity = ? AND entity_id = ? LIMIT 1')
    .pluck()
    .get(action, entity, runId) as number | null | undefined;
  const projectId = live ?? gone ?? undefined;
  if (projectId === undefined) throw notFound(what, runId);
  return projectId;
}

const deleteTeacherRunCommand = defineCommand({
  name: 'teacher delete-run',
  summary:
    "Delete a teacher run's outputs and evaluation (--force if it was evaluated or students learnt from it)",
  args: [
    { name: 'TEACHER_RUN_ID', id: { what: 'teacher run', hint: 'distillery teacher status PROJECT_ID' } },
  ],
  options: FORCE,
  run: async ({ id, values }, io) => {
    const core = await io.core();
    const runId = id(0);
    const projectId = projectOf(core.db, 'teacher_runs', 'delete_run', 'teacher_run', runId, 'Teacher run');
    try {
      const r = await core.call('disk.deleteTeacherRun', { projectId, runId, force: Boolean(values.force) });
      io.print(
        deletedText(`teacher run ${runId}`, r) +
          (r.alreadyDeleted ? '' : ' (database space, reused for new data)'),
      );
      return r;
    } catch (e) {
      throw withForceHint(e);
    }
  },
});

const deleteUploadCommand = defineCommand({
  name: 'uploads delete',
  summary: 'Delete an upload (a file sent by a browser) that no job needs',
  args: [{ name: 'UPLOAD_ID' }],
  options: { project: { type: 'string', value: 'PROJECT_ID', help: 'The project the upload belongs to' } },
  run: async ({ positionals, values }, io) => {
    const core = await io.core();
    if (!positionals[0]) throw AppError.keyed('INVALID_INPUT', 'disk.giveUploadIdDistillery', {});
    const r = await core.call('disk.deleteUpload', {
      projectId: idArg(values.project === undefined ? undefined : String(values.project), PROJECT_ID),
      uploadId: positionals[0],
    });
    io.print(`Deleted upload ${positionals[0]} (${formatBytes(r.deletedBytes)}).`);
    return r;
  },
});

/**
 * `distillery disk`, `distillery train delete` (also `runs delete`, its older name), `distillery teacher
 * delete-run`, `distillery uploads delete`.
 */
export const diskCommands: CliCommand[] = [
  diskCommand,
  deleteStudentRunCommand('train delete'),
  deleteStudentRunCommand('runs delete'),
  deleteTeacherRunCommand,
  deleteUploadCommand,
];
