import type { Job } from '../../../../shared/jobs';
import type { StudentRun } from '../../../../shared/student';

/** A run whose job is paused is still 'running' in the database: say "Paused", as the job does. */
export function shownState(state: StudentRun['state'], job: Job | null): StudentRun['state'] | 'paused' {
  return state === 'running' && job?.state === 'paused' ? 'paused' : state;
}
