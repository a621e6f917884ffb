import { JobCancelled, type JobControl } from '../../core/jobs/jobs';
import type { JobCheckpointOf, JobParamsOf } from '../../../shared/jobParams';
import type { CoreContext } from '../../core/feature';
import { AppError } from '../../core/errors';
import { removePartialFiles } from '../../core/paths';
import {
  dataFile,
  forgetAfter,
  getRun,
  initModelPath,
  recordEpoch,
  runDir,
  selectionFile,
  setRunState,
} from './runs';
import { TrainClient } from './train.client';
import { removeFinalCheckpoints } from './trainer';
import type { TrainJobResult } from '../../../shared/student';

/** The job's phase during the final fit, followed by `, epoch e/E` (worded in Chinese by shared/jobText.ts). */
export const FINAL_FIT_PHASE = 'Final fit on all labelled documents';

/**
 * Runs (or resumes) a student run in the training worker; the database is written only from this thread. Its resume
 * point (src/shared/jobParams.ts TrainJobCheckpoint) is the last epoch whose checkpoint is on disk and recorded.
 */
export async function trainJob(
  ctx: CoreContext,
  ctl: JobControl<JobParamsOf<'student.train'>, JobCheckpointOf<'student.train'>>,
): Promise<TrainJobResult> {
  const run = getRun(ctx.db, ctl.params.runId);
  const resume = ctl.checkpoint;
  if (resume) forgetAfter(ctx.db, run.id, resume.epoch);
  else forgetAfter(ctx.db, run.id, 0);
  ctx.db.prepare('UPDATE student_runs SET job_id = ? WHERE id = ?').run(ctl.jobId, run.id);
  let initFrom: string | null = null;
  try {
    // A warm start happens only when the run starts fresh; a resumed run continues from its own checkpoint.
    initFrom = resume ? null : initModelPath(ctx.db, run.projectId, run.settings);
  } catch (e) {
    setRunState(ctx.db, run.id, 'failed', true);
    throw e;
  }
  setRunState(ctx.db, run.id, 'running');
  const max = run.settings.maxEpochs;
  ctl.progress((resume?.epoch ?? 0) * run.data.trainCount, max * run.data.trainCount, {
    phase: resume?.finalFit
      ? 'Resuming the final fit on all labelled documents'
      : resume
        ? `Resuming after epoch ${resume.epoch}`
        : run.settings.auto
          ? 'Auto: preparing configurations'
          : 'Preparing features',
  });
  const client = new TrainClient({
    dataPath: dataFile(ctx.paths, run.id),
    selectionPath: selectionFile(ctx.paths, run.id),
    dbPath: ctx.paths.database,
    runId: run.id,
    projectId: run.projectId,
    settings: run.settings,
    runDir: runDir(ctx.paths, run.id),
    resumeFrom: resume?.path ?? null,
    initFrom,
    meta: { runId: run.id, projectId: run.projectId },
  });
  const onAbort = (): void => {
    const reason: unknown = ctl.signal.reason;
    void client.dispose(reason instanceof Error ? reason : new JobCancelled());
  };
  ctl.signal.addEventListener('abort', onAbort);
  // The last epoch recorded: a final-fit checkpoint resumes after it (its curves and checkpoints are kept).
  let lastEpoch = resume?.epoch ?? 0;
  try {
    const outcome = await client.run({
      onProgress: async (p) => {
        // Phases are English (as every job's); the Train step shows Auto's progress translated from the run's trials.
        const phase = p.finalFit
          ? `${FINAL_FIT_PHASE}, epoch ${p.epoch}/${p.finalFit.epochs}`
          : p.auto
            ? `Auto: trying configuration ${p.auto.trial} of ${p.auto.of}, epoch ${p.epoch}/${max}`
            : `Epoch ${p.epoch}/${max}`;
        ctl.progress(p.done, p.total, { phase, rate: p.examplesPerSecond });
        await ctl.yield();
      },
      onEpoch: async (e) => {
        lastEpoch = e.epoch;
        recordEpoch(ctx.db, run, e);
        ctl.saveCheckpoint({ epoch: e.epoch, path: e.checkpointPath });
        ctx.events.emit('student.epoch', {
          jobId: ctl.jobId,
          runId: run.id,
          epoch: e.epoch,
          trainLoss: e.trainLoss,
          valLoss: e.valLoss,
          valMetric: e.metric,
        });
        await ctl.yield();
      },
      onFinalFitEpoch: async (f) => {
        ctl.saveCheckpoint({
          epoch: lastEpoch,
          path: f.checkpointPath,
          finalFit: true,
        });
        await ctl.yield();
      },
    });
    if (outcome.bestEpoch < 0)
      throw AppError.keyed('TRAINING_ERROR', 'student.trainingEndedWithoutSingle', {});
    ctx.db
      .prepare(
        'UPDATE student_runs SET best_epoch = ?, best_metric = ?, model_path = ?, model_bytes = ? WHERE id = ?',
      )
      .run(outcome.bestEpoch, outcome.bestMetric, outcome.modelPath, outcome.modelBytes, run.id);
    setRunState(ctx.db, run.id, 'completed', true);
    removeFinalCheckpoints(runDir(ctx.paths, run.id));
    return { runId: run.id, ...outcome };
  } catch (e) {
    const reason: unknown = ctl.signal.reason;
    if (ctl.signal.aborted && !(reason instanceof JobCancelled)) setRunState(ctx.db, run.id, 'interrupted');
    else if (e instanceof JobCancelled || reason instanceof JobCancelled)
      setRunState(ctx.db, run.id, 'cancelled', true);
    else setRunState(ctx.db, run.id, 'failed', true);
    throw e;
  } finally {
    ctl.signal.removeEventListener('abort', onAbort);
    await client.dispose();
    // A worker stopped mid-write leaves `*.tmp-<pid>` behind; the checkpoints it finished are kept for a resume.
    removePartialFiles(runDir(ctx.paths, run.id));
  }
}
