import type { Job } from '../../../../shared/jobs';
import type { StudentRun } from '../../../../shared/student';

export function formatBytes(n: number | null): string {
  if (n === null) return '–';
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A run whose job is paused is still 'running' in the database: say "Paused", as the job does. */
export function shownState(state: StudentRun['state'], job: Job | null): StudentRun['state'] | 'paused' {
  return state === 'running' && job?.state === 'paused' ? 'paused' : state;
}
