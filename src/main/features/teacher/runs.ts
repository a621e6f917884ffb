/** A teacher run: creating it and its job, which labels the run's documents batch by batch. */
import type { Job } from '../../../shared/jobs';
import type { JobCheckpointOf, JobParamsOf } from '../../../shared/jobParams';
import {
  type CalibrationReport,
  type LabelCalibrationReport,
  type TeacherRun,
  type TeacherRunResult,
} from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import { stableKey, type JobControl } from '../../core/jobs/jobs';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { audit } from '../../core/audit';
import { jobTitle } from '../../core/jobTitles';
import { getSettings } from '../app/settings';
import { entropy, margin } from './scoring';
import { argmax } from '../../../shared/math';
import type { Scorer } from './service';
import {
  promptFor,
  resolveTeacher,
  reusableRuns,
  settingsOf,
  scaledProbabilities,
  targetIds,
  templateOf,
  toDistribution,
  toLabelProbabilities,
  type RunRequest,
} from './choice';
import { calibrateLabels, calibrateRun } from './calibrate';
import { independentLabelColumns, teacherLabelSnapshot } from '../../core/labels';
import { getPromptVersion, matchingVersion, projectTask } from './promptVersions';
import { getRun, runCounts, runRow, StoredSettingsSchema, type StoredSettings } from './runStore';
import { storedNumbers } from '../../core/store/storedJson';
import { readStoredJson, storedColumn } from '../../core/store/storedJson';

/** Creates the run (exact prompt, model hash, settings, target examples) and starts its job. */
/** The request with a named prompt version's template, task, mode and few-shot count in place of its own. */
export function withVersion<T extends RunRequest>(db: Db, req: T): T {
  if (req.promptVersionId === undefined) return req;
  const v = getPromptVersion(db, req.promptVersionId);
  if (v.projectId !== req.projectId) {
    throw AppError.keyed('INVALID_INPUT', 'teacher.promptVersionBelongsAnother', { number: v.number });
  }
  return { ...req, template: v.template, task: v.task, mode: v.mode, fewShot: v.fewShot };
}

/** The saved version a run uses: the one it named, else the newest with exactly its prompt (or none). */
function versionOfRun(db: Db, req: RunRequest): { id: number } | null {
  if (req.promptVersionId !== undefined) return { id: req.promptVersionId };
  return matchingVersion(db, req.projectId, {
    template: templateOf(db, req),
    task: req.task ?? projectTask(db, req.projectId),
    mode: req.mode,
    fewShot: req.fewShot,
  });
}

export function startRun(ctx: CoreContext, asked: RunRequest): { run: TeacherRun; job: Job } {
  const req = withVersion(ctx.db, asked);
  // The same request while its run is still going (a double click, a second window) gets that run back.
  const key = stableKey(req);
  const same = ctx.jobs.active('teacher.run', req.projectId, key);
  if (same) {
    const row = ctx.db.prepare('SELECT id FROM teacher_runs WHERE job_id = ?').get(same.id) as
      { id: number } | undefined;
    if (row) return { run: getRun(ctx.db, row.id), job: same };
  }
  const built = promptFor(ctx, req);
  const s = settingsOf(req);
  const teacher = resolveTeacher(ctx, req.modelId, s);
  const labels = built.labels.map((l) => ({ id: l.id, name: l.name }));
  const ids = targetIds(ctx.db, req);
  if (!ids.length) throw AppError.keyed('INVALID_INPUT', 'teacher.examplesLabelImportData', {});
  const stored: StoredSettings = {
    ...s,
    plan: built.plan,
    template: templateOf(ctx.db, req),
  };
  const snapshot = JSON.stringify(labels);
  const runId = ctx.db.transaction(() => {
    const info = ctx.db
      .prepare(
        `INSERT INTO teacher_runs (project_id, model_id, model_sha256, mode, prompt_template, labels_snapshot, settings,
           prompt_version_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        req.projectId,
        teacher.modelId,
        teacher.sha256,
        req.mode,
        built.rendered,
        snapshot,
        JSON.stringify(stored),
        versionOfRun(ctx.db, req)?.id ?? null,
        nowIso(),
      );
    const id = Number(info.lastInsertRowid);
    const insert = ctx.db.prepare(
      'INSERT INTO teacher_run_targets (run_id, example_id, position) VALUES (?, ?, ?)',
    );
    ids.forEach((exampleId, i) => insert.run(id, exampleId, i));
    // Examples this teacher already labelled with this exact prompt are carried over, not labelled again.
    const previous = reusableRuns(ctx.db, {
      projectId: req.projectId,
      exceptRunId: id,
      sha256: teacher.sha256,
      mode: req.mode,
      rendered: built.rendered,
      snapshot,
      reasoningBudget: s.reasoningBudget,
    });
    for (const p of previous) {
      ctx.db
        .prepare(
          `INSERT OR IGNORE INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin,
             reasoning, tokens, time_ms, truncated, created_at)
           SELECT ?, o.example_id, o.logprobs, o.logprobs, o.predicted_label_id, o.entropy, o.margin, o.reasoning, o.tokens,
             o.time_ms, o.truncated, o.created_at
           FROM teacher_outputs o JOIN teacher_run_targets t ON t.run_id = ? AND t.example_id = o.example_id
           WHERE o.run_id = ?`,
        )
        .run(id, id, p);
    }
    // Carried rows hold uncalibrated log-probs in both columns until recomputed here.
    const carried = ctx.db
      .prepare('SELECT example_id, logprobs FROM teacher_outputs WHERE run_id = ?')
      .all(id) as Array<{
      example_id: number;
      logprobs: string;
    }>;
    const fix = ctx.db.prepare(
      'UPDATE teacher_outputs SET probs = ?, entropy = ?, margin = ?, predicted_label_id = ? WHERE run_id = ? AND example_id = ?',
    );
    const done = ctx.db.prepare(
      "UPDATE teacher_run_targets SET status = 'done' WHERE run_id = ? AND example_id = ?",
    );
    const multi = built.plan.multi !== undefined;
    for (const c of carried) {
      if (multi) {
        // Multi-label rows hold per-label log-odds; the run's own calibration is fitted when it ends.
        const o = independentLabelColumns(
          scaledProbabilities(storedNumbers(c.logprobs, 'teacher_outputs.logprobs', c.example_id), null),
        );
        fix.run(o.probs, o.entropy, o.margin, o.predictedLabelId, id, c.example_id);
        done.run(id, c.example_id);
        continue;
      }
      const probs = storedNumbers(c.logprobs, 'teacher_outputs.logprobs', c.example_id).map((l) =>
        Math.exp(l),
      );
      fix.run(
        JSON.stringify(probs),
        entropy(probs),
        margin(probs),
        labels[argmax(probs)].id,
        id,
        c.example_id,
      );
      done.run(id, c.example_id);
    }
    audit(ctx.db, {
      projectId: req.projectId,
      actor: getSettings(ctx.db).annotator,
      action: 'teacher.run',
      entity: 'teacher_run',
      entityId: id,
      details: {
        modelSha256: teacher.sha256,
        mode: req.mode,
        examples: ids.length,
        carriedOver: carried.length,
      },
    });
    return id;
  })();
  const job = ctx.jobs.start('teacher.run', {
    projectId: req.projectId,
    title: jobTitle(ctx.db, `Teacher labels (${ids.length} examples)`, req.projectId),
    params: { runId },
    key,
  });
  ctx.db.prepare('UPDATE teacher_runs SET job_id = ? WHERE id = ?').run(job.id, runId);
  return { run: getRun(ctx.db, runId), job };
}

/** The run's job: labels the pending targets batch by batch; each batch is committed before the next starts. */
export async function runTeacherJob(
  ctx: CoreContext,
  ctl: JobControl<JobParamsOf<'teacher.run'>, JobCheckpointOf<'teacher.run'>>,
): Promise<TeacherRunResult> {
  const run = runRow(ctx.db, ctl.params.runId);
  const stored = readStoredJson(
    StoredSettingsSchema,
    run.settings,
    storedColumn('teacher_runs.settings', { id: run.id }),
  );
  const labels = teacherLabelSnapshot(run.labels_snapshot);
  const teacher = resolveTeacher(ctx, run.model_id, stored);
  if (teacher.sha256 !== run.model_sha256) {
    throw AppError.keyed('MODEL_ERROR', 'teacher.modelRunReplacedAnother', {});
  }
  const count = (status: string): number =>
    (
      ctx.db
        .prepare('SELECT COUNT(*) AS n FROM teacher_run_targets WHERE run_id = ? AND status = ?')
        .get(run.id, status) as {
        n: number;
      }
    ).n;
  const total = (
    ctx.db.prepare('SELECT COUNT(*) AS n FROM teacher_run_targets WHERE run_id = ?').get(run.id) as {
      n: number;
    }
  ).n;
  let done = total - count('pending');
  ctl.progress(done, total, { phase: 'Loading the model' });
  const pendingQuery = ctx.db.prepare(
    `SELECT t.example_id AS id, e.text AS text FROM teacher_run_targets t JOIN examples e ON e.id = t.example_id
     WHERE t.run_id = ? AND t.status = 'pending' ORDER BY t.position LIMIT ?`,
  );
  const insert = ctx.db.prepare(
    `INSERT OR IGNORE INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin,
       reasoning, tokens, time_ms, truncated, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const mark = ctx.db.prepare(
    'UPDATE teacher_run_targets SET status = ?, error = ? WHERE run_id = ? AND example_id = ?',
  );
  let scorer: Scorer | null = null;
  let first = true;
  let failedInARow = 0;
  for (;;) {
    await ctl.yield();
    scorer ??= await teacher.scorer(ctl.signal);
    // A short first batch measures the speed, so that the ETA shows early.
    const size = first ? Math.max(1, Math.floor(scorer.batchSize / 2)) : scorer.batchSize;
    const rows = pendingQuery.all(run.id, size) as Array<{ id: number; text: string }>;
    if (!rows.length) break;
    const empty = rows.filter((r) => !r.text.trim());
    const work = rows.filter((r) => r.text.trim());
    const started = Date.now();
    const results = work.length ? await scorer.score(stored.plan, work) : [];
    const now = nowIso();
    let failed = 0;
    ctx.db.transaction(() => {
      for (const r of empty) mark.run('skipped', 'The text is empty.', run.id, r.id);
      for (const r of results) {
        if (stored.plan.multi) {
          const lp = toLabelProbabilities(labels, r);
          if (!lp) {
            failed++;
            mark.run('failed', r.error ?? 'The model produced invalid numbers.', run.id, r.id);
            continue;
          }
          const o = independentLabelColumns(lp.probs);
          insert.run(
            run.id,
            r.id,
            o.probs,
            JSON.stringify(lp.logOdds),
            o.predictedLabelId,
            o.entropy,
            o.margin,
            null,
            lp.tokens,
            lp.timeMs,
            r.truncated ? 1 : 0,
            now,
          );
          mark.run('done', null, run.id, r.id);
          continue;
        }
        const d = toDistribution(labels, r);
        if (!d) {
          failed++;
          mark.run('failed', r.error ?? 'The model produced invalid numbers.', run.id, r.id);
          continue;
        }
        insert.run(
          run.id,
          r.id,
          JSON.stringify(d.probs),
          JSON.stringify(d.logprobs),
          d.predictedLabelId,
          d.entropy,
          d.margin,
          d.reasoning,
          d.tokens,
          d.timeMs,
          r.truncated ? 1 : 0,
          now,
        );
        mark.run('done', null, run.id, r.id);
      }
    })();
    failedInARow = failed === results.length && results.length > 0 ? failedInARow + results.length : 0;
    if (failedInARow >= 8) {
      throw AppError.keyed('MODEL_ERROR', 'teacher.modelGivesInvalidNumbers', {});
    }
    done += rows.length;
    ctl.saveCheckpoint({ done });
    const rate = first && Date.now() > started ? (rows.length * 1000) / (Date.now() - started) : undefined;
    ctl.progress(done, total, { phase: 'Labelling', ...(rate ? { rate } : {}) });
    first = false;
  }
  ctl.progress(done, total, { phase: 'Calibrating' });
  let calibration: CalibrationReport | null = null;
  let labelCalibration: LabelCalibrationReport | null = null;
  if (stored.plan.multi) labelCalibration = calibrateLabels(ctx.db, run.id);
  else {
    try {
      calibration = calibrateRun(ctx.db, run.id);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
    }
  }
  ctx.events.emit('project.changed', { projectId: run.project_id, what: 'teacher' });
  return {
    runId: run.id,
    labelled: count('done'),
    failed: count('failed'),
    skipped: count('skipped'),
    truncated: runCounts(ctx.db, run.id).truncated,
    calibration,
    labelCalibration,
  };
}
