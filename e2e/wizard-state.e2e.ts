import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Job } from '../src/shared/jobs';
import type { Project } from '../src/shared/projects';
import { invoke, openApp, type AppSession } from './harness';
import { app } from './pages';

const DEMO = 'Demo: unfair contract terms';
const STEPS = ['data', 'teacher', 'review', 'train', 'evaluate', 'export'] as const;

async function doneSteps(page: Page): Promise<string[]> {
  const done: string[] = [];
  for (const s of STEPS) {
    if ((await page.getByTestId(`step-${s}`).getAttribute('data-done')) === 'true') done.push(s);
  }
  return done;
}

/** The top of each step of the stepper: one value when the six steps sit on one row. */
async function stepRows(page: Page): Promise<number> {
  const tops = new Set<number>();
  const width = page.viewportSize()!.width;
  for (const s of STEPS) {
    const box = (await page.getByTestId(`step-${s}`).boundingBox())!;
    tops.add(Math.round(box.y));
    expect(box.x + box.width, s).toBeLessThanOrEqual(width);
  }
  return tops.size;
}

describe('wizard state shown as it is (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('marks a step done by what the project holds, not because it was opened, and keeps the six steps on one row at 1440 px', async () => {
    session = await openApp();
    const { page } = session;
    await page.setViewportSize({ width: 1440, height: 900 });
    await app.waitForProjects(page);
    await app.openProject(page, DEMO);
    // The demo has documents, labels, a split and a human-labelled test set; no teacher run, no student.
    await expect.poll(() => doneSteps(page)).toEqual(['data', 'review']);
    for (const s of ['teacher', 'train'] as const) await app.goToStep(page, s);
    await app.goToStep(page, 'data');
    expect(await doneSteps(page)).toEqual(['data', 'review']);
    expect(await stepRows(page)).toBe(1);
    await app.setLanguage(page, '简体中文');
    await page.getByText('导入、清洗并划分文档').waitFor();
    expect(await stepRows(page)).toBe(1);
  }, 300_000);

  it('shows a paused training run as "Paused", not "Training"', async () => {
    session = await openApp();
    const { page, server } = session;
    const demo = (await invoke<Project[]>(server, 'projects.list')).find((p) => p.name === DEMO)!;
    // Long enough to pause before it ends: many small steps with a large model.
    const { job } = await invoke<{ job: Job }>(server, 'student.train', {
      projectId: demo.id,
      settings: { maxEpochs: 200, patience: 50, batchSize: 1, dim: 256 },
    });
    await invoke(server, 'jobs.pause', { jobId: job.id });
    await app.waitForProjects(page);
    await app.openProject(page, DEMO);
    await app.goToStep(page, 'train');
    await page.locator('[data-testid="train-run-panel"][data-run-state="paused"]').waitFor();
    await expect(page.getByTestId('train-run-state').textContent()).resolves.toBe('Paused');
    await expect(page.getByTestId('train-run-row').first().textContent()).resolves.toContain('Paused');
    await invoke(server, 'jobs.cancel', { jobId: job.id });
  });
});
