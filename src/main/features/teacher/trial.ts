/**
 * The prompt lab's preview run (`teacher.trial`): one prompt (or a saved version) on a few documents, as a job, with
 * the teacher's accuracy on those of them people labelled, so that two prompts can be compared before a full run.
 *
 * Documents: those the person picked, or a seeded random sample of N validation documents with a label a person chose
 * (the teacher check's documents; the same seed picks the same documents for every prompt, so two versions are
 * compared on the same documents). Accuracy is correct / scored over documents that have a human label and a
 * teacher label, with a Wilson score 95% interval (the right interval for a proportion on a few dozen documents).
 */
import type { Job } from '../../../shared/jobs';
import type { JobParamsOf } from '../../../shared/jobParams';
import { mulberry32 } from '../../../shared/random';
import { wilsonInterval } from '../../../shared/target';
import { type PromptText, type PromptTrialItem, type PromptTrialResult } from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import type { JobControl } from '../../core/jobs/jobs';
import { stableKey } from '../../core/jobs/jobs';
import { jobTitle } from '../../core/jobTitles';
import { humanLabels, personLabels } from '../../core/labels';
import { getProject } from '../projects/projects';
import { getPromptVersion } from './promptVersions';
import { promptFor, resolveTeacher, settingsOf, toDistribution, type TeacherChoice } from './choice';
import { teacherService } from './service';

const SHOWN_CHARS = 400;

export interface TrialRequest extends TeacherChoice {
  readonly versionId?: number;
  readonly exampleIds?: readonly number[];
  readonly sample: number;
  readonly sampleSeed: number;
}

/** A preview's params: the teacher and prompt, the documents, and how they were chosen (TeacherTrialJobParams). */
type TrialParams = JobParamsOf<'teacher.trial'>;

/** The choice with a saved version's template, task, mode and few-shot count in place of the request's. */
function versionChoice(ctx: CoreContext, c: TeacherChoice & { versionId?: number }): TeacherChoice {
  if (c.versionId === undefined) return c;
  const v = getPromptVersion(ctx.db, c.versionId);
  if (v.projectId !== c.projectId) {
    throw AppError.keyed('INVALID_INPUT', 'teacher.promptVersionBelongsAnother', { number: v.number });
  }
  return { ...c, template: v.template, task: v.task, mode: v.mode, fewShot: v.fewShot };
}

/** A seeded sample of n of the validation documents people labelled (all of them when there are fewer). */
export function validationSample(ctx: CoreContext, projectId: number, n: number, seed: number): number[] {
  const pool = [...personLabels(ctx.db, projectId, 'validation').keys()].sort((a, b) => a - b);
  const rand = mulberry32(seed);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n).sort((a, b) => a - b);
}

/** Starts the preview run (the same request while one is going gets that job back). */
export function startTrial(ctx: CoreContext, req: TrialRequest): Job {
  if (getProject(ctx.db, req.projectId).kind === 'multi') {
    // The preview scores one label per document; a multi-label run would fail on every document.
    throw AppError.keyed('INVALID_INPUT', 'teacher.promptPreviewComparesPrompts', {});
  }
  const choice = versionChoice(ctx, req);
  // Checked now, so that a bad template or a missing model is said at once rather than by a failed job.
  promptFor(ctx, choice);
  resolveTeacher(ctx, choice.modelId, settingsOf(choice));
  let exampleIds: number[];
  if (req.exampleIds?.length) {
    const ids = [...new Set(req.exampleIds)];
    const found = ctx.db
      .prepare(
        `SELECT id FROM examples WHERE project_id = ? AND excluded = 0 AND id IN (${ids.map(() => '?').join(',')}) ORDER BY id`,
      )
      .pluck()
      .all(req.projectId, ...ids) as number[];
    const missing = ids.filter((id) => !found.includes(id));
    if (missing.length) {
      throw AppError.keyed('INVALID_INPUT', 'teacher.documentProjectRemovedCleaning', {
        missing: missing.join(', '),
      });
    }
    exampleIds = found;
  } else {
    exampleIds = validationSample(ctx, req.projectId, req.sample, req.sampleSeed);
    if (!exampleIds.length) {
      throw AppError.keyed('INVALID_INPUT', 'teacher.validationDocumentHasLabel', {});
    }
  }
  const params: TrialParams = {
    choice,
    versionId: req.versionId ?? null,
    source: req.exampleIds?.length ? 'picked' : 'validation-sample',
    exampleIds,
  };
  const version = req.versionId === undefined ? null : getPromptVersion(ctx.db, req.versionId);
  return ctx.jobs.start('teacher.trial', {
    projectId: req.projectId,
    title: jobTitle(
      ctx.db,
      `Prompt preview${version ? ` (version ${version.number})` : ''} on ${exampleIds.length} documents`,
      req.projectId,
    ),
    params,
    key: stableKey(params),
  });
}

/** Accuracy on the items that have both a human label and a teacher label. */
export function trialAccuracy(items: readonly PromptTrialItem[]): PromptTrialResult['accuracy'] & {
  scored: number;
  correct: number;
} {
  const judged = items.filter((i) => i.correct !== null);
  const correct = judged.filter((i) => i.correct).length;
  const ci = wilsonInterval(correct, judged.length);
  return {
    scored: judged.length,
    correct,
    value: judged.length ? correct / judged.length : null,
    low: ci?.low ?? null,
    high: ci?.high ?? null,
  };
}

/** The job: scores the documents batch by batch (cancellable between batches), then compares with people. */
export async function runTrialJob(
  ctx: CoreContext,
  ctl: JobControl<TrialParams>,
): Promise<PromptTrialResult> {
  const { choice, exampleIds, versionId, source } = ctl.params;
  const built = promptFor(ctx, choice);
  const teacher = resolveTeacher(ctx, choice.modelId, settingsOf(choice));
  const labels = built.labels.map((l) => ({ id: l.id, name: l.name }));
  const names = new Map(labels.map((l) => [l.id, l.name]));
  const human = humanLabels(ctx.db, choice.projectId);
  const get = ctx.db.prepare('SELECT id, text FROM examples WHERE id = ? AND excluded = 0');
  const docs = exampleIds
    .map((id) => get.get(id) as { id: number; text: string } | undefined)
    .filter((d): d is { id: number; text: string } => d !== undefined);
  const total = docs.length;
  ctl.progress(0, total, { phase: 'Loading the model' });
  await ctl.yield();
  const scorer = await teacher.scorer(ctl.signal);
  const items: PromptTrialItem[] = [];
  for (let at = 0; at < total; at += scorer.batchSize) {
    await ctl.yield();
    const batch = docs.slice(at, at + scorer.batchSize);
    const work = batch.filter((d) => d.text.trim());
    const results = work.length ? await scorer.score(built.plan, work) : [];
    const byId = new Map(results.map((r) => [r.id, r]));
    for (const d of batch) {
      const r = byId.get(d.id);
      const dist = r ? toDistribution(labels, r) : null;
      const goldId = human.get(d.id);
      const gold = goldId === undefined ? null : (names.get(goldId) ?? null);
      const predicted = dist ? (names.get(dist.predictedLabelId) ?? null) : null;
      items.push({
        exampleId: d.id,
        text: d.text.length > SHOWN_CHARS ? `${d.text.slice(0, SHOWN_CHARS)}…` : d.text,
        gold,
        predicted,
        confidence: dist ? Math.max(...dist.probs) : null,
        correct: gold !== null && predicted !== null ? gold === predicted : null,
        error: !d.text.trim()
          ? 'The text is empty.'
          : dist
            ? null
            : (r?.error ?? 'The model produced invalid numbers for this document.'),
      });
    }
    ctl.progress(items.length, total, { phase: 'Labelling' });
  }
  const version = versionId === null ? null : getPromptVersion(ctx.db, versionId);
  const { scored, correct, ...accuracy } = trialAccuracy(items);
  return {
    versionId,
    versionName: version?.name ?? null,
    versionNumber: version?.number ?? null,
    source,
    items,
    scored,
    correct,
    accuracy,
  };
}

/**
 * The exact text the teacher reads for one document: the filled-in user turn and, for a local model, the whole prompt
 * after its chat template (the model is loaded for that, as for a preview).
 */
export async function promptText(
  ctx: CoreContext,
  req: TeacherChoice & { exampleId: number; versionId?: number },
): Promise<PromptText> {
  const choice = versionChoice(ctx, req);
  const built = promptFor(ctx, choice);
  const doc = ctx.db
    .prepare('SELECT text FROM examples WHERE id = ? AND project_id = ?')
    .get(req.exampleId, req.projectId) as { text: string } | undefined;
  if (!doc) throw AppError.keyed('NOT_FOUND', 'teacher.documentProject', { exampleId: req.exampleId });
  const userTurn = built.rendered.replace('{{text}}', () => doc.text);
  const s = settingsOf(choice);
  const teacher = resolveTeacher(ctx, choice.modelId, s);
  if (!teacher.loadOptions) return { exampleId: req.exampleId, userTurn, modelText: null, tokens: null };
  const r = await teacherService(ctx).renderPrompt(teacher.loadOptions, built.plan, doc.text);
  return { exampleId: req.exampleId, userTurn, modelText: r.text, tokens: r.tokens };
}
