import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { invoke, launchBrowser, startServer, type ServerHandle } from './harness';

/** A page on another local origin (another port of 127.0.0.1), as a second local web app would be. */
async function otherOrigin(html: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('browser-mode server against other local origins (real Chromium)', () => {
  let server: ServerHandle;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  it("survives a cross-origin page's no-cors requests and changes nothing", async () => {
    const target = server.url.replace(/\/$/, '');
    const page = await browser.newPage();
    const evil = await otherOrigin(`<!doctype html><script>
      const t = ${JSON.stringify(target)};
      const shots = [
        [t + '/%', {}],
        [t + '/api/%', {}],
        [t + '/api/invoke/projects.create', { method: 'POST', body: '{"name":"from evil"}' }],
        [t + '/api/invoke/projects.create', { method: 'POST', body: '{"name":' }],
        [t + '/api/invoke/%', { method: 'POST', body: 'x' }],
        [t + '/api/upload?name=a.csv', { method: 'POST', body: 'a'.repeat(100000) }],
        [t + '/api/upload?name=%', { method: 'POST', body: 'x' }],
        [t + '/api/download?path=%2Fetc%2Fpasswd', {}],
        [t + '/api/events', {}],
        [t + '/', { method: 'PUT', body: 'x' }],
      ];
      window.done = Promise.all(shots.map(([u, o]) =>
        fetch(u, { mode: 'no-cors', ...o }).then(() => 'answered', (e) => 'error: ' + e.message)));
    </script>`);
    try {
      await page.goto(evil.url);
      const outcomes = await page.evaluate(() => (globalThis as unknown as { done: Promise<string[]> }).done);
      console.log(`[server-security] ${outcomes.length} no-cors requests from another origin`);
      expect(outcomes).toHaveLength(10);
    } finally {
      await page.close();
      await evil.close();
    }
    expect(server.process.exitCode).toBeNull();
    const projects = await invoke<Array<{ name: string }>>(server, 'projects.list');
    expect(projects.map((p) => p.name)).not.toContain('from evil');
  });
});
