import { performance } from 'node:perf_hooks';
import type { Job } from '../../../shared/jobs';
import type { CoreContext } from '../../core/feature';
import type { JobRunner } from '../../core/jobs/jobs';
import { resumeCheckpoints } from '../../core/store/checkpoints';
import type { Db } from '../../core/store/db';
import { buildDeferredIndexes, deferredIndexes } from './importIndexes';

/**
 * Brings the trigram index up to date for a project: rows written by any code (imports, the demo seeder) are indexed
 * on the first search after they appear. Cheap when nothing changed (a count and a max over an index).
 */
export function ensureSearchIndex(db: Db, projectId: number): number {
  const state = db
    .prepare('SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS m FROM examples WHERE project_id = ?')
    .get(projectId) as { n: number; m: number };
  const key = `${state.n}:${state.m}`;
  const known = db.prepare('SELECT synced FROM search_index_state WHERE project_id = ?').get(projectId) as
    { synced: string } | undefined;
  if (known?.synced === key) return 0;
  return db.transaction(() => {
    const added = db
      .prepare(
        `INSERT INTO examples_fts (rowid, text)
         SELECT e.id, e.text FROM examples e
         WHERE e.project_id = ? AND NOT EXISTS (SELECT 1 FROM examples_fts_docsize d WHERE d.id = e.id)`,
      )
      .run(projectId).changes;
    db.prepare(
      `INSERT INTO search_index_state (project_id, synced) VALUES (?, ?)
       ON CONFLICT (project_id) DO UPDATE SET synced = excluded.synced`,
    ).run(projectId, key);
    return added;
  })();
}

/**
 * True while the project's search index is being built by a background job (after an import): a search then scans
 * the texts instead of waiting for the index (the page says so), and never builds the index itself.
 */
export function searchIndexBuilding(db: Db, projectId: number): boolean {
  return !!db
    .prepare(
      `SELECT 1 FROM jobs WHERE project_id = ? AND kind = 'dataset.searchIndex'
         AND state IN ('queued', 'running', 'paused') LIMIT 1`,
    )
    .get(projectId);
}

/** Starts the search-index job for an import's rows (the import's name titles it). */
export function startSearchIndex(ctx: CoreContext, projectId: number, name: string, datasetId: number): Job {
  return ctx.jobs.start('dataset.searchIndex', {
    projectId,
    title: `Search index for ${name}`,
    params: { projectId, datasetId },
  });
}

/**
 * Small batches: each is one synchronous write on the server's thread, so it must stay well under a key press's
 * budget (about 20 ms here for 500 short texts) for the review step to stay responsive while the index builds.
 */
const INDEX_BATCH = 500;

/**
 * The search-index job: adds an import's rows to the trigram index in small batches, yielding between them (the rows
 * are already in the project and usable; until this ends a search scans the texts and says the index is building).
 * Idempotent, so a resumed or repeated job simply goes on.
 */
export function makeSearchIndexRunner(ctx: CoreContext): JobRunner<'dataset.searchIndex'> {
  return async (ctl) => {
    const db = ctx.db;
    const { projectId, datasetId } = ctl.params;
    // First the indexes an import dropped (importIndexes.ts), unless another import still writes without them.
    const importing = db
      .prepare(
        `SELECT 1 FROM jobs WHERE kind = 'dataset.import' AND state IN ('queued', 'running', 'paused') LIMIT 1`,
      )
      .get();
    // The log's checkpoints an import held off (core/store/checkpoints.ts): one copy into the database, now.
    if (!importing) resumeCheckpoints(db);
    if (!importing && deferredIndexes(db).length > 0) {
      ctl.progress(0, 1, { phase: 'Building indexes' });
      await buildDeferredIndexes(db, async () => {
        await new Promise((r) => setImmediate(r));
        await ctl.yield();
      });
    }
    const range = db
      .prepare('SELECT MIN(id) AS lo, MAX(id) AS hi FROM examples WHERE project_id = ? AND dataset_id = ?')
      .get(projectId, datasetId) as { lo: number | null; hi: number | null };
    let indexed = 0;
    if (range.lo !== null && range.hi !== null) {
      const insert = db.prepare(
        `INSERT INTO examples_fts (rowid, text)
         SELECT e.id, e.text FROM examples e
         WHERE e.project_id = ? AND e.id >= ? AND e.id < ?
           AND NOT EXISTS (SELECT 1 FROM examples_fts_docsize d WHERE d.id = e.id)`,
      );
      const total = range.hi - range.lo + 1;
      const started = performance.now();
      for (let lo = range.lo; lo <= range.hi; lo += INDEX_BATCH) {
        indexed += db.transaction(() => insert.run(projectId, lo, lo + INDEX_BATCH).changes)();
        const done = Math.min(total, lo + INDEX_BATCH - range.lo);
        const rate = (done * 1000) / Math.max(1, performance.now() - started);
        ctl.progress(done, total, { phase: 'Indexing for search', rate });
        // setImmediate, not a resolved promise: requests waiting on the event loop are served between batches.
        await new Promise((r) => setImmediate(r));
        await ctl.yield();
      }
    }
    // Records the project's index as complete here, so that the first search does not check every row.
    ensureSearchIndex(db, projectId);
    return { indexed };
  };
}
