import { z } from 'zod';
import type { Job } from './jobs';

/*
 * A job as a feature channel's answer (`channel(JobAnswer)`, e.g. `dataset.import`). jobs.ts builds `JobSchema` from
 * every feature's result schema, so a feature module cannot import it without a cycle that leaves one module reading
 * another's schemas before they exist. jobs.ts hands its schema over here when it loads; an answer is read with it.
 */

let jobSchema: z.ZodType<Job> | null = null;

/** Called once, by jobs.ts, with `JobSchema`. */
export function provideJobSchema(schema: z.ZodType<Job>): void {
  jobSchema = schema;
}

/** `JobSchema`, read when an answer is parsed. */
export const JobAnswer: z.ZodType<Job> = z.lazy(() => {
  if (!jobSchema)
    throw new Error('jobAnswer.ts: jobs.ts has not provided the job schema (import the contract).');
  return jobSchema;
});
