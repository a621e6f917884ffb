import { z } from 'zod';

/**
 * Every request across a process boundary answers with a Result: never a thrown error, never `any`.
 * Error codes are ones a person (or a script) can act on; `message` is already written for a person.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHORIZED',
  /** Team mode: the logged-in person's role does not allow this. */
  'FORBIDDEN',
  'UNKNOWN_CHANNEL',
  'DB_NOT_SQLITE',
  'DB_NEWER_VERSION',
  'DB_LOCKED',
  /** A native module (better-sqlite3, node-llama-cpp) was built for another runtime or platform. */
  'NATIVE_MODULE',
  'BAD_FILE',
  'TOO_LARGE',
  'DISK_FULL',
  'CANCELLED',
  'JOB_STATE',
  'MODEL_ERROR',
  'TRAINING_ERROR',
  'UNSUPPORTED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorInfo {
  readonly code: ErrorCode;
  readonly message: string;
  /** Structured detail for the UI (e.g. line numbers of bad rows, zod issues). */
  readonly details?: unknown;
  /** The message's key in src/shared/errorMessages.ts and its parameters: the UI shows it in its own language. */
  readonly key?: string;
  readonly params?: Readonly<Record<string, string | number>>;
}

/** An error as it crosses HTTP (the same fields as `AppErrorInfo`). */
export const AppErrorInfoSchema = z
  .object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.unknown().optional(),
    key: z.string().optional(),
    params: z
      .record(z.string(), z.union([z.string(), z.number()]))
      .readonly()
      .optional(),
  })
  .readonly() satisfies z.ZodType<AppErrorInfo>;

/** Any answer's envelope, its value not yet read: the channel's own schema reads it. */
export const ResultEnvelope = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: AppErrorInfoSchema }),
]);

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppErrorInfo };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(code: ErrorCode, message: string, details?: unknown): Result<T> {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
