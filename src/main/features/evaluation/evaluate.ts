import { isAbsolute, join } from 'node:path';
import { pairedSignificance } from './significance';
import { performance } from 'node:perf_hooks';
import type {
  EvaluationCandidate,
  EvaluationOverview,
  EvaluationResult,
  EvaluationSummary,
  ModelRef,
  RunDiff,
  TeacherVsStudent,
} from '../../../shared/evaluation';
import { SavedThreshold, StoredEvaluation } from '../../../shared/evaluation';
import { AppError, notFound } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import { modelInfo, type ModelInfo } from './modelInfo';
import {
  goldLabels,
  latestTeacherRun,
  projectLabels,
  teacherDistributions,
  teacherMsPerDocument,
} from '../../core/labels';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import type { StudentPredictor } from '../student/predictor';
import { computeEvaluation, type ScoredItem } from './compute';
import { argmax } from '../../../shared/math';
import { openReviewRequestIds } from './reviewRequests';
import { readStoredJson, storedColumn } from '../../core/store/storedJson';
import { parseStored } from '../../../shared/storedJson';

/** How a student model folder becomes a predictor: the student feature's loader (tests may pass another). */
export type StudentLoader = (modelDir: string) => Promise<StudentPredictor>;

interface GoldExample {
  readonly id: number;
  readonly text: string;
  readonly labelId: number;
}

export function goldExamples(db: Db, projectId: number): GoldExample[] {
  const gold = goldLabels(db, projectId);
  const rows = db
    .prepare(
      "SELECT id, text FROM examples WHERE project_id = ? AND split = 'test' AND excluded = 0 ORDER BY id",
    )
    .all(projectId) as Array<{ id: number; text: string }>;
  return rows.flatMap((r) => {
    const labelId = gold.get(r.id);
    return labelId === undefined ? [] : [{ id: r.id, text: r.text, labelId }];
  });
}

/** Maps a project label id to the model's class index: by id where the snapshot has ids, else by name. */
function classIndexer(db: Db, projectId: number, info: ModelInfo): (labelId: number) => number {
  const names = new Map(projectLabels(db, projectId).map((l) => [l.id, l.name]));
  return (labelId) => {
    const byId = info.labels.findIndex((l) => l.id === labelId);
    if (byId >= 0) return byId;
    const name = names.get(labelId);
    return info.labels.findIndex((l) => l.id === null && l.name === name);
  };
}

async function predictStudent(
  ctx: CoreContext,
  info: ModelInfo,
  examples: readonly GoldExample[],
  load: StudentLoader,
): Promise<{ probs: Map<number, number[]>; latencyMsPerDoc: number | null }> {
  if (!info.modelPath) throw AppError.keyed('CONFLICT', 'evaluation.hasTrainedModelYet', { name: info.name });
  const dir = isAbsolute(info.modelPath) ? info.modelPath : join(ctx.paths.dataDir, info.modelPath);
  let predictor: StudentPredictor;
  try {
    predictor = await load(dir);
  } catch (e) {
    throw AppError.keyed('BAD_FILE', 'evaluation.modelCannotReadTrain', {
      name: info.name,
      p1: (e as Error).message,
    });
  }
  try {
    const names = info.labels.map((l) => l.name);
    if (predictor.labels.join('\u0000') !== names.join('\u0000'))
      throw AppError.keyed('CONFLICT', 'evaluation.modelHasLabelsOther', {
        name: info.name,
        labels: predictor.labels.join(', '),
      });
    const probs = new Map<number, number[]>();
    for (let i = 0; i < examples.length; i += 256) {
      const chunk = examples.slice(i, i + 256);
      const out = await predictor.predict(chunk.map((e) => e.text));
      chunk.forEach((e, j) => probs.set(e.id, out[j]));
    }
    // Latency as a person sees it: one document per call, after one warm-up call.
    const timed = examples.slice(0, 200);
    let latencyMsPerDoc: number | null = null;
    if (timed.length > 0) {
      await predictor.predict([timed[0].text]);
      const start = performance.now();
      for (const e of timed) await predictor.predict([e.text]);
      latencyMsPerDoc = (performance.now() - start) / timed.length;
    }
    return { probs, latencyMsPerDoc };
  } finally {
    predictor.dispose();
  }
}

function teacherPredictions(
  db: Db,
  info: ModelInfo,
): { probs: Map<number, number[]>; latencyMsPerDoc: number | null } {
  return {
    probs: teacherDistributions(db, info.ref.runId),
    latencyMsPerDoc: teacherMsPerDocument(db, info.ref.runId),
  };
}

const SUMMARY_ONLY: ReadonlyArray<keyof EvaluationResult> = [
  'perClass',
  'confusion',
  'confusionNormalized',
  'reliability',
  'confidenceHistogram',
  'predictions',
];

export function toSummary(e: EvaluationResult): EvaluationSummary {
  const copy: Record<string, unknown> = { ...e };
  for (const k of SUMMARY_ONLY) delete copy[k];
  return copy as unknown as EvaluationSummary;
}

function runColumn(ref: ModelRef): 'teacher_run_id' | 'student_run_id' {
  return ref.kind === 'teacher' ? 'teacher_run_id' : 'student_run_id';
}

/** Evaluates a model on the gold test set and stores the result in `metrics` (kind 'eval'), replacing its last one. */
export async function evaluateModel(
  ctx: CoreContext,
  input: { projectId: number; model: ModelRef; seed: number; iterations: number },
  load: StudentLoader,
): Promise<EvaluationResult> {
  const { db } = ctx;
  const info = modelInfo(db, input.projectId, input.model);
  const examples = goldExamples(db, input.projectId);
  if (examples.length === 0) throw AppError.keyed('CONFLICT', 'evaluation.testSplitHasHuman', {});
  const { probs, latencyMsPerDoc } =
    info.ref.kind === 'student'
      ? await predictStudent(ctx, info, examples, load)
      : teacherPredictions(db, info);
  const indexOf = classIndexer(db, input.projectId, info);
  const k = info.labels.length;
  const items: ScoredItem[] = [];
  for (const e of examples) {
    const p = probs.get(e.id);
    const gold = indexOf(e.labelId);
    if (p && p.length === k && gold >= 0) items.push({ exampleId: e.id, gold, probs: p });
  }
  if (items.length === 0)
    throw AppError.keyed('CONFLICT', 'evaluation.hasPredictionsGoldTest', {
      name: info.name,
      examplesLength: examples.length,
    });
  const computed = computeEvaluation(
    info.labels.map((l) => l.name),
    items,
    input,
  );
  const createdAt = nowIso();
  const payload = {
    ...computed,
    model: info.ref,
    modelName: info.name,
    createdAt,
    missing: examples.length - items.length,
    modelBytes: info.modelBytes,
    latencyMsPerDoc,
  };
  const id = replaceEvaluation(db, input.projectId, info.ref, 'eval', computed.macroF1.value, payload);
  return { id, ...payload };
}

/**
 * Stores a model's evaluation on the gold test set in `metrics` (kind 'eval', or 'eval_multi' for a multi-label
 * student), replacing the model's last one of that kind, in one transaction; `value` is the headline figure the row
 * is sorted by, `payload` the whole result. Returns the new row's id.
 */
export function replaceEvaluation(
  db: Db,
  projectId: number,
  ref: ModelRef,
  kind: 'eval' | 'eval_multi',
  value: number | null,
  payload: { readonly createdAt: string },
): number {
  const col = runColumn(ref);
  return db.transaction(() => {
    db.prepare(`DELETE FROM metrics WHERE project_id = ? AND kind = ? AND ${col} = ?`).run(
      projectId,
      kind,
      ref.runId,
    );
    const r = db
      .prepare(
        `INSERT INTO metrics (project_id, ${col}, kind, split, name, value, payload, created_at)
         VALUES (?, ?, ?, 'test', 'evaluation', ?, ?, ?)`,
      )
      .run(projectId, ref.runId, kind, value, JSON.stringify(payload), payload.createdAt);
    return Number(r.lastInsertRowid);
  })();
}

/** The model's last evaluation of `kind` as stored by `replaceEvaluation` (its payload still JSON), or null. */
export function latestEvaluationRow(
  db: Db,
  projectId: number,
  ref: ModelRef,
  kind: 'eval' | 'eval_multi',
): { id: number; payload: string } | null {
  const row = db
    .prepare(
      `SELECT id, payload FROM metrics WHERE project_id = ? AND kind = ? AND ${runColumn(ref)} = ?
       ORDER BY id DESC LIMIT 1`,
    )
    .get(projectId, kind, ref.runId) as { id: number; payload: string } | undefined;
  return row ?? null;
}

export function storedEvaluation(db: Db, projectId: number, ref: ModelRef): EvaluationResult | null {
  const row = latestEvaluationRow(db, projectId, ref, 'eval');
  if (!row) return null;
  return {
    ...readStoredJson(StoredEvaluation, row.payload, storedColumn('metrics.payload', { id: row.id })),
    id: row.id,
  };
}

export function requireEvaluation(db: Db, projectId: number, ref: ModelRef): EvaluationResult {
  const e = storedEvaluation(db, projectId, ref);
  if (!e) {
    const what = ref.kind === 'teacher' ? 'teacher run' : 'training run';
    throw AppError.keyed('NOT_FOUND', 'evaluation.hasBeenEvaluatedYet', { what, runId: ref.runId });
  }
  return e;
}

export async function getOrEvaluate(
  ctx: CoreContext,
  projectId: number,
  ref: ModelRef,
  load: StudentLoader,
): Promise<EvaluationResult> {
  return (
    storedEvaluation(ctx.db, projectId, ref) ??
    (await evaluateModel(ctx, { projectId, model: ref, seed: 42, iterations: 1000 }, load))
  );
}

/** The run's saved operating threshold; null when it has none or holds another kind (a multi-label run's). */
export function parseThreshold(json: string | null): SavedThreshold | null {
  const read = json ? parseStored(SavedThreshold, json) : null;
  return read?.ok ? read.value : null;
}

export function overview(db: Db, projectId: number): EvaluationOverview {
  const exists = db.prepare('SELECT id FROM projects WHERE id = ?').get(projectId);
  if (!exists) throw notFound('Project', projectId);
  const gold = goldExamples(db, projectId);
  const labels = projectLabels(db, projectId);
  const goldPerLabel = labels.map((l) => ({
    label: l.name,
    count: gold.filter((g) => g.labelId === l.id).length,
  }));
  const candidates: EvaluationCandidate[] = [];
  const students = db
    .prepare('SELECT id FROM student_runs WHERE project_id = ? AND model_path IS NOT NULL ORDER BY id DESC')
    .all(projectId) as Array<{ id: number }>;
  const teachers = db
    .prepare('SELECT id FROM teacher_runs WHERE project_id = ? ORDER BY id DESC')
    .all(projectId) as Array<{
    id: number;
  }>;
  const refs: ModelRef[] = [
    ...students.map((s) => ({ kind: 'student' as const, runId: s.id })),
    ...teachers.map((t) => ({ kind: 'teacher' as const, runId: t.id })),
  ];
  for (const ref of refs) {
    const info = modelInfo(db, projectId, ref);
    const e = storedEvaluation(db, projectId, ref);
    candidates.push({
      model: ref,
      name: info.name,
      createdAt: info.createdAt,
      evaluation: e ? toSummary(e) : null,
      threshold: parseThreshold(info.thresholdJson),
    });
  }
  return {
    projectId,
    goldCount: gold.length,
    goldPerLabel,
    candidates,
    reviewRequests: openReviewRequestIds(db, projectId).size,
  };
}

/** The teacher a student is compared with: the run it learned from, else the project's latest. */
export function teacherOf(db: Db, projectId: number, info: ModelInfo): number | null {
  return info.teacherRunId ?? latestTeacherRun(db, projectId)?.runId ?? null;
}

export async function teacherVsStudent(
  ctx: CoreContext,
  projectId: number,
  studentRunId: number,
  load: StudentLoader,
): Promise<TeacherVsStudent> {
  const studentRef: ModelRef = { kind: 'student', runId: studentRunId };
  const info = modelInfo(ctx.db, projectId, studentRef);
  const teacherRunId = teacherOf(ctx.db, projectId, info);
  if (teacherRunId === null) throw AppError.keyed('NOT_FOUND', 'evaluation.projectHasTeacherRun', {});
  const student = await getOrEvaluate(ctx, projectId, studentRef, load);
  const teacher = await getOrEvaluate(ctx, projectId, { kind: 'teacher', runId: teacherRunId }, load);
  const teacherPred = new Map(teacher.predictions.map((p) => [p.exampleId, teacher.labels[argmax(p.probs)]]));
  let shared = 0;
  let agree = 0;
  for (const p of student.predictions) {
    const t = teacherPred.get(p.exampleId);
    if (t === undefined) continue;
    shared++;
    if (t === student.labels[argmax(p.probs)]) agree++;
  }
  const ratio = (a: number | null, b: number | null): number | null => (a !== null && b ? a / b : null);
  return {
    teacher: toSummary(teacher),
    student: toSummary(student),
    agreement: shared ? agree / shared : null,
    shared,
    f1Ratio: ratio(student.macroF1.value, teacher.macroF1.value),
    sizeRatio: ratio(teacher.modelBytes, student.modelBytes),
    speedRatio: ratio(teacher.latencyMsPerDoc, student.latencyMsPerDoc),
  };
}

export function compareRuns(db: Db, projectId: number, a: ModelRef, b: ModelRef): RunDiff {
  const ea = requireEvaluation(db, projectId, a);
  const eb = requireEvaluation(db, projectId, b);
  const sa = { kind: a.kind, ...modelInfo(db, projectId, a).settings };
  const sb = { kind: b.kind, ...modelInfo(db, projectId, b).settings };
  const keys = [...new Set([...Object.keys(sa), ...Object.keys(sb)])];
  const settings = keys
    .map((key) => ({ key, a: sa[key as keyof typeof sa] ?? '—', b: sb[key as keyof typeof sb] ?? '—' }))
    .filter((s) => s.a !== s.b);
  const metric = (name: string, va: number | null, vb: number | null): RunDiff['metrics'][number] => ({
    name,
    a: va,
    b: vb,
    delta: va !== null && vb !== null ? vb - va : null,
    lowerIsBetter: /^(ECE|loss|Brier)/i.test(name),
  });
  const metrics = [
    metric('accuracy', ea.accuracy.value, eb.accuracy.value),
    metric('macro F1', ea.macroF1.value, eb.macroF1.value),
    metric('micro F1', ea.microF1.value, eb.microF1.value),
    metric('weighted F1', ea.weightedF1.value, eb.weightedF1.value),
    metric("Cohen's kappa", ea.kappa.value, eb.kappa.value),
    metric('macro AUC', ea.macroAuc, eb.macroAuc),
    metric('ECE', ea.ece, eb.ece),
  ];
  for (const label of new Set([...ea.labels, ...eb.labels])) {
    const fa = ea.perClass.find((c) => c.label === label)?.f1 ?? null;
    const fb = eb.perClass.find((c) => c.label === label)?.f1 ?? null;
    metrics.push(metric(`F1 ${label}`, fa, fb));
  }
  return { a: toSummary(ea), b: toSummary(eb), settings, metrics, significance: pairedSignificance(ea, eb) };
}
