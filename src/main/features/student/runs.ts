import { z } from 'zod';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type {
  EpochMetrics,
  StudentArchitectureName,
  StudentRun,
  StudentRunDetail,
  StudentRunState,
  TrainOverview,
} from '../../../shared/student';
import {
  STUDENT_ARCHITECTURES,
  StoredDataSnapshot,
  StoredLabelNames,
  TrainSettings,
} from '../../../shared/student';
import { AppError, notFound } from '../../core/errors';
import { latestTeacherRun, projectKind, projectLabels } from '../../core/labels';
import type { Paths } from '../../core/paths';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { defaultFeaturizerLike, featurizerFor } from './featurizer';
import { MODEL_JSON, readModel, writeFileAtomic } from './modelFile';
import { ARCHITECTURES } from './architectures';
import { checkInitModel, type TrainData } from './trainer';
import { readTrainData } from './train.protocol';
import { teacherCheck } from '../teacher/check';
import { trainingCounts } from './overviewCounts';
import { selectTrainingSet, type TrainingSet } from './trainingSet';
import { selectMultiLabelTrainingSet } from './multilabelData';
import { parseSavedLabelThresholds } from '../../../shared/multilabelEvaluation';
import { readStoredJsonOr, storedColumn } from '../../core/store/storedJson';
import { ModelThresholdsJson } from './storedFiles';
import { parseStored } from '../../../shared/storedJson';

/** Where a run of each architecture trains, as far as can be told before it starts (the worker reports the real one). */
export function expectedBackend(architecture: StudentArchitectureName): string {
  return ARCHITECTURES[architecture].expectedBackend();
}

/** A class with fewer training examples than this gets a warning. */

export function runDir(paths: Paths, runId: number): string {
  return join(paths.runs, `student-${runId}`);
}

export function dataFile(paths: Paths, runId: number): string {
  return join(runDir(paths, runId), 'data.json');
}

/** The documents (by id) and targets chosen at run creation, until the worker has read their texts (trainingTexts.ts). */
export function selectionFile(paths: Paths, runId: number): string {
  return join(runDir(paths, runId), 'selection.json');
}

/**
 * The best model folder of the run a new run starts from (settings.initFromRunId), or null for a run from scratch.
 * Refuses a run of another project, one that has not finished, or one without a model.
 */
export function initModelPath(db: Db, projectId: number, settings: TrainSettings): string | null {
  const fromId = settings.initFromRunId;
  if (fromId === undefined) return null;
  const row = db
    .prepare('SELECT project_id, state, model_path FROM student_runs WHERE id = ?')
    .get(fromId) as { project_id: number; state: string; model_path: string | null } | undefined;
  if (!row) {
    throw AppError.keyed('NOT_FOUND', 'student.trainingRunDoesExist', { fromId });
  }
  if (row.project_id !== projectId) {
    throw AppError.keyed('CONFLICT', 'student.trainingRunBelongsAnother', { fromId });
  }
  if (row.state !== 'completed' || !row.model_path) {
    throw row.model_path
      ? AppError.keyed('CONFLICT', 'student.fromRunNotFinished', { fromId, state: row.state })
      : AppError.keyed('CONFLICT', 'student.fromRunNoModel', { fromId });
  }
  return row.model_path;
}

/**
 * Creates the run row and freezes its choice of documents and targets (runs/student-<id>/selection.json); the
 * training worker reads their texts when the run starts (trainingTexts.ts).
 */
export function createRun(db: Db, paths: Paths, projectId: number, settings: TrainSettings): number {
  const multi = projectKind(db, projectId) === 'multi';
  if (multi && !ARCHITECTURES[settings.architecture].lossFromLoop) {
    throw AppError.keyed('INVALID_INPUT', 'student.studentTrainsSingleLabel', {
      architecture: settings.architecture,
    });
  }
  const set: TrainingSet = multi
    ? selectMultiLabelTrainingSet(db, projectId, settings)
    : selectTrainingSet(db, projectId, settings);
  const initFrom = initModelPath(db, projectId, settings);
  if (initFrom) {
    const model = readModel(initFrom);
    const featurizer = featurizerFor(settings.features, defaultFeaturizerLike(model.featurizer));
    checkInitModel(model, { labels: set.data.labels, featurizer, settings }, settings.initFromRunId);
  }
  const info = db
    .prepare(
      `INSERT INTO student_runs (project_id, teacher_run_id, architecture, settings, labels_snapshot, data_snapshot,
         state, backend, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'created', ?, ?)`,
    )
    .run(
      projectId,
      set.teacherRunId,
      settings.architecture,
      JSON.stringify(settings),
      JSON.stringify(set.data.labels),
      JSON.stringify({
        ...set.snapshot,
        kind: multi ? 'multi' : 'single',
        teacherRunId: set.teacherRunId,
        trainExampleIds: set.trainExampleIds,
        validationExampleIds: set.validationExampleIds,
      }),
      expectedBackend(settings.architecture),
      nowIso(),
    );
  const runId = Number(info.lastInsertRowid);
  try {
    writeFileAtomic(selectionFile(paths, runId), JSON.stringify(set.data));
  } catch (e) {
    db.prepare('DELETE FROM student_runs WHERE id = ?').run(runId);
    rmSync(runDir(paths, runId), { recursive: true, force: true });
    throw e;
  }
  return runId;
}

/**
 * The stored settings of a run. Settings added after a run was created take the value that reproduces how it was
 * trained (not today's default), so that a run resumed after an upgrade continues as it started.
 */
export function parseRunSettings(json: string): TrainSettings {
  const stored = readStoredJsonOr(
    z.record(z.string(), z.unknown()),
    json,
    {},
    storedColumn('student_runs.settings'),
  );
  return TrainSettings.parse({ ...LEGACY_SETTINGS, ...stored });
}

/** Settings that runs created before they existed were trained with. */
const LEGACY_SETTINGS = {
  lrSchedule: 'constant',
  l2Rows: 'read',
  averageWeights: false,
  classBalance: 0,
  dropout: 0,
  architecture: 'fasttext',
  auto: false,
  features: 'both',
  finalFit: false,
} as const;

export function readRunData(paths: Paths, runId: number): TrainData {
  return readTrainData(dataFile(paths, runId), runId);
}

interface RunRow {
  id: number;
  project_id: number;
  teacher_run_id: number | null;
  job_id: number | null;
  architecture: string;
  settings: string;
  labels_snapshot: string;
  data_snapshot: string;
  state: string;
  best_epoch: number | null;
  best_metric: number | null;
  model_path: string | null;
  model_bytes: number | null;
  backend: string | null;
  created_at: string;
  finished_at: string | null;
}

function toRun(r: RunRow): StudentRun {
  // A run whose data was never taken stores '{}' (the column's default): its counts are 0.
  const { kind, ...data } = {
    trainCount: 0,
    validationCount: 0,
    humanCount: 0,
    teacherCount: 0,
    conflictCount: 0,
    perClass: [],
    warnings: [],
    ...readStoredJsonOr(
      StoredDataSnapshot,
      r.data_snapshot,
      {},
      storedColumn('student_runs.data_snapshot', { id: r.id }),
    ),
  };
  return {
    id: r.id,
    projectId: r.project_id,
    kind: kind === 'multi' ? 'multi' : 'single',
    teacherRunId: r.teacher_run_id,
    jobId: r.job_id,
    architecture: (STUDENT_ARCHITECTURES as readonly string[]).includes(r.architecture)
      ? (r.architecture as StudentArchitectureName)
      : 'fasttext',
    settings: parseRunSettings(r.settings),
    labels: readStoredJsonOr(
      StoredLabelNames,
      r.labels_snapshot,
      [],
      storedColumn('student_runs.labels_snapshot', { id: r.id }),
    ),
    data,
    state: r.state as StudentRunState,
    bestEpoch: r.best_epoch,
    bestMetric: r.best_metric,
    modelPath: r.model_path,
    modelBytes: r.model_bytes,
    backend: r.backend,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

export function getRun(db: Db, runId: number): StudentRun {
  const row = db.prepare('SELECT * FROM student_runs WHERE id = ?').get(runId) as RunRow | undefined;
  if (!row) throw notFound('Training run', runId);
  return toRun(row);
}

export function listRuns(db: Db, projectId: number): StudentRun[] {
  return (
    db.prepare('SELECT * FROM student_runs WHERE project_id = ? ORDER BY id DESC').all(projectId) as RunRow[]
  ).map(toRun);
}

/**
 * At start-up, after the job manager marked what was running as interrupted: a run never says "running" while its
 * job says otherwise (a kill -9 leaves both rows as they were). The job row is the truth; the run follows it (a
 * run whose job was never recorded failed to start).
 */
export function reconcileRunStates(db: Db): number {
  return db
    .prepare(
      `UPDATE student_runs SET
         state = CASE WHEN job_id IS NULL THEN 'failed' ELSE
           CASE (SELECT state FROM jobs WHERE id = student_runs.job_id)
             WHEN 'failed' THEN 'failed' WHEN 'cancelled' THEN 'cancelled' ELSE 'interrupted' END END,
         finished_at = CASE WHEN job_id IS NULL
             OR (SELECT state FROM jobs WHERE id = student_runs.job_id) IN ('failed', 'cancelled')
           THEN COALESCE(finished_at, ?) ELSE finished_at END
       WHERE state IN ('created', 'running')
         AND (job_id IS NULL OR job_id NOT IN (SELECT id FROM jobs WHERE state IN ('queued', 'running', 'paused')))`,
    )
    .run(nowIso()).changes;
}

export function setRunState(db: Db, runId: number, state: StudentRunState, finished = false): void {
  db.prepare(
    `UPDATE student_runs SET state = ?, finished_at = CASE WHEN ? THEN ? ELSE finished_at END WHERE id = ?`,
  ).run(state, finished ? 1 : 0, nowIso(), runId);
}

const EPOCH_METRICS = [
  'trainLoss',
  'valLoss',
  'valAccuracy',
  'valMacroF1',
  'valHumanCount',
  'valHumanAccuracy',
  'valHumanMacroF1',
  'valTeacherCount',
  'valTeacherAccuracy',
  'valTeacherMacroF1',
  'examplesPerSecond',
] as const;

/** Recorded for multi-label runs only (EpochMetrics). */
const MULTI_EPOCH_METRICS = ['valMicroF1', 'valSamplesF1', 'valHumanMicroF1'] as const;

export function runEpochs(db: Db, runId: number): EpochMetrics[] {
  const rows = db
    .prepare(
      `SELECT epoch, name, value FROM metrics WHERE student_run_id = ? AND kind = 'epoch' ORDER BY epoch`,
    )
    .all(runId) as Array<{ epoch: number; name: string; value: number | null }>;
  const byEpoch = new Map<number, Record<string, number>>();
  for (const r of rows) {
    const e = byEpoch.get(r.epoch) ?? {};
    e[r.name] = r.value ?? Number.NaN;
    byEpoch.set(r.epoch, e);
  }
  return [...byEpoch.entries()].map(([epoch, e]) => ({
    epoch,
    trainLoss: e.trainLoss,
    valLoss: e.valLoss,
    valAccuracy: e.valAccuracy,
    valMacroF1: e.valMacroF1,
    // Runs recorded before these figures existed: unknown (NaN).
    valHumanCount: e.valHumanCount ?? Number.NaN,
    valHumanAccuracy: e.valHumanAccuracy ?? Number.NaN,
    valHumanMacroF1: e.valHumanMacroF1 ?? Number.NaN,
    valTeacherCount: e.valTeacherCount ?? Number.NaN,
    valTeacherAccuracy: e.valTeacherAccuracy ?? Number.NaN,
    valTeacherMacroF1: e.valTeacherMacroF1 ?? Number.NaN,
    examplesPerSecond: e.examplesPerSecond,
    ...Object.fromEntries(MULTI_EPOCH_METRICS.filter((m) => m in e).map((m) => [m, e[m]])),
  }));
}

export function getRunDetail(db: Db, runId: number): Omit<StudentRunDetail, 'auto' | 'finalFit'> {
  const run = getRun(db, runId);
  const checkpoints = (
    db
      .prepare('SELECT epoch, metric, is_best FROM checkpoints WHERE run_id = ? ORDER BY epoch')
      .all(runId) as Array<{
      epoch: number;
      metric: number | null;
      is_best: number;
    }>
  ).map((c) => ({ epoch: c.epoch, metric: c.metric, isBest: c.is_best === 1 }));
  const row = db.prepare('SELECT threshold FROM student_runs WHERE id = ?').get(runId) as {
    threshold: string | null;
  };
  const saved = run.kind === 'multi' ? parseSavedLabelThresholds(row.threshold, run.labels.length) : null;
  return {
    ...run,
    epochs: runEpochs(db, runId),
    checkpoints,
    thresholds: saved ? [...saved.thresholds] : modelThresholds(run),
  };
}

/** A multi-label run's thresholds as its best model holds them (null: single-label, or no readable model yet). */
export function modelThresholds(run: StudentRun): number[] | null {
  if (run.kind !== 'multi' || !run.modelPath) return null;
  try {
    const read = parseStored(ModelThresholdsJson, readFileSync(join(run.modelPath, MODEL_JSON), 'utf8'));
    return read.ok ? (read.value.thresholds ?? null) : null;
  } catch {
    return null;
  }
}

/** Records one finished epoch (curves, checkpoint rows, best model) in one transaction. */
export function recordEpoch(
  db: Db,
  run: { id: number; projectId: number },
  e: EpochMetrics & {
    isBest: boolean;
    bestEpoch: number;
    metric: number;
    checkpointPath: string;
    modelPath: string;
    modelBytes: number;
    backend?: string;
  },
): void {
  const now = nowIso();
  db.transaction(() => {
    db.prepare(`DELETE FROM metrics WHERE student_run_id = ? AND kind = 'epoch' AND epoch >= ?`).run(
      run.id,
      e.epoch,
    );
    const insert = db.prepare(
      `INSERT INTO metrics (project_id, student_run_id, kind, epoch, split, name, value, created_at)
       VALUES (?, ?, 'epoch', ?, ?, ?, ?, ?)`,
    );
    for (const name of EPOCH_METRICS) {
      insert.run(
        run.projectId,
        run.id,
        e.epoch,
        name === 'trainLoss' || name === 'examplesPerSecond' ? 'train' : 'validation',
        name,
        e[name],
        now,
      );
    }
    for (const name of MULTI_EPOCH_METRICS) {
      const value = e[name];
      if (value !== undefined) insert.run(run.projectId, run.id, e.epoch, 'validation', name, value, now);
    }
    // The rows name the files the run keeps (trainer pruneRunDir): this epoch's checkpoint and the best one.
    db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND (epoch >= ? OR epoch != ?)').run(
      run.id,
      e.epoch,
      e.bestEpoch,
    );
    db.prepare('UPDATE checkpoints SET is_best = CASE WHEN epoch = ? THEN 1 ELSE 0 END WHERE run_id = ?').run(
      e.bestEpoch,
      run.id,
    );
    db.prepare(
      `INSERT INTO checkpoints (run_id, epoch, path, metric, is_best, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(run.id, e.epoch, e.checkpointPath, e.metric, e.isBest ? 1 : 0, now);
    db.prepare(
      `UPDATE student_runs SET best_epoch = ?, best_metric = CASE WHEN ? THEN ? ELSE best_metric END,
         model_path = ?, model_bytes = ? WHERE id = ?`,
    ).run(e.bestEpoch, e.isBest ? 1 : 0, e.metric, e.modelPath, e.modelBytes, run.id);
    if (e.backend) db.prepare('UPDATE student_runs SET backend = ? WHERE id = ?').run(e.backend, run.id);
  })();
}

/** After a resume from epoch N, curves and checkpoints recorded past N (a partial epoch) are dropped. */
export function forgetAfter(db: Db, runId: number, epoch: number): void {
  db.transaction(() => {
    db.prepare(`DELETE FROM metrics WHERE student_run_id = ? AND kind = 'epoch' AND epoch > ?`).run(
      runId,
      epoch,
    );
    db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND epoch > ?').run(runId, epoch);
  })();
}

export function trainOverview(db: Db, projectId: number, defaults: TrainSettings): TrainOverview {
  const labels = projectLabels(db, projectId);
  const run = latestTeacherRun(db, projectId);
  const { trainHuman, trainTeacher, validation } = trainingCounts(
    db,
    projectId,
    projectKind(db, projectId),
    run?.runId ?? null,
  );
  const check = run ? teacherCheck(db, run.runId) : null;
  return {
    projectId,
    kind: projectKind(db, projectId),
    labels: labels.map((l) => l.name),
    teacherRunId: run?.runId ?? null,
    teacherCheck: check,
    trainHuman,
    trainTeacher,
    validation,
    backend: expectedBackend(defaults.architecture),
    backends: Object.fromEntries(STUDENT_ARCHITECTURES.map((a) => [a, expectedBackend(a)])) as Record<
      StudentArchitectureName,
      string
    >,
    // A teacher no better than chance would teach the student its noise: human labels only, unless the person says.
    defaults: check?.verdict === 'chance' ? { ...defaults, useTeacher: false } : defaults,
  };
}
