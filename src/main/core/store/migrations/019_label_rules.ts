/**
 * Owned by the core (core/labels.ts names these views for TypeScript), issue 15: the last two label rules that
 * features wrote again over the tables, each now one view.
 * - teacher_answers: each teacher output with the teacher's answer as a multi-label set, `predicted_set` (the labels
 *   whose probability is at least 0.5, MULTI_LABEL_THRESHOLD of shared/review.ts, as the canonical sorted JSON array
 *   of ids, comparable as text with annotations.label_set); a single-label answer is `predicted_label_id` as stored.
 *   Review's queues and bulk accept read this view, never teacher_outputs. A plain view (no aggregate, no LIMIT of
 *   its own), so SQLite flattens it into the query and the queues keep their indexes on teacher_outputs
 *   (tests/review/queue-order.test.ts reads the plans). `predicted_set` is computed only where a query names it.
 * - current_adjudications: a lead's decision (team_adjudications) that is still the document's human answer: its
 *   annotation is the example's row of human_labels or human_label_sets (011, 012), the one rule of "the latest
 *   annotation", so that relabelling after the decision reopens the conflict.
 * A later migration that rebuilds teacher_outputs, team_adjudications or annotations must drop these views first
 * and create them again after (as 011's LABEL_VIEWS), and a change of the threshold is a new migration.
 */
export const migration019LabelRules = `
CREATE VIEW teacher_answers AS
SELECT t.*,
  (SELECT json_group_array(id) FROM (
     SELECT json_extract(tr.labels_snapshot, '$[' || p.key || '].id') AS id
     FROM teacher_runs tr, json_each(t.probs) p WHERE tr.id = t.run_id AND p.value >= 0.5
     ORDER BY id)) AS predicted_set
FROM teacher_outputs t;

CREATE VIEW current_adjudications AS
SELECT j.* FROM team_adjudications j
WHERE EXISTS (SELECT 1 FROM human_labels h WHERE h.id = j.annotation_id)
   OR EXISTS (SELECT 1 FROM human_label_sets s WHERE s.id = j.annotation_id);
`;
