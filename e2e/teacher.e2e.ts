import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { tinyModelPath } from '../tests/fixtures/gguf/generate';
import { openApp, type AppSession } from './harness';
import { app } from './pages';

/** What a person does in the Teacher step. */
const teacher = {
  async importModel(page: Page, file: string): Promise<void> {
    await page.getByTestId('teacher-import-input').setInputFiles(file);
    await page.getByTestId('teacher-model').first().waitFor({ timeout: 60_000 });
  },
  async preview(page: Page): Promise<void> {
    await page.getByTestId('teacher-preview').click();
    await page.getByTestId('teacher-preview-item').first().waitFor({ timeout: 60_000 });
  },
  async run(page: Page): Promise<void> {
    await page.getByTestId('teacher-run').click();
    await page
      .locator('[data-testid="teacher-job"] [data-testid="job-row"][data-job-state="completed"]')
      .waitFor({ timeout: 100_000 });
  },
  async percentages(page: Page, scope: string): Promise<number[][]> {
    const groups = page.locator(`[data-testid="${scope}"] [data-testid="teacher-distribution"]`);
    const out: number[][] = [];
    for (let i = 0; i < (await groups.count()); i++) {
      const texts = await groups.nth(i).getByTestId('teacher-prob').allTextContents();
      out.push(texts.map((x) => Number.parseFloat(x)));
    }
    return out;
  },
};

describe('teacher step (browser mode, real Chromium, real node-llama-cpp on the tiny model)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('imports the tiny model through the UI, previews, runs over the demo project and shows soft labels', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.openProject(page, 'Demo: unfair contract terms');
    await app.goToStep(page, 'teacher');

    const file = tinyModelPath();
    await teacher.importModel(page, file);
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    await expect(page.getByTestId('teacher-model-sha').first().textContent()).resolves.toContain(sha);

    await teacher.preview(page);
    const preview = await teacher.percentages(page, 'teacher-preview-results');
    expect(preview).toHaveLength(5);
    for (const bars of preview) {
      expect(bars).toHaveLength(2);
      expect(Math.abs(bars[0] + bars[1] - 100)).toBeLessThan(0.2);
    }

    await teacher.run(page);
    await page.getByTestId('teacher-output').first().waitFor();
    await expect.poll(() => page.getByTestId('teacher-output').count()).toBe(50);
    const entropies = await page.getByTestId('teacher-entropy').allTextContents();
    expect(entropies.every((e) => Number.isFinite(Number.parseFloat(e)))).toBe(true);
    // The demo's validation split is human-labelled: the run ends with a fitted temperature.
    await expect(page.getByTestId('teacher-calibration').textContent()).resolves.toMatch(/Temperature \d/);
    await page.getByTestId('teacher-reliability').waitFor();

    // Reasoning mode: the model thinks within its budget and the reasoning is shown.
    await page.getByTestId('teacher-mode').getByText('Reasoning (thinks first)').click();
    await page.getByTestId('teacher-budget').fill('16');
    await teacher.preview(page);
    await page
      .getByTestId('teacher-preview-results')
      .getByText(/^Reasoning: /)
      .first()
      .waitFor({ timeout: 60_000 });

    // The Data step's browser shows each document's soft label from the latest run.
    await app.goToStep(page, 'data');
    await page.getByTestId('data-tab-browse').click();
    const soft = page.locator('[data-testid="browse-row"] [data-testid="browse-teacher"]').first();
    await soft.waitFor({ timeout: 30_000 });
    await expect(soft.getAttribute('data-label')).resolves.toMatch(/\S/);
    const prob = Number.parseFloat((await soft.getByTestId('browse-teacher-prob').textContent()) ?? '');
    expect(prob).toBeGreaterThan(0);
    expect(prob).toBeLessThanOrEqual(100);
  }, 240_000);
});
