import type { jobsContract } from '../../../shared/jobs';
import type { Feature } from '../../core/feature';

export const jobsFeature: Feature<typeof jobsContract> = {
  name: 'jobs',
  handlers: {
    'jobs.list': (input, ctx) => ctx.jobs.list(input),
    'jobs.get': (input, ctx) => ctx.jobs.get(input.jobId),
    'jobs.pause': (input, ctx) => ctx.jobs.pause(input.jobId),
    'jobs.resume': (input, ctx) => ctx.jobs.resume(input.jobId),
    'jobs.cancel': (input, ctx) => ctx.jobs.cancel(input.jobId),
  },
};
