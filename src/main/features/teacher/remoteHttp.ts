import type { z } from 'zod';
import { AppError } from '../../core/errors';

/**
 * HTTP to one remote teacher endpoint: JSON in, zod-checked JSON out, retries with exponential backoff on 429, 5xx
 * and dropped connections (honouring Retry-After), and a circuit breaker: after `breakerThreshold` failures in a row
 * the endpoint gets no requests for `breakerCooldownMs`, then one request decides whether it is back.
 */

export interface HttpOptions {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly breakerThreshold: number;
  readonly breakerCooldownMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_HTTP: HttpOptions = {
  retries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  breakerThreshold: 5,
  breakerCooldownMs: 15_000,
  timeoutMs: 120_000,
};

/** An answer that is not a success: `status` 0 when the server could not be reached. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body = '',
  ) {
    super(message);
  }
}

const retryable = (status: number): boolean => status === 0 || status === 429 || status >= 500;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class EndpointHttp {
  private failuresInARow = 0;
  private openUntil = 0;
  /** Requests sent, retries made and times the breaker opened: shown with the endpoint's rates. */
  readonly counters = { requests: 0, retries: 0, breakerOpened: 0 };

  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    private readonly opts: HttpOptions = DEFAULT_HTTP,
  ) {}

  get breakerOpen(): boolean {
    return Date.now() < this.openUntil;
  }

  private url(path: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  /** One attempt, no retry: the probe uses it to learn which routes exist. */
  async once(path: string, body: unknown | undefined, signal?: AbortSignal): Promise<unknown> {
    this.counters.requests++;
    let res: Response;
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    try {
      res = await fetch(this.url(path), {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new HttpError(0, (e as Error).message);
    }
    const text = await res.text();
    if (!res.ok) {
      const err = new HttpError(res.status, `HTTP ${res.status}`, text.slice(0, 500));
      const after = Number(res.headers.get('retry-after'));
      if (Number.isFinite(after) && after > 0) Object.assign(err, { retryAfterMs: after * 1000 });
      throw err;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpError(res.status, 'the answer is not JSON', text.slice(0, 500));
    }
  }

  /** Waits while the breaker is open (other endpoints take the work meanwhile). */
  async ready(signal?: AbortSignal): Promise<void> {
    while (this.breakerOpen) await sleep(Math.max(10, this.openUntil - Date.now()), signal);
  }

  private failed(): void {
    this.failuresInARow++;
    if (this.failuresInARow >= this.opts.breakerThreshold && !this.breakerOpen) {
      this.openUntil = Date.now() + this.opts.breakerCooldownMs;
      this.counters.breakerOpened++;
      // Half-open after the cooldown: one more failure opens it again.
      this.failuresInARow = this.opts.breakerThreshold - 1;
    }
  }

  /** A request with retries, its body checked against `schema`. */
  async request<S extends z.ZodType>(
    path: string,
    body: unknown | undefined,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.infer<S>> {
    for (let attempt = 0; ; attempt++) {
      await this.ready(signal);
      let raw: unknown;
      try {
        raw = await this.once(path, body, signal);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        if (!retryable(e.status)) {
          this.failuresInARow = 0;
          throw e;
        }
        this.failed();
        if (attempt >= this.opts.retries) throw e;
        this.counters.retries++;
        const hinted = (e as HttpError & { retryAfterMs?: number }).retryAfterMs;
        const backoff = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** attempt);
        await sleep(hinted ?? backoff * (0.5 + Math.random() / 2), signal);
        continue;
      }
      this.failuresInARow = 0;
      return parseBody(this.baseUrl, path, schema, raw);
    }
  }
}

/** Parses a response body, or says which endpoint answered what instead. */
export function parseBody<S extends z.ZodType>(
  baseUrl: string,
  path: string,
  schema: S,
  raw: unknown,
): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw AppError.keyed('MODEL_ERROR', 'teacher.teacherEndpointAnsweredSomething', {
    baseUrl,
    path,
    p1: issue?.path.join('.') || 'body',
    p2: issue?.message ?? 'invalid',
  });
}

/** A person-readable reason for a failed request. */
export function describeHttpError(baseUrl: string, e: unknown): string {
  if (e instanceof HttpError) {
    if (e.status === 0)
      return `The teacher endpoint ${baseUrl} cannot be reached (${e.message}). Check that the server runs and the address is right.`;
    if (e.status === 401 || e.status === 403)
      return `The teacher endpoint ${baseUrl} refused the API key (HTTP ${e.status}). Check the key.`;
    return `The teacher endpoint ${baseUrl} answered HTTP ${e.status}${e.body ? `: ${e.body.slice(0, 200)}` : ''}.`;
  }
  return e instanceof Error ? e.message : String(e);
}
