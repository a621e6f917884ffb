import { z } from 'zod';

/**
 * JSON the program wrote earlier and reads back (a database column, a file, the browser's localStorage): parsed
 * with the shape it was written in, never cast. A value that is not JSON or not of its shape is a `problem` naming
 * what was wrong; the caller turns it into an error a person can act on (main: `core/store/storedJson.ts`) or,
 * where an old value may be ignored (a renderer's localStorage), falls back.
 */

/**
 * A hand check for shapes read on hot paths (a million teacher outputs, every review page): the same contract as a
 * zod schema at a fraction of its cost (`z.array(z.number())` adds about 60% to the `JSON.parse` of a short array;
 * `Array.isArray` plus `every` about nothing).
 */
export interface HandCheck<T> {
  readonly is: (value: unknown) => value is T;
  /** What a value of the shape is, for the problem: "an array of numbers". */
  readonly expected: string;
}

export type StoredShape<T> = z.ZodType<T> | HandCheck<T>;

export type StoredRead<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

function isHandCheck<T>(shape: StoredShape<T>): shape is HandCheck<T> {
  return 'is' in shape && typeof shape.is === 'function';
}

/** The first zod issue, worded: `"labels.2": expected string, received number`. */
export function zodProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? `"${issue.path.map(String).join('.')}": ` : '';
  return `${where}${issue?.message ?? 'not of the expected shape'}`;
}

/** A value already parsed from JSON, checked against its shape. */
export function checkStored<T>(shape: StoredShape<T>, value: unknown): StoredRead<T> {
  if (isHandCheck(shape)) {
    return shape.is(value) ? { ok: true, value } : { ok: false, problem: `expected ${shape.expected}` };
  }
  const parsed = shape.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problem: zodProblem(parsed.error) };
}

/** Stored JSON text, parsed and checked against its shape. */
export function parseStored<T>(shape: StoredShape<T>, text: string): StoredRead<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  return checkStored(shape, value);
}

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => typeof n === 'number');
}

/**
 * A JSON array of numbers: teacher probabilities and logprobs, a multi-label answer's label ids. Read per row on the
 * hot paths, hence a hand check.
 */
export const NumberArray: HandCheck<number[]> = { is: isNumberArray, expected: 'an array of numbers' };
