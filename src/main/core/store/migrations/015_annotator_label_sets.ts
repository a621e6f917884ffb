/**
 * Owned by the review feature (multi-label review, issue 16).
 * annotator_label_sets: each annotator's own current label set of each example in a multi-label project, the rule
 * of 011's annotator_labels on label_set instead of label_id (agreement between annotators, the conflicts queue).
 * label_set is canonical (a sorted JSON array of ids with no spaces, as JSON.stringify and json_group_array write
 * it), so two sets are the same exactly when their texts are equal.
 */
export const migration015AnnotatorLabelSets = `
CREATE VIEW annotator_label_sets AS
SELECT a.* FROM annotations a
WHERE a.retracted_at IS NULL AND a.label_set IS NOT NULL
  AND a.id = (SELECT x.id FROM annotations x
              WHERE x.example_id = a.example_id AND x.annotator = a.annotator
                AND x.retracted_at IS NULL AND x.label_set IS NOT NULL
              ORDER BY x.created_at DESC, x.id DESC LIMIT 1);
`;
