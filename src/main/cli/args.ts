import { AppError } from '../core/errors';

/** A positive whole-number id from the command line, or an error that says how to find one. */
export function requireId(value: unknown, what: string): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isInteger(n) || n <= 0) {
    const hint = what === 'project' ? ' (see "distillery projects list")' : '';
    throw AppError.keyed('INVALID_INPUT', 'cli.giveIdPositiveWhole', { what, hint });
  }
  return n;
}
