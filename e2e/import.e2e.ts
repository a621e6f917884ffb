import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { openApp, type AppSession } from './harness';
import { app } from './pages';

async function chooseFile(page: Page, file: string): Promise<void> {
  await page.getByTestId('data-tab-import').click();
  await page.getByTestId('data-file-input').setInputFiles(file);
  await page.getByTestId('import-preview').waitFor();
}

async function pick(page: Page, select: string, option: string): Promise<void> {
  await page.getByTestId(select).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

let session: AppSession | null = null;
let dir: string | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('preselects "no header" for a CSV without one, reads a split column, and asks before re-importing known ids', async () => {
  dir = mkdtempSync(join(tmpdir(), 'distillery-e2e-import-'));
  const rows: string[] = [];
  for (let i = 0; i < 20; i++) {
    rows.push(
      `${100 + i},"Patient ${i} reports chest pain after walking uphill, twice",${i % 2 ? 'cardiac' : 'other'},${i < 14 ? 'train' : i < 17 ? 'dev' : 'test'}`,
    );
  }
  const file = join(dir, 'notes without header.csv');
  writeFileSync(file, rows.join('\n') + '\n');

  session = await openApp();
  const { page } = session;
  await app.waitForProjects(page);
  await app.createProject(page, 'Headerless');
  await page.getByTestId('data-step').waitFor();

  await chooseFile(page, file);
  // The first row is data: "no header" is preselected, said next to the checkbox, and the first row is a row.
  await expect(page.getByTestId('import-has-header').isChecked()).resolves.toBe(false);
  await expect(page.getByTestId('import-panel').textContent()).resolves.toMatch(/first row looks like data/);
  await expect(page.getByTestId('import-preview').textContent()).resolves.toContain('Patient 0 reports');
  await pick(page, 'map-text', 'column_2');
  await pick(page, 'map-label', 'column_3');
  await pick(page, 'map-id', 'column_1');
  await pick(page, 'map-split', 'column_4');
  await page.getByTestId('import-start').click();
  await page.getByTestId('import-done').waitFor();
  await expect(page.getByTestId('import-done').textContent()).resolves.toMatch(
    /train 14, validation 3, test 3/,
  );
  await app.waitForDataTotal(page, 20);

  // The same file again, ids mapped: the person is asked, chooses skip, and nothing is duplicated.
  await chooseFile(page, file);
  await pick(page, 'map-text', 'column_2');
  await pick(page, 'map-id', 'column_1');
  await page.getByTestId('import-start').click();
  await page.getByTestId('existing-skip').click();
  await page.getByTestId('import-existing-result').waitFor();
  await expect(page.getByTestId('import-existing-result').textContent()).resolves.toMatch(
    /20 rows .* skipped/,
  );
  await app.waitForDataTotal(page, 20);
}, 180_000);
