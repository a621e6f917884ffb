import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/core';
import { AppError, toErrorInfo } from '../core/errors';
import { freeBytes } from '../core/diskSpace';
import { newUpload, removeUpload } from '../core/uploads';
import type { Result } from '../../shared/result';

export interface ServerOptions {
  readonly core: Core;
  /** The built renderer (out/renderer). */
  readonly staticDir: string;
  readonly port?: number;
  /** Fixed token (tests); a random one per start otherwise. */
  readonly token?: string;
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

const MAX_JSON_BYTES = 10 * 1024 * 1024;
/** The largest file a browser may upload (a big GGUF teacher fits). */
const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    // An answer sent before the body was read (401, 413) ends the connection rather than read the rest.
    ...(status >= 400 ? { connection: 'close' } : {}),
  });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { ok: false, error: { code, message } } satisfies Result<never> | object);
}

class BodyTooLarge extends Error {}

/** The request body as text, refused past `limit` bytes (declared or received) without reading the rest. */
async function readBody(req: IncomingMessage, limit = MAX_JSON_BYTES): Promise<string> {
  const tooLarge = new BodyTooLarge(
    `The request is larger than ${Math.round(limit / 1024 / 1024)} MB, the most one request may carry.`,
  );
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
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

/**
 * One place for the headers every answer carries: no framing (clickjacking), no MIME sniffing, no referrer.
 * The HTML page also gets the whole Content-Security-Policy as a header (`frame-ancestors` only works there).
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};
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
    throw new AppError(
      'INVALID_INPUT',
      'The access token must be at least 22 characters of letters, digits, "-" and "_" (128 bits or more).',
    );
  }
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const staticRoot = resolve(opts.staticDir);
  const { core } = opts;
  let port = 0;
  const hosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  const hostAllowed = (req: IncomingMessage): boolean =>
    hosts().includes((req.headers.host ?? '').toLowerCase());
  /** A browser names where a request comes from; anything but this server's own pages is refused. */
  const sameOrigin = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts().some((h) => origin.toLowerCase() === `http://${h}`)) return false;
    const site = req.headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin' || site === 'none';
  };
  const tickets = new Map<string, { file: string; name: string; expires: number }>();

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
    if (!authorized(req))
      return fail(
        res,
        401,
        'UNAUTHORIZED',
        'Missing or wrong access token. Open the URL printed by "distillery serve".',
      );
    if (req.method !== 'POST') return fail(res, 405, 'INVALID_INPUT', `Use POST for ${path}.`);
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
      const result = await core.invokeRaw(channel, body, { onlyUploads: true });
      return sendJson(res, 200, result);
    }
    if (path === '/api/upload') {
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (!Number.isFinite(declared)) {
        return fail(res, 411, 'INVALID_INPUT', 'An upload must say its size (Content-Length).');
      }
      const free = freeBytes(core.paths.uploads);
      if (declared > MAX_UPLOAD_BYTES || (free !== null && declared > free)) {
        return fail(
          res,
          413,
          'TOO_LARGE',
          declared > MAX_UPLOAD_BYTES
            ? `The file is larger than ${MAX_UPLOAD_BYTES / 1024 ** 3} GB, the most one upload may be. ` +
                'Run Distillery as the desktop app or the command line to use it from its folder.'
            : `The file needs ${(declared / 1024 ** 2).toFixed(0)} MB and the disk holding the data folder has ` +
                `${(free! / 1024 ** 2).toFixed(0)} MB free. Free some space and try again.`,
        );
      }
      const upload = newUpload(core.paths, url.searchParams.get('name') ?? 'upload');
      try {
        await pipeline(req, createWriteStream(upload.file, { flags: 'wx', mode: 0o600 }));
        if (statSync(upload.file).size !== declared) throw new Error('The upload was cut short.');
      } catch (e) {
        removeUpload(core.paths, upload.id);
        return sendJson(res, 200, { ok: false, error: toErrorInfo(e) });
      }
      return sendJson(res, 200, {
        ok: true,
        value: { path: upload.file, name: upload.name, size: statSync(upload.file).size },
      });
    }
    if (path === '/api/download-ticket') {
      let request: { path?: unknown; name?: unknown };
      try {
        request = JSON.parse(await readBody(req, 64 * 1024)) as typeof request;
      } catch {
        return fail(res, 400, 'INVALID_INPUT', 'Send {"path": ..., "name": ...} as JSON.');
      }
      const file = typeof request.path === 'string' ? dataFile(request.path) : null;
      if (!file) return fail(res, 404, 'NOT_FOUND', 'That file does not exist in the data folder.');
      const now = Date.now();
      for (const [id, t] of tickets) if (t.expires <= now) tickets.delete(id);
      const id = randomBytes(16).toString('base64url');
      const name = typeof request.name === 'string' && request.name ? request.name : basename(file);
      tickets.set(id, { file, name, expires: now + TICKET_MS });
      return sendJson(res, 200, { ok: true, value: { url: `/api/download/${id}` } });
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
        `Open Distillery at http://127.0.0.1:${port}/ (this address is not it).`,
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
  const server: Server = createServer((req, res) => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    handleRequest(req, res).catch((e: unknown) => {
      console.error('[server] request failed:', e);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: toErrorInfo(e) });
      else res.destroy();
    });
  });
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
      if (url.pathname !== '/api/events' || !wsToken(req)) return refuseUpgrade(socket, '401 Unauthorized');
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
    // Loopback only: the browser-mode server is never reachable from another machine.
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    openUrl: `${url}#token=${token}`,
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
