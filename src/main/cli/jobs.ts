import { jobResult, type Job, type JobKind, type JobResultOf } from '../../shared/jobs';
import type { Core } from '../core/core';
import { AppError } from '../core/errors';
import type { CliIo } from './types';

function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 60) return ` ETA ${Math.round(seconds)}s`;
  return ` ETA ${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

/** Follows a job until it ends, printing progress to stderr; Ctrl-C pauses nothing but interrupts it resumably. */
export async function followJob(core: Core, job: Job, io: CliIo): Promise<Job> {
  let last = 0;
  const unsubscribe = core.events.subscribe((env) => {
    if (env.name !== 'job.updated') return;
    const j = env.payload;
    if (j.id !== job.id || io.json) return;
    const now = Date.now();
    if (now - last < 500 && j.state === 'running') return;
    last = now;
    const { done, total, rate, etaSeconds, phase } = j.progress;
    const pct = total > 0 ? ` ${((100 * done) / total).toFixed(1)}%` : '';
    const r = rate ? ` ${rate.toFixed(1)}/s` : '';
    io.note(`[${j.state}] ${phase ?? j.title}: ${done}/${total}${pct}${r}${formatEta(etaSeconds)}`);
  });
  const onSigint = (): void => {
    io.note('Interrupted: the job is kept and can be resumed with "distillery jobs resume ' + job.id + '".');
    void core.dispose().then(() => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  try {
    const final = await core.jobs.wait(job.id);
    if (final.state === 'failed') {
      const code = final.errorCode ?? 'INTERNAL';
      throw AppError.relayed({
        code,
        message: final.error ?? 'The job failed.',
        details: { jobId: final.id },
      });
    }
    if (final.state === 'cancelled')
      throw AppError.keyed('CANCELLED', 'cli.jobCancelled', {}, { jobId: final.id });
    return final;
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
  }
}

/** Follows a job to its end and returns what it produced, checked against its kind's schema. */
export async function followJobResult<K extends JobKind>(
  core: Core,
  job: Job,
  io: CliIo,
  kind: K,
): Promise<JobResultOf<K>> {
  const final = await followJob(core, job, io);
  const result = jobResult(final, kind);
  if (!result)
    throw AppError.keyed(
      'INTERNAL',
      'cli.jobEndedWithoutResult',
      { id: final.id, state: final.state },
      {
        jobId: final.id,
      },
    );
  return result;
}
