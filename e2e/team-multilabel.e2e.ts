import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../src/main/core/core';
import { humanLabelSets } from '../src/main/core/labels';
import { makeMultiProject } from '../tests/review/multilabel-fixture';
import { launchBrowser, ROOT } from './harness';
import { app } from './pages';

const PASSWORD = 'correct horse battery';
const PROJECT = 'Unfair terms, multi-label';

/** `distillery serve --team` on loopback with its self-signed certificate. */
async function startTeamServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['bin/distillery.mjs', 'serve', '--team', '--listen', '127.0.0.1:0', '--json', '--data-dir', dataDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).once('line', res);
    child.once('exit', (code) => rej(new Error(`server exited (${code}): ${stderr}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

async function chooseOption(page: Page, testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function browseTexts(page: Page, count: number): Promise<string[]> {
  await expect.poll(() => page.getByTestId('browse-count').getAttribute('data-count')).toBe(String(count));
  await expect.poll(() => page.getByTestId('browse-row').count()).toBe(count);
  return (await page.getByTestId('browse-text').allTextContents()).sort();
}

describe('a multi-label project in team mode: the lead filters by label set and decides a conflict with a set', () => {
  let dataDir: string;
  let server: { url: string; child: ChildProcess };
  let browser: Browser;
  let projectId = 0;
  let examples: number[] = [];
  let labels = { a: 0, b: 0, c: 0 };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'distillery-team-multi-e2e-'));
    const core = await createCore({ dataDir, mode: 'cli' });
    try {
      await core.call('team.addUser', { username: 'lee', role: 'lead', password: PASSWORD });
      const fx = await makeMultiProject(core, [
        'Clause zero.',
        'Clause one.',
        'Clause two.',
        'Clause three.',
      ]);
      await core.call('projects.rename', { projectId: fx.projectId, name: PROJECT });
      ({ projectId, examples, labels } = fx);
      const { a, b } = fx.labels;
      // Two annotators' sets (saved as the Review step saves them): they disagree on "Clause one." only.
      for (const [i, annotator, labelSet] of [
        [0, 'ann', [a]],
        [0, 'bob', [a]],
        [1, 'ann', [a, b]],
        [1, 'bob', [b]],
        [2, 'ann', []],
        [2, 'bob', []],
      ] as const) {
        await core.call('review.annotate', {
          projectId,
          exampleId: examples[i],
          labelSet: [...labelSet],
          queue: { kind: 'all' },
          annotator,
        });
      }
    } finally {
      await core.dispose();
    }
    server = await startTeamServer(dataDir);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    if (server?.child.exitCode === null) {
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('filters the Data browser by set, then decides the conflict by toggling labels in the Team tab', async () => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1400, height: 900 },
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(server.url);
      await page.getByTestId('login-username').fill('lee');
      await page.getByTestId('login-password').fill(PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('project-list').or(page.getByTestId('wizard')).first().waitFor();
      if (!(await page.getByTestId('wizard').isVisible())) await app.openProject(page, PROJECT);

      await app.goToStep(page, 'data');
      await page.getByTestId('data-tab-browse').click();
      expect(await browseTexts(page, 4)).toHaveLength(4);
      await chooseOption(page, 'browse-label', 'Has b');
      expect(await browseTexts(page, 1)).toEqual(['Clause one.']);
      await chooseOption(page, 'browse-label', 'None of these');
      expect(await browseTexts(page, 1)).toEqual(['Clause two.']);
      await chooseOption(page, 'browse-label', 'Unlabelled');
      expect(await browseTexts(page, 1)).toEqual(['Clause three.']);
      await chooseOption(page, 'browse-label', 'All');
      // Without a: the answered documents whose current set lacks it ("Clause one." is bob's newer {b}).
      await page.getByTestId('browse-without').click();
      await page.getByRole('option', { name: 'a', exact: true }).click();
      await page.keyboard.press('Escape');
      expect(await browseTexts(page, 2)).toEqual(['Clause one.', 'Clause two.']);

      await app.goToStep(page, 'review');
      await page.getByTestId('review-tab-team').click();
      await expect.poll(() => page.getByTestId('team-conflicts').textContent()).toMatch(/: 1\b/);
      await page.getByTestId('adjudicate-open').click();
      const item = page.getByTestId('adjudicate-item');
      await item.waitFor();
      await item.getByText('Clause one.').waitFor();
      await item.getByText('ann: a, b').waitFor();
      await item.getByText('bob: b').waitFor();
      // Nothing toggled: the button decides "none of these"; toggling names the set.
      await expect.poll(() => page.getByTestId('adjudicate-set').textContent()).toBe('Decide: none of these');
      await page.getByTestId('adjudicate-toggle-b').click();
      await page.getByTestId('adjudicate-toggle-c').click();
      await expect.poll(() => page.getByTestId('adjudicate-set').textContent()).toBe('Decide: b, c');
      await page.getByTestId('adjudicate-set').click();
      await page.getByTestId('adjudicate-none').waitFor();
      await expect.poll(() => page.getByTestId('team-conflicts').textContent()).toMatch(/: 0\b/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    // The decision is the document's set, read back from the database once the server is stopped.
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGTERM');
    await exited;
    const core = await createCore({ dataDir, mode: 'cli' });
    try {
      expect(humanLabelSets(core.db, projectId).get(examples[1])).toEqual([labels.b, labels.c]);
    } finally {
      await core.dispose();
    }
  });
});
