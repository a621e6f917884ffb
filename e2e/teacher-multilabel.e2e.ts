import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { tinyModelPath } from '../tests/fixtures/gguf/generate';
import { claudetteSubset } from '../tests/teacher/multilabelFixture';
import { openApp, type AppSession } from './harness';
import { app } from './pages';

async function pick(page: Page, select: string, option: string): Promise<void> {
  await page.getByTestId(select).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** Each label's percentage in every group of independent bars inside `scope`. */
async function bars(page: Page, scope: string): Promise<number[][]> {
  const groups = page.locator(`[data-testid="${scope}"] [data-testid="teacher-label-probabilities"]`);
  const out: number[][] = [];
  for (let i = 0; i < (await groups.count()); i++) {
    const texts = await groups.nth(i).getByTestId('teacher-label-prob').allTextContents();
    out.push(texts.map((x) => Number.parseFloat(x)));
  }
  return out;
}

let session: AppSession | null = null;
let dir: string | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

it('runs the teacher on a multi-label CLAUDETTE subset and shows independent per-label bars, calibration and check', async () => {
  dir = mkdtempSync(join(tmpdir(), 'distillery-e2e-ml-teacher-'));
  const rows = claudetteSubset();
  const file = join(dir, 'claudette-subset.tsv');
  writeFileSync(
    file,
    ['text\tlabels\tsplit', ...rows.map((r) => `${r.text}\t${r.labels.join('|')}\t${r.split}`)].join('\n'),
  );
  session = await openApp();
  const { page } = session;
  await app.waitForProjects(page);
  await app.createProject(page, 'Unfair terms, several labels', { multiLabel: true });
  await page.getByTestId('data-step').waitFor();
  await page.getByTestId('data-tab-import').click();
  await page.getByTestId('data-file-input').setInputFiles(file);
  await page.getByTestId('import-preview').waitFor();
  await pick(page, 'map-text', 'text');
  await page.getByTestId('multilabel-import').waitFor();
  await pick(page, 'multilabel-format', 'One column: names separated by a delimiter');
  await page.getByTestId('import-start').click();
  await page.getByTestId('import-done').waitFor({ timeout: 120_000 });

  await app.goToStep(page, 'teacher');
  await page.getByTestId('teacher-import-input').setInputFiles(tinyModelPath());
  await page.getByTestId('teacher-model').first().waitFor({ timeout: 60_000 });
  // The multi-label template asks one yes/no question per label; reasoning mode is for single-label projects.
  await expect(page.getByTestId('teacher-template').inputValue()).resolves.toContain('{{label}}');
  await page.getByTestId('teacher-multi-mode-hint').waitFor();

  await page.getByTestId('teacher-preview').click();
  await page.getByTestId('teacher-preview-item').first().waitFor({ timeout: 60_000 });
  const preview = await bars(page, 'teacher-preview-results');
  expect(preview).toHaveLength(5);
  expect(
    await page
      .locator('[data-testid="teacher-preview-results"] [data-testid="teacher-distribution"]')
      .count(),
  ).toBe(0);
  for (const group of preview) {
    expect(group).toHaveLength(3);
    for (const p of group) expect(p >= 0 && p <= 100).toBe(true);
  }
  // Independent: the bars of a sentence need not add up to 100%.
  expect(preview.some((g) => Math.abs(g.reduce((a, b) => a + b, 0) - 100) > 1)).toBe(true);

  await page.getByTestId('teacher-run').click();
  await page
    .locator('[data-testid="teacher-job"] [data-testid="job-row"][data-job-state="completed"]')
    .waitFor({ timeout: 200_000 });
  await expect.poll(() => page.getByTestId('teacher-output').count(), { timeout: 30_000 }).toBe(rows.length);
  const outputs = await bars(page, 'teacher-outputs');
  expect(outputs).toHaveLength(rows.length);
  for (const group of outputs) expect(group).toHaveLength(3);
  // Per-label calibration: "Unilateral change" has enough validation documents, the other two do not, and say so.
  const calibration = page.getByTestId('teacher-label-calibration');
  await expect.poll(() => calibration.count()).toBe(3);
  await page
    .locator('[data-testid="teacher-label-calibration"][data-calibrated="true"]')
    .getByText(/Unilateral change/)
    .waitFor();
  await expect(
    page.locator('[data-testid="teacher-label-calibration"][data-calibrated="false"]').first().textContent(),
  ).resolves.toMatch(/needs 5 of each/);
  // The check, label by label.
  await page.getByTestId('teacher-label-check').getByTestId('teacher-check-verdict').waitFor();
  await expect.poll(() => page.getByTestId('teacher-label-check-row').count()).toBe(3);
}, 400_000);
