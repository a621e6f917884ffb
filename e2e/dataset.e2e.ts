import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { invoke, openApp, type AppSession } from './harness';
import { app } from './pages';

/** What a person does on the Data step. */
const data = {
  async tab(page: Page, name: 'import' | 'browse' | 'labels' | 'clean' | 'split'): Promise<void> {
    await page.getByTestId(`data-tab-${name}`).click();
    await page.getByTestId(`${name}-panel`).waitFor();
  },
  async importFile(page: Page, file: string): Promise<void> {
    await data.tab(page, 'import');
    await page.getByTestId('data-file-input').setInputFiles(file);
    await page.getByTestId('import-preview').waitFor();
  },
  /** Types a search and returns the count once the table has settled on it. */
  async search(page: Page, text: string): Promise<number> {
    await page.getByTestId('browse-search').fill(text);
    const count = page.getByTestId('browse-count');
    let last = '';
    let stable = 0;
    // The search is debounced: wait until the count has been the same, and known, for a while.
    for (let i = 0; i < 100 && stable < 4; i++) {
      await page.waitForTimeout(150);
      const now = (await count.getAttribute('data-count')) ?? '';
      stable = now !== '' && now === last ? stable + 1 : 0;
      last = now;
    }
    return Number(last);
  },
};

describe('data step (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a malformed CSV, then imports one, maps columns, cleans, searches in Chinese and English, splits and locks the test split', async () => {
    dir = mkdtempSync(join(tmpdir(), 'distillery-e2e-data-'));
    const rows = ['note,category'];
    for (let i = 0; i < 30; i++) rows.push(`"Patient ${i} reports chest pain, mild",cardio`);
    for (let i = 0; i < 30; i++) rows.push(`患者${i}号反复头痛三天,neuro`);
    rows.push('"Patient 0 reports chest pain, mild",cardio');
    const file = join(dir, 'notes.csv');
    writeFileSync(file, rows.join('\n') + '\n');
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'text,label\nfine,a\n"never closed,b\nmore,a\n');

    session = await openApp();
    const { page, server } = session;
    await app.waitForProjects(page);
    await app.createProject(page, 'Ward notes');
    await page.getByTestId('data-step').waitFor();

    // A malformed row: reported with its line, and the aborted import changes nothing.
    await data.importFile(page, broken);
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-error').waitFor();
    await expect(page.getByTestId('import-error').textContent()).resolves.toMatch(/Line 3 of broken\.csv/);
    await expect(page.getByTestId('data-summary').getAttribute('data-total')).resolves.toBe('0');
    // The same failure read in Chinese: the failed job carries its message's key, so the UI words it itself.
    await app.setLanguage(page, '简体中文');
    await data.importFile(page, broken);
    await page.getByTestId('import-start').click();
    await expect
      .poll(async () => (await page.getByTestId('import-error').allTextContents()).join('\n'))
      .toMatch(/broken\.csv.*[\u4e00-\u9fff]/);
    const texts = await page.getByTestId('import-error').allTextContents();
    expect(texts.some((x) => x.includes('Nothing was imported'))).toBe(false);
    await app.setLanguage(page, 'English');

    await data.importFile(page, file);
    await expect(page.getByTestId('import-detected').textContent()).resolves.toContain('utf-8');
    // The text column was recognised by its content; map the label column by hand.
    await page.getByTestId('map-label').click();
    await page.getByRole('option', { name: 'category' }).click();
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-done').waitFor();
    await expect(page.getByTestId('import-done').textContent()).resolves.toContain('61');
    await app.waitForDataTotal(page, 61);

    await data.tab(page, 'clean');
    await page.getByTestId('clean-preview').click();
    await expect(page.getByTestId('clean-result').getAttribute('data-excluded')).resolves.toBe('1');
    await page.getByTestId('clean-apply').click();
    await page.getByTestId('clean-message').waitFor();

    await data.tab(page, 'browse');
    expect(await data.search(page, '头痛')).toBe(30);
    expect(await data.search(page, '12号反复')).toBe(1);
    expect(await data.search(page, 'chest pain')).toBe(30);
    await expect(page.getByTestId('browse-row').first().textContent()).resolves.toContain('chest pain');

    await data.tab(page, 'split');
    await page.getByTestId('split-apply').click();
    await page.locator('[data-testid="split-count-test"]', { hasText: /^6$/ }).waitFor();
    await page.getByTestId('lock-test').click({ force: true });
    await page.getByTestId('test-locked-badge').waitFor();
    await expect(page.getByTestId('split-lock-state').getAttribute('data-locked')).resolves.toBe('true');
    const projects = await invoke<Array<{ id: number; name: string }>>(server, 'projects.list');
    const id = projects.find((p) => p.name === 'Ward notes')?.id;
    const stats = await invoke<{ testLocked: boolean; splits: { test: number } }>(server, 'dataset.stats', {
      projectId: id,
    });
    expect(stats).toMatchObject({ testLocked: true, splits: { test: 6 } });

    // The lock survives a reload.
    await page.reload();
    await page.getByTestId('test-locked-badge').waitFor();
  });
});
