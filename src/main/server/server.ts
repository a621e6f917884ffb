import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/core';
import { toErrorInfo } from '../core/errors';
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

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { ok: false, error: { code, message } } satisfies Result<never> | object);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Browser mode: the same contract as Electron's IPC, over HTTP (POST /api/invoke/<channel>) and a WebSocket
 * (/api/events) on 127.0.0.1 only. Every API request must carry the per-start token; static files need none.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const staticRoot = resolve(opts.staticDir);
  const { core } = opts;

  const authorized = (req: IncomingMessage, url: URL): boolean => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : (url.searchParams.get('token') ?? '');
    return given.length > 0 && sameToken(given, token);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (!authorized(req, url))
      return fail(
        res,
        401,
        'UNAUTHORIZED',
        'Missing or wrong access token. Open the URL printed by "distillery serve".',
      );
    const path = url.pathname;
    if (path.startsWith('/api/invoke/') && req.method === 'POST') {
      const channel = decodeURIComponent(path.slice('/api/invoke/'.length));
      let body: unknown;
      try {
        const text = await readBody(req);
        body = text ? JSON.parse(text) : {};
      } catch {
        return fail(
          res,
          400,
          'INVALID_INPUT',
          'The request body is not valid JSON (or is larger than 10 MB).',
        );
      }
      const result = await core.invokeRaw(channel, body);
      return sendJson(res, 200, result);
    }
    if (path === '/api/upload' && req.method === 'POST') {
      const name =
        basename(url.searchParams.get('name') ?? 'upload').replace(/[^\p{L}\p{N}._ -]/gu, '_') || 'upload';
      const target = join(core.paths.uploads, `${randomUUID()}-${name}`);
      try {
        await pipeline(req, createWriteStream(target, { flags: 'wx' }));
      } catch (e) {
        return sendJson(res, 200, { ok: false, error: toErrorInfo(e) });
      }
      return sendJson(res, 200, { ok: true, value: { path: target, name, size: statSync(target).size } });
    }
    if (path === '/api/download' && req.method === 'GET') {
      const file = resolve(url.searchParams.get('path') ?? '');
      // Only files the core wrote into its own data folder can be downloaded.
      if (!file.startsWith(core.paths.dataDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
        return fail(res, 404, 'NOT_FOUND', 'That file does not exist in the data folder.');
      }
      const name = url.searchParams.get('name') ?? basename(file);
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
        'content-length': statSync(file).size,
      });
      createReadStream(file).pipe(res);
      return;
    }
    return fail(res, 404, 'UNKNOWN_CHANNEL', `No API route ${req.method} ${path}.`);
  };

  const serveStatic = (res: ServerResponse, url: URL): void => {
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    let file = resolve(staticRoot, rel);
    if (!file.startsWith(staticRoot) || !existsSync(file) || statSync(file).isDirectory()) {
      file = join(staticRoot, 'index.html');
    }
    if (!existsSync(file)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        'The user interface is not built yet. Run "npm run build:renderer" (or "npm run setup"), then reload.',
      );
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      // frame-ancestors works only as a header (in a <meta> CSP it is ignored with a console error).
      ...(file.endsWith('.html')
        ? { 'content-security-policy': "frame-ancestors 'none'", 'x-frame-options': 'DENY' }
        : {}),
    });
    res.end(readFileSync(file));
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/api/')) {
      handleApi(req, res, url).catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: toErrorInfo(e) });
        else res.destroy();
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return fail(res, 405, 'INVALID_INPUT', 'Method not allowed.');
    serveStatic(res, url);
  });

  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/events' || !authorized(req, url)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
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
  const port = (server.address() as AddressInfo).port;
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
