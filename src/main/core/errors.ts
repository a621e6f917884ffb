import type { AppErrorInfo, ErrorCode } from '../../shared/result';

/** An error a person can act on. Anything else reaching a process boundary is reported as INTERNAL. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  toInfo(): AppErrorInfo {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function toErrorInfo(e: unknown): AppErrorInfo {
  if (e instanceof AppError) return e.toInfo();
  const nodeCode = (e as { code?: unknown } | null)?.code;
  if (nodeCode === 'ENOSPC') {
    return {
      code: 'DISK_FULL',
      message: 'The disk is full. Free some space and try again; nothing was lost.',
    };
  }
  if (nodeCode === 'SQLITE_FULL') {
    return {
      code: 'DISK_FULL',
      message: 'The disk holding the data folder is full. Free some space and try again; nothing was lost.',
    };
  }
  if (isBusyError(e)) {
    return {
      code: 'DB_LOCKED',
      message:
        'The database stayed busy (another program held it) for too long. Close that program and try again; ' +
        'an interrupted job can be resumed.',
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: `Unexpected error: ${message}` };
}

export function notFound(what: string, id: number | string): AppError {
  return new AppError('NOT_FOUND', `${what} ${id} does not exist (it may have been deleted).`);
}

/** SQLite's "database is busy/locked": another connection holds the write lock. Worth retrying. */
export function isBusyError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
