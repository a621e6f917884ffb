/**
 * Owned by review (issue 19): the "random order" queue's order, held by an index. The queue orders documents by a
 * multiplicative hash of their id (features/review/queues.ts RANDOM_KEY, the same expression, character for
 * character, or SQLite does not use the index); without this index every key press sorted the whole project
 * (a second at a million documents). Partial on live documents, like review_examples_live.
 */
export const migration018ReviewRandomOrder = `
CREATE INDEX review_examples_random ON examples (project_id, ((id * 2654435761) % 4294967296)) WHERE excluded = 0;
`;
