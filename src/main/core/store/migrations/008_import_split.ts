/**
 * Imports with a split column and re-imports of known ids (owned by the data feature):
 * - import_staging.split: the split a row's file assigned it (train, validation, test), or NULL.
 * - examples_external: finds a project's examples by their id from the file, so that a re-import can skip or
 *   update them instead of adding copies.
 */
export const migration008ImportSplit = `
ALTER TABLE import_staging ADD COLUMN split TEXT;
CREATE INDEX examples_external ON examples (project_id, external_id) WHERE external_id IS NOT NULL;
`;
