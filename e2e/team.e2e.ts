import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../src/main/core/core';
import { makeProject } from '../tests/review/fixture';
import { launchBrowser, ROOT } from './harness';
import { app } from './pages';
import { TeamClient } from './teamClient';

const PASSWORD = 'correct horse battery';
const PROJECT = 'Contracts team';
const DOCS = 6;

interface TeamServer {
  readonly url: string;
  readonly fingerprint: string;
  readonly child: ChildProcess;
}

/** `distillery serve --team` on 127.0.0.2 (not 127.0.0.1), with the self-signed certificate it makes on first start. */
async function startTeamServer(dataDir: string): Promise<TeamServer> {
  const child = spawn(
    process.execPath,
    ['bin/distillery.mjs', 'serve', '--team', '--listen', '127.0.0.2:0', '--json', '--data-dir', dataDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).once('line', res);
    child.once('exit', (code) => rej(new Error(`server exited (${code}): ${stderr}`)));
  });
  const info = JSON.parse(line) as { url: string; fingerprint: string; team: boolean };
  expect(info.team).toBe(true);
  return { url: info.url, fingerprint: info.fingerprint, child };
}

async function logIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('login-page').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-menu').waitFor();
}

/** Opens the project unless the shared "last project" already did. */
async function openTeamProject(page: Page): Promise<void> {
  await page.getByTestId('project-list').or(page.getByTestId('wizard')).first().waitFor();
  if (!(await page.getByTestId('wizard').isVisible())) await app.openProject(page, PROJECT);
}

/** Labels every document the queue gives, as a person clicking: returns the documents seen, in order. */
async function labelAll(page: Page, pick: (n: number) => string): Promise<number[]> {
  const seen: number[] = [];
  for (;;) {
    const doc = page.getByTestId('review-doc');
    await doc.or(page.getByTestId('queue-empty')).first().waitFor();
    if (await page.getByTestId('queue-empty').isVisible()) return seen;
    const id = Number(await doc.getAttribute('data-example-id'));
    seen.push(id);
    await page.getByTestId(`label-${pick(seen.length - 1)}`).click();
    await page
      .locator(`[data-testid="review-doc"]:not([data-example-id="${id}"])`)
      .or(page.getByTestId('queue-empty'))
      .first()
      .waitFor();
  }
}

describe('team mode: two annotators and a lead in three browsers, over HTTPS on 127.0.0.2', () => {
  let dataDir: string;
  let server: TeamServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const page = async (): Promise<Page> => {
    const c = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
    contexts.push(c);
    const p = await c.newPage();
    p.on('pageerror', (e) => console.error('[page error]', e.message));
    return p;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'distillery-team-e2e-'));
    const core = await createCore({ dataDir, mode: 'cli' });
    try {
      for (const [username, role] of [
        ['lee', 'lead'],
        ['ann', 'annotator'],
        ['bob', 'annotator'],
      ] as const) {
        await core.call('team.addUser', { username, role, password: PASSWORD });
      }
      const fx = await makeProject(
        core,
        Array.from({ length: DOCS }, (_, i) => `Clause ${i}: the supplier may change the terms at any time.`),
      );
      await core.call('projects.rename', { projectId: fx.projectId, name: PROJECT });
    } finally {
      await core.dispose();
    }
    server = await startTeamServer(dataDir);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    if (server?.child.exitCode === null) {
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves HTTPS with the fingerprint it printed, and plain HTTP is not served', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.2:\d+\/$/);
    const pinned = new TeamClient(server.url, { fingerprint: server.fingerprint });
    try {
      const r = await pinned.request<{ needsSetup: boolean }>('GET', '/api/session');
      expect(r.body.value).toMatchObject({ team: true, user: null, needsSetup: false });
    } finally {
      pinned.close();
    }
    const plain = await fetch(server.url.replace('https:', 'http:') + 'api/session').then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
  });

  it('both annotators label at once, agreement appears, the lead adjudicates, an annotator cannot train', async () => {
    const lead = await page();
    await logIn(lead, server.url, 'lee');
    await openTeamProject(lead);
    await app.goToStep(lead, 'review');
    await lead.getByTestId('review-tab-team').click();
    // Every document to both annotators: agreement is measured on all of them.
    await lead.getByTestId('assign-annotators').click();
    await lead.getByRole('option', { name: 'ann' }).click();
    await lead.getByRole('option', { name: 'bob' }).click();
    await lead.keyboard.press('Escape');
    const slider = lead.getByTestId('assign-overlap').getByRole('slider');
    await slider.focus();
    await lead.keyboard.press('End');
    await lead.getByTestId('assign-submit').click();
    await expect.poll(() => lead.getByTestId('assign-result').textContent()).toContain(`${DOCS} of them`);

    const [ann, bob] = [await page(), await page()];
    await Promise.all([logIn(ann, server.url, 'ann'), logIn(bob, server.url, 'bob')]);
    await Promise.all([openTeamProject(ann), openTeamProject(bob)]);
    for (const p of [ann, bob]) {
      // An annotator has the Review step only.
      await p.getByTestId('step-panel-review').waitFor();
      expect(await p.getByTestId('step-train').isDisabled()).toBe(true);
      await p.getByTestId('step-train').click({ force: true });
      expect(await p.getByTestId('step-panel-train').count()).toBe(0);
      expect(await p.getByTestId('annotator-input').count()).toBe(0);
    }
    // Both label at the same time; bob disagrees on his first document only.
    const [annSeen, bobSeen] = await Promise.all([
      labelAll(ann, () => 'fair'),
      labelAll(bob, (n) => (n === 0 ? 'unfair' : 'fair')),
    ]);
    expect(annSeen).toHaveLength(DOCS);
    expect(bobSeen).toHaveLength(DOCS);
    expect(new Set(annSeen)).toEqual(new Set(bobSeen));

    // The lead sees the agreement and both people's progress.
    await lead.getByTestId('review-tab-agreement').click();
    const pair = lead.getByTestId('agreement-pair');
    await pair.waitFor();
    expect(await pair.textContent()).toContain('ann / bob');
    await lead.getByTestId('review-tab-team').click();
    await expect.poll(() => lead.getByTestId('progress-done-ann').textContent()).toBe(String(DOCS));
    await expect.poll(() => lead.getByTestId('progress-done-bob').textContent()).toBe(String(DOCS));
    await expect.poll(() => lead.getByTestId('team-conflicts').textContent()).toMatch(/: 1\b/);
    await lead.getByTestId('adjudicate-open').click();
    await lead.getByTestId('adjudicate-item').waitFor();
    await lead.getByTestId('adjudicate-unfair').click();
    await lead.getByTestId('adjudicate-none').waitFor();
    await expect.poll(() => lead.getByTestId('team-conflicts').textContent()).toMatch(/: 0\b/);

    // The server refuses an annotator the Train step's channels whatever the page shows.
    const client = new TeamClient(server.url, { fingerprint: server.fingerprint });
    try {
      expect((await client.login('ann', PASSWORD)).status).toBe(200);
      const projects = await client.call<Array<{ id: number; name: string }>>('projects.list', {});
      expect(projects.map((p) => p.name)).toEqual([PROJECT]);
      const train = await client.invoke('student.overview', { projectId: projects[0].id });
      expect(train.status).toBe(403);
      expect(train.body.error?.code).toBe('FORBIDDEN');
    } finally {
      client.close();
    }
  });
});
