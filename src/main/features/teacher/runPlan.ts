/** What a run would cost before it starts: its documents, tokens and, once timed, minutes. */
import { type TeacherRunPlan, type TeacherRunSettings, type TeacherTiming } from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { getModel } from './models';
import { promptFor, resolveTeacher, settingsOf, targetIds, reusableRuns, type RunRequest } from './choice';

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
    Math.max(...(built.plan.multi?.questions ?? built.plan.labels).map(estimateTokens)) +
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
    throw AppError.keyed('INVALID_INPUT', 'teacher.documentsTimeSelectionChange', {});
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
