/**
 * What a teacher run or preview is asked to do, resolved: the settings of a choice, the teacher it names (a local
 * model or remote endpoints), its prompt, the examples a run covers and the earlier runs it can carry over.
 */
import { createHash } from 'node:crypto';
import {
  defaultPromptTemplate,
  type LabelDistribution,
  type LabelProbabilities,
  type TeacherEndpoint,
  type TeacherMode,
  type TeacherRunSettings,
} from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import { humanLabels, humanLabelSets, independentLabelColumns, projectKind } from '../../core/labels';
import { getSettings } from '../app/settings';
import type { Db } from '../../core/store/db';
import { mulberry32 } from '../../../shared/random';
import { getModel } from './models';
import { buildMultiLabelPrompt, buildPrompt, type BuiltPrompt } from './prompt';
import type { LoadOptions, ScoreResult } from './protocol';
import { remoteScorer } from './remote';
import { allFinite, entropy, margin, normalise, sigmoid, type Platt } from './scoring';
import { argmax, softmax } from '../../../shared/math';
import { recommendedSequences, recommendedThreads, teacherService, type Scorer } from './service';
import { storedSettings } from './runStore';

/** What a person chose in the Teacher step (the request of preview and run). */
export interface TeacherChoice {
  readonly projectId: number;
  readonly modelId?: number;
  readonly endpoints: readonly TeacherEndpoint[];
  readonly template?: string;
  /** The task description {{task}} is replaced by (default: the project's). */
  readonly task?: string;
  readonly mode: TeacherMode;
  readonly fewShot: number;
  readonly reasoningBudget: number;
  readonly threads?: number;
  readonly sequences?: number;
  readonly contextSize?: number;
}

const DEFAULT_CONTEXT = 2048;
export const MIN_CALIBRATION_EXAMPLES = 5;

export function settingsOf(c: TeacherChoice): TeacherRunSettings {
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

export interface TeacherIdentity {
  readonly sha256: string;
  readonly modelId: number | null;
  readonly scorer: (signal?: AbortSignal) => Promise<Scorer>;
  readonly loadOptions: LoadOptions | null;
}

export function resolveTeacher(
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
  throw AppError.keyed('INVALID_INPUT', 'teacher.chooseTeacherModelImport', {});
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

/** Per-label calibration applied to log-odds: Platt scaling, or none (the label keeps sigmoid(log-odds)). */
export type LabelScaling = ReadonlyArray<Platt | null>;

export function scaledProbabilities(logOdds: readonly number[], scaling: LabelScaling | null): number[] {
  return logOdds.map((z, k) => {
    const s = scaling?.[k];
    return s ? sigmoid(s.a * z + s.b) : sigmoid(z);
  });
}

/** A multi-label result's independent per-label probabilities (see `LabelProbabilities`), or null when not finite. */
export function toLabelProbabilities(
  labels: ReadonlyArray<{ id: number; name: string }>,
  r: ScoreResult,
  scaling: LabelScaling | null = null,
): LabelProbabilities | null {
  if (!r.answers || r.answers.length !== labels.length) return null;
  const logOdds = r.answers.map((a) => a.yes - a.no);
  if (!allFinite(logOdds)) return null;
  const probs = scaledProbabilities(logOdds, scaling);
  const columns = independentLabelColumns(probs);
  return {
    labels,
    probs,
    logOdds,
    entropy: columns.entropy,
    margin: columns.margin,
    tokens: r.tokens,
    timeMs: r.timeMs,
  };
}

/** The template a choice uses: the person's, or the default for the project's kind in the app's language. */
export function templateOf(db: Db, c: { projectId: number; template?: string }): string {
  return c.template ?? defaultPromptTemplate(projectKind(db, c.projectId), getSettings(db).language);
}

export function promptFor(ctx: CoreContext, c: TeacherChoice): BuiltPrompt {
  if (projectKind(ctx.db, c.projectId) === 'multi') {
    return buildMultiLabelPrompt(ctx.db, c.projectId, {
      template: templateOf(ctx.db, c),
      task: c.task,
      fewShot: c.fewShot,
      mode: c.mode,
      reasoningBudget: c.reasoningBudget,
    });
  }
  return buildPrompt(ctx.db, c.projectId, {
    template: c.template,
    task: c.task,
    fewShot: c.fewShot,
    mode: c.mode,
    reasoningBudget: c.reasoningBudget,
  });
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
  /** A saved prompt version to run: its template, task, mode and few-shot count replace the request's. */
  readonly promptVersionId?: number;
}

/** The examples a run with this request covers, in order. */
export function targetIds(db: Db, req: RunRequest): number[] {
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
    // A multi-label project's human labels are sets ([] "none of these" is a label too).
    const human =
      projectKind(db, req.projectId) === 'multi'
        ? humanLabelSets(db, req.projectId)
        : humanLabels(db, req.projectId);
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
export function reusableRuns(
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
      (p) => q.mode !== 'reasoning' || storedSettings(p.settings, p.id).reasoningBudget === q.reasoningBudget,
    )
    .map((p) => p.id);
}
