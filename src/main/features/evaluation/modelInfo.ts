import { z } from 'zod';
import type { ModelRef } from '../../../shared/evaluation';
import { formatNumber } from '../../../shared/auditFormat';
import { fnv1a } from '../../../shared/math';
import { architectureReads } from '../../../shared/student';
import { notFound } from '../../core/errors';
import type { Db } from '../../core/store/db';
import { readStoredJsonOr, storedColumn } from '../../core/store/storedJson';

/** Everything about a model run that an evaluation and a report need, besides its predictions. */
export interface ModelInfo {
  readonly ref: ModelRef;
  readonly name: string;
  readonly createdAt: string;
  readonly labels: ReadonlyArray<{ readonly id: number | null; readonly name: string }>;
  readonly modelBytes: number | null;
  /** Flat, printable settings (for reports and run diffs). */
  readonly settings: Readonly<Record<string, string>>;
  readonly teacherRunId: number | null;
  readonly modelPath: string | null;
  readonly thresholdJson: string | null;
}

interface TeacherRunRow {
  id: number;
  model_sha256: string;
  mode: string;
  prompt_template: string;
  labels_snapshot: string;
  settings: string;
  calibration_temperature: number | null;
  created_at: string;
  model_name: string | null;
  size_bytes: number | null;
}

interface StudentRunRow {
  id: number;
  teacher_run_id: number | null;
  architecture: string;
  settings: string;
  labels_snapshot: string;
  state: string;
  model_path: string | null;
  model_bytes: number | null;
  backend: string | null;
  threshold: string | null;
  created_at: string;
  best_epoch: number | null;
}

function flatten(prefix: string, value: unknown, out: Record<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else
    out[prefix] =
      typeof value === 'string'
        ? value
        : typeof value === 'number'
          ? formatNumber(value)
          : JSON.stringify(value);
}

/** A label snapshot is either names or {id, name} objects (teacher runs keep ids, student runs names). */
function parseLabelSnapshot(json: string): Array<{ id: number | null; name: string }> {
  const raw = readStoredJsonOr(z.array(z.unknown()), json, [], storedColumn('labels_snapshot'));
  return raw.map((l) =>
    typeof l === 'string'
      ? { id: null, name: l }
      : { id: (l as { id?: number }).id ?? null, name: String((l as { name?: unknown }).name ?? '') },
  );
}

/** A short fingerprint of a prompt, so that a report can tell two prompts apart without printing them whole. */
function fingerprint(text: string): string {
  return fnv1a(text).toString(16).padStart(8, '0');
}

export function modelInfo(db: Db, projectId: number, ref: ModelRef): ModelInfo {
  if (ref.kind === 'teacher') {
    const r = db
      .prepare(
        `SELECT t.*, m.name AS model_name, m.size_bytes FROM teacher_runs t
         LEFT JOIN teacher_models m ON m.id = t.model_id WHERE t.id = ? AND t.project_id = ?`,
      )
      .get(ref.runId, projectId) as TeacherRunRow | undefined;
    if (!r) throw notFound('Teacher run', ref.runId);
    const settings: Record<string, string> = {
      model: r.model_name ?? '(removed from the library)',
      'model sha256': r.model_sha256,
      mode: r.mode,
      'prompt fingerprint': fingerprint(r.prompt_template),
      'calibration temperature':
        r.calibration_temperature === null ? '—' : formatNumber(r.calibration_temperature),
    };
    flatten(
      '',
      readStoredJsonOr(z.unknown(), r.settings, {}, storedColumn('teacher_runs.settings')),
      settings,
    );
    // The prompt itself is stored with the run and named by its fingerprint here: printed whole it swamps a table.
    for (const key of Object.keys(settings)) {
      if (key === 'template' || key.startsWith('plan.')) delete settings[key];
    }
    return {
      ref,
      name: `Teacher run ${r.id}${r.model_name ? ` (${r.model_name})` : ''}`,
      createdAt: r.created_at,
      labels: parseLabelSnapshot(r.labels_snapshot),
      modelBytes: r.size_bytes,
      settings,
      teacherRunId: r.id,
      modelPath: null,
      thresholdJson: null,
    };
  }
  const r = db
    .prepare('SELECT * FROM student_runs WHERE id = ? AND project_id = ?')
    .get(ref.runId, projectId) as StudentRunRow | undefined;
  if (!r) throw notFound('Training run', ref.runId);
  const settings: Record<string, string> = {
    architecture: r.architecture,
    'teacher run': r.teacher_run_id === null ? 'none (human labels only)' : String(r.teacher_run_id),
    'best epoch': r.best_epoch === null ? '—' : String(r.best_epoch),
    backend: r.backend ?? '—',
  };
  flatten('', readStoredJsonOr(z.unknown(), r.settings, {}, storedColumn('student_runs.settings')), settings);
  // Settings an architecture does not read are stored with every run, but listing them would mislead.
  for (const key of Object.keys(settings)) if (!architectureReads(r.architecture, key)) delete settings[key];
  return {
    ref,
    name: `Student run ${r.id} (${r.architecture})`,
    createdAt: r.created_at,
    labels: parseLabelSnapshot(r.labels_snapshot),
    modelBytes: r.model_bytes,
    settings,
    teacherRunId: r.teacher_run_id,
    modelPath: r.model_path,
    thresholdJson: r.threshold,
  };
}
