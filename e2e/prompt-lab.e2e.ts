import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { tinyModelPath } from '../tests/fixtures/gguf/generate';
import { openApp, type AppSession } from './harness';
import { app } from './pages';

/** What a person does in the prompt lab. */
const lab = {
  async saveVersion(page: Page, name: string): Promise<void> {
    const before = await page.getByTestId('prompt-version').count();
    await page.getByTestId('prompt-version-name').fill(name);
    await page.getByTestId('prompt-version-save').click();
    await expect.poll(() => page.getByTestId('prompt-version').count()).toBe(before + 1);
  },
  async preview(page: Page, version: string, sample: number): Promise<void> {
    const before = await page.getByTestId('prompt-trial-result').count();
    await page.getByTestId('prompt-trial-version').selectOption({ label: version });
    await page.getByTestId('prompt-trial-sample').fill(String(sample));
    await page.getByTestId('prompt-trial-start').click();
    await expect
      .poll(() => page.getByTestId('prompt-trial-result').count(), { timeout: 100_000 })
      .toBe(Math.min(2, before + 1));
    await page.getByTestId('prompt-trial-result').first().getByText(version).waitFor({ timeout: 100_000 });
  },
};

describe('prompt lab (browser mode, real Chromium, real node-llama-cpp on the tiny model)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('saves two prompt versions, diffs them, shows the exact text and previews both with accuracy', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.openProject(page, 'Demo: unfair contract terms');
    await app.goToStep(page, 'teacher');
    await page.getByTestId('teacher-import-input').setInputFiles(tinyModelPath());
    await page.getByTestId('teacher-model').first().waitFor({ timeout: 60_000 });

    await page.getByTestId('prompt-versions-empty').waitFor();
    await page.getByTestId('prompt-task').fill('Find clauses that are unfair to consumers.');
    await lab.saveVersion(page, 'Baseline');
    const template = page.getByTestId('teacher-template');
    await template.fill(`${await template.inputValue()}\nIf unsure, answer fair.`);
    await lab.saveVersion(page, 'Unsure means fair');
    const rows = page.getByTestId('prompt-version');
    await expect(rows.nth(1).textContent()).resolves.toMatch(/v2 Unsure means fair.*by me/);

    await page.getByTestId('prompt-diff-from').selectOption({ label: 'v1 Baseline' });
    await page.getByTestId('prompt-diff-to').selectOption({ label: 'v2 Unsure means fair' });
    await page.getByTestId('prompt-diff-show').click();
    const added = page.locator('[data-testid="prompt-diff-template"] [data-kind="added"]');
    await expect.poll(() => added.allTextContents()).toEqual(['+ If unsure, answer fair.']);
    // An added line only: nothing removed, the rest of the template kept.
    const diffLines = (kind: string) =>
      page.locator(`[data-testid="prompt-diff-template"] [data-kind="${kind}"]`);
    await expect(diffLines('removed').count()).resolves.toBe(0);
    await expect(diffLines('same').count()).resolves.toBeGreaterThan(3);

    await lab.preview(page, 'v1 Baseline', 6);
    await lab.preview(page, 'v2 Unsure means fair', 6);
    const cards = page.getByTestId('prompt-trial-result');
    await expect(cards.count()).resolves.toBe(2);
    for (let i = 0; i < 2; i++) {
      await expect(cards.nth(i).getByTestId('prompt-trial-accuracy').textContent()).resolves.toMatch(
        /^Accuracy \d+% \(95% interval \d+%–\d+%\): \d of 6 right$/,
      );
    }
    // Side by side on the same documents.
    const ids = async (i: number): Promise<string[]> =>
      cards.nth(i).locator('tbody tr td:first-child').allTextContents();
    expect(await ids(0)).toEqual(await ids(1));

    // The exact text of one of them: the task, the added line and the document, inside the chat template.
    const doc = (await ids(0))[0];
    await page.getByTestId('prompt-text-doc').fill(doc);
    await page.getByTestId('prompt-text-version').selectOption({ label: 'v2 Unsure means fair' });
    await page.getByTestId('prompt-text-show').click();
    const text = page.getByTestId('prompt-text');
    await text.waitFor({ timeout: 60_000 });
    await expect(text.textContent()).resolves.toContain('Find clauses that are unfair to consumers.');
    await expect(text.textContent()).resolves.toContain('If unsure, answer fair.');

    // A run with the saved version's prompt records the version.
    await page.getByTestId('teacher-run').click();
    await page
      .locator('[data-testid="teacher-job"] [data-testid="job-row"][data-job-state="completed"]')
      .waitFor({ timeout: 100_000 });
    await expect
      .poll(() => page.getByTestId('teacher-run-version').textContent())
      .toBe('Prompt v2 Unsure means fair');
  }, 300_000);
});
