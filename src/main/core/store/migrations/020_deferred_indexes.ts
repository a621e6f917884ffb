/**
 * Owned by the dataset feature (issue 19): indexes an import dropped to write its rows faster, to be built again.
 * A large import writes its rows straight into `examples` in committed batches; the indexes whose entries would land
 * at random places (the text hash, the review order, the external id) are dropped first, in the same transaction
 * that records them here, and the search-index job that follows the import builds each one again, deleting its row
 * in the same transaction (features/dataset/importIndexes.ts). A crash at any point leaves each index either in
 * place or listed here; a start with rows here and no import running builds them. Queries are correct meanwhile
 * (SQLite scans instead).
 */
export const migration020DeferredIndexes = `
CREATE TABLE deferred_indexes (
  name TEXT PRIMARY KEY,
  sql TEXT NOT NULL,
  dropped_at TEXT NOT NULL
) STRICT;
`;
