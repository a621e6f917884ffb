import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../src/main/server/server';
import { createCore } from '../../src/main/core/core';
import { tempDir, testCore } from '../helpers';
import { contract } from '../../src/shared/contract';
import { DownloadTicket, httpAnswer, UploadedFile } from '../../src/shared/http';
import { JOB_KINDS } from '../../src/shared/jobs';
import { TEST_JOB_CHANNEL, TEST_JOB_KIND } from '../testJob';

describe('browser-mode server', () => {
  let server: RunningServer;
  let close: () => Promise<void>;
  let staticDir: string;
  let dataDir: string;
  beforeEach(async () => {
    const t = await testCore();
    const s = tempDir();
    staticDir = s.dir;
    dataDir = t.dataDir;
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Distillery</title>');
    server = await startServer({ core: t.core, staticDir });
    close = async () => {
      await server.close();
      await t.close();
      s.cleanup();
    };
  });
  afterEach(async () => close());

  const invoke = (channel: string, body: unknown, token: string | null = server.token): Promise<Response> =>
    fetch(`${server.url}api/invoke/${channel}`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('binds to loopback only and a random per-start token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.token.length).toBeGreaterThanOrEqual(24);
    expect(server.openUrl).toContain(`#token=${server.token}`);
  });

  it('refuses requests without the token or with a wrong one', async () => {
    expect((await invoke('projects.list', {}, null)).status).toBe(401);
    // Change the first character to a different one (a random token can itself start with 'x').
    const wrong = (server.token[0] === 'x' ? 'y' : 'x') + server.token.slice(1);
    expect((await invoke('projects.list', {}, wrong)).status).toBe(401);
    const ok = await invoke('projects.list', {});
    expect(await ok.json()).toEqual({ ok: true, value: [] });
  });

  it('answers wrong shapes, bad JSON and unknown channels with typed errors', async () => {
    expect(await (await invoke('projects.create', { name: 7 })).json()).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    const badJson = await invoke('projects.create', '{"name": ');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await (await invoke('hack.me', {})).json()).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_CHANNEL' },
    });
    expect(await (await invoke('__proto__', {})).json()).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_CHANNEL' },
    });
  });

  it('serves the UI without a token, and never a file outside it', async () => {
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Distillery');
    const escape = await fetch(`${server.url}..%2F..%2F..%2Fetc%2Fpasswd`);
    expect(await escape.text()).not.toContain('root:');
  });

  it('uploads into the data folder and downloads only from it, by one-time ticket', async () => {
    const up = await fetch(`${server.url}api/upload?name=${encodeURIComponent('notes 病历.csv')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: 'text,label\nhello,a\n',
    });
    // Answers are checked with the schemas the server types them by (src/shared/http.ts).
    const uploaded = httpAnswer(UploadedFile).parse(await up.json());
    if (!uploaded.ok) throw new Error(uploaded.error.message);
    const body = uploaded;
    expect(body.value.path.startsWith(join(dataDir, 'uploads'))).toBe(true);
    // The file keeps the name the person chose (job titles, outputs), in a folder of its own.
    expect(basename(body.value.path)).toBe('notes 病历.csv');
    expect(body.value.size).toBe(19);
    const ticket = async (path: string): Promise<Response> =>
      fetch(`${server.url}api/download-ticket`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}` },
        body: JSON.stringify({ path, name: 'notes.csv' }),
      });
    const answer = httpAnswer(DownloadTicket).parse(await (await ticket(body.value.path)).json());
    if (!answer.ok) throw new Error(answer.error.message);
    const t = answer;
    expect(t.value.url).not.toContain(server.token);
    const down = await fetch(`${server.url}${t.value.url.slice(1)}`);
    expect(down.headers.get('content-disposition')).toContain('notes.csv');
    expect(await down.text()).toBe('text,label\nhello,a\n');
    // A ticket is good for one download.
    expect((await fetch(`${server.url}${t.value.url.slice(1)}`)).status).toBe(404);
    expect((await ticket('/etc/passwd')).status).toBe(404);
    expect((await ticket(join(dataDir, '..', 'x'))).status).toBe(404);
    // A body that is not the route's schema is refused with a keyed error, whatever it names.
    for (const bad of ['{"path": 42}', '{"path": "x", "name": ["a"]}', 'not json', '[]']) {
      const r = await fetch(`${server.url}api/download-ticket`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}` },
        body: bad,
      });
      expect(r.status).toBe(400);
      const refused = httpAnswer(DownloadTicket).parse(await r.json());
      expect(!refused.ok && refused.error).toMatchObject({
        code: 'INVALID_INPUT',
        key: 'downloadTicketBody',
      });
    }
    const noToken = await fetch(`${server.url}api/download-ticket`, {
      method: 'POST',
      body: JSON.stringify({ path: body.value.path }),
    });
    expect(noToken.status).toBe(401);
  });

  it('pushes events over the WebSocket to clients with the token in the sub-protocol only', async () => {
    const refusedBy = (url: string, protocols?: string[], origin?: string): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url, protocols, origin ? { origin } : {});
        ws.on('open', () => reject(new Error(`opened: ${url} ${origin ?? ''}`)));
        ws.on('error', resolve);
      });
    const events = `ws://127.0.0.1:${server.port}/api/events`;
    await refusedBy(events);
    // The token in the address is no longer accepted: it would end up in logs and history.
    await refusedBy(`${events}?token=${server.token}`);
    const protocols = ['distillery', `distillery-token.${server.token}`];
    await refusedBy(events, protocols, 'http://evil.example');
    await refusedBy(events, protocols, 'http://127.0.0.1:1');
    const ws = new WebSocket(events, protocols, { origin: `http://127.0.0.1:${server.port}` });
    await new Promise((r) => ws.on('open', r));
    expect(ws.protocol).toBe('distillery');
    const got = new Promise<{ name: string; payload: { state: string } }>((resolve) =>
      ws.on('message', (m) => {
        const env = JSON.parse(String(m)) as { name: string; payload: { state: string } };
        if (env.name === 'job.updated' && env.payload.state === 'completed') resolve(env);
      }),
    );
    await invoke(TEST_JOB_CHANNEL, { steps: 2, stepMs: 1 });
    await expect(got).resolves.toMatchObject({ name: 'job.updated', payload: { state: 'completed' } });
    ws.close();
  });

  /** A request with headers fetch() will not let a caller set (Host). */
  const rawRequest = (
    path: string,
    headers: Record<string, string | number>,
    body = '',
    method = 'POST',
  ): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('answers only requests that name it in Host (DNS rebinding) and come from its own pages', async () => {
    const auth = { authorization: `Bearer ${server.token}` };
    for (const host of [
      'evil.example',
      `evil.example:${server.port}`,
      '127.0.0.1',
      `127.0.0.1.nip.io:${server.port}`,
    ]) {
      const r = await rawRequest('/api/invoke/projects.list', { ...auth, host }, '{}');
      expect(r.status, host).toBe(421);
      expect((await rawRequest('/', { host }, '', 'GET')).status).toBe(421);
    }
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `[::1]:${server.port}`]) {
      expect((await rawRequest('/api/invoke/projects.list', { ...auth, host }, '{}')).status, host).toBe(200);
    }
    const host = `127.0.0.1:${server.port}`;
    const fromEvil = await rawRequest(
      '/api/invoke/projects.create',
      { ...auth, host, origin: 'http://127.0.0.1:9' },
      '{"name":"x"}',
    );
    expect(fromEvil.status).toBe(403);
    const crossSite = await rawRequest(
      '/api/invoke/projects.create',
      { ...auth, host, 'sec-fetch-site': 'same-site' },
      '{"name":"x"}',
    );
    expect(crossSite.status).toBe(403);
    const own = await rawRequest(
      '/api/invoke/projects.create',
      { ...auth, host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
      '{"name":"Mine"}',
    );
    expect(JSON.parse(own.text)).toMatchObject({ ok: true, value: { name: 'Mine' } });
    // The token is accepted in the Authorization header only.
    expect(
      (await fetch(`${server.url}api/invoke/projects.list?token=${server.token}`, { method: 'POST' })).status,
    ).toBe(401);
  });

  it('refuses bodies over the limits with 413 and a clear message', async () => {
    const big = await invoke('projects.create', JSON.stringify({ name: 'x'.repeat(11 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ ok: false, error: { code: 'TOO_LARGE', message: /10 MB/ } });
    const host = `127.0.0.1:${server.port}`;
    const upload = await rawRequest('/api/upload?name=big.gguf', {
      authorization: `Bearer ${server.token}`,
      host,
      'content-length': 2 ** 50,
    });
    expect(upload.status).toBe(413);
    expect(JSON.parse(upload.text)).toMatchObject({ error: { code: 'TOO_LARGE' } });
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([]);
  });

  it('lets a browser name only files it uploaded, never a path on the server', async () => {
    const passwd = await invoke('dataset.preview', { path: '/etc/passwd' });
    expect(await passwd.json()).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: /file picker/ },
    });
    for (const path of [join(dataDir, 'distillery.db'), join(dataDir, 'uploads', '..', 'distillery.db')]) {
      expect(await (await invoke('dataset.preview', { path })).json()).toMatchObject({ ok: false });
    }
    // A link planted in the uploads folder does not pass for an upload.
    const planted = join(dataDir, 'uploads', '0b7f1c2e-1111-4222-8333-444455556666');
    mkdirSync(planted);
    symlinkSync('/etc/passwd', join(planted, 'passwd.csv'));
    expect(
      await (await invoke('dataset.preview', { path: join(planted, 'passwd.csv') })).json(),
    ).toMatchObject({
      ok: false,
      error: { message: /file picker/ },
    });
    const up = (await (
      await fetch(`${server.url}api/upload?name=a.csv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}` },
        body: 'text,label\nhello,a\nbye,b\n',
      })
    ).json()) as { value: { path: string } };
    expect(await (await invoke('dataset.preview', { path: up.value.path })).json()).toMatchObject({
      ok: true,
      value: { columns: ['text', 'label'] },
    });
  });

  it('sends the security headers with every answer, the CSP with the page', async () => {
    const page = await fetch(server.url);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const api = await invoke('projects.list', {});
    expect(api.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('production cores', () => {
  it('have no test-only channel or job kind', async () => {
    const t = tempDir();
    const core = await createCore({ dataDir: t.dir, mode: 'browser' });
    try {
      expect(await core.invokeRaw(TEST_JOB_CHANNEL, { steps: 1, stepMs: 0 })).toMatchObject({
        ok: false,
        error: { code: 'UNKNOWN_CHANNEL' },
      });
      expect(() => core.jobs.startExtension(TEST_JOB_KIND, { title: 'x', params: {} })).toThrow();
      // Nor does the contract every client is built from.
      // (The test split is product: 'dataset.lockTest' locks it.)
      expect(Object.keys(contract).filter((c) => /^test\.|TestJob/.test(c))).toEqual([]);
      expect(JOB_KINDS.filter((k) => k.startsWith('test.'))).toEqual([]);
    } finally {
      await core.dispose();
      t.cleanup();
    }
  });

  it('refuse a short access token', async () => {
    const t = await testCore();
    try {
      await expect(startServer({ core: t.core, staticDir: t.dataDir, token: 'abc' })).rejects.toThrow(
        /128 bits/,
      );
    } finally {
      await t.close();
    }
  });
});
