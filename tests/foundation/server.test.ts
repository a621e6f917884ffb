import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../src/main/server/server';
import { tempDir, testCore } from '../helpers';

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
    expect((await invoke('projects.list', {}, 'x' + server.token.slice(1))).status).toBe(401);
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

  it('uploads into the data folder and downloads only from it', async () => {
    const up = await fetch(`${server.url}api/upload?name=${encodeURIComponent('notes 病历.csv')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: 'text,label\nhello,a\n',
    });
    const body = (await up.json()) as { ok: true; value: { path: string; size: number } };
    expect(body.ok).toBe(true);
    expect(body.value.path.startsWith(join(dataDir, 'uploads'))).toBe(true);
    expect(body.value.size).toBe(19);
    const down = await fetch(
      `${server.url}api/download?token=${server.token}&path=${encodeURIComponent(body.value.path)}`,
    );
    expect(await down.text()).toBe('text,label\nhello,a\n');
    mkdirSync(join(staticDir, 'x'), { recursive: true });
    const outside = await fetch(
      `${server.url}api/download?token=${server.token}&path=${encodeURIComponent('/etc/passwd')}`,
    );
    expect(outside.status).toBe(404);
    const noToken = await fetch(`${server.url}api/download?path=${encodeURIComponent(body.value.path)}`);
    expect(noToken.status).toBe(401);
  });

  it('pushes events over the WebSocket to clients with the token only', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`);
    await expect(
      new Promise((resolve, reject) => {
        refused.on('open', () => reject(new Error('opened without a token')));
        refused.on('error', resolve);
      }),
    ).resolves.toBeDefined();
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`);
    await new Promise((r) => ws.on('open', r));
    const got = new Promise<{ name: string; payload: { state: string } }>((resolve) =>
      ws.on('message', (m) => {
        const env = JSON.parse(String(m)) as { name: string; payload: { state: string } };
        if (env.name === 'job.updated' && env.payload.state === 'completed') resolve(env);
      }),
    );
    await invoke('jobs.startTestJob', { steps: 2, stepMs: 1 });
    await expect(got).resolves.toMatchObject({ name: 'job.updated', payload: { state: 'completed' } });
    ws.close();
  });
});
