import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../src/shared/jobs';
import type { Project } from '../src/shared/projects';
import { idleActivity, watchActivity } from './activity';
import { invoke, openApp, type AppSession } from './harness';
import { app } from './pages';

const DEMO = 'Demo: unfair contract terms';

/** No request at all, and at most a few renders (a chart settling), where the loop made ~100 a second. */
async function expectIdle(page: Page, where: string): Promise<void> {
  const a = await idleActivity(page);
  expect({ where, requests: a.requests }).toEqual({ where, requests: 0 });
  expect(a.commits, where).toBeLessThanOrEqual(5);
}

describe('an idle page stays idle (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('makes no request and no render while nobody touches it: projects, Data, Clean, Evaluate ROC', async () => {
    session = await openApp();
    const { page, server } = session;
    await watchActivity(page);
    await page.reload();
    await app.waitForProjects(page);
    await expectIdle(page, 'projects');

    await app.openProject(page, DEMO);
    await page.getByTestId('data-step').waitFor();
    await expectIdle(page, 'data');

    // Typing in "Try the rules" keeps every character (it lost some while the page re-rendered endlessly).
    await page.getByTestId('data-tab-clean').click();
    await page.getByTestId('clean-panel').waitFor();
    await page.getByTestId('mask-try').pressSequentially('998877');
    await expect(page.getByTestId('mask-try').inputValue()).resolves.toBe('998877');
    await page.getByTestId('mask-output').waitFor();
    await expectIdle(page, 'clean');

    const demo = (await invoke<Project[]>(server, 'projects.list')).find((p) => p.name === DEMO);
    const started = await invoke<{ run: { id: number }; job: Job }>(server, 'student.train', {
      projectId: demo?.id,
      settings: { useTeacher: false, maxEpochs: 1 },
    });
    await expect
      .poll(async () => (await invoke<Job>(server, 'jobs.get', { jobId: started.job.id })).state, {
        timeout: 90_000,
      })
      .toBe('completed');
    await app.goToStep(page, 'evaluate');
    const key = `student-${started.run.id}`;
    await page
      .locator(`[data-testid="eval-run-row"][data-model="${key}"]`)
      .getByTestId('eval-evaluate')
      .click();
    await page.locator(`[data-testid="eval-detail"][data-model="${key}"]`).waitFor({ timeout: 60_000 });
    await page.getByTestId('eval-tab-curves').click();
    await page.getByTestId('roc-chart').waitFor();
    await expectIdle(page, 'evaluate ROC');
    // The tabs still answer at once.
    await page.getByTestId('eval-tab-confusion').click();
    await page.getByTestId('confusion-cell').first().waitFor();
  }, 300_000);

  it('opening a project in one tab does not move another tab', async () => {
    session = await openApp();
    const { page: first, browser, server } = session;
    await app.waitForProjects(first);
    const second = await (await browser.newContext()).newPage();
    await second.goto(server.openUrl);
    await app.waitForProjects(second);

    await app.openProject(first, DEMO);
    await expect(first.getByTestId('project-title').textContent()).resolves.toBe(DEMO);
    await second.waitForTimeout(1500);
    await expect(second.getByTestId('project-list').isVisible()).resolves.toBe(true);

    await app.createProject(second, 'Second tab project');
    // Moving between steps in the first tab saves its step; the reply must not carry it to the second tab's project.
    await app.goToStep(first, 'review');
    await app.goToStep(first, 'data');
    await first.waitForTimeout(1000);
    await expect(first.getByTestId('project-title').textContent()).resolves.toBe(DEMO);
    await expect(second.getByTestId('project-title').textContent()).resolves.toBe('Second tab project');
  });
});
