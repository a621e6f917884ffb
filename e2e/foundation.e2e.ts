import { afterEach, describe, expect, it } from 'vitest';
import { invoke, openApp, type AppSession } from './harness';
import { app } from './pages';
import { TEST_JOB_CHANNEL } from '../tests/testJob';

describe('foundation (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('shows the demo project on a first start, creates a project and walks the wizard', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.projectCard(page, 'Demo: unfair contract terms').waitFor();
    await expect(app.projectCard(page, 'Demo: unfair contract terms').textContent()).resolves.toContain(
      '677',
    );

    await app.createProject(page, 'Discharge letters');
    await expect(page.getByTestId('project-title').textContent()).resolves.toBe('Discharge letters');
    for (const step of ['data', 'teacher', 'review', 'train', 'evaluate', 'export'] as const) {
      await app.goToStep(page, step);
    }
    // The Next/Previous buttons walk the same order.
    await page.getByTestId('prev-step').click();
    await page.getByTestId('step-panel-evaluate').waitFor();
    await app.backToProjects(page);
    await expect.poll(() => page.getByTestId('project-card').count()).toBe(2);
  });

  it('renames and deletes a project only after its name is typed', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.createProject(page, 'Old name');
    await app.backToProjects(page);
    const card = app.projectCard(page, 'Old name');
    await card.getByTestId('project-menu').click();
    await page.getByTestId('project-rename').click();
    await page.getByTestId('rename-input').fill('New name');
    await page.getByTestId('rename-submit').click();
    await app.projectCard(page, 'New name').waitFor();

    await app.projectCard(page, 'New name').getByTestId('project-menu').click();
    await page.getByTestId('project-delete').click();
    await expect(page.getByTestId('delete-submit').isDisabled()).resolves.toBe(true);
    await page.getByTestId('delete-confirm-input').fill('New name');
    await page.getByTestId('delete-submit').click();
    await app.projectCard(page, 'New name').waitFor({ state: 'detached' });
  });

  it('switches language and keeps language, project and step across a reload', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.setLanguage(page, '简体中文');
    await page.getByText('新建项目').waitFor();
    await app.openProject(page, 'Demo: unfair contract terms');
    await app.goToStep(page, 'train');
    await page.reload();
    await page.getByTestId('step-panel-train').waitFor();
    await expect(page.getByTestId('step-train').textContent()).resolves.toContain('训练');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');
  });

  it('refuses API calls without the token, and answers bad requests with typed errors', async () => {
    session = await openApp();
    const { server } = session;
    const noToken = await fetch(`${server.url}api/invoke/projects.list`, { method: 'POST', body: '{}' });
    expect(noToken.status).toBe(401);
    const bad = await fetch(`${server.url}api/invoke/projects.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: JSON.stringify({ name: 42 }),
    });
    const body = (await bad.json()) as { ok: boolean; error: { code: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('status bar (browser mode, real Chromium)', () => {
  it('shows a running job with its progress, and pauses, resumes and cancels it', async () => {
    const session = await openApp({ testJob: true });
    try {
      const { page, server } = session;
      await app.waitForProjects(page);
      await invoke(server, TEST_JOB_CHANNEL, { steps: 400, stepMs: 25 });
      await page.getByTestId('status-jobs-summary').filter({ hasText: '1 running' }).waitFor();
      await page.getByTestId('status-jobs').click();
      const row = page.getByTestId('job-row').first();
      await row.getByTestId('job-pause').click();
      await page.locator('[data-testid="job-row"][data-job-state="paused"]').waitFor();
      await row.getByTestId('job-resume').click();
      await page.locator('[data-testid="job-row"][data-job-state="running"]').waitFor();
      await expect(row.textContent()).resolves.toMatch(/\/400/);
      await row.getByTestId('job-cancel').click();
      await page.locator('[data-testid="job-row"][data-job-state="cancelled"]').waitFor();
      await page.getByTestId('status-jobs-summary').filter({ hasText: 'No jobs running' }).waitFor();
    } finally {
      await session.close();
    }
  });
});
