import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BatchPredictRequestInput, Distribution, PlaygroundResult } from '../../../shared/export';
import type { JobCheckpointOf, JobParamsOf } from '../../../shared/jobParams';
import { MULTI_LABEL_THRESHOLD } from '../../../shared/review';
import { teacherContract } from '../../../shared/teacher';
import { AppError, toErrorInfo } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import { JobCancelled, stableKey, type JobRunner } from '../../core/jobs/jobs';
import { resolveSource } from '../dataset/source';
import { openTable } from '../dataset/table';
import type { StudentPredictor } from '../student/predictor';
import { loadStudent } from '../student/predictor';
import { preview } from '../teacher/preview';
import { getDraft } from '../teacher/drafts';
import { jobTitle, originalFileName } from '../../core/jobTitles';
import type { Db } from '../../core/store/db';
import { labelThresholdsOf, operatingThreshold, resolveRun } from './exportStudent';
import { predictionOf } from './runtime/student-runtime';

const BATCH = 256;

interface Cached {
  readonly key: string;
  readonly predictor: StudentPredictor;
}
const cache = new WeakMap<CoreContext, Cached>();

/** The app's own predictor (loadStudent) for a run, kept loaded between playground calls. */
async function predictorFor(ctx: CoreContext, modelPath: string): Promise<StudentPredictor> {
  const hit = cache.get(ctx);
  if (hit && hit.key === modelPath) return hit.predictor;
  hit?.predictor.dispose();
  const predictor = await loadStudent(modelPath);
  if (!hit) ctx.onDispose(() => cache.get(ctx)?.predictor.dispose());
  cache.set(ctx, { key: modelPath, predictor });
  return predictor;
}

/** The teacher the playground asks: the Teacher step's choice, else the latest run's model, else the newest model. */
function playgroundTeacher(db: Db, projectId: number): number | undefined {
  const fromDraft = getDraft(db, projectId)?.modelId;
  if (fromDraft) return fromDraft;
  const fromRun = db
    .prepare(
      `SELECT r.model_id FROM teacher_runs r JOIN teacher_models m ON m.id = r.model_id
       WHERE r.project_id = ? ORDER BY r.id DESC LIMIT 1`,
    )
    .pluck()
    .get(projectId) as number | undefined;
  if (fromRun) return fromRun;
  return (
    (db.prepare('SELECT id FROM teacher_models ORDER BY id DESC LIMIT 1').pluck().get() as
      number | undefined) ?? undefined
  );
}

export async function playground(
  ctx: CoreContext,
  input: { projectId: number; runId?: number; text: string; withTeacher: boolean; teacherModelId?: number },
): Promise<PlaygroundResult> {
  const run = resolveRun(ctx.db, input.projectId, input.runId);
  const predictor = await predictorFor(ctx, run.model_path);
  const threshold = operatingThreshold(run.threshold, predictor.labels);
  const thresholds = labelThresholdsOf(run.threshold, predictor);
  const t0 = performance.now();
  const [probs] = await predictor.predict([input.text]);
  const latencyMs = performance.now() - t0;
  const decided = predictionOf(probs, { labels: predictor.labels, thresholds, threshold });
  const student: Distribution = {
    labels: predictor.labels,
    probs,
    label: decided.label,
    latencyMs,
    ...(decided.labelSet ? { labelSet: decided.labelSet, thresholds: thresholds ?? [] } : {}),
  };
  let teacher: PlaygroundResult['teacher'] = null;
  if (input.withTeacher) {
    try {
      const request = teacherContract['teacher.preview'].input.parse({
        projectId: input.projectId,
        modelId: input.teacherModelId ?? playgroundTeacher(ctx.db, input.projectId),
        texts: [input.text],
      });
      const t1 = performance.now();
      const [item] = await preview(ctx, request);
      const took = performance.now() - t1;
      const independent = item?.labelProbabilities;
      if (independent) {
        // Multi-label: each label's own yes/no probability; it applies at 50% or more (as in Review).
        const names = independent.labels.map((l) => l.name);
        const thresholds = names.map(() => MULTI_LABEL_THRESHOLD);
        const decided = predictionOf([...independent.probs], { labels: names, thresholds, threshold: null });
        teacher = {
          labels: names,
          probs: independent.probs,
          label: decided.label,
          latencyMs: took,
          labelSet: decided.labelSet,
          thresholds,
        };
      } else if (!item?.distribution) teacher = { error: item?.error ?? 'The teacher gave no answer.' };
      else {
        const d = item.distribution;
        const best = d.labels.find((l) => l.id === d.predictedLabelId)?.name ?? '';
        teacher = { labels: d.labels.map((l) => l.name), probs: d.probs, label: best, latencyMs: took };
      }
    } catch (e) {
      teacher = { error: toErrorInfo(e).message };
    }
  }
  return { runId: run.id, student, teacher };
}

/** The request, the run it resolved to and the output file (src/shared/jobParams.ts BatchPredictJobParams). */
type BatchParams = JobParamsOf<'export.predict'>;
/** Saved after each batch: rows read, bytes of output committed, and the tallies so far. */
type BatchCheckpoint = JobCheckpointOf<'export.predict'>;

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Starts batch prediction over a file as a job; the output goes to the data folder's exports. */
export function startBatchPredict(
  ctx: CoreContext,
  input: BatchPredictRequestInput,
): ReturnType<CoreContext['jobs']['start']> {
  const run = resolveRun(ctx.db, input.projectId, input.runId);
  // Read the header now, so that a wrong file or column is refused before a job starts.
  resolveSource({ path: input.path, format: input.format });
  const original = originalFileName(input.path);
  const stem =
    basename(original, extname(original))
      .replace(/[^\p{L}\p{N}._ -]/gu, '_')
      .slice(0, 60) || 'input';
  const outputFormat = input.outputFormat ?? 'csv';
  const outputPath = join(
    ctx.paths.exports,
    'predictions',
    `${stem}-predictions-run${run.id}-${Date.now()}.${outputFormat}`,
  );
  const params: BatchParams = { ...input, runId: run.id, outputFormat, outputPath };
  return ctx.jobs.start('export.predict', {
    projectId: input.projectId,
    title: jobTitle(ctx.db, `Predict ${original}`, input.projectId),
    params,
    // The output file name is made fresh per start: the request is what makes two starts the same.
    key: stableKey(input),
  });
}

/**
 * The batch prediction job. Its output is written to a partial file and renamed at the end, so there is never a
 * half result under the final name. After each batch the output is synced and a checkpoint saved; resuming after a
 * crash or a close truncates the partial file to the checkpoint and continues after the rows it covered.
 */
export function batchPredictRunner(ctx: CoreContext): JobRunner<'export.predict'> {
  return async (ctl) => {
    const p = ctl.params;
    const run = resolveRun(ctx.db, p.projectId, p.runId);
    const predictor = await loadStudent(run.model_path);
    try {
      const labels = predictor.labels;
      const threshold = operatingThreshold(run.threshold, labels);
      const thresholds = labelThresholdsOf(run.threshold, predictor);
      const src = resolveSource({ path: p.path, format: p.format });
      const counter = { bytes: 0 };
      const table = await openTable(src, counter, ctl.signal);
      const textIdx = table.columns.indexOf(p.textColumn);
      if (textIdx < 0) {
        throw AppError.keyed('INVALID_INPUT', 'export.hasColumnColumns', {
          name: src.name,
          textColumn: p.textColumn,
          columns: table.columns.join(', '),
        });
      }
      const idIdx = p.idColumn ? table.columns.indexOf(p.idColumn) : -1;
      mkdirSync(join(ctx.paths.exports, 'predictions'), { recursive: true });
      const partial = `${p.outputPath}.partial`;
      const saved = ctl.checkpoint;
      // Resuming: keep what was committed at the last checkpoint, drop anything written after it.
      const resume = saved && existsSync(partial) && statSync(partial).size >= saved.bytes ? saved : null;
      const fd = openSync(partial, resume ? 'r+' : 'w');
      let bytes = 0;
      const write = (text: string): void => {
        const buf = Buffer.from(text, 'utf8');
        writeSync(fd, buf, 0, buf.length, bytes);
        bytes += buf.length;
      };
      const csv = p.outputFormat !== 'jsonl';
      const counts: Record<string, number> = resume
        ? { ...resume.counts }
        : Object.fromEntries(labels.map((l) => [l, 0]));
      let predicted = resume?.predicted ?? 0;
      let bad = resume?.bad ?? 0;
      let none = resume?.none ?? 0;
      let seen = 0;
      if (resume) {
        ftruncateSync(fd, resume.bytes);
        bytes = resume.bytes;
      } else if (csv) {
        write(['row', 'id', 'text', 'label', ...labels.map((l) => `p_${l}`)].map(csvCell).join(',') + '\n');
      }
      let batch: Array<{ line: number; id: string | null; text: string }> = [];
      const flush = async (): Promise<void> => {
        if (batch.length) {
          const probs = await predictor.predict(batch.map((b) => b.text));
          let chunk = '';
          batch.forEach((b, i) => {
            const decided = predictionOf(probs[i], { labels, thresholds, threshold });
            const label = decided.label;
            // Multi-label: each label of the set counts once (a document with none counts for none).
            for (const l of decided.labelSet ? decided.labelSet.map((x) => x.label) : [label])
              counts[l] = (counts[l] ?? 0) + 1;
            if (decided.labelSet?.length === 0) none++;
            if (csv) {
              chunk +=
                [String(b.line), b.id ?? '', b.text, label, ...probs[i].map((x) => String(x))]
                  .map(csvCell)
                  .join(',') + '\n';
            } else {
              const distribution: Record<string, number> = {};
              labels.forEach((l, j) => (distribution[l] = probs[i][j]));
              chunk +=
                JSON.stringify({
                  row: b.line,
                  id: b.id,
                  text: b.text,
                  ...(decided.labelSet ? { labels: decided.labelSet } : { label }),
                  probabilities: distribution,
                }) + '\n';
            }
          });
          write(chunk);
          predicted += batch.length;
          batch = [];
        }
        fsyncSync(fd);
        const checkpoint: BatchCheckpoint = { seen, bytes, predicted, bad, counts, none };
        ctl.saveCheckpoint(checkpoint);
        ctl.progress(counter.bytes, src.size, { phase: `${predicted.toLocaleString('en')} predicted` });
        await ctl.yield();
      };
      try {
        for await (const events of table.rows) {
          for (const ev of events) {
            seen++;
            if (resume && seen <= resume.seen) continue;
            if (ev.kind === 'bad') {
              bad++;
              if (p.onBadRow === 'abort') {
                throw AppError.keyed('BAD_FILE', 'export.rowLineCannotRead', {
                  line: ev.line,
                  name: src.name,
                  evMessage: ev.message,
                });
              }
              continue;
            }
            batch.push({
              line: ev.line,
              id: idIdx >= 0 ? ev.values[idIdx] : null,
              text: ev.values[textIdx] ?? '',
            });
            if (batch.length >= BATCH) await flush();
          }
        }
        await flush();
        closeSync(fd);
      } catch (e) {
        closeSync(fd);
        // Interrupted (the app closing): the partial file and the checkpoint are the resume point.
        const interrupted = ctl.signal.aborted && !(ctl.signal.reason instanceof JobCancelled);
        if (!interrupted) rmSync(partial, { force: true });
        throw e;
      }
      renameSync(partial, p.outputPath);
      ctl.progress(src.size, src.size, { phase: `${predicted.toLocaleString('en')} predicted` });
      return {
        outputPath: p.outputPath,
        fileName: basename(p.outputPath),
        predicted,
        badRows: bad,
        labelCounts: counts,
        ...(thresholds ? { noneOfThese: none } : {}),
      };
    } finally {
      predictor.dispose();
    }
  };
}
