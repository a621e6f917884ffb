import { ADD_NEW } from './022_example_counts';

/**
 * Owned by the dataset feature (issue 19): the example counts' insert trigger (migration 022) holds off while
 * `label_count_pause` holds a row, as the label counts' triggers do (migration 023). An import pauses both inside
 * each batch's transaction and adds the batch's counts in grouped statements (importDirect.ts): an upsert per row
 * cost about a second per million rows. Every other writer (cleaning, splitting, a restore, the demo) leaves the
 * table empty and is counted row by row, as before.
 */
export const migration024ImportCounts = `
DROP TRIGGER example_counts_insert;
CREATE TRIGGER example_counts_insert AFTER INSERT ON examples
WHEN new.excluded = 0 AND NOT EXISTS (SELECT 1 FROM label_count_pause) BEGIN
  ${ADD_NEW}
END;
`;
