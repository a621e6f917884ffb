import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { invoke, openApp, type AppSession } from './harness';
import { app } from './pages';

interface Job {
  id: number;
  state: string;
}

async function waitJob(session: AppSession, id: number): Promise<Job> {
  for (;;) {
    const job = await invoke<Job>(session.server, 'jobs.get', { jobId: id });
    if (['completed', 'failed', 'cancelled'].includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('disk use panel (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('shows what the project takes and deletes runs (confirming an evaluated one) and uploads', async () => {
    session = await openApp();
    const { page, server } = session;
    const projects = await invoke<Array<{ id: number; isDemo: boolean }>>(server, 'projects.list');
    const demo = projects.find((p) => p.isDemo)!.id;
    const train = async (): Promise<number> => {
      const { run, job } = await invoke<{ run: { id: number }; job: Job }>(server, 'student.train', {
        projectId: demo,
        settings: { useTeacher: false, maxEpochs: 1 },
      });
      expect((await waitJob(session!, job.id)).state).toBe('completed');
      return run.id;
    };
    const evaluated = await train();
    const spare = await train();
    await invoke(server, 'evaluation.evaluate', {
      projectId: demo,
      model: { kind: 'student', runId: evaluated },
      iterations: 10,
    });
    // A file a browser sent and only previewed: listed, and deletable.
    const up = await fetch(`${server.url}api/upload?name=previewed.csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: 'text,label\nhello,a\n',
    });
    const uploaded = ((await up.json()) as { value: { path: string } }).value.path;

    await app.waitForProjects(page);
    await app.openProject(page, 'Demo: unfair contract terms');
    await app.goToStep(page, 'export');
    const panel = page.getByTestId('disk-panel');
    await panel.scrollIntoViewIfNeeded();
    await expect.poll(() => panel.getByTestId('disk-run').count()).toBe(2);
    await expect.poll(() => panel.getByTestId('disk-upload').count()).toBe(1);
    const total = await page.getByTestId('disk-total').textContent();
    console.log(`[disk-e2e] panel shows ${total} for the demo project with two runs and an upload`);
    expect(await page.getByTestId('disk-runs').textContent()).toMatch(/KB|MB/);

    // The spare run goes at once.
    await panel
      .locator(`[data-testid="disk-run"][data-run-id="${spare}"]`)
      .getByTestId('disk-run-delete')
      .click();
    await page.getByTestId('disk-message').waitFor();
    await expect.poll(() => panel.getByTestId('disk-run').count()).toBe(1);
    expect(existsSync(join(server.dataDir, 'runs', `student-${spare}`))).toBe(false);

    // The evaluated one asks first, saying why; keeping it changes nothing.
    const row = panel.locator(`[data-testid="disk-run"][data-run-id="${evaluated}"]`);
    await row.getByTestId('disk-run-delete').click();
    await page.getByTestId('disk-confirm-delete').waitFor();
    await page.getByRole('button', { name: 'Keep it' }).click();
    expect(existsSync(join(server.dataDir, 'runs', `student-${evaluated}`))).toBe(true);
    await row.getByTestId('disk-run-delete').click();
    await page.getByTestId('disk-confirm-delete').click();
    await expect.poll(() => panel.getByTestId('disk-run').count()).toBe(0);
    expect(existsSync(join(server.dataDir, 'runs', `student-${evaluated}`))).toBe(false);

    await panel.getByTestId('disk-upload-delete').click();
    await expect.poll(() => panel.getByTestId('disk-upload').count()).toBe(0);
    expect(existsSync(uploaded)).toBe(false);
  });
});
