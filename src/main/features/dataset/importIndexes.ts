import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';

/**
 * The indexes a large import drops while it writes its rows and builds again after them (migration 020): those whose
 * entries land at random places, so that each batch would rewrite pages all over them (at a million rows, the hash
 * index alone made the import ten times slower), and the two by split, whose entries cost about a second per million
 * rows (their queries scan until the search index job builds them again, a second or so each, its first step).
 * `examples_project` takes new rows at its end and stays in place.
 */
export const DEFERRABLE_INDEXES = [
  'examples_hash',
  'review_examples_random',
  'examples_external',
  'examples_project_split',
  'review_examples_live',
] as const;

/**
 * The annotation indexes a large import with a label column drops the same way, when it adds at least as many
 * annotations as the project database holds: each import annotation's entry there lands after every earlier one of
 * the project, so keeping them cost about a second per million labelled rows. Until the search index job builds them
 * (about half a second each at a million), the queries that use them (a person's recent labels, a project's
 * annotations by time) scan the annotations instead.
 */
export const DEFERRABLE_ANNOTATION_INDEXES = ['annotations_project', 'review_annotations_annotator'] as const;

/** Drops the named indexes that exist, recording each in `deferred_indexes`; call it inside the write transaction. */
export function deferIndexes(db: Db, names: readonly string[]): void {
  const find = db.prepare(
    `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ? AND sql IS NOT NULL`,
  );
  const record = db.prepare(
    'INSERT INTO deferred_indexes (name, sql, dropped_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
  );
  for (const name of names) {
    const row = find.get(name) as { sql: string } | undefined;
    if (!row) continue;
    record.run(name, row.sql, nowIso());
    db.exec(`DROP INDEX "${name}"`);
  }
}

/** Indexes dropped by an import and not yet built again. */
export function deferredIndexes(db: Db): string[] {
  return db.prepare('SELECT name FROM deferred_indexes ORDER BY name').pluck().all() as string[];
}

interface Deferred {
  readonly name: string;
  readonly sql: string;
}

function pending(db: Db): Deferred[] {
  return db.prepare('SELECT name, sql FROM deferred_indexes ORDER BY name').all() as Deferred[];
}

function build(db: Db, r: Deferred): void {
  db.transaction(() => {
    const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?`).get(r.name);
    if (!exists) db.exec(r.sql);
    db.prepare('DELETE FROM deferred_indexes WHERE name = ?').run(r.name);
  })();
}

/**
 * Builds every deferred index again, each in its own transaction with the removal of its row (SQLite builds an index
 * by sorting: about a second per index at a million rows). `between` runs after each, so that a job can yield.
 */
export async function buildDeferredIndexes(db: Db, between: () => Promise<void>): Promise<number> {
  const rows = pending(db);
  for (const r of rows) {
    build(db, r);
    await between();
  }
  return rows.length;
}

/** The same, without yielding: for the clean-up of a failed import and for a start after a crash. */
export function buildDeferredIndexesNow(db: Db): void {
  for (const r of pending(db)) build(db, r);
}
