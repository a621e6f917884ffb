import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import {
  PasswordSchema,
  UsernameSchema,
  type LoggedIn,
  type LoggedOut,
  type TeamSession,
} from '../../shared/team';
import type { Actor } from '../core/actor';
import type { Core } from '../core/core';
import { toErrorInfo } from '../core/errors';
import {
  createSession,
  endSession,
  findSession,
  SESSION_MAX_MS,
  type Session,
} from '../features/team/sessions';
import { LoginThrottle } from '../features/team/throttle';
import { addUser, checkLogin, recordLogin, userCount } from '../features/team/users';
import { BodyTooLarge, fail, readBody, sendJson } from './http';

/** The CSRF token travels in this header on every state-changing request; a cross-site page cannot read it. */
export const CSRF_HEADER = 'x-csrf-token';

const LoginSchema = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1024) });
const SetupSchema = z.object({
  code: z.string().min(1).max(200),
  username: UsernameSchema,
  password: PasswordSchema,
});

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    // The first cookie of a name wins; a second one (planted for a sub-path) is ignored.
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

export interface TeamGate {
  readonly cookieName: string;
  /** The session of the request's cookie, or null. */
  session(req: IncomingMessage): Session | null;
  actor(session: Session): Actor;
  /** A state-changing request must carry its session's CSRF token. */
  csrfOk(req: IncomingMessage, session: Session): boolean;
  /** Answers /api/session, /api/login, /api/logout and /api/setup; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}

/**
 * Team mode's accounts at the HTTP edge: logins (throttled), the session cookie (HttpOnly, Secure, SameSite=Strict,
 * a `__Host-` name over HTTPS so that no sub-domain or plain-HTTP page can set it), CSRF tokens, logout, and the
 * first administrator created from the page with the one-time setup code printed at start.
 */
export function createTeamGate(core: Core, opts: { secure: boolean; setupCode: string | null }): TeamGate {
  const cookieName = opts.secure ? '__Host-distillery-session' : 'distillery-session';
  const throttle = new LoginThrottle();
  const { db } = core;

  const cookie = (value: string, maxAgeS: number): string =>
    [
      `${cookieName}=${value}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Strict',
      `Max-Age=${maxAgeS}`,
      ...(opts.secure ? ['Secure'] : []),
    ].join('; ');

  const session = (req: IncomingMessage): Session | null => {
    const id = parseCookies(req.headers.cookie).get(cookieName);
    return id ? findSession(db, id) : null;
  };

  const readJson = async <T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T | string> => {
    let text: string;
    try {
      text = await readBody(req, 64 * 1024);
    } catch (e) {
      if (e instanceof BodyTooLarge) return e.message;
      throw e;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return 'The request body is not valid JSON.';
    }
    const parsed = schema.safeParse(body);
    return parsed.success ? parsed.data : (parsed.error.issues[0]?.message ?? 'Invalid request.');
  };

  /** A new session for a good login; the request's old session (if any) ends, so a planted cookie is worthless. */
  const logIn = (
    req: IncomingMessage,
    res: ServerResponse,
    user: { id: number; username: string; role: Actor['role'] },
  ): void => {
    const old = session(req);
    if (old) endSession(db, old.idHash);
    const s = createSession(db, user.id);
    recordLogin(db, user.id);
    const value: LoggedIn = { user: { username: user.username, role: user.role }, csrf: s.csrf };
    sendJson(
      res,
      200,
      { ok: true, value },
      { 'set-cookie': cookie(s.id, Math.floor(SESSION_MAX_MS / 1000)) },
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    if (path === '/api/session' && req.method === 'GET') {
      const s = session(req);
      const value: TeamSession = {
        team: true,
        user: s ? { username: s.username, role: s.role } : null,
        csrf: s?.csrf ?? null,
        needsSetup: userCount(db) === 0,
      };
      sendJson(res, 200, { ok: true, value });
      return true;
    }
    if (path === '/api/login' && req.method === 'POST') {
      const input = await readJson(req, LoginSchema);
      if (typeof input === 'string') return (fail(res, 400, 'INVALID_INPUT', input), true);
      const address = req.socket.remoteAddress ?? '?';
      const wait = throttle.retryAfter(input.username, address);
      if (wait > 0) {
        sendJson(
          res,
          429,
          {
            ok: false,
            error: {
              code: 'UNAUTHORIZED',
              message: `Too many wrong passwords. Try again in ${Math.ceil(wait / 60)} minute(s), or ask an administrator.`,
              details: { retryAfterSeconds: wait },
            },
          },
          { 'retry-after': String(wait) },
        );
        return true;
      }
      const user = await checkLogin(db, input.username, input.password);
      if (!user) {
        throttle.failed(input.username, address);
        fail(res, 401, 'UNAUTHORIZED', 'Wrong username or password (or the account is disabled).');
        return true;
      }
      throttle.succeeded(input.username);
      logIn(req, res, user);
      return true;
    }
    if (path === '/api/setup' && req.method === 'POST') {
      const input = await readJson(req, SetupSchema);
      if (typeof input === 'string') return (fail(res, 400, 'INVALID_INPUT', input), true);
      if (userCount(db) > 0 || !opts.setupCode || !same(input.code, opts.setupCode)) {
        fail(
          res,
          403,
          'FORBIDDEN',
          'Wrong or used setup code. It is printed where "distillery serve --team" runs.',
        );
        return true;
      }
      try {
        await addUser(db, { username: input.username, role: 'admin', password: input.password });
      } catch (e) {
        sendJson(res, 409, { ok: false, error: toErrorInfo(e) });
        return true;
      }
      const user = await checkLogin(db, input.username, input.password);
      if (user) logIn(req, res, user);
      return true;
    }
    if (path === '/api/logout' && req.method === 'POST') {
      const s = session(req);
      if (s && !csrfOk(req, s)) return (fail(res, 403, 'FORBIDDEN', 'Missing or wrong CSRF token.'), true);
      if (s) endSession(db, s.idHash);
      const value: LoggedOut = { loggedOut: true };
      sendJson(res, 200, { ok: true, value }, { 'set-cookie': cookie('', 0) });
      return true;
    }
    return false;
  };

  const csrfOk = (req: IncomingMessage, s: Session): boolean => {
    const given = req.headers[CSRF_HEADER];
    return typeof given === 'string' && same(given, s.csrf);
  };

  return {
    cookieName,
    session,
    actor: (s) => ({ username: s.username, role: s.role, sessionIdHash: s.idHash }),
    csrfOk,
    handle,
  };
}
