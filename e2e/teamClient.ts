import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface TeamResponse<T = unknown> {
  readonly status: number;
  readonly body: { ok: boolean; value?: T; error?: { code: string; message: string } };
  readonly headers: IncomingMessage['headers'];
}

/**
 * One person's browser, as far as the server can tell: a cookie jar of one session cookie and the CSRF token, over
 * HTTP or HTTPS. A self-signed certificate is accepted only when its SHA-256 fingerprint is `fingerprint` (what a
 * person compares in the browser's warning), never blindly.
 */
export class TeamClient {
  cookie = '';
  csrf = '';
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly secure: boolean;

  constructor(
    readonly base: string,
    private readonly opts: { fingerprint?: string; origin?: string | null } = {},
  ) {
    this.secure = base.startsWith('https:');
    this.agent = this.secure
      ? new HttpsAgent({ keepAlive: true, rejectUnauthorized: false })
      : new HttpAgent({ keepAlive: true });
  }

  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<TeamResponse<T>> {
    const url = new URL(path, this.base);
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const origin = this.opts.origin === undefined ? url.origin : this.opts.origin;
    const all: Record<string, string> = {
      ...(origin ? { origin } : {}),
      ...(this.cookie ? { cookie: this.cookie } : {}),
      ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
      ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    };
    const send = this.secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers: all, agent: this.agent }, (res) => {
        if (this.secure && this.opts.fingerprint) {
          // A resumed TLS session (keep-alive agents resume) carries no certificate: it was checked when made.
          const socket = res.socket as TLSSocket;
          const seen = socket.getPeerCertificate().fingerprint256;
          if (seen === undefined ? !socket.isSessionReused() : seen !== this.opts.fingerprint) {
            res.destroy();
            reject(new Error(`certificate fingerprint ${seen} is not the expected ${this.opts.fingerprint}`));
            return;
          }
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let parsed: TeamResponse<T>['body'];
          try {
            parsed = JSON.parse(raw) as TeamResponse<T>['body'];
          } catch {
            parsed = { ok: false, error: { code: 'NOT_JSON', message: raw.slice(0, 200) } };
          }
          const set = res.headers['set-cookie'];
          if (set) this.cookie = set[0].split(';')[0].endsWith('=') ? '' : set[0].split(';')[0];
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      });
      req.on('error', reject);
      req.end(text);
    });
  }

  async login(username: string, password: string): Promise<TeamResponse<{ csrf: string }>> {
    const r = await this.request<{ csrf: string }>('POST', '/api/login', { username, password });
    if (r.body.ok && r.body.value) this.csrf = r.body.value.csrf;
    return r;
  }

  invoke<T = unknown>(channel: string, request: unknown = {}): Promise<TeamResponse<T>> {
    return this.request<T>('POST', `/api/invoke/${channel}`, request);
  }

  async call<T = unknown>(channel: string, request: unknown = {}): Promise<T> {
    const r = await this.invoke<T>(channel, request);
    if (!r.body.ok) throw new Error(`${channel}: ${r.status} ${r.body.error?.message}`);
    return r.body.value as T;
  }

  /** Drops idle connections (the server closes a keep-alive connection idle for 5 s; a reused dead one resets). */
  fresh(): void {
    this.agent.destroy();
  }

  close(): void {
    this.agent.destroy();
  }
}
