import { AppError, notFound } from '../../core/errors';
import type { Db } from '../../core/store/db';

/** The guard of the gold set: whether a project's test split is locked, and the refusal to change its rows. */

/**
 * Refuses a change to rows of a locked test split (the gold set): nothing modifies it without unlocking it first.
 * `what` completes "N examples of the locked test split cannot be ...".
 */
export function assertNotGold(db: Db, projectId: number, ids: readonly number[], what: string): void {
  if (ids.length === 0 || !isTestLocked(db, projectId)) return;
  const inTest = db.prepare(`SELECT 1 FROM examples WHERE id = ? AND project_id = ? AND split = 'test'`);
  const n = ids.filter((id) => inTest.get(id, projectId) !== undefined).length;
  if (n > 0) {
    throw AppError.keyed(
      'CONFLICT',
      'dataset.theseExamplesBelongLocked',
      { n, what },
      { lockedTestExamples: n },
    );
  }
}

export function isTestLocked(db: Db, projectId: number): boolean {
  const row = db.prepare('SELECT test_locked FROM projects WHERE id = ?').get(projectId) as
    { test_locked: number } | undefined;
  if (!row) throw notFound('Project', projectId);
  return row.test_locked === 1;
}
