import { ERROR_MESSAGES, fillTemplate, type ErrorKey, type ErrorParams } from '../../shared/errorMessages';
import type { AppErrorInfo, ErrorCode } from '../../shared/result';

/** An error a person can act on. Anything else reaching a process boundary is reported as INTERNAL. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  /** A message with a key is shown by the UI in its own language (src/shared/errorMessages.ts). */
  key?: ErrorKey;
  params?: ErrorParams;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  /** An error whose message is the catalogue's: English here, the UI's language in the UI. */
  static keyed(code: ErrorCode, key: ErrorKey, params: ErrorParams = {}, details?: unknown): AppError {
    const e = new AppError(code, keyedMessage(key, params), details);
    e.key = key;
    e.params = params;
    return e;
  }
  /**
   * An error another part already worded and that this one passes on: a result of the core, the teacher process's
   * or the training worker's answer, a stored job's error. Its key (when it has one) is kept, so the UI still shows
   * it in its language. The only way besides `keyed` to make an AppError (tests/foundation/error-catalogue.test.ts).
   */
  static relayed(info: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly details?: unknown;
    readonly key?: string;
    readonly params?: ErrorParams;
  }): AppError {
    const e = new AppError(info.code, info.message, info.details);
    if (info.key && info.key in ERROR_MESSAGES.en) {
      e.key = info.key as ErrorKey;
      e.params = info.params ?? {};
    }
    return e;
  }
  toInfo(): AppErrorInfo {
    return {
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.key ? { key: this.key, params: this.params ?? {} } : {}),
    };
  }
}

export function keyedMessage(key: ErrorKey, params: ErrorParams = {}): string {
  return fillTemplate(ERROR_MESSAGES.en[key], params);
}

/** An error result (not thrown) with a catalogue message. */
export function keyedInfo(
  code: ErrorCode,
  key: ErrorKey,
  params: ErrorParams = {},
  details?: unknown,
): AppErrorInfo {
  return AppError.keyed(code, key, params, details).toInfo();
}

export function toErrorInfo(e: unknown): AppErrorInfo {
  if (e instanceof AppError) return e.toInfo();
  const nodeCode = (e as { code?: unknown } | null)?.code;
  if (nodeCode === 'ENOSPC') {
    return keyedInfo('DISK_FULL', 'diskFull');
  }
  if (nodeCode === 'SQLITE_FULL') {
    return keyedInfo('DISK_FULL', 'diskFullDb');
  }
  if (isBusyError(e)) {
    return keyedInfo('DB_LOCKED', 'dbLocked');
  }
  const message = e instanceof Error ? e.message : String(e);
  return keyedInfo('INTERNAL', 'internal', { detail: message });
}

export function notFound(what: string, id: number | string): AppError {
  return AppError.keyed('NOT_FOUND', 'notFound', { what, id });
}

/** SQLite's "database is busy/locked": another connection holds the write lock. Worth retrying. */
export function isBusyError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
