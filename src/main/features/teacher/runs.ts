import { createHash } from 'node:crypto';
import type { Job } from '../../../shared/jobs';
import {
  DEFAULT_PROMPT_TEMPLATE,
  type CalibrationReport,
  type LabelDistribution,
  type PreviewItem,
  type TeacherEndpoint,
  type TeacherMode,
  type TeacherOutput,
  type TeacherRun,
  type TeacherRunPlan,
  type TeacherRunResult,
  type TeacherRunSettings,
  type TeacherTiming,
} from '../../../shared/teacher';
import { AppError, notFound } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import { stableKey, type JobControl } from '../../core/jobs/jobs';
import { humanLabels } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { parseJson } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { mulberry32 } from '../../../shared/random';
import { audit } from '../../core/audit';
import { jobTitle } from '../../core/jobTitles';
import { getSettings } from '../app/settings';
import { getModel } from './models';
import { buildPrompt, type BuiltPrompt } from './prompt';
import type { LoadOptions, PromptPlan, ScoreResult } from './protocol';
import { remoteScorer } from './remote';
import { allFinite, entropy, fitTemperature, margin, normalise, reliability } from './scoring';
import { argmax, softmax } from '../../../shared/math';
import { recommendedSequences, recommendedThreads, teacherService, type Scorer } from './service';

/** What a person chose in the Teacher step (the request of preview and run). */
export interface TeacherChoice {
  readonly projectId: number;
  readonly modelId?: number;
  readonly endpoints: readonly TeacherEndpoint[];
  readonly template?: string;
  readonly mode: TeacherMode;
  readonly fewShot: number;
  readonly reasoningBudget: number;
  readonly threads?: number;
  readonly sequences?: number;
  readonly contextSize?: number;
}

const DEFAULT_CONTEXT = 2048;
export const MIN_CALIBRATION_EXAMPLES = 5;

function settingsOf(c: TeacherChoice): TeacherRunSettings {
  return {
    mode: c.mode,
    fewShot: c.fewShot,
    reasoningBudget: c.reasoningBudget,
    threads: c.threads ?? recommendedThreads(),
    sequences: c.sequences ?? recommendedSequences(),
    contextSize: c.contextSize ?? DEFAULT_CONTEXT,
    endpoints: c.endpoints,
  };
}

interface TeacherIdentity {
  readonly sha256: string;
  readonly modelId: number | null;
  readonly scorer: (signal?: AbortSignal) => Promise<Scorer>;
  readonly loadOptions: LoadOptions | null;
}

function resolveTeacher(
  ctx: CoreContext,
  modelId: number | null | undefined,
  s: TeacherRunSettings,
): TeacherIdentity {
  if (modelId) {
    const model = getModel(ctx.db, modelId);
    const loadOptions: LoadOptions = {
      modelPath: model.filePath,
      threads: s.threads,
      sequences: s.sequences,
      contextSize: s.contextSize,
      gpu: true,
    };
    return {
      sha256: model.sha256,
      modelId: model.id,
      loadOptions,
      scorer: () => teacherService(ctx).acquire(loadOptions),
    };
  }
  if (s.endpoints.length) {
    const id = s.endpoints
      // A chosen chat template makes other prompts: another teacher (none chosen keeps older runs' identity).
      .map((e) =>
        e.chatTemplate
          ? `${e.url}#${e.model}#${createHash('sha256').update(e.chatTemplate).digest('hex')}`
          : `${e.url}#${e.model}`,
      )
      .sort()
      .join(',');
    return {
      sha256: `remote:${createHash('sha256').update(id).digest('hex')}`,
      modelId: null,
      loadOptions: null,
      scorer: async (signal) => remoteScorer(s.endpoints, signal),
    };
  }
  throw new AppError(
    'INVALID_INPUT',
    'Choose a teacher model (import one first) or configure a remote endpoint.',
  );
}

export function toDistribution(
  labels: ReadonlyArray<{ id: number; name: string }>,
  r: ScoreResult,
  temperature = 1,
): LabelDistribution | null {
  if (!r.logLikelihoods || !allFinite(r.logLikelihoods)) return null;
  const { logprobs } = normalise(r.logLikelihoods);
  const probs =
    temperature === 1 ? logprobs.map((l) => Math.exp(l)) : Array.from(softmax(logprobs, temperature));
  if (!allFinite(probs) || !allFinite(logprobs)) return null;
  return {
    labels,
    probs,
    logprobs,
    entropy: entropy(probs),
    margin: margin(probs),
    predictedLabelId: labels[argmax(probs)].id,
    reasoning: r.reasoning,
    tokens: r.tokens,
    timeMs: r.timeMs,
  };
}

function promptFor(ctx: CoreContext, c: TeacherChoice): BuiltPrompt {
  return buildPrompt(ctx.db, c.projectId, {
    template: c.template,
    fewShot: c.fewShot,
    mode: c.mode,
    reasoningBudget: c.reasoningBudget,
  });
}

/** The live preview: a handful of the project's examples (or given texts) with their distributions. */
export async function preview(
  ctx: CoreContext,
  c: TeacherChoice & { exampleIds?: readonly number[]; texts?: readonly string[]; count: number },
): Promise<PreviewItem[]> {
  const built = promptFor(ctx, c);
  const s = settingsOf(c);
  const teacher = resolveTeacher(ctx, c.modelId, s);
  let items: Array<{ id: number; exampleId: number | null; text: string }>;
  if (c.texts?.length) {
    items = c.texts.map((text, i) => ({ id: i + 1, exampleId: null, text }));
  } else {
    const rows = c.exampleIds?.length
      ? (ctx.db
          .prepare(
            `SELECT id, text FROM examples WHERE project_id = ? AND excluded = 0 AND id IN (${c.exampleIds.map(() => '?').join(',')}) ORDER BY id`,
          )
          .all(c.projectId, ...c.exampleIds) as Array<{ id: number; text: string }>)
      : (ctx.db
          .prepare(
            "SELECT id, text FROM examples WHERE project_id = ? AND excluded = 0 AND trim(text) != '' ORDER BY id LIMIT ?",
          )
          .all(c.projectId, c.count) as Array<{ id: number; text: string }>);
    if (!rows.length) {
      throw new AppError(
        'INVALID_INPUT',
        'This project has no examples to preview. Import data in the Data step first.',
      );
    }
    items = rows.map((r) => ({ id: r.id, exampleId: r.id, text: r.text }));
  }
  const empty = items.find((i) => !i.text.trim());
  if (empty)
    throw new AppError('INVALID_INPUT', 'One of the texts is empty: the teacher needs some text to label.');
  const scorer = await teacher.scorer();
  const results = await scorer.score(
    built.plan,
    items.map((i) => ({ id: i.id, text: i.text })),
  );
  const labels = built.labels.map((l) => ({ id: l.id, name: l.name }));
  return items.map((item, i) => {
    const d = toDistribution(labels, results[i]);
    return {
      exampleId: item.exampleId,
      text: item.text,
      distribution: d,
      error: d ? null : (results[i].error ?? 'The model produced invalid numbers for this example.'),
    };
  });
}

export async function promptPreview(
  ctx: CoreContext,
  c: TeacherChoice,
): Promise<{ template: string; rendered: string }> {
  const built = promptFor(ctx, c);
  const first = ctx.db
    .prepare(
      "SELECT text FROM examples WHERE project_id = ? AND excluded = 0 AND trim(text) != '' ORDER BY id LIMIT 1",
    )
    .get(c.projectId) as { text: string } | undefined;
  return {
    template: c.template ?? DEFAULT_PROMPT_TEMPLATE,
    rendered: built.rendered.replace('{{text}}', first?.text ?? '…'),
  };
}

interface RunRow {
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
  created_at: string;
}

interface StoredSettings extends TeacherRunSettings {
  readonly plan: PromptPlan;
  readonly template: string;
}

function runCounts(
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

function calibrationOf(db: Db, runId: number): CalibrationReport | null {
  const row = db
    .prepare(
      "SELECT payload FROM metrics WHERE teacher_run_id = ? AND kind = 'teacher_calibration' ORDER BY id DESC LIMIT 1",
    )
    .get(runId) as { payload: string } | undefined;
  return row ? parseJson<CalibrationReport | null>(row.payload, null) : null;
}

function toRun(db: Db, r: RunRow): TeacherRun {
  const s = parseJson<StoredSettings>(r.settings, {} as StoredSettings);
  const model = r.model_id
    ? (db.prepare('SELECT name FROM teacher_models WHERE id = ?').get(r.model_id) as
        { name: string } | undefined)
    : undefined;
  const counts = runCounts(db, r.id);
  const validation = humanLabels(db, r.project_id, { split: 'validation' });
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
    labels: JSON.parse(r.labels_snapshot) as Array<{ id: number; name: string }>,
    settings: {
      mode: s.mode,
      fewShot: s.fewShot,
      reasoningBudget: s.reasoningBudget,
      threads: s.threads,
      sequences: s.sequences,
      contextSize: s.contextSize,
      endpoints: (s.endpoints ?? []).map((e) => ({
        url: e.url,
        model: e.model,
        concurrency: e.concurrency,
        ...(e.chatTemplate ? { chatTemplate: e.chatTemplate } : {}),
      })),
    },
    calibrationTemperature: r.calibration_temperature,
    calibration: calibrationOf(db, r.id),
    validationLabelled: validation.size,
    calibrationReady: scored.filter((id) => validation.has(id)).length,
    jobId: r.job_id,
    targetCount: counts.target,
    outputCount: counts.output,
    failedCount: counts.failed,
    truncatedCount: counts.truncated,
    createdAt: r.created_at,
  };
}

function runRow(db: Db, runId: number): RunRow {
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

export interface RunRequest extends TeacherChoice {
  readonly exampleIds?: readonly number[];
  readonly splits?: ReadonlyArray<'train' | 'validation' | 'test' | 'none'>;
  readonly limit?: number;
  /** Only examples without a human label. */
  readonly unlabelledOnly?: boolean;
  /** A seeded random sample of this many of the chosen examples. */
  readonly sample?: number;
  readonly sampleSeed?: number;
}

/** The examples a run with this request covers, in order. */
function targetIds(db: Db, req: RunRequest): number[] {
  const where = ['project_id = ?', 'excluded = 0'];
  const args: unknown[] = [req.projectId];
  if (req.exampleIds?.length) {
    where.push(`id IN (${req.exampleIds.map(() => '?').join(',')})`);
    args.push(...req.exampleIds);
  }
  if (req.splits?.length) {
    const named = req.splits.filter((x) => x !== 'none');
    const parts = named.length ? [`split IN (${named.map(() => '?').join(',')})`] : [];
    if (req.splits.includes('none')) parts.push('split IS NULL');
    where.push(`(${parts.join(' OR ')})`);
    args.push(...named);
  }
  let ids = (
    db.prepare(`SELECT id FROM examples WHERE ${where.join(' AND ')} ORDER BY id`).all(...args) as Array<{
      id: number;
    }>
  ).map((r) => r.id);
  if (req.unlabelledOnly) {
    const human = humanLabels(db, req.projectId);
    ids = ids.filter((id) => !human.has(id));
  }
  if (req.sample !== undefined && req.sample < ids.length) {
    // A seeded Fisher-Yates shuffle: the plan and the run of one request pick the same documents.
    const rand = mulberry32(req.sampleSeed ?? 1);
    const pool = [...ids];
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    ids = pool.slice(0, req.sample).sort((a, b) => a - b);
  }
  return req.limit ? ids.slice(0, req.limit) : ids;
}

/** Earlier runs of the project whose outputs a new run with this teacher, prompt and labels carries over. */
function reusableRuns(
  db: Db,
  q: {
    projectId: number;
    exceptRunId: number | null;
    sha256: string;
    mode: TeacherMode;
    rendered: string;
    snapshot: string;
    reasoningBudget: number;
  },
): number[] {
  const rows = db
    .prepare(
      `SELECT id, settings FROM teacher_runs WHERE project_id = ? AND id IS NOT ? AND model_sha256 = ? AND mode = ?
         AND prompt_template = ? AND labels_snapshot = ? ORDER BY id DESC`,
    )
    .all(q.projectId, q.exceptRunId, q.sha256, q.mode, q.rendered, q.snapshot) as Array<{
    id: number;
    settings: string;
  }>;
  return rows
    .filter(
      (p) =>
        q.mode !== 'reasoning' ||
        parseJson<Partial<StoredSettings>>(p.settings, {}).reasoningBudget === q.reasoningBudget,
    )
    .map((p) => p.id);
}

/**
 * Tokens a text is expected to take, from its characters: a CJK character is about one token, other text about one
 * token per three characters (a little more than English averages, so that the warning errs on the side of telling).
 */
export function estimateTokens(text: string): number {
  let cjk = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (
      (c >= 0x2e80 && c <= 0x9fff) ||
      (c >= 0xac00 && c <= 0xd7af) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      c >= 0x20000
    )
      cjk++;
  }
  return cjk + Math.ceil((text.length - cjk) / 3);
}

/** What a run would do: its examples, those carried over, and those estimated not to fit in the model's context. */
export function planRun(ctx: CoreContext, req: RunRequest): TeacherRunPlan {
  const built = promptFor(ctx, req);
  const s = settingsOf(req);
  const teacher = resolveTeacher(ctx, req.modelId, s);
  const ids = targetIds(ctx.db, req);
  const trained = req.modelId ? getModel(ctx.db, req.modelId).metadata.contextLength : null;
  const contextSize = trained ? Math.min(s.contextSize, trained) : s.contextSize;
  const labels = built.labels.map((l) => ({ id: l.id, name: l.name }));
  const previous = reusableRuns(ctx.db, {
    projectId: req.projectId,
    exceptRunId: null,
    sha256: teacher.sha256,
    mode: req.mode,
    rendered: built.rendered,
    snapshot: JSON.stringify(labels),
    reasoningBudget: s.reasoningBudget,
  });
  const targets = new Set(ids);
  const carried = new Set<number>();
  const outputs = ctx.db.prepare('SELECT example_id FROM teacher_outputs WHERE run_id = ?').pluck();
  for (const runId of previous) {
    for (const id of outputs.all(runId) as number[]) if (targets.has(id)) carried.add(id);
  }
  // Room for the text: the context less the prompt around it, the longest label and the thinking budget.
  const fixed =
    estimateTokens(built.plan.before + built.plan.after) +
    Math.max(...built.plan.labels.map(estimateTokens)) +
    16 +
    (req.mode === 'reasoning' ? s.reasoningBudget : 0);
  const room = contextSize - fixed;
  let tooLong = 0;
  const text = ctx.db.prepare('SELECT text FROM examples WHERE id = ?').pluck();
  // Only texts long enough to possibly not fit are read in full; the others' tokens are estimated from their length
  // in one query (a CJK text is about one token a character, so the estimate of a short text errs high).
  const long = ctx.db
    .prepare('SELECT id FROM examples WHERE project_id = ? AND excluded = 0 AND length > ?')
    .pluck()
    .all(req.projectId, Math.max(0, room)) as number[];
  const longSet = new Set(long);
  let tokens = 0;
  for (const id of long) {
    if (!targets.has(id) || carried.has(id)) continue;
    const n = estimateTokens(text.get(id) as string);
    if (n > room) tooLong++;
    tokens += fixed + Math.min(n, Math.max(0, room));
  }
  const lengths = ctx.db
    .prepare('SELECT id, length FROM examples WHERE project_id = ? AND excluded = 0')
    .all(req.projectId) as Array<{ id: number; length: number }>;
  const short = lengths.filter((r) => targets.has(r.id) && !carried.has(r.id) && !longSet.has(r.id));
  // Tokens per character from up to 200 of these texts, evenly spread, applied to the rest's total length.
  const step = Math.max(1, Math.floor(short.length / 200));
  let sampledChars = 0;
  let sampledTokens = 0;
  for (let i = 0; i < short.length; i += step) {
    const t = text.get(short[i].id) as string;
    sampledChars += t.length;
    sampledTokens += estimateTokens(t);
  }
  const perChar = sampledChars > 0 ? sampledTokens / sampledChars : 0;
  tokens += Math.round(short.reduce((a, r) => a + fixed + r.length * perChar, 0));
  const toLabel = ids.length - carried.size;
  const timing = timings(ctx.db).get(timingKey(teacher.sha256, s)) ?? null;
  let minutes: number | null = null;
  if (timing) {
    // Direct mode is mostly reading the prompt: scale by its length; reasoning is mostly writing: per document.
    const perDoc =
      req.mode === 'direct' && toLabel > 0 && timing.tokensPerDocument > 0
        ? (timing.msPerDocument * tokens) / toLabel / timing.tokensPerDocument
        : timing.msPerDocument;
    minutes = (toLabel * perDoc) / 60_000;
  }
  return {
    targets: ids.length,
    carriedOver: carried.size,
    toLabel,
    tokens,
    timing,
    minutes,
    contextSize,
    tooLong,
  };
}

/** Timings measured by `teacher.time` in this process, per database, by teacher and settings. */
const TIMINGS = new WeakMap<Db, Map<string, TeacherTiming>>();
function timings(db: Db): Map<string, TeacherTiming> {
  let m = TIMINGS.get(db);
  if (!m) TIMINGS.set(db, (m = new Map()));
  return m;
}
function timingKey(sha256: string, s: TeacherRunSettings): string {
  return JSON.stringify([
    sha256,
    s.mode,
    s.mode === 'reasoning' ? s.reasoningBudget : 0,
    s.threads,
    s.sequences,
    s.contextSize,
  ]);
}

/** How many documents `teacher.time` labels: one batch of the teacher, at most this many. */
const TIMED_DOCUMENTS = 8;

/**
 * Times the teacher on a few of the run's documents (those it would label first), as a run labels them: together,
 * in one batch, after the model is loaded. Nothing is stored in the project; the plan uses the timing until the
 * process ends.
 */
export async function timeTeacher(ctx: CoreContext, req: RunRequest): Promise<TeacherTiming> {
  const built = promptFor(ctx, req);
  const s = settingsOf(req);
  const teacher = resolveTeacher(ctx, req.modelId, s);
  const text = ctx.db.prepare('SELECT text FROM examples WHERE id = ?').pluck();
  const rows: Array<{ id: number; text: string }> = [];
  for (const id of targetIds(ctx.db, req)) {
    const t = text.get(id) as string;
    if (t.trim()) rows.push({ id, text: t });
    if (rows.length === TIMED_DOCUMENTS) break;
  }
  if (!rows.length) {
    throw new AppError(
      'INVALID_INPUT',
      'There are no documents to time in this selection. Change the selection.',
    );
  }
  const scorer = await teacher.scorer();
  const batch = rows.slice(0, Math.min(TIMED_DOCUMENTS, Math.max(2, scorer.batchSize)));
  const started = performance.now();
  await scorer.score(built.plan, batch);
  const elapsed = performance.now() - started;
  const prompt = estimateTokens(built.plan.before + built.plan.after);
  const timing: TeacherTiming = {
    documents: batch.length,
    msPerDocument: elapsed / batch.length,
    tokensPerDocument: prompt + batch.reduce((a, r) => a + estimateTokens(r.text), 0) / batch.length,
    measuredAt: nowIso(),
  };
  timings(ctx.db).set(timingKey(teacher.sha256, s), timing);
  return timing;
}

/** Creates the run (exact prompt, model hash, settings, target examples) and starts its job. */
export function startRun(ctx: CoreContext, req: RunRequest): { run: TeacherRun; job: Job } {
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
  if (!ids.length)
    throw new AppError(
      'INVALID_INPUT',
      'There are no examples to label. Import data or change the selection.',
    );
  const stored: StoredSettings = {
    ...s,
    plan: built.plan,
    template: req.template ?? DEFAULT_PROMPT_TEMPLATE,
  };
  const snapshot = JSON.stringify(labels);
  const runId = ctx.db.transaction(() => {
    const info = ctx.db
      .prepare(
        `INSERT INTO teacher_runs (project_id, model_id, model_sha256, mode, prompt_template, labels_snapshot, settings, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        req.projectId,
        teacher.modelId,
        teacher.sha256,
        req.mode,
        built.rendered,
        snapshot,
        JSON.stringify(stored),
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
    for (const c of carried) {
      const probs = (JSON.parse(c.logprobs) as number[]).map((l) => Math.exp(l));
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
  const job = ctx.jobs.start<TeacherJobParams>('teacher.run', {
    projectId: req.projectId,
    title: jobTitle(ctx.db, `Teacher labels (${ids.length} examples)`, req.projectId),
    params: { runId },
    key,
  });
  ctx.db.prepare('UPDATE teacher_runs SET job_id = ? WHERE id = ?').run(job.id, runId);
  return { run: getRun(ctx.db, runId), job };
}

export interface TeacherJobParams {
  readonly runId: number;
}

/** The run's job: labels the pending targets batch by batch; each batch is committed before the next starts. */
export async function runTeacherJob(
  ctx: CoreContext,
  ctl: JobControl<TeacherJobParams>,
): Promise<TeacherRunResult> {
  const run = runRow(ctx.db, ctl.params.runId);
  const stored = parseJson<StoredSettings>(run.settings, {} as StoredSettings);
  const labels = JSON.parse(run.labels_snapshot) as Array<{ id: number; name: string }>;
  const teacher = resolveTeacher(ctx, run.model_id, stored);
  if (teacher.sha256 !== run.model_sha256) {
    throw new AppError('MODEL_ERROR', 'The model of this run was replaced by another file. Start a new run.');
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
      throw new AppError(
        'MODEL_ERROR',
        'The model gives invalid numbers (NaN) for every example: the model file is probably damaged. Choose another model.',
      );
    }
    done += rows.length;
    ctl.saveCheckpoint({ done });
    const rate = first && Date.now() > started ? (rows.length * 1000) / (Date.now() - started) : undefined;
    ctl.progress(done, total, { phase: 'Labelling', ...(rate ? { rate } : {}) });
    first = false;
  }
  ctl.progress(done, total, { phase: 'Calibrating' });
  let calibration: CalibrationReport | null = null;
  try {
    calibration = calibrateRun(ctx.db, run.id);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
  }
  ctx.events.emit('project.changed', { projectId: run.project_id, what: 'teacher' });
  return {
    runId: run.id,
    labelled: count('done'),
    failed: count('failed'),
    skipped: count('skipped'),
    truncated: runCounts(ctx.db, run.id).truncated,
    calibration,
  };
}

/** Fits the run's temperature on human-labelled validation examples and rewrites its probabilities with it. */
export function calibrateRun(db: Db, runId: number): CalibrationReport {
  const run = runRow(db, runId);
  const labels = JSON.parse(run.labels_snapshot) as Array<{ id: number; name: string }>;
  const index = new Map(labels.map((l, i) => [l.id, i]));
  const human = humanLabels(db, run.project_id, { split: 'validation' });
  const rows = db
    .prepare('SELECT example_id, logprobs FROM teacher_outputs WHERE run_id = ?')
    .all(runId) as Array<{
    example_id: number;
    logprobs: string;
  }>;
  const x: number[][] = [];
  const y: number[] = [];
  for (const r of rows) {
    const label = human.get(r.example_id);
    const k = label === undefined ? undefined : index.get(label);
    if (k === undefined) continue;
    x.push(JSON.parse(r.logprobs) as number[]);
    y.push(k);
  }
  if (x.length < MIN_CALIBRATION_EXAMPLES) {
    throw new AppError(
      'INVALID_INPUT',
      `Calibration needs at least ${MIN_CALIBRATION_EXAMPLES} human-labelled validation examples that the teacher labelled; this run has ${x.length}. Label more validation examples in Review.`,
    );
  }
  const temperature = fitTemperature(x, y);
  const report: CalibrationReport = {
    temperature,
    examples: x.length,
    before: reliability(x, y, 1),
    after: reliability(x, y, temperature),
  };
  const update = db.prepare(
    'UPDATE teacher_outputs SET probs = ?, entropy = ?, margin = ?, predicted_label_id = ? WHERE run_id = ? AND example_id = ?',
  );
  db.transaction(() => {
    for (const r of rows) {
      const probs = Array.from(softmax(JSON.parse(r.logprobs) as number[], temperature));
      if (!allFinite(probs)) continue;
      update.run(
        JSON.stringify(probs),
        entropy(probs),
        margin(probs),
        labels[argmax(probs)].id,
        runId,
        r.example_id,
      );
    }
    db.prepare('UPDATE teacher_runs SET calibration_temperature = ? WHERE id = ?').run(temperature, runId);
    db.prepare("DELETE FROM metrics WHERE teacher_run_id = ? AND kind = 'teacher_calibration'").run(runId);
    db.prepare(
      `INSERT INTO metrics (project_id, teacher_run_id, kind, split, name, value, payload, created_at)
       VALUES (?, ?, 'teacher_calibration', 'validation', 'ece_after', ?, ?, ?)`,
    ).run(run.project_id, runId, report.after.ece, JSON.stringify(report), nowIso());
  })();
  return report;
}

export function listOutputs(
  db: Db,
  runId: number,
  offset: number,
  limit: number,
): { total: number; items: TeacherOutput[] } {
  const run = runRow(db, runId);
  const labels = JSON.parse(run.labels_snapshot) as Array<{ id: number; name: string }>;
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
      probs: JSON.parse(r.probs) as number[],
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
