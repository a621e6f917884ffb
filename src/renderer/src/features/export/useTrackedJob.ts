import { useCallback, useRef, useState } from 'react';
import type { Job } from '../../../../shared/jobs';
import { useEvent } from '../../api';

/**
 * Follows one job through its pushed updates. Updates that arrive before the request that started the job has
 * answered (a short job can finish first) are kept, so the job is never shown in a state it has already left.
 */
export function useTrackedJob(): { job: Job | null; track: (job: Job | null) => void } {
  const seen = useRef(new Map<number, Job>());
  const [job, setJob] = useState<Job | null>(null);
  const current = useRef<number | null>(null);
  useEvent('job.updated', (j) => {
    seen.current.set(j.id, j);
    if (j.id === current.current) setJob(j);
  });
  const track = useCallback((j: Job | null) => {
    current.current = j?.id ?? null;
    if (!j) return setJob(null);
    const later = seen.current.get(j.id);
    setJob(later && later.updatedAt >= j.updatedAt ? later : j);
  }, []);
  return { job, track };
}
