import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { invoke, launchBrowser, startServer, type ServerHandle } from './harness';
import { app } from './pages';

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

  it('backs up, downloads and restores through the page: token never in a URL, uploads only', async () => {
    const page = await browser.newPage();
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    page.on('websocket', (ws) => urls.push(ws.url()));
    try {
      await page.goto(server.openUrl);
      await app.waitForProjects(page);
      await app.openProject(page, 'Demo: unfair contract terms');
      await app.goToStep(page, 'export');
      await page.getByTestId('backup-create').click();
      // The job's end reaches the page over the WebSocket.
      await page.getByTestId('backup-result').waitFor({ timeout: 60_000 });
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('backup-download').click(),
      ]);
      const saved = join(server.dataDir, '..', `${Date.now()}-downloaded.distillery-backup`);
      await download.saveAs(saved);
      urls.push(download.url());
      await page.getByTestId('restore-file-input').setInputFiles(saved);
      await page.getByTestId('restore-summary').waitFor();
      await page.getByTestId('restore-submit').click();
      await page.getByTestId('restore-result').waitFor();
      rmSync(saved, { force: true });
    } finally {
      await page.close();
    }
    const projects = await invoke<Array<{ name: string }>>(server, 'projects.list');
    expect(projects.length).toBe(2);
    console.log(`[server-security] ${urls.length} requests from the page, none with the token`);
    expect(urls.filter((u) => u.includes(server.token))).toEqual([]);
    expect(urls.some((u) => u.includes('/api/download/'))).toBe(true);
    expect(urls.some((u) => u.endsWith('/api/events'))).toBe(true);
  });

  it('cannot be framed by another page', async () => {
    const page = await browser.newPage();
    const evil = await otherOrigin(`<!doctype html><iframe id="f" src="${server.url}"></iframe>`);
    try {
      await page.goto(evil.url);
      await page.waitForLoadState('load');
      const framed = page.frames().find((f) => f !== page.mainFrame());
      const text = framed
        ? await framed
            .evaluate(
              () =>
                (globalThis as unknown as { document: { body?: { innerText: string } } }).document.body
                  ?.innerText ?? '',
            )
            .catch(() => '')
        : '';
      expect(text).not.toContain('Distillery');
      expect(await framed?.$('[data-testid="project-list"]').catch(() => null)).toBeFalsy();
    } finally {
      await page.close();
      await evil.close();
    }
  });
});
