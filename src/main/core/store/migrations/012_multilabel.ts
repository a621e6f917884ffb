/**
 * Owned by the multi-label feature (issue 16).
 * projects.kind: 'single' (one label per document, as before) or 'multi' (any set of labels, the empty set meaning
 * "none of these"), chosen at creation. annotations.label_set: in a multi-label project an annotation carries the
 * whole set a person (or an import) gave, as a sorted JSON array of label ids, and its label_id stays NULL; so every
 * single-label read (label_id IS NOT NULL) is unchanged, and history, retraction and annotators work as before.
 * examples.imported_label holds, in a multi-label project, the imported names as a JSON array.
 * The label-set views follow the rules of 011's human_labels and person_labels, on label_set instead of label_id.
 */
export const migration012Multilabel = `
ALTER TABLE projects ADD COLUMN kind TEXT NOT NULL DEFAULT 'single' CHECK (kind IN ('single', 'multi'));

ALTER TABLE annotations ADD COLUMN label_set TEXT
  CHECK (label_set IS NULL OR (label_id IS NULL AND json_valid(label_set) AND json_type(label_set) = 'array'));
CREATE INDEX annotations_label_set ON annotations (example_id, created_at) WHERE label_set IS NOT NULL;

CREATE VIEW human_label_sets AS
SELECT a.* FROM annotations a
WHERE a.retracted_at IS NULL AND a.label_set IS NOT NULL
  AND a.id = (SELECT x.id FROM annotations x
              WHERE x.example_id = a.example_id AND x.retracted_at IS NULL AND x.label_set IS NOT NULL
              ORDER BY x.created_at DESC, x.id DESC LIMIT 1);

CREATE VIEW person_label_sets AS
SELECT a.* FROM annotations a
WHERE a.retracted_at IS NULL AND a.label_set IS NOT NULL AND a.source IN ('import', 'human', 'merge')
  AND a.id = (SELECT x.id FROM annotations x
              WHERE x.example_id = a.example_id AND x.retracted_at IS NULL AND x.label_set IS NOT NULL
                AND x.source IN ('import', 'human', 'merge')
              ORDER BY x.created_at DESC, x.id DESC LIMIT 1);
`;
