import { NumberArray, parseStored, type StoredShape } from '../../../shared/storedJson';
import { AppError } from '../errors';

/** Makes the error a damaged stored value becomes, from the problem `parseStored` found. */
export type Damaged = (problem: string) => Error;

/**
 * A JSON column of the project database: a damaged value is a BAD_FILE error naming the column and the row
 * ("teacher_outputs.probs (example_id 12)") and what was wrong, instead of a TypeError further on.
 */
export function storedColumn(column: string, row: Readonly<Record<string, number | string>> = {}): Damaged {
  // Worded only when a value is damaged: hot paths make one of these per row.
  return (problem) => {
    const keys = Object.entries(row).map(([k, v]) => `${k} ${v}`);
    const what = keys.length ? `${column} (${keys.join(', ')})` : column;
    return AppError.keyed('BAD_FILE', 'core.storedValueDamaged', { what, problem });
  };
}

/** Stored JSON read with its shape (a zod schema, or a hand check on hot paths); a damaged value throws `damaged`. */
export function readStoredJson<T>(shape: StoredShape<T>, text: string, damaged: Damaged): T {
  const read = parseStored(shape, text);
  if (read.ok) return read.value;
  throw damaged(read.problem);
}

/** `readStoredJson` for a nullable column: `fallback` when it holds nothing (NULL or ''). */
export function readStoredJsonOr<T>(
  shape: StoredShape<T>,
  text: string | null | undefined,
  fallback: NoInfer<T>,
  damaged: Damaged,
): T {
  if (text === null || text === undefined || text === '') return fallback;
  return readStoredJson(shape, text, damaged);
}

/**
 * A JSON array of numbers in `column` (teacher probabilities and logprobs, a label set's ids) of the row of
 * `exampleId`: read per row on hot paths (a million teacher outputs, every review page), hence the hand check.
 */
export function storedNumbers(text: string, column: string, exampleId: number): number[] {
  return readStoredJson(NumberArray, text, storedColumn(column, { example_id: exampleId }));
}
