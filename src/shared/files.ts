import { z } from 'zod';

/**
 * Request fields that name a file the user chose. Electron and the CLI pass real paths; in browser mode a page may
 * only name an upload the server itself received, so that no request from a browser can read an arbitrary file of
 * the server (`dataset.preview {"path": "/etc/passwd"}`).
 */
export const pickedFiles = z.registry<{ readonly pickedFile: true }>();

/** Marks `schema` (a string field of a request) as a file the user picked. */
export function pickedFile<T extends z.ZodType>(schema: T): T {
  pickedFiles.add(schema, { pickedFile: true });
  return schema;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

/** The top-level fields of a request schema that are picked files. */
export function pickedFileFields(input: z.ZodType): string[] {
  if (!(input instanceof z.ZodObject)) return [];
  return Object.entries(input.shape as Record<string, z.ZodType>)
    .filter(([, s]) => pickedFiles.has(unwrap(s)) || pickedFiles.has(s))
    .map(([k]) => k);
}
