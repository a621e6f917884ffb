/**
 * Owned by the multi-label feature (issue 16).
 * projects.kind: 'single' (one label per document, as before) or 'multi' (any set of labels, the empty set meaning
 * "none of these"), chosen at creation. annotations.label_set: in a multi-label project an annotation carries the
 * whole set a person (or an import) gave, as a sorted JSON array of label ids, and its label_id stays NULL; so every
 * single-label read (label_id IS NOT NULL) is unchanged, and history, retraction and annotators work as before.
 * examples.imported_label holds, in a multi-label project, the imported names as a JSON array.
 */
export const migration011Multilabel = `
ALTER TABLE projects ADD COLUMN kind TEXT NOT NULL DEFAULT 'single' CHECK (kind IN ('single', 'multi'));

ALTER TABLE annotations ADD COLUMN label_set TEXT
  CHECK (label_set IS NULL OR (label_id IS NULL AND json_valid(label_set) AND json_type(label_set) = 'array'));
CREATE INDEX annotations_label_set ON annotations (example_id, created_at) WHERE label_set IS NOT NULL;
`;
