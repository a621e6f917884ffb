import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/core';
import { AppError, keyedInfo, toErrorInfo } from '../core/errors';
import { freeBytes } from '../core/diskSpace';
import { newUpload, removeUpload } from '../core/uploads';
import { createFolderUploads } from './folderUpload';
import { BodyTooLarge, fail, readBody, SECURITY_HEADERS, sendJson } from './http';
import { createTeamGate, type TeamGate } from './team';
import type { Actor } from '../core/actor';
import { roleAllows } from '../../shared/team';
import { DownloadTicketRequest, type DownloadTicket, type UploadedFile } from '../../shared/http';
import type { Result } from '../../shared/result';

export interface ServerOptions {
  readonly core: Core;
  /** The built renderer (out/renderer). */
  readonly staticDir: string;
  readonly port?: number;
  /** Fixed token (tests); a random one per start otherwise. */
  readonly token?: string;
  /** Team mode: accounts and sessions instead of the token, on the address given (see `TeamServerOptions`). */
  readonly team?: TeamServerOptions;
}

export interface TeamServerOptions {
  /** The address to listen on (`0.0.0.0` for every interface). */
  readonly host: string;
  /** The certificate and key (PEM); null serves plain HTTP, refused beyond loopback unless `allowPlainHttp`. */
  readonly tls: { readonly key: string; readonly cert: string } | null;
  readonly allowPlainHttp?: boolean;
  /** Names (and addresses) people use to reach the server, besides this machine's own; the Host header must be one. */
  readonly hostNames?: readonly string[];
  /** While there is no account: the one-time code that lets the page create the first administrator. */
  readonly setupCode?: string | null;
}

/** Loopback addresses: the only ones plain HTTP may listen on without being forced. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The names this machine answers to: its host name and the addresses of its network interfaces. */
export function machineNames(): string[] {
  const names = new Set<string>(['localhost', '127.0.0.1', '::1', hostname().toLowerCase()]);
  for (const list of Object.values(networkInterfaces()))
    for (const i of list ?? []) names.add(i.address.toLowerCase());
  return [...names];
}

export interface RunningServer {
  readonly url: string;
  /** The URL to open: carries the token once; the page keeps it in memory and sends it with every request. */
  readonly openUrl: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
};

/** The largest file a browser may upload (a big GGUF teacher fits). */
const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The request target as a URL on this server, or null when it is not one (`http://[`, `//`, garbage). */
function parseRequestUrl(target: string | undefined): URL | null {
  if (!target || !target.startsWith('/')) return null;
  try {
    const url = new URL(target, 'http://127.0.0.1');
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    return null;
  }
}

/** The WebSocket sub-protocol the page asks for, and the prefix of the one that carries its token. */
export const WS_PROTOCOL = 'distillery';
export const WS_TOKEN_PREFIX = 'distillery-token.';
/** At least 128 bits, in characters a WebSocket sub-protocol may carry. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{22,}$/;
const TICKET_MS = 60_000;

export const PAGE_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Browser mode: the same contract as Electron's IPC, over HTTP (POST /api/invoke/<channel>) and a WebSocket
 * (/api/events) on 127.0.0.1 only. Every API request carries the per-start token in a header (the WebSocket in
 * its sub-protocol); the token reaches the page once, in the URL fragment. Requests must name this server in
 * Host (DNS rebinding) and, from a browser, come from its own origin. Static files need no token.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  if (opts.token !== undefined && !TOKEN_FORMAT.test(opts.token)) {
    throw AppError.keyed('INVALID_INPUT', 'server.accessTokenMustLeast', {});
  }
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const staticRoot = resolve(opts.staticDir);
  const { core, team } = opts;
  if (team && !team.tls && !isLoopback(team.host) && !team.allowPlainHttp) {
    throw AppError.keyed('INVALID_INPUT', 'server.plainHttpWouldSend', { host: team.host });
  }
  const scheme = team?.tls ? 'https' : 'http';
  const gate: TeamGate | null = team
    ? createTeamGate(core, { secure: Boolean(team.tls), setupCode: team.setupCode ?? null })
    : null;
  let port = 0;
  const hostNames = (): string[] => {
    if (!team) return ['127.0.0.1', 'localhost', '::1'];
    const listen = team.host === '0.0.0.0' || team.host === '::' ? machineNames() : [team.host, 'localhost'];
    return [...new Set([...listen, ...(team.hostNames ?? []).map((n) => n.toLowerCase())])];
  };
  const hosts = (): string[] =>
    hostNames().flatMap((n) => {
      const h = isIP(n) === 6 ? `[${n}]` : n;
      const defaultPort = (scheme === 'https' && port === 443) || (scheme === 'http' && port === 80);
      return defaultPort ? [`${h}:${port}`, h] : [`${h}:${port}`];
    });
  const hostAllowed = (req: IncomingMessage): boolean =>
    hosts().includes((req.headers.host ?? '').toLowerCase());
  /** A browser names where a request comes from; anything but this server's own pages is refused. */
  const sameOrigin = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts().some((h) => origin.toLowerCase() === `${scheme}://${h}`))
      return false;
    const site = req.headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin' || site === 'none';
  };
  const tickets = new Map<string, { file: string; name: string; expires: number }>();
  const folders = createFolderUploads(core.paths, MAX_UPLOAD_BYTES);

  const authorized = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    return given.length > 0 && sameToken(given, token);
  };
  const wsToken = (req: IncomingMessage): boolean => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const given = offered.find((p) => p.startsWith(WS_TOKEN_PREFIX))?.slice(WS_TOKEN_PREFIX.length) ?? '';
    return given.length > 0 && sameToken(given, token);
  };

  const dataFile = (path: string): string | null => {
    const file = resolve(path);
    // Only files the core wrote into its own data folder can be downloaded.
    if (!file.startsWith(core.paths.dataDir + sep) || !existsSync(file) || !statSync(file).isFile())
      return null;
    return file;
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    // A download link is opened by the browser itself: it carries a one-time ticket, never the token.
    if (path.startsWith('/api/download/') && (req.method === 'GET' || req.method === 'HEAD')) {
      const id = path.slice('/api/download/'.length);
      const ticket = tickets.get(id);
      tickets.delete(id);
      const file = ticket && ticket.expires > Date.now() ? dataFile(ticket.file) : null;
      if (!ticket || !file) {
        return fail(res, 404, 'NOT_FOUND', 'That download link has expired. Click the download again.');
      }
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(ticket.name)}`,
        'content-length': statSync(file).size,
        'cache-control': 'no-store',
      });
      if (req.method === 'HEAD') return void res.end();
      await pipeline(createReadStream(file), res);
      return;
    }
    let actor: Actor | undefined;
    if (gate) {
      if (await gate.handle(req, res, path)) return;
      const session = gate.session(req);
      if (!session) return fail(res, 401, 'UNAUTHORIZED', 'Log in first (your session has ended).');
      if (req.method === 'POST' && !gate.csrfOk(req, session)) {
        return fail(res, 403, 'FORBIDDEN', 'Missing or wrong CSRF token. Reload the page.');
      }
      actor = gate.actor(session);
    } else if (!authorized(req))
      return fail(
        res,
        401,
        'UNAUTHORIZED',
        'Missing or wrong access token. Open the URL printed by "distillery serve".',
      );
    if (req.method !== 'POST') return fail(res, 405, 'INVALID_INPUT', `Use POST for ${path}.`);
    // Files go in and out for the lead's and the administrator's work (imports, exports), never an annotator's.
    if (actor && !roleAllows(actor.role, 'lead') && !path.startsWith('/api/invoke/')) {
      return fail(res, 403, 'FORBIDDEN', 'Your role (annotator) does not allow uploads or downloads.');
    }
    if (path.startsWith('/api/invoke/')) {
      const channel = decodeURIComponent(path.slice('/api/invoke/'.length));
      let text: string;
      try {
        text = await readBody(req);
      } catch (e) {
        if (e instanceof BodyTooLarge) return fail(res, 413, 'TOO_LARGE', e.message);
        throw e;
      }
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        return fail(res, 400, 'INVALID_INPUT', 'The request body is not valid JSON.');
      }
      // Requests from a browser may name only files it uploaded, never any other file of this machine.
      const result = await core.invokeRaw(channel, body, { onlyUploads: true, actor });
      return sendJson(res, !result.ok && result.error.code === 'FORBIDDEN' ? 403 : 200, result);
    }
    if (path === '/api/upload') {
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (!Number.isFinite(declared)) {
        return sendJson(res, 411, { ok: false, error: keyedInfo('INVALID_INPUT', 'uploadNeedsLength') });
      }
      const free = freeBytes(core.paths.uploads);
      if (declared > MAX_UPLOAD_BYTES || (free !== null && declared > free)) {
        return sendJson(res, 413, {
          ok: false,
          error:
            declared > MAX_UPLOAD_BYTES
              ? keyedInfo('TOO_LARGE', 'uploadTooLarge', { gb: MAX_UPLOAD_BYTES / 1024 ** 3 })
              : keyedInfo('TOO_LARGE', 'uploadNoSpace', {
                  needMb: Math.ceil(declared / 1024 ** 2),
                  freeMb: Math.floor(free! / 1024 ** 2),
                }),
        });
      }
      const upload = newUpload(core.paths, url.searchParams.get('name') ?? 'upload');
      try {
        await pipeline(req, createWriteStream(upload.file, { flags: 'wx', mode: 0o600 }));
        if (statSync(upload.file).size !== declared) {
          throw AppError.keyed('BAD_FILE', 'uploadCutShort', { name: upload.name });
        }
      } catch (e) {
        removeUpload(core.paths, upload.id);
        return sendJson(res, 200, { ok: false, error: toErrorInfo(e) });
      }
      return sendJson(res, 200, {
        ok: true,
        value: { path: upload.file, name: upload.name, size: statSync(upload.file).size },
      } satisfies Result<UploadedFile>);
    }
    if (path === '/api/upload-folder') return folders.begin(req, res);
    if (path.startsWith('/api/upload-folder/')) {
      return folders.put(req, res, path.slice('/api/upload-folder/'.length), url.searchParams.get('path'));
    }
    if (path === '/api/download-ticket') {
      let request: DownloadTicketRequest;
      try {
        const parsed = DownloadTicketRequest.safeParse(JSON.parse(await readBody(req, 64 * 1024)));
        if (!parsed.success) throw parsed.error;
        request = parsed.data;
      } catch {
        return sendJson(res, 400, { ok: false, error: keyedInfo('INVALID_INPUT', 'downloadTicketBody') });
      }
      const file = dataFile(request.path);
      if (!file) return fail(res, 404, 'NOT_FOUND', 'That file does not exist in the data folder.');
      const now = Date.now();
      for (const [id, t] of tickets) if (t.expires <= now) tickets.delete(id);
      const id = randomBytes(16).toString('base64url');
      tickets.set(id, { file, name: request.name || basename(file), expires: now + TICKET_MS });
      return sendJson(res, 200, {
        ok: true,
        value: { url: `/api/download/${id}` },
      } satisfies Result<DownloadTicket>);
    }
    return fail(res, 404, 'UNKNOWN_CHANNEL', `No API route ${req.method} ${path}.`);
  };

  const serveStatic = (res: ServerResponse, url: URL): void => {
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    let file = resolve(staticRoot, rel);
    if (!file.startsWith(staticRoot + sep) || !existsSync(file) || statSync(file).isDirectory()) {
      file = join(staticRoot, 'index.html');
    }
    if (!existsSync(file)) {
      res.writeHead(503, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        'The user interface is not built yet. Run "npm run build:renderer" (or "npm run setup"), then reload.',
      );
      return;
    }
    const page = file.endsWith('index.html');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      ...(page ? { 'content-security-policy': PAGE_CSP } : {}),
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': page ? 'no-store' : 'max-age=3600',
    });
    res.end(readFileSync(file));
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req)) {
      return fail(
        res,
        421,
        'UNAUTHORIZED',
        team
          ? `This server is not known by that name. Use one of: ${hosts().slice(0, 4).join(', ')} (or start it with --host-name).`
          : `Open Distillery at http://127.0.0.1:${port}/ (this address is not it).`,
      );
    }
    const url = parseRequestUrl(req.url);
    if (!url) return fail(res, 400, 'INVALID_INPUT', 'Malformed request address.');
    const reading = req.method === 'GET' || req.method === 'HEAD';
    if (!reading && !sameOrigin(req)) {
      return fail(res, 403, 'UNAUTHORIZED', 'Requests from other web pages are refused.');
    }
    if (url.pathname.startsWith('/api/')) return handleApi(req, res, url);
    if (!reading) return fail(res, 405, 'INVALID_INPUT', 'Method not allowed.');
    serveStatic(res, url);
  };

  // No request, however malformed, may end the process: every path is wrapped, and a failure answers 500 (or
  // drops the connection when the answer had already begun).
  const hsts: Record<string, string> = team?.tls ? { 'strict-transport-security': 'max-age=31536000' } : {};
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    for (const [name, value] of Object.entries(hsts)) res.setHeader(name, value);
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    handleRequest(req, res).catch((e: unknown) => {
      console.error('[server] request failed:', e);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: toErrorInfo(e) });
      else res.destroy();
    });
  };
  const server: Server = team?.tls
    ? createHttpsServer({ key: team.tls.key, cert: team.tls.cert, minVersion: 'TLSv1.2' }, onRequest)
    : createServer(onRequest);
  server.on('clientError', (e: NodeJS.ErrnoException, socket: Duplex) => {
    const status =
      e.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const sockets = new Set<WebSocket>();
  const refuseUpgrade = (socket: Duplex, status: string): void => {
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    try {
      const url = parseRequestUrl(req.url);
      if (!url) return refuseUpgrade(socket, '400 Bad Request');
      if (!hostAllowed(req)) return refuseUpgrade(socket, '421 Misdirected Request');
      if (!sameOrigin(req)) return refuseUpgrade(socket, '403 Forbidden');
      const allowed = gate ? gate.session(req) !== null : wsToken(req);
      if (url.pathname !== '/api/events' || !allowed) return refuseUpgrade(socket, '401 Unauthorized');
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        ws.on('error', () => ws.terminate());
        ws.on('close', () => sockets.delete(ws));
      });
    } catch (e) {
      console.error('[server] upgrade failed:', e);
      refuseUpgrade(socket, '400 Bad Request');
    }
  });
  const unsubscribe = core.events.subscribe((envelope) => {
    const text = JSON.stringify(envelope);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    // Loopback only, unless team mode names an address: single-user mode is never reachable from another machine.
    server.listen(opts.port ?? 0, team?.host ?? '127.0.0.1', () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;
  const shown =
    team && team.host !== '0.0.0.0' && team.host !== '::' ? team.host : team ? hostname() : '127.0.0.1';
  const url = `${scheme}://${isIP(shown) === 6 ? `[${shown}]` : shown}:${port}/`;
  return {
    url,
    openUrl: team ? url : `${url}#token=${token}`,
    token,
    port,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
