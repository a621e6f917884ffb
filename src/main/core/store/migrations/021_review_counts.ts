/**
 * Owned by review (issue 19): the reads that count a project's labels (review.counts, student.overview) at a
 * million documents, driven by the labels and the teacher's outputs rather than by the documents, each step a seek
 * in an index that holds what it reads. Indexes only: no table or view changes.
 * - annotations_live_label: the live labelled annotations of each example in the order of "the latest": the rule of
 *   011's views (human_labels, person_labels, annotator_labels) picks an example's current row in one seek here,
 *   without reading the table (the row id is in every index). Partial, as the rule's own filter.
 * - examples_excluded: the few documents cleaning removed, so that a count driven by the labels leaves them out
 *   without looking up each labelled document (review_examples_live, 004, is its complement).
 * - teacher_outputs_answer: a run's single-label answers by document, so that counting a run's answers, or looking
 *   up the answer of each labelled document, reads this index and not the outputs with their probabilities.
 */
export const migration021ReviewCounts = `
CREATE INDEX annotations_live_label ON annotations (example_id, created_at)
  WHERE retracted_at IS NULL AND label_id IS NOT NULL;
CREATE INDEX examples_excluded ON examples (project_id, split) WHERE excluded = 1;
CREATE INDEX teacher_outputs_answer ON teacher_outputs (run_id, example_id, predicted_label_id);
`;
