import { z } from 'zod';
import { createHash, randomUUID } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { ExportableModel, ExportOverview, ExportResult } from '../../../shared/export';
import { audit } from '../../core/audit';
import { parseSavedLabelThresholds } from '../../../shared/multilabelEvaluation';
import { AppError, notFound } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import { resourcesDir } from '../../core/paths';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { APP_VERSION } from '../../core/version';
import { exportReport } from '../evaluation/report';
import { getRun, getRunDetail } from '../student/runs';
import {
  EXPORT_FORMAT,
  EXPORT_FORMAT_VERSION,
  loadStudentRuntime,
  RuntimeError,
  type Deployment,
  type OperatingThreshold,
} from './runtime/student-runtime';
import { runtimeBundle } from './runtimeBundle';
import { writeZip } from './zip';
import { DeploymentEnvelope, DeploymentFile, OperatingThresholdShape } from './deploymentFile';
import { ModelJsonFile } from '../student/storedFiles';
import { readStoredJson, readStoredJsonOr, storedColumn } from '../../core/store/storedJson';
import { parseStored } from '../../../shared/storedJson';

const TEMPLATES = ['predict.mjs', 'index.html', 'distillery-student.d.ts'] as const;

interface RunRow {
  id: number;
  project_id: number;
  created_at: string;
  labels_snapshot: string;
  best_metric: number | null;
  model_path: string | null;
  model_bytes: number | null;
  threshold: string | null;
}

function labelNames(snapshot: string): string[] {
  const parsed = readStoredJsonOr(z.unknown(), snapshot, [], storedColumn('student_runs.labels_snapshot'));
  if (!Array.isArray(parsed)) return [];
  return parsed.map((l: unknown) =>
    typeof l === 'string' ? l : String((l as { name?: unknown }).name ?? ''),
  );
}

/**
 * The thresholds a multi-label run's predictions use: those saved in Evaluate, else the model's own (tuned in
 * training); null for a single-label model.
 */
export function labelThresholdsOf(
  savedJson: string | null,
  model: {
    readonly kind: 'single' | 'multi';
    readonly labels: readonly string[];
    readonly thresholds: readonly number[] | null;
  },
): readonly number[] | null {
  if (model.kind !== 'multi') return null;
  return parseSavedLabelThresholds(savedJson, model.labels.length)?.thresholds ?? model.thresholds;
}

/** The saved operating threshold, if it is one this model's labels can use. */
export function operatingThreshold(
  json: string | null,
  labels: readonly string[],
): OperatingThreshold | null {
  // The column also holds a multi-label run's thresholds: another shape is "no operating threshold".
  const read = json ? parseStored(OperatingThresholdShape, json) : null;
  if (!read?.ok) return null;
  const t = read.value;
  if (labels[t.classIndex] !== t.label) return null;
  return { label: t.label, classIndex: t.classIndex, threshold: t.threshold };
}

function runsOf(db: Db, projectId: number): RunRow[] {
  return db
    .prepare(
      `SELECT id, project_id, created_at, labels_snapshot, best_metric, model_path, model_bytes, threshold
       FROM student_runs WHERE project_id = ? AND model_path IS NOT NULL AND model_path != '' ORDER BY id DESC`,
    )
    .all(projectId) as RunRow[];
}

export function exportOverview(db: Db, projectId: number): ExportOverview {
  if (!db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId)) throw notFound('Project', projectId);
  const models: ExportableModel[] = runsOf(db, projectId)
    .filter((r) => r.model_path && existsSync(join(r.model_path, 'model.json')))
    .map((r) => {
      const labels = labelNames(r.labels_snapshot);
      const t = operatingThreshold(r.threshold, labels);
      const multi = getRun(db, r.id).kind === 'multi';
      const saved = multi ? parseSavedLabelThresholds(r.threshold, labels.length) : null;
      const labelThresholds = multi ? (saved?.thresholds ?? getRunDetail(db, r.id).thresholds) : null;
      return {
        runId: r.id,
        createdAt: r.created_at,
        labels,
        bestMetric: r.best_metric,
        modelBytes: r.model_bytes,
        threshold: t && !multi ? { label: t.label, threshold: t.threshold } : null,
        kind: multi ? 'multi' : 'single',
        labelThresholds,
        labelThresholdSource: labelThresholds ? (saved ? 'saved' : 'model') : null,
      };
    });
  const teacherAvailable = Boolean(db.prepare('SELECT 1 FROM teacher_models LIMIT 1').get());
  return { projectId, models, teacherAvailable };
}

/** The run to use: the one asked for (it must belong to the project and have a model), else the newest. */
export function resolveRun(db: Db, projectId: number, runId?: number): RunRow & { model_path: string } {
  const runs = runsOf(db, projectId);
  const run = runId === undefined ? runs[0] : runs.find((r) => r.id === runId);
  if (!run || !run.model_path) {
    throw runId === undefined
      ? AppError.keyed('NOT_FOUND', 'export.noTrainedStudent')
      : AppError.keyed('NOT_FOUND', 'export.runHasNoModel', { runId });
  }
  if (!existsSync(join(run.model_path, 'model.json')) || !existsSync(join(run.model_path, 'weights.bin'))) {
    throw AppError.keyed('BAD_FILE', 'export.modelFilesTrainingRun', {
      id: run.id,
      model_path: run.model_path,
    });
  }
  return run as RunRow & { model_path: string };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function listRelative(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(root);
  return out;
}

function safeName(name: string): string {
  return (
    name
      .replace(/[^\p{L}\p{N}._ -]/gu, '_')
      .replace(/\s+/g, '-')
      .slice(0, 60) || 'model'
  );
}

/** The exported README in each language the app speaks, side by side, each linking the other. */
const README_FILES = { en: 'README.md', zh: 'README.zh-CN.md' } as const;
const README_NAME = {
  en: (project: string, runId: number) => `${project}: student model ${runId}`,
  zh: (project: string, runId: number) => `${project}：学生模型 ${runId}`,
} as const;

/** The README's sentence on how a label is decided, in English or Chinese. */
export function readmeThreshold(
  lang: 'en' | 'zh',
  labels: readonly string[],
  labelThresholds: readonly number[] | null,
  threshold: { label: string; threshold: number } | null,
): string {
  if (labelThresholds) {
    const each = labels.map((l, k) => `${l} ${labelThresholds[k].toFixed(4)}`).join(lang === 'zh' ? '、' : ', ');
    return lang === 'zh'
      ? `多标签：概率不低于其阈值的每个标签都会被预测（${each}）`
      : `multi-label: every label whose probability is at least its threshold is predicted (${each})`;
  }
  if (threshold) {
    const p = threshold.threshold.toFixed(4);
    return lang === 'zh'
      ? `当“${threshold.label}”的概率不低于 ${p} 时预测为“${threshold.label}”`
      : `predict "${threshold.label}" when its probability is at least ${p}`;
  }
  return lang === 'zh' ? '未保存（预测概率最高的标签）' : 'none saved (the most probable label is predicted)';
}

/**
 * Exports a student as a self-contained folder: the model files, deployment.json (labels, operating threshold,
 * featurizer, checksums), the runtime bundled from the app's own featurizer and forward pass, a Node CLI, a sample
 * page, a README and the evaluation report when there is one. Written beside its final place and renamed, so a
 * failure leaves no half folder; an existing folder is never overwritten.
 */
export async function exportStudent(
  ctx: CoreContext,
  projectId: number,
  opts: { runId?: number; outDir?: string; actor: string },
): Promise<ExportResult> {
  const project = ctx.db.prepare('SELECT name FROM projects WHERE id = ?').get(projectId) as
    { name: string } | undefined;
  if (!project) throw notFound('Project', projectId);
  const run = resolveRun(ctx.db, projectId, opts.runId);
  const modelJson = readFileSync(join(run.model_path, 'model.json'), 'utf8');
  const weights = readFileSync(join(run.model_path, 'weights.bin'));
  let labels: readonly string[];
  let featurizer: Deployment['featurizer'];
  let labelThresholds: readonly number[] | null;
  try {
    const runtime = loadStudentRuntime(modelJson, weights);
    labels = runtime.labels;
    labelThresholds = labelThresholdsOf(run.threshold, runtime);
    featurizer = readStoredJson(ModelJsonFile, modelJson, (p) => new Error(`model.json: ${p}`)).featurizer;
  } catch (e) {
    const why = e instanceof RuntimeError ? e.message : (e as Error).message;
    throw AppError.keyed('BAD_FILE', 'export.modelTrainingRunCannot', { id: run.id, why });
  }
  const threshold = labelThresholds ? null : operatingThreshold(run.threshold, labels);
  const name = `${safeName(project.name)}-model-${run.id}`;
  const inDataDir = opts.outDir === undefined;
  const target = opts.outDir ?? join(ctx.paths.exports, `${name}-${nowIso().replace(/[:.]/g, '-')}`);
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw AppError.keyed('CONFLICT', 'export.alreadyExistsEmptyChoose', { target });
  }
  const bundle = await runtimeBundle();
  const staging = join(dirname(target), `.${basename(target)}.partial-${randomUUID().slice(0, 8)}`);
  mkdirSync(join(staging, 'model'), { recursive: true });
  try {
    copyFileSync(join(run.model_path, 'model.json'), join(staging, 'model', 'model.json'));
    copyFileSync(join(run.model_path, 'weights.bin'), join(staging, 'model', 'weights.bin'));
    writeFileSync(join(staging, 'distillery-student.js'), bundle.script);
    writeFileSync(join(staging, 'distillery-student.mjs'), bundle.module);
    const templates = join(resourcesDir(), 'runtime');
    for (const t of TEMPLATES) copyFileSync(join(templates, t), join(staging, t));
    let hasReport = false;
    try {
      const report = await exportReport(ctx, projectId, { kind: 'student', runId: run.id }, 'html');
      writeFileSync(join(staging, 'report.html'), Buffer.from(report.base64, 'base64'));
      hasReport = true;
    } catch (e) {
      // A model that was never evaluated has no report; anything else is a real failure.
      if (!(e instanceof AppError) || e.code !== 'NOT_FOUND') throw e;
    }
    const exportedAt = nowIso();
    for (const lang of ['en', 'zh'] as const) {
      const file = README_FILES[lang];
      const readme = readFileSync(join(templates, file), 'utf8')
        .replaceAll('{{name}}', README_NAME[lang](project.name, run.id))
        .replaceAll('{{exportedAt}}', exportedAt)
        .replaceAll('{{labels}}', labels.join(lang === 'zh' ? '、' : ', '))
        .replaceAll('{{threshold}}', readmeThreshold(lang, labels, labelThresholds, threshold));
      writeFileSync(join(staging, file), readme);
    }
    const files: Record<string, string> = {};
    for (const rel of listRelative(staging)) files[rel] = sha256(join(staging, ...rel.split('/')));
    const deployment: Deployment = {
      format: EXPORT_FORMAT,
      version: EXPORT_FORMAT_VERSION,
      name: README_NAME.en(project.name, run.id),
      labels,
      threshold,
      labelThresholds,
      featurizer,
      model: { json: 'model/model.json', weights: 'model/weights.bin' },
      report: hasReport ? 'report.html' : null,
      source: { app: 'Distillery', appVersion: APP_VERSION, projectId, runId: run.id, project: project.name },
      exportedAt,
      files,
    };
    writeFileSync(join(staging, 'deployment.json'), JSON.stringify(deployment, null, 2));
    mkdirSync(dirname(target), { recursive: true });
    if (existsSync(target)) rmSync(target, { recursive: true });
    renameSync(staging, target);
    const all = listRelative(target);
    let zipPath: string | null = null;
    if (inDataDir) {
      zipPath = `${target}.zip`;
      writeZip(zipPath, target, all, basename(target));
    }
    audit(ctx.db, {
      projectId,
      actor: opts.actor,
      action: 'export',
      entity: 'student_run',
      entityId: run.id,
      details: { dir: target, threshold },
    });
    return {
      runId: run.id,
      dir: target,
      zipPath,
      zipName: zipPath ? basename(zipPath) : null,
      files: all,
      hasReport,
    };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Checks an exported folder against its deployment.json and loads its model (the app's `distillery predict`). */
export function loadExportFolder(dir: string): { deployment: Deployment | null; modelDir: string } {
  const depFile = join(dir, 'deployment.json');
  if (!existsSync(depFile)) {
    if (existsSync(join(dir, 'model.json'))) return { deployment: null, modelDir: dir };
    throw AppError.keyed('NOT_FOUND', 'export.neitherExportedModelFolder', { dir });
  }
  let text: string;
  try {
    text = readFileSync(depFile, 'utf8');
  } catch (e) {
    throw AppError.keyed('BAD_FILE', 'export.deploymentJsonDamagedExport', {
      dir,
      problem: (e as Error).message,
    });
  }
  const damaged = (problem: string): Error =>
    AppError.keyed('BAD_FILE', 'export.deploymentJsonDamagedExport', { dir, problem });
  // Another format or a newer version is refused as such before its fields are read.
  const envelope = readStoredJson(DeploymentEnvelope, text, damaged);
  if (envelope.format !== EXPORT_FORMAT || envelope.version > EXPORT_FORMAT_VERSION) {
    throw AppError.keyed('BAD_FILE', 'export.exportedModelVersionDistillery', { dir });
  }
  const deployment: Deployment = readStoredJson(DeploymentFile, text, damaged);
  for (const [file, hash] of Object.entries(deployment.files ?? {})) {
    const p = join(dir, ...file.split('/'));
    if (!existsSync(p)) throw AppError.keyed('BAD_FILE', 'export.exportedFolderIncompleteMissing', { file });
    if (sha256(p) !== hash) throw AppError.keyed('BAD_FILE', 'export.exportedFolderDamagedChanged', { file });
  }
  return { deployment, modelDir: dirname(join(dir, ...deployment.model.json.split('/'))) };
}
