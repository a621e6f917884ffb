import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { contract, type ChannelName } from '../../src/shared/contract';
import { CHANNEL_ROLES } from '../../src/shared/roles';
import { ROLES, roleAllows, type Role } from '../../src/shared/team';
import { startServer, type RunningServer } from '../../src/main/server/server';
import { selfSignedCertificate } from '../../src/main/server/cert';
import { TeamClient } from '../../e2e/teamClient';
import { tempDir, testCore } from '../helpers';
import { makeProject } from '../review/fixture';
import type { Core } from '../../src/main/core/core';

const PASSWORD = 'correct horse battery';

async function withUsers(core: Core): Promise<void> {
  for (const [username, role] of [
    ['ada', 'admin'],
    ['lee', 'lead'],
    ['ann', 'annotator'],
    ['bob', 'annotator'],
  ] as const) {
    await core.call('team.addUser', { username, role, password: PASSWORD });
  }
}

describe('team mode over HTTP (loopback, plain)', () => {
  let server: RunningServer;
  let core: Core;
  let close: () => Promise<void>;
  const clients: TeamClient[] = [];
  const client = (opts?: { origin?: string | null }): TeamClient => {
    const c = new TeamClient(server.url, opts);
    clients.push(c);
    return c;
  };
  const loggedIn = async (username: string): Promise<TeamClient> => {
    const c = client();
    expect((await c.login(username, PASSWORD)).status).toBe(200);
    return c;
  };

  beforeEach(async () => {
    const t = await testCore();
    core = t.core;
    const s = tempDir();
    writeFileSync(join(s.dir, 'index.html'), '<!doctype html><title>Distillery</title>');
    await withUsers(core);
    server = await startServer({ core, staticDir: s.dir, team: { host: '127.0.0.1', tls: null } });
    close = async () => {
      for (const c of clients.splice(0)) c.close();
      await server.close();
      await t.close();
      s.cleanup();
    };
  });
  afterEach(async () => close());

  it('refuses every channel of the contract without a session (401), and serves the login page', async () => {
    const anon = client();
    for (const channel of Object.keys(contract)) {
      expect((await anon.invoke(channel, {})).status, channel).toBe(401);
    }
    for (const path of ['/api/upload', '/api/download-ticket']) {
      expect((await anon.request('POST', path, {})).status, path).toBe(401);
    }
    expect((await fetch(server.url)).status).toBe(200);
    const session = await anon.request<{ user: unknown; needsSetup: boolean }>('GET', '/api/session');
    expect(session.body.value).toMatchObject({ team: true, user: null, needsSetup: false });
  });

  it("answers 403 to every channel above the caller's role, derived from the contract", async () => {
    const byRole: Record<Role, TeamClient> = {
      annotator: await loggedIn('ann'),
      lead: await loggedIn('lee'),
      admin: await loggedIn('ada'),
    };
    const names = Object.keys(contract) as ChannelName[];
    expect(Object.keys(CHANNEL_ROLES).sort()).toEqual([...names].sort());
    for (const role of ROLES) {
      for (const channel of names) {
        const r = await byRole[role].invoke(channel, {});
        if (roleAllows(role, CHANNEL_ROLES[channel])) {
          expect(r.status, `${role} ${channel}`).not.toBe(403);
        } else {
          expect(r.status, `${role} ${channel}`).toBe(403);
          expect(r.body.error?.code).toBe('FORBIDDEN');
        }
      }
    }
    // An annotator neither uploads nor downloads.
    expect((await byRole.annotator.request('POST', '/api/upload?name=x.csv', 'a')).status).toBe(403);
  });

  it('needs the CSRF token on every state-changing request, and refuses other origins and hosts', async () => {
    const lee = await loggedIn('lee');
    const token = lee.csrf;
    lee.csrf = '';
    expect((await lee.invoke('projects.list', {})).status).toBe(403);
    lee.csrf = (token[0] === 'x' ? 'y' : 'x') + token.slice(1); // differs even when the token starts with 'x'
    expect((await lee.invoke('projects.list', {})).status).toBe(403);
    lee.csrf = token;
    expect((await lee.invoke('projects.list', {})).status).toBe(200);
    const evil = new TeamClient(server.url, { origin: 'http://evil.example' });
    clients.push(evil);
    evil.cookie = lee.cookie;
    evil.csrf = lee.csrf;
    expect((await evil.invoke('projects.list', {})).status).toBe(403);
    expect((await evil.login('lee', PASSWORD)).status).toBe(403);
    const wrongHost = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}api/invoke/projects.list`,
        {
          method: 'POST',
          headers: { host: 'attacker.example', cookie: lee.cookie, 'x-csrf-token': lee.csrf },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(wrongHost).toBe(421);
  });

  it('gives a new session at login (fixation), and a logged-out cookie is dead (replay)', async () => {
    const c = client();
    c.cookie = 'distillery-session=' + 'A'.repeat(43);
    await c.login('ann', PASSWORD);
    expect(c.cookie).not.toContain('A'.repeat(43));
    const first = c.cookie;
    // Logging in again from the same browser ends the old session.
    await c.login('ann', PASSWORD);
    const replay = client();
    replay.cookie = first;
    replay.csrf = c.csrf;
    expect((await replay.invoke('team.whoami', {})).status).toBe(401);
    const live = c.cookie;
    const csrf = c.csrf;
    expect((await c.request('POST', '/api/logout', {})).status).toBe(200);
    const after = client();
    after.cookie = live;
    after.csrf = csrf;
    expect((await after.invoke('team.whoami', {})).status).toBe(401);
    const ws = await new Promise<number>((resolve) => {
      const sock = new WebSocket(`${server.url.replace('http', 'ws')}api/events`, ['distillery'], {
        headers: { cookie: live, origin: server.url.slice(0, -1) },
      });
      sock.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      sock.on('open', () => resolve(101));
    });
    expect(ws).toBe(401);
  });

  it('throttles brute force: after 5 wrong passwords even the right one waits', async () => {
    const c = client();
    for (let i = 0; i < 5; i++) expect((await c.login('bob', `wrong password ${i}`)).status).toBe(401);
    const r = await c.login('bob', PASSWORD);
    expect(r.status).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    // Another account from the same address is not locked by bob's.
    expect((await c.login('ann', PASSWORD)).status).toBe(200);
  });

  it('ends sessions of a disabled account and refuses its login; passwords change', async () => {
    const ann = await loggedIn('ann');
    const ada = await loggedIn('ada');
    await ada.call('team.updateUser', { username: 'ann', disabled: true });
    expect((await ann.invoke('team.whoami', {})).status).toBe(401);
    expect((await client().login('ann', PASSWORD)).status).toBe(401);
    const last = await ada.invoke('team.updateUser', { username: 'ada', disabled: true });
    expect(last.body.error?.code).toBe('CONFLICT');

    const bob = await loggedIn('bob');
    const other = await loggedIn('bob');
    const wrong = await bob.invoke('team.changePassword', {
      currentPassword: 'nope',
      newPassword: 'another long one',
    });
    expect(wrong.body.error?.code).toBe('UNAUTHORIZED');
    await bob.call('team.changePassword', { currentPassword: PASSWORD, newPassword: 'another long one' });
    expect((await bob.invoke('team.whoami', {})).status).toBe(200);
    expect((await other.invoke('team.whoami', {})).status).toBe(401);
    expect((await client().login('bob', 'another long one')).status).toBe(200);
  });

  it('labels as the logged-in person: a typed annotator name is ignored, in annotations and the audit log', async () => {
    const fx = await makeProject(core, ['one', 'two', 'three', 'four']);
    const lee = await loggedIn('lee');
    await lee.call('team.assign', { projectId: fx.projectId, annotators: ['ann'], overlap: 0 });
    const ann = await loggedIn('ann');
    const state = await ann.call<{ annotator: string; item: { exampleId: number } }>('review.state', {
      projectId: fx.projectId,
      annotator: 'mallory',
    });
    expect(state.annotator).toBe('ann');
    await ann.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: state.item.exampleId,
      labelId: fx.labels.fair,
      queue: { kind: 'unreviewed' },
      annotator: 'mallory',
    });
    const who = core.db.prepare('SELECT DISTINCT annotator FROM annotations').pluck().all();
    expect(who).toEqual(['ann']);
    const actors = core.db.prepare("SELECT actor FROM audit_log WHERE action = 'assign'").pluck().all();
    expect(actors).toEqual(['lee']);
    // Bob has no documents of this project: he cannot open it, nor see it listed.
    const bob = await loggedIn('bob');
    expect((await bob.invoke('review.state', { projectId: fx.projectId })).status).toBe(403);
    expect(await bob.call('projects.list', {})).toEqual([]);
  });
});

describe('team mode over HTTPS', () => {
  it('serves with the certificate given, sets a __Host- Secure HttpOnly SameSite=Strict cookie, and refuses plain HTTP beyond loopback', async () => {
    const t = await testCore();
    const s = tempDir();
    writeFileSync(join(s.dir, 'index.html'), '<!doctype html><title>Distillery</title>');
    await t.core.call('team.addUser', { username: 'ada', role: 'admin', password: PASSWORD });
    await expect(
      startServer({ core: t.core, staticDir: s.dir, team: { host: '0.0.0.0', tls: null } }),
    ).rejects.toThrow(/Plain HTTP/);
    const tls = await selfSignedCertificate(['127.0.0.1']);
    const server = await startServer({ core: t.core, staticDir: s.dir, team: { host: '127.0.0.1', tls } });
    const { X509Certificate } = await import('node:crypto');
    const c = new TeamClient(server.url, { fingerprint: new X509Certificate(tls.cert).fingerprint256 });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      const r = await c.login('ada', PASSWORD);
      expect(r.status).toBe(200);
      const set = String(r.headers['set-cookie']);
      expect(set).toMatch(/^__Host-distillery-session=/);
      for (const flag of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) expect(set).toContain(flag);
      expect(r.headers['strict-transport-security']).toBeTruthy();
      expect(await c.call('team.whoami', {})).toEqual({
        team: true,
        user: { username: 'ada', role: 'admin' },
      });
      const pinned = new TeamClient(server.url, { fingerprint: 'AA:BB' });
      await expect(pinned.request('GET', '/api/session')).rejects.toThrow(/fingerprint/);
      pinned.close();
    } finally {
      c.close();
      await server.close();
      await t.close();
      s.cleanup();
    }
  });
});
