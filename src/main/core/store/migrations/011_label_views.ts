/**
 * Owned by the core (core/labels.ts names these views for TypeScript).
 * One definition of each label rule, as a view every feature reads instead of writing the rule again:
 * - human_labels: each example's current label, its latest annotation that is not retracted and has a label,
 *   whoever made it (an import's label column counts; a teacher label counts once a person accepted it).
 * - person_labels: each example's latest label a person chose (sources import, human, merge; never teacher_accept or
 *   bulk): on the test split, the gold set.
 * - annotator_labels: each annotator's own current label of each example (agreement, conflicts, annotation files).
 * Each has the columns of annotations, one row per example (per example and annotator for annotator_labels).
 *
 * A later migration that rebuilds `annotations` (create, copy, drop, rename) must drop these views first and run
 * LABEL_VIEWS again after: SQLite refuses to rename a table while a view names a dropped one.
 */
export const LABEL_VIEW_NAMES = ['human_labels', 'person_labels', 'annotator_labels'] as const;

const PERSON = `IN ('import', 'human', 'merge')`;

export const LABEL_VIEWS = `
CREATE VIEW human_labels AS
SELECT a.* FROM annotations a
WHERE a.retracted_at IS NULL AND a.label_id IS NOT NULL
  AND a.id = (SELECT x.id FROM annotations x
              WHERE x.example_id = a.example_id AND x.retracted_at IS NULL AND x.label_id IS NOT NULL
              ORDER BY x.created_at DESC, x.id DESC LIMIT 1);

CREATE VIEW person_labels AS
SELECT a.* FROM annotations a
WHERE a.retracted_at IS NULL AND a.label_id IS NOT NULL AND a.source ${PERSON}
  AND a.id = (SELECT x.id FROM annotations x
              WHERE x.example_id = a.example_id AND x.retracted_at IS NULL AND x.label_id IS NOT NULL
                AND x.source ${PERSON}
              ORDER BY x.created_at DESC, x.id DESC LIMIT 1);

CREATE VIEW annotator_labels AS
SELECT a.* FROM annotations a
WHERE a.retracted_at IS NULL AND a.label_id IS NOT NULL
  AND a.id = (SELECT x.id FROM annotations x
              WHERE x.example_id = a.example_id AND x.annotator = a.annotator
                AND x.retracted_at IS NULL AND x.label_id IS NOT NULL
              ORDER BY x.created_at DESC, x.id DESC LIMIT 1);
`;

export const migration011LabelViews = LABEL_VIEWS;
