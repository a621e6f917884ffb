import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { openApp, type AppSession } from './harness';
import { app } from './pages';

async function importFile(page: Page, file: string): Promise<void> {
  await page.getByTestId('data-tab-import').click();
  await page.getByTestId('data-file-input').setInputFiles(file);
  await page.getByTestId('import-preview').waitFor();
  await page.getByTestId('import-start').click();
  await page.getByTestId('import-done').waitFor();
}

describe('train/test leakage is shown (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('a file imported twice puts the same texts in train and test: Data and Evaluate warn, list them, and say why', async () => {
    session = await openApp();
    const { page, server } = session;
    const file = join(server.dataDir, 'clauses.csv');
    const rows = Array.from(
      { length: 40 },
      (_, i) =>
        `"Clause ${i}: the ${['supplier', 'customer', 'agent', 'landlord'][i % 4]} pays ${i * 13} euros",${i % 2 ? 'fair' : 'unfair'}`,
    );
    writeFileSync(file, ['text,label', ...rows].join('\n') + '\n');
    await app.waitForProjects(page);
    await app.createProject(page, 'Leaky');
    await importFile(page, file);
    await page.getByTestId('leakage-warning').waitFor({ state: 'detached' });
    await importFile(page, file);
    await page.getByTestId('data-tab-split').click();
    await page.getByTestId('split-apply').click();

    const warning = page.getByTestId('leakage-warning');
    await warning.waitFor();
    const count = Number(await warning.getAttribute('data-count'));
    expect(count).toBeGreaterThan(0);
    expect(Number(await warning.getAttribute('data-exact'))).toBe(count);
    await expect(warning.textContent()).resolves.toContain('never seen');
    await page.getByTestId('leakage-show').click();
    await expect.poll(() => page.getByTestId('leakage-pair').count()).toBe(count);

    await app.goToStep(page, 'evaluate');
    await expect(page.getByTestId('leakage-warning').getAttribute('data-count')).resolves.toBe(String(count));
    await app.setLanguage(page, '简体中文');
    await page.getByText('测试文档也出现在训练数据中').waitFor();
    await expect(page.getByTestId('leakage-warning').textContent()).resolves.toContain('过于乐观');
  });
});
