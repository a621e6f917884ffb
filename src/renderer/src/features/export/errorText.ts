import { ApiError } from '../../api';

/** The message of an error from the core (already written for a person), or of anything else. */
export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.info.message : e instanceof Error ? e.message : String(e);
}
