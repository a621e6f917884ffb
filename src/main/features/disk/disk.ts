import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type {
  DeletedRun,
  ProjectDiskUse,
  RunDiskUse,
  TeacherRunDiskUse,
  UploadDiskUse,
} from '../../../shared/disk';
import { audit } from '../../core/audit';
import { AppError, notFound } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import type { Paths } from '../../core/paths';
import type { Db } from '../../core/store/db';
import { listUploads, removeUpload, uploadIdsIn, uploadsInUse } from '../../core/uploads';
import { runDir } from '../student/runs';

const ACTIVE = "('queued', 'running', 'paused', 'interrupted')";

/** Bytes of a file or folder, links not followed. */
export function sizeOf(path: string): number {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let total = 0;
  for (const name of readdirSync(path)) total += sizeOf(join(path, name));
  return total;
}

function requireProject(db: Db, projectId: number): void {
  if (!db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId)) throw notFound('Project', projectId);
}

/** Texts of the project's jobs and audit entries: where the files it made (exports, backups, uploads) are named. */
function projectTexts(db: Db, projectId: number): string[] {
  const jobs = db
    .prepare('SELECT params, result FROM jobs WHERE project_id = ?')
    .raw(true)
    .all(projectId) as Array<[string | null, string | null]>;
  const details = db
    .prepare('SELECT details FROM audit_log WHERE project_id = ? AND details IS NOT NULL')
    .pluck()
    .all(projectId) as string[];
  return [...jobs.flat().filter((t): t is string => typeof t === 'string'), ...details];
}

/** The entries of exports/ (and exports/backups, exports/predictions) a project's texts name. */
function exportEntries(texts: readonly string[]): { exports: Set<string>; backups: Set<string> } {
  const exports = new Set<string>();
  const backups = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(/exports[/\\]+([^/\\"\n]+)(?:[/\\]+([^/\\"\n]+))?/g)) {
      if (m[1] === 'backups' && m[2]) backups.add(m[2]);
      else if (m[1] === 'predictions' && m[2]) exports.add(join('predictions', m[2]));
      else if (m[1] !== 'backups' && m[1] !== 'predictions') exports.add(m[1].replace(/\.zip$/, ''));
    }
  }
  return { exports, backups };
}

function uploadInfo(paths: Paths, id: string, inUse: ReadonlySet<string>): UploadDiskUse | null {
  const dir = join(paths.uploads, id);
  try {
    const st = lstatSync(dir);
    const names = st.isDirectory() ? readdirSync(dir) : [];
    return {
      id,
      name: names[0] ?? id,
      bytes: sizeOf(dir),
      createdAt: st.mtime.toISOString(),
      inUse: inUse.has(id),
    };
  } catch {
    return null;
  }
}

function runDependents(
  db: Db,
  runId: number,
): { evaluated: boolean; exports: number; hasThreshold: boolean } {
  const evaluated = Boolean(
    db.prepare("SELECT 1 FROM metrics WHERE student_run_id = ? AND kind = 'eval' LIMIT 1").get(runId),
  );
  const exports = db
    .prepare(
      "SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND entity = 'student_run' AND entity_id = ?",
    )
    .pluck()
    .get(runId) as number;
  const threshold = db.prepare('SELECT threshold FROM student_runs WHERE id = ?').pluck().get(runId);
  return { evaluated, exports, hasThreshold: threshold !== null && threshold !== undefined };
}

/** Its training job can still run or resume, or a batch prediction job reads its model. */
function runActive(db: Db, runId: number): boolean {
  return Boolean(
    db
      .prepare(
        `SELECT 1 FROM student_runs r JOIN jobs j ON j.id = r.job_id WHERE r.id = ? AND j.state IN ${ACTIVE}
         UNION ALL
         SELECT 1 FROM jobs WHERE kind = 'export.predict' AND state IN ${ACTIVE}
           AND json_extract(params, '$.runId') = ?`,
      )
      .get(runId, runId),
  );
}

function runUse(db: Db, paths: Paths, r: { id: number; createdAt: string; state: string }): RunDiskUse {
  return {
    runId: r.id,
    createdAt: r.createdAt,
    state: r.state,
    bytes: sizeOf(runDir(paths, r.id)),
    ...runDependents(db, r.id),
    active: runActive(db, r.id),
  };
}

/** One training run's share of the disk and what depends on it (what deleting it would do). */
export function runDiskUse(ctx: CoreContext, projectId: number, runId: number): RunDiskUse {
  const row = ctx.db
    .prepare('SELECT id, created_at AS createdAt, state FROM student_runs WHERE id = ? AND project_id = ?')
    .get(runId, projectId) as { id: number; createdAt: string; state: string } | undefined;
  if (!row) throw notFound('Training run', runId);
  return runUse(ctx.db, ctx.paths, row);
}

/** Whether a run of this project was deleted already (the audit log keeps its deletion). */
function wasDeleted(db: Db, projectId: number, entity: string, runId: number): boolean {
  return Boolean(
    db
      .prepare(
        "SELECT 1 FROM audit_log WHERE project_id = ? AND action = 'delete_run' AND entity = ? AND entity_id = ?",
      )
      .get(projectId, entity, runId),
  );
}

const RUN_TABLES = {
  student_run: { table: 'student_runs', what: 'Training run' },
  teacher_run: { table: 'teacher_runs', what: 'Teacher run' },
} as const;

/**
 * Before a delete: null when the run is there to delete, the answer of a delete that already happened when the audit
 * log has its deletion (a repeated request succeeds), else NOT_FOUND.
 */
function alreadyDeleted(
  db: Db,
  entity: keyof typeof RUN_TABLES,
  input: { projectId: number; runId: number },
): DeletedRun | null {
  const { table, what } = RUN_TABLES[entity];
  if (
    db.prepare(`SELECT 1 FROM ${table} WHERE id = ? AND project_id = ?`).get(input.runId, input.projectId)
  ) {
    return null;
  }
  if (wasDeleted(db, input.projectId, entity, input.runId)) return { deletedBytes: 0, alreadyDeleted: true };
  throw notFound(what, input.runId);
}

/**
 * What a project takes on disk: its training runs' folders, the uploads its jobs used, the exports and backups it
 * made (named in its jobs and audit log), and an estimate of its share of the database from the bytes of its rows.
 * Uploads no job of any project refers to are listed too, so that they can be deleted.
 */
export function diskUsage(ctx: CoreContext, projectId: number): ProjectDiskUse {
  const { db, paths } = ctx;
  requireProject(db, projectId);
  const runRows = db
    .prepare(
      'SELECT id, created_at AS createdAt, state FROM student_runs WHERE project_id = ? ORDER BY id DESC',
    )
    .all(projectId) as Array<{ id: number; createdAt: string; state: string }>;
  const runs: RunDiskUse[] = runRows.map((r) => runUse(db, paths, r));
  const texts = projectTexts(db, projectId);
  const inUse = uploadsInUse(db);
  const mine = new Set(texts.flatMap((t) => uploadIdsIn(t)));
  const referenced = new Set(
    (db.prepare('SELECT params FROM jobs WHERE params IS NOT NULL').pluck().all() as string[]).flatMap((p) =>
      uploadIdsIn(p),
    ),
  );
  const uploads = listUploads(paths)
    .filter((id) => mine.has(id) || !referenced.has(id))
    .map((id) => uploadInfo(paths, id, inUse))
    .filter((u): u is UploadDiskUse => u !== null);
  const { exports, backups } = exportEntries(texts);
  const exportsBytes = [...exports].reduce(
    (s, e) => s + sizeOf(join(paths.exports, e)) + sizeOf(join(paths.exports, `${e}.zip`)),
    0,
  );
  const backupsBytes = [...backups].reduce((s, b) => s + sizeOf(join(paths.exports, 'backups', b)), 0);
  const db1 = db
    .prepare(
      `SELECT COUNT(*) AS n, COALESCE(SUM(length(text) + COALESCE(length(metadata), 0)), 0) AS bytes
       FROM examples WHERE project_id = ?`,
    )
    .get(projectId) as { n: number; bytes: number };
  // Disk accounting reads the stored rows themselves (their bytes, every run's), not the teacher's answer: the one
  // reader that must see teacher_outputs as a table rather than through core/labels.ts or the view teacher_answers.
  const db2 = db
    .prepare(
      `SELECT COUNT(*) AS n, COALESCE(SUM(length(probs) + COALESCE(length(logprobs), 0)), 0) AS bytes
       FROM teacher_outputs WHERE run_id IN (SELECT id FROM teacher_runs WHERE project_id = ?)`,
    )
    .get(projectId) as { n: number; bytes: number };
  const others = db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM annotations WHERE example_id IN (SELECT id FROM examples WHERE project_id = ?))
            + (SELECT COUNT(*) FROM metrics WHERE project_id = ?)
            + (SELECT COUNT(*) FROM audit_log WHERE project_id = ?)`,
    )
    .pluck()
    .get(projectId, projectId, projectId) as number;
  // Row overhead and indexes: about 64 bytes a row besides its text (measured on the demo project).
  const databaseBytes = db1.bytes + db2.bytes + 64 * (db1.n + db2.n + others);
  const runsBytes = runs.reduce((s, r) => s + r.bytes, 0);
  const uploadsBytes = uploads.reduce((s, u) => s + u.bytes, 0);
  return {
    projectId,
    databaseBytes,
    rows: db1.n + db2.n + others,
    runsBytes,
    uploadsBytes,
    exportsBytes,
    backupsBytes,
    totalBytes: databaseBytes + runsBytes + uploadsBytes + exportsBytes + backupsBytes,
    runs,
    uploads,
  };
}

/**
 * Deletes a training run (rows and files); says what depends on it unless told to go ahead. A run deleted already
 * (a second click, a second window) answers `alreadyDeleted` with nothing freed.
 */
export function deleteRun(
  ctx: CoreContext,
  input: { projectId: number; runId: number; force: boolean },
  actor: string,
): DeletedRun {
  const { db, paths } = ctx;
  const done = alreadyDeleted(db, 'student_run', input);
  if (done) return done;
  if (runActive(db, input.runId)) {
    throw AppError.keyed('JOB_STATE', 'disk.trainingRunStillRunning', { runId: input.runId });
  }
  const dep = runDependents(db, input.runId);
  const reasons = [
    dep.evaluated ? 'it was evaluated on the gold test set (its evaluation is deleted with it)' : null,
    dep.hasThreshold ? 'its operating threshold was saved' : null,
    dep.exports > 0 ? `it was exported ${dep.exports} time(s) (the exported folders stay)` : null,
  ].filter((r): r is string => r !== null);
  if (reasons.length && !input.force) {
    throw AppError.keyed(
      'CONFLICT',
      'disk.trainingRunUseConfirm',
      { runId: input.runId, reasons: reasons.join('; ') },
      { reasons },
    );
  }
  const dir = runDir(paths, input.runId);
  const deletedBytes = sizeOf(dir);
  db.transaction(() => {
    db.prepare('DELETE FROM student_runs WHERE id = ?').run(input.runId);
    audit(db, {
      projectId: input.projectId,
      actor,
      action: 'delete_run',
      entity: 'student_run',
      entityId: input.runId,
      details: { bytes: deletedBytes, reasons },
    });
  })();
  rmSync(dir, { recursive: true, force: true });
  ctx.events.emit('project.changed', { projectId: input.projectId, what: 'runs' });
  return { deletedBytes, alreadyDeleted: false };
}

/** Row overhead and indexes: about 64 bytes a row besides its text (measured on the demo project). */
const ROW_BYTES = 64;

/** A teacher run's share of the database (its outputs, estimated from their bytes) and what depends on it. */
export function teacherRunDiskUse(ctx: CoreContext, projectId: number, runId: number): TeacherRunDiskUse {
  const { db } = ctx;
  const row = db
    .prepare(
      'SELECT id, created_at AS createdAt, job_id AS jobId FROM teacher_runs WHERE id = ? AND project_id = ?',
    )
    .get(runId, projectId) as { id: number; createdAt: string; jobId: number | null } | undefined;
  if (!row) throw notFound('Teacher run', runId);
  // The run's stored bytes (see projectUsage): a table read on purpose.
  const out = db
    .prepare(
      `SELECT COUNT(*) AS n,
         COALESCE(SUM(length(probs) + length(logprobs) + COALESCE(length(reasoning), 0)), 0) AS bytes
       FROM teacher_outputs WHERE run_id = ?`,
    )
    .get(runId) as { n: number; bytes: number };
  const targets = db
    .prepare('SELECT COUNT(*) FROM teacher_run_targets WHERE run_id = ?')
    .pluck()
    .get(runId) as number;
  const students = db
    .prepare('SELECT id FROM student_runs WHERE teacher_run_id = ? ORDER BY id')
    .pluck()
    .all(runId) as number[];
  const evaluated = Boolean(
    db.prepare("SELECT 1 FROM metrics WHERE teacher_run_id = ? AND kind = 'eval' LIMIT 1").get(runId),
  );
  const active = Boolean(
    row.jobId !== null && db.prepare(`SELECT 1 FROM jobs WHERE id = ? AND state IN ${ACTIVE}`).get(row.jobId),
  );
  const newer = db
    .prepare('SELECT 1 FROM teacher_runs WHERE project_id = ? AND id > ? LIMIT 1')
    .get(projectId, runId);
  const previous = db
    .prepare('SELECT id FROM teacher_runs WHERE project_id = ? AND id < ? ORDER BY id DESC LIMIT 1')
    .pluck()
    .get(projectId, runId) as number | undefined;
  return {
    runId,
    createdAt: row.createdAt,
    outputs: out.n,
    bytes: out.bytes + ROW_BYTES * (out.n + targets),
    studentRuns: students,
    evaluated,
    latest: !newer,
    previousRunId: previous ?? null,
    active,
  };
}

/**
 * Deletes a teacher run: its outputs, targets, evaluation and calibration (rows; a teacher run has no files).
 * Student runs trained from it keep their models and frozen data (they no longer name it); labels people accepted
 * from it in Review stay (they are people's labels). Refused while its job can still run or resume; refused, saying
 * why, when it was evaluated or students learnt from it, unless `force`. Safe to repeat.
 */
export function deleteTeacherRun(
  ctx: CoreContext,
  input: { projectId: number; runId: number; force: boolean },
  actor: string,
): DeletedRun {
  const { db } = ctx;
  const done = alreadyDeleted(db, 'teacher_run', input);
  if (done) return done;
  const use = teacherRunDiskUse(ctx, input.projectId, input.runId);
  if (use.active) {
    throw AppError.keyed('JOB_STATE', 'disk.teacherRunStillRunning', { runId: input.runId });
  }
  const reasons = [
    use.evaluated ? 'it was evaluated on the gold test set (its evaluation is deleted with it)' : null,
    use.studentRuns.length
      ? `training run(s) ${use.studentRuns.join(', ')} learnt from it (they keep their models, but no longer name it)`
      : null,
  ].filter((r): r is string => r !== null);
  if (reasons.length && !input.force) {
    throw AppError.keyed(
      'CONFLICT',
      'disk.teacherRunUseConfirm',
      { runId: input.runId, reasons: reasons.join('; ') },
      { reasons },
    );
  }
  db.transaction(() => {
    db.prepare('DELETE FROM teacher_runs WHERE id = ?').run(input.runId);
    audit(db, {
      projectId: input.projectId,
      actor,
      action: 'delete_run',
      entity: 'teacher_run',
      entityId: input.runId,
      details: { bytes: use.bytes, outputs: use.outputs, reasons },
    });
  })();
  ctx.events.emit('project.changed', { projectId: input.projectId, what: 'runs' });
  return { deletedBytes: use.bytes, alreadyDeleted: false };
}

export function deleteUpload(
  ctx: CoreContext,
  input: { projectId: number; uploadId: string },
): { deletedBytes: number } {
  requireProject(ctx.db, input.projectId);
  if (uploadsInUse(ctx.db).has(input.uploadId)) {
    throw AppError.keyed('JOB_STATE', 'disk.jobCanStillRun', {});
  }
  const bytes = sizeOf(join(ctx.paths.uploads, input.uploadId));
  if (!removeUpload(ctx.paths, input.uploadId)) throw notFound('Upload', input.uploadId);
  return { deletedBytes: bytes };
}
