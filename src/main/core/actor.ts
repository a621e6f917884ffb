import { AsyncLocalStorage } from 'node:async_hooks';
import type { Role } from '../../shared/team';

/** The logged-in person a team-mode request runs for (none in the desktop app, single-user browser mode or CLI). */
export interface Actor {
  readonly username: string;
  readonly role: Role;
  /** The session the request came with (a password change keeps this one and ends the others). */
  readonly sessionIdHash?: string;
}

const storage = new AsyncLocalStorage<Actor>();

/**
 * Runs `fn` (and everything it starts, jobs included) on behalf of `actor`: the audit log and the annotations then
 * name this person whatever name a request or the local profile carries.
 */
export function runAs<T>(actor: Actor, fn: () => T): T {
  return storage.run(actor, fn);
}

export function currentActor(): Actor | null {
  return storage.getStore() ?? null;
}
