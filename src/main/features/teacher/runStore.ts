/** Teacher runs as stored: reading a run, its counts and calibration, and its outputs. */
import { z } from 'zod';
import {
  CalibrationReport,
  LabelCalibrationReport,
  TeacherRunSettings,
  type TeacherMode,
  type TeacherOutput,
  type TeacherRun,
} from '../../../shared/teacher';
import { notFound } from '../../core/errors';
import { humanLabelSets, humanLabels, projectKind, teacherLabelSnapshot } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { PromptPlan } from './protocol';
import { readStoredJsonOr, storedColumn, storedNumbers } from '../../core/store/storedJson';

export interface RunRow {
  id: number;
  project_id: number;
  model_id: number | null;
  model_sha256: string;
  mode: TeacherMode;
  prompt_template: string;
  labels_snapshot: string;
  settings: string;
  calibration_temperature: number | null;
  job_id: number | null;
  prompt_version_id: number | null;
  created_at: string;
}

export interface StoredSettings extends TeacherRunSettings {
  readonly plan: PromptPlan;
  readonly template: string;
}

/**
 * `teacher_runs.settings` of a run this program labels: its settings, prompt plan and template. Endpoints are
 * missing from runs stored before remote teachers existed.
 */
export const StoredSettingsSchema = TeacherRunSettings.unwrap().extend({
  endpoints: TeacherRunSettings.unwrap().shape.endpoints.default([]),
  plan: PromptPlan,
  template: z.string(),
}) satisfies z.ZodType<StoredSettings>;

/** `teacher_runs.settings` of any run: an imported run stores '{}'. */
export const AnyStoredSettings = StoredSettingsSchema.partial();

/** A run's stored settings, as far as it has them. */
export function storedSettings(json: string, runId: number): z.output<typeof AnyStoredSettings> {
  return readStoredJsonOr(AnyStoredSettings, json, {}, storedColumn('teacher_runs.settings', { id: runId }));
}

export function runCounts(
  db: Db,
  runId: number,
): { target: number; output: number; failed: number; truncated: number } {
  const r = db
    .prepare(
      `SELECT COUNT(*) AS target, SUM(status = 'failed') AS failed,
              (SELECT COUNT(*) FROM teacher_outputs o WHERE o.run_id = ?) AS output,
              (SELECT COUNT(*) FROM teacher_outputs o WHERE o.run_id = ? AND o.truncated = 1) AS truncated
       FROM teacher_run_targets WHERE run_id = ?`,
    )
    .get(runId, runId, runId) as { target: number; failed: number | null; output: number; truncated: number };
  return { target: r.target, output: r.output, failed: r.failed ?? 0, truncated: r.truncated };
}

/** The payload of a run's latest calibration of this kind (calibrate.ts writes both), or null when it has none. */
function latestCalibration<T>(
  db: Db,
  runId: number,
  kind: 'teacher_calibration' | 'teacher_label_calibration',
  schema: z.ZodType<T>,
): T | null {
  const row = db
    .prepare('SELECT payload FROM metrics WHERE teacher_run_id = ? AND kind = ? ORDER BY id DESC LIMIT 1')
    .get(runId, kind) as { payload: string } | undefined;
  return row
    ? readStoredJsonOr(
        schema.nullable(),
        row.payload,
        null,
        storedColumn(`metrics.payload (${kind})`, { teacher_run_id: runId }),
      )
    : null;
}

function toRun(db: Db, r: RunRow): TeacherRun {
  const s = storedSettings(r.settings, r.id);
  const model = r.model_id
    ? (db.prepare('SELECT name FROM teacher_models WHERE id = ?').get(r.model_id) as
        { name: string } | undefined)
    : undefined;
  const counts = runCounts(db, r.id);
  const validation: ReadonlyMap<number, unknown> =
    projectKind(db, r.project_id) === 'multi'
      ? humanLabelSets(db, r.project_id, { split: 'validation' })
      : humanLabels(db, r.project_id, { split: 'validation' });
  const scored = db
    .prepare('SELECT example_id FROM teacher_outputs WHERE run_id = ?')
    .pluck()
    .all(r.id) as number[];
  return {
    id: r.id,
    projectId: r.project_id,
    modelId: r.model_id,
    modelName: model?.name ?? null,
    modelSha256: r.model_sha256,
    mode: r.mode,
    promptTemplate: r.prompt_template,
    labels: teacherLabelSnapshot(r.labels_snapshot),
    // A run stored without its settings (the column's default '{}') reads as one with no model settings, as an
    // imported run: the contract's TeacherRunSettings has every field.
    settings: {
      mode: s.mode ?? r.mode,
      fewShot: s.fewShot ?? 0,
      reasoningBudget: s.reasoningBudget ?? 0,
      threads: s.threads ?? 0,
      sequences: s.sequences ?? 0,
      contextSize: s.contextSize ?? 0,
      endpoints: (s.endpoints ?? []).map((e) => ({
        url: e.url,
        model: e.model,
        concurrency: e.concurrency,
        ...(e.chatTemplate ? { chatTemplate: e.chatTemplate } : {}),
      })),
    },
    calibrationTemperature: r.calibration_temperature,
    calibration: latestCalibration(db, r.id, 'teacher_calibration', CalibrationReport),
    kind: projectKind(db, r.project_id),
    labelCalibration: latestCalibration(db, r.id, 'teacher_label_calibration', LabelCalibrationReport),
    validationLabelled: validation.size,
    calibrationReady: scored.filter((id) => validation.has(id)).length,
    jobId: r.job_id,
    targetCount: counts.target,
    outputCount: counts.output,
    failedCount: counts.failed,
    truncatedCount: counts.truncated,
    promptVersion: r.prompt_version_id
      ? ((db
          .prepare('SELECT id, number, name FROM teacher_prompt_versions WHERE id = ?')
          .get(r.prompt_version_id) as { id: number; number: number; name: string } | undefined) ?? null)
      : null,
    createdAt: r.created_at,
  };
}

export function runRow(db: Db, runId: number): RunRow {
  const r = db.prepare('SELECT * FROM teacher_runs WHERE id = ?').get(runId) as RunRow | undefined;
  if (!r) throw notFound('Teacher run', runId);
  return r;
}

export function getRun(db: Db, runId: number): TeacherRun {
  return toRun(db, runRow(db, runId));
}

export function listRuns(db: Db, projectId: number): TeacherRun[] {
  return (
    db.prepare('SELECT * FROM teacher_runs WHERE project_id = ? ORDER BY id DESC').all(projectId) as RunRow[]
  ).map((r) => toRun(db, r));
}
export function listOutputs(
  db: Db,
  runId: number,
  offset: number,
  limit: number,
): { total: number; items: TeacherOutput[] } {
  const run = runRow(db, runId);
  const labels = teacherLabelSnapshot(run.labels_snapshot);
  const names = new Map(labels.map((l) => [l.id, l.name]));
  const total = (
    db.prepare('SELECT COUNT(*) AS n FROM teacher_outputs WHERE run_id = ?').get(runId) as { n: number }
  ).n;
  const rows = db
    .prepare(
      `SELECT o.*, e.text, e.split FROM teacher_outputs o JOIN examples e ON e.id = o.example_id
       WHERE o.run_id = ? ORDER BY o.example_id LIMIT ? OFFSET ?`,
    )
    .all(runId, limit, offset) as Array<{
    example_id: number;
    text: string;
    split: string | null;
    probs: string;
    entropy: number;
    margin: number;
    predicted_label_id: number | null;
    reasoning: string | null;
    tokens: number;
    time_ms: number;
    truncated: number;
  }>;
  return {
    total,
    items: rows.map((r) => ({
      exampleId: r.example_id,
      text: r.text.length > 400 ? `${r.text.slice(0, 400)}…` : r.text,
      split: r.split,
      probs: storedNumbers(r.probs, 'teacher_outputs.probs', r.example_id),
      entropy: r.entropy,
      margin: r.margin,
      predictedLabelId: r.predicted_label_id,
      predictedLabel: r.predicted_label_id !== null ? (names.get(r.predicted_label_id) ?? null) : null,
      reasoning: r.reasoning,
      tokens: r.tokens,
      timeMs: r.time_ms,
      truncated: r.truncated === 1,
    })),
  };
}
