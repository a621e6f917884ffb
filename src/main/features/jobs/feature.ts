import type { jobsContract } from '../../../shared/jobs';
import type { Feature } from '../../core/feature';
import type { JobControl, JobRunner } from '../../core/jobs/jobs';

interface SleepParams {
  steps: number;
  stepMs: number;
}

/** A job that only waits: exercises progress, pause, cancel and resume end to end without real work. */
async function sleepJob(ctl: JobControl<SleepParams>): Promise<{ steps: number }> {
  const start = (ctl.checkpoint as { step?: number } | null)?.step ?? 0;
  for (let step = start; step < ctl.params.steps; step++) {
    await ctl.yield();
    await new Promise((r) => setTimeout(r, ctl.params.stepMs));
    ctl.progress(step + 1, ctl.params.steps, { phase: 'Waiting' });
    ctl.saveCheckpoint({ step: step + 1 });
  }
  return { steps: ctl.params.steps };
}

export const jobsFeature: Feature<typeof jobsContract> = {
  name: 'jobs',
  handlers: {
    'jobs.list': (input, ctx) => ctx.jobs.list(input),
    'jobs.get': (input, ctx) => ctx.jobs.get(input.jobId),
    'jobs.pause': (input, ctx) => ctx.jobs.pause(input.jobId),
    'jobs.resume': (input, ctx) => ctx.jobs.resume(input.jobId),
    'jobs.cancel': (input, ctx) => ctx.jobs.cancel(input.jobId),
    'jobs.startTestJob': (input, ctx) =>
      ctx.jobs.start<SleepParams>('test.sleep', { title: `Test job (${input.steps} steps)`, params: input }),
  },
  jobs: { 'test.sleep': sleepJob as JobRunner<never, 'test.sleep'> },
};
