import { z } from 'zod';
import type { Core, CoreExtension } from '../src/main/core/core';
import type { JobControl } from '../src/main/core/jobs/jobs';
import type { Job } from '../src/shared/jobs';

/**
 * A job that only waits, in steps: exercises progress, pause, cancel, resume and deduplication end to end without
 * real work. Not part of the product: the contract (src/shared) has neither its channel nor its kind; a core answers
 * them only when created with `TEST_JOB` among its extensions (`testCore`, the e2e test server).
 */
export const TEST_JOB_CHANNEL = 'test.startSleepJob';
export const TEST_JOB_KIND = 'test.sleep';

const SleepRequest = z.object({
  steps: z.number().int().min(1).max(10_000),
  stepMs: z.number().int().min(0).max(10_000),
});
type SleepParams = z.output<typeof SleepRequest>;
const SleepCheckpoint = z.object({ step: z.number().int().min(0) });

async function sleepJob(
  ctl: JobControl<SleepParams, z.output<typeof SleepCheckpoint>>,
): Promise<{ steps: number }> {
  const start = ctl.checkpoint?.step ?? 0;
  for (let step = start; step < ctl.params.steps; step++) {
    await ctl.yield();
    await new Promise((r) => setTimeout(r, ctl.params.stepMs));
    ctl.progress(step + 1, ctl.params.steps, { phase: 'Waiting' });
    ctl.saveCheckpoint({ step: step + 1 });
  }
  return { steps: ctl.params.steps };
}

export const TEST_JOB: CoreExtension = {
  channels: {
    [TEST_JOB_CHANNEL]: {
      input: SleepRequest,
      handle: (input: SleepParams, ctx) =>
        ctx.jobs.startExtension(TEST_JOB_KIND, { title: `Test job (${input.steps} steps)`, params: input }),
    },
  },
  jobs: {
    [TEST_JOB_KIND]: {
      result: z.object({ steps: z.number() }).readonly(),
      params: SleepRequest,
      checkpoint: SleepCheckpoint,
      run: sleepJob,
    },
  },
};

/** Starts a test job through the core's request path (as a client would), or throws the error it answered. */
export async function startTestJob(core: Core, request: SleepParams): Promise<Job> {
  const r = await core.invokeRaw(TEST_JOB_CHANNEL, request);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as Job;
}
