import type { Db } from '../../core/store/db';

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
