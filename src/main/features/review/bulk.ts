import type { Job } from '../../../shared/jobs';
import type { JobParamsOf } from '../../../shared/jobParams';
import { addAnnotations } from '../../core/annotations';
import { withLabelCountsBatched } from '../../core/labelCounts';
import { audit } from '../../core/audit';
import { stableKey, type JobManager, type JobRunner } from '../../core/jobs/jobs';
import { projectLabels } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { assertProject, bulkCandidates, hasAnswer, teacherOnTestError } from './annotate';

/** A bulk accept's params (src/shared/jobParams.ts BulkAcceptJobParams): its `stamp` is one time for the whole action. */
type BulkParams = JobParamsOf<'review.bulkAccept'>;

/**
 * Documents per transaction: each holds the server's thread while its labels and their counts (migration 023) are
 * written, about 25 ms for 500 on this machine under load; the job yields between them.
 */
const CHUNK = 500;

/**
 * Starts a bulk accept as a job: it can be paused, cancelled and resumed after a crash. The test split is refused
 * (and left out of "all splits"): its labels are the gold standard and must be a person's.
 */
export function startBulkAccept(db: Db, jobs: JobManager, input: Omit<BulkParams, 'stamp'>): Job {
  assertProject(db, input.projectId);
  if (input.queue.split === 'test') throw teacherOnTestError();
  const params: BulkParams = { ...input, stamp: nowIso() };
  return jobs.start('review.bulkAccept', {
    projectId: input.projectId,
    title: `Accept the teacher's labels (≥ ${Math.round(input.minConfidence * 100)}%)`,
    params,
    // The stamp is made fresh per start: the request is what makes two starts the same.
    key: stableKey(input),
  });
}

/**
 * Accepts the teacher's label for every document of the set that has no human label and whose confidence is at
 * least the threshold, a chunk per transaction. Idempotent: a document labelled by an earlier run (or a person)
 * is no longer a candidate, so a resumed job never labels one twice.
 */
export function bulkAcceptRunner(db: Db): JobRunner<'review.bulkAccept'> {
  return async (ctl) => {
    const p = ctl.params;
    const before = ctl.checkpoint?.accepted ?? 0;
    const labelIds = new Set(projectLabels(db, p.projectId).map((l) => l.id));
    // A multi-label document takes the teacher's whole set (the empty set too: "none of these" is an answer).
    const chosen = bulkCandidates(db, p.projectId, p.queue).filter(
      (c) =>
        hasAnswer(c) &&
        (c.labelId === null || labelIds.has(c.labelId)) &&
        (c.labelSet ?? []).every((id) => labelIds.has(id)) &&
        c.confidence >= p.minConfidence,
    );
    let accepted = before;
    const total = before + chosen.length;
    ctl.progress(accepted, total, { phase: 'Accepting' });
    for (let i = 0; i < chosen.length; i += CHUNK) {
      await ctl.yield();
      const part = chosen.slice(i, i + CHUNK);
      db.transaction(() =>
        withLabelCountsBatched(
          db,
          part.map((c) => c.exampleId),
          () =>
            addAnnotations(
              db,
              part.map((c) => ({
                projectId: p.projectId,
                exampleId: c.exampleId,
                labelId: c.labelId,
                labelSet: c.labelSet,
                annotator: p.annotator,
                source: 'bulk' as const,
                acceptedTeacher: true,
                createdAt: p.stamp,
              })),
            ),
        ),
      )();
      accepted += part.length;
      ctl.saveCheckpoint({ accepted });
      ctl.progress(accepted, total, { phase: 'Accepting' });
    }
    audit(db, {
      projectId: p.projectId,
      actor: p.annotator,
      action: 'bulk_accept',
      entity: 'annotation',
      details: { count: accepted, minConfidence: p.minConfidence, queue: p.queue },
    });
    return { accepted };
  };
}
