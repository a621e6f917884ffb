import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, extname, join, normalize, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export interface ServerHandle {
  readonly url: string;
  readonly openUrl: string;
  readonly token: string;
  readonly dataDir: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `distillery serve` on its own fresh (or given) data directory, as a person would. `testJob`: the test
 * server instead (e2e/testServer.ts, run from the sources), which also answers the test job (tests/testJob.ts).
 */
export async function startServer(
  opts: { dataDir?: string; env?: Record<string, string>; testJob?: boolean } = {},
): Promise<ServerHandle> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'distillery-e2e-'));
  const token = randomBytes(16).toString('base64url');
  const args = opts.testJob
    ? ['--import', 'tsx', 'e2e/testServer.ts', dataDir, token]
    : ['bin/distillery.mjs', 'serve', '--json', '--data-dir', dataDir, `--token=${token}`];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // The demo project is seeded in the system's language: English here whatever this machine's locale is.
    env: { ...process.env, LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((res, rej) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', res);
    child.once('exit', (code) => rej(new Error(`server exited (${code}): ${stderr}`)));
  });
  const info = JSON.parse(line) as { url: string; openUrl: string };
  return {
    url: info.url,
    openUrl: info.openUrl,
    token,
    dataDir,
    process: child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface AppSession {
  readonly server: ServerHandle;
  readonly browser: Browser;
  readonly page: Page;
  close(opts?: { keepData?: boolean }): Promise<void>;
}

/** A server with its own data directory and a Chromium page opened on it. */
export async function openApp(opts: { dataDir?: string; testJob?: boolean } = {}): Promise<AppSession> {
  const server = await startServer(opts);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(server.openUrl);
  return {
    server,
    browser,
    page,
    close: async ({ keepData } = {}) => {
      await browser.close();
      await server.stop();
      if (!keepData) rmSync(server.dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the contract over HTTP with the server's token: for setting up state a test is not about. */
/**
 * Sends a file the way the page's file picker does (POST /api/upload) and returns the upload's path: in browser mode
 * a request may name only uploaded files, never another path of the machine.
 */
export async function uploadFile(server: ServerHandle, file: string): Promise<string> {
  const res = await fetch(`${server.url}api/upload?name=${encodeURIComponent(basename(file))}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}` },
    body: readFileSync(file),
  });
  const body = (await res.json()) as { ok: boolean; value?: { path: string }; error?: { message: string } };
  if (!body.ok || !body.value) throw new Error(`upload of ${file}: ${body.error?.message}`);
  return body.value.path;
}

export async function invoke<T = unknown>(
  server: ServerHandle,
  channel: string,
  request: unknown = {},
): Promise<T> {
  const res = await fetch(`${server.url}api/invoke/${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${channel}: ${body.error?.message}`);
  return body.value as T;
}

/** A plain static web server on loopback for an exported model folder (nothing of Distillery behind it). */
export async function serveFolder(root: string): Promise<{ url: string; server: Server }> {
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript',
    '.mjs': 'text/javascript',
    '.json': 'application/json',
  };
  const server = createServer((req, res) => {
    const file = join(root, normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const target = existsSync(file) && statSync(file).isDirectory() ? join(file, 'index.html') : file;
    if (!target.startsWith(root) || !existsSync(target)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(target)] ?? 'application/octet-stream' });
    createReadStream(target).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}
