/**
 * Schema v2: owned by the data feature.
 * - projects.test_locked: a locked test split is the gold set; nothing trains on it and splitting never moves it.
 * - import_staging: rows of an import in progress; moved into examples in one transaction when the file is done,
 *   so that a failed or cancelled import leaves the project exactly as before.
 * - examples_fts: trigram full-text index (finds substrings of unsegmented Chinese too). Contentless: it is filled on
 *   demand before a search (rows written by any code are covered), and kept in step on update and delete by triggers.
 */
export const migration002 = `
ALTER TABLE projects ADD COLUMN test_locked INTEGER NOT NULL DEFAULT 0 CHECK (test_locked IN (0, 1));

-- No index: rows are written and read back in insertion (rowid) order, and a batch and its job checkpoint are
-- committed together, so a resumed job never finds rows past its checkpoint.
CREATE TABLE import_staging (
  job_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  source_row INTEGER NOT NULL,
  external_id TEXT,
  text TEXT NOT NULL,
  original_text TEXT,
  text_hash TEXT NOT NULL,
  length INTEGER NOT NULL,
  label TEXT,
  metadata TEXT
) STRICT;

-- Per project, the (row count, max id) at which the search index was last known complete.
CREATE TABLE search_index_state (
  project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  synced TEXT NOT NULL
) STRICT;

CREATE VIRTUAL TABLE examples_fts USING fts5(text, content='', contentless_delete=1, tokenize='trigram');

CREATE TRIGGER examples_fts_delete AFTER DELETE ON examples BEGIN
  DELETE FROM examples_fts WHERE rowid = old.id;
END;
CREATE TRIGGER examples_fts_update AFTER UPDATE OF text ON examples BEGIN
  DELETE FROM examples_fts WHERE rowid = old.id;
  INSERT INTO examples_fts (rowid, text) VALUES (new.id, new.text);
END;
`;
