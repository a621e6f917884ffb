import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { openApp, ROOT, type AppSession } from './harness';
import { app } from './pages';

const CLAUDETTE = join(ROOT, '..', 'shared', 'datasets', 'unfair_tos', 'claudette50_sentences.tsv');

async function pick(page: Page, select: string, option: string): Promise<void> {
  await page.getByTestId(select).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

let session: AppSession | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

it('creates a multi-label project and imports CLAUDETTE with its |-joined labels, previewed as sets first', async () => {
  session = await openApp();
  const { page } = session;
  await app.waitForProjects(page);
  await app.createProject(page, 'Unfair terms', { multiLabel: true });
  await page.getByTestId('data-step').waitFor();
  await page.getByTestId('data-tab-import').click();
  await page.getByTestId('data-file-input').setInputFiles(CLAUDETTE);
  await page.getByTestId('import-preview').waitFor();
  await pick(page, 'map-text', 'text');
  // The column named "labels" is proposed as the label column.
  await expect(page.getByTestId('map-label').inputValue()).resolves.toBe('labels');
  await page.getByTestId('multilabel-import').waitFor();
  await pick(page, 'multilabel-format', 'One column: names separated by a delimiter');
  await expect(page.getByTestId('multilabel-delimiter').inputValue()).resolves.toBe('|');
  // The first sentences of 9gag's terms carry no unfair label: "none of these", read before anything is imported.
  await page.getByTestId('multilabel-preview').waitFor();
  await expect(page.getByTestId('multilabel-preview').textContent()).resolves.toContain('none of these');
  await page.getByTestId('import-start').click();
  await page.getByTestId('import-done').waitFor({ timeout: 120_000 });
  await expect(page.getByTestId('import-done').textContent()).resolves.toMatch(/Limitation of liability/);
  await app.waitForDataTotal(page, 9414);
  await app.backToProjects(page);
  await app.projectCard(page, 'Unfair terms').getByTestId('project-multilabel').waitFor();
}, 240_000);
