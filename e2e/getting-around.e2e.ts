import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { openApp, type AppSession } from './harness';
import { app } from './pages';

/** Drops files onto an element as a person dragging them from the file manager does (a real DataTransfer). */
async function dropFiles(
  page: Page,
  testId: string,
  files: ReadonlyArray<{ name: string; type: string; content: string }>,
): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    // Runs in the page; the e2e sources are type-checked without the DOM library.
    const w = globalThis as unknown as {
      DataTransfer: new () => { items: { add: (file: unknown) => void } };
      File: new (parts: string[], name: string, opts: { type: string }) => unknown;
    };
    const dt = new w.DataTransfer();
    for (const f of list) dt.items.add(new w.File([f.content], f.name, { type: f.type }));
    return dt;
  }, files);
  await page.getByTestId(testId).dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId(testId).dispatchEvent('drop', { dataTransfer });
}

describe('getting around (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('opens a document from Browse in the reader: full text, the label people gave and its history', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.openProject(page, 'Demo: unfair contract terms');
    await app.goToStep(page, 'data');
    const row = page.getByTestId('browse-row').first();
    await row.waitFor();
    const text = await row.getByTestId('browse-text').getAttribute('title');
    const id = await row.getAttribute('data-example-id');
    await row.getByTestId('browse-open').click();
    const reader = page.getByTestId('reader-text');
    await reader.waitFor();
    expect(await reader.textContent()).toBe(text);
    await expect(page.getByText(`Document ${id}`).count()).resolves.toBe(1);
    // The demo's labels were imported: the history names who gave the label and how.
    await page.getByTestId('reader-history').waitFor();
    await expect(page.getByTestId('reader-history').textContent()).resolves.toContain('imported');
    await expect(page.getByTestId('reader-human-label').textContent()).resolves.toMatch(/\S/);
    // No teacher or student yet: the reader says where they come from.
    await expect(page.getByTestId('reader-no-teacher').textContent()).resolves.toContain('Teacher step');
    await page.getByTestId('reader-no-student').waitFor();
  }, 120_000);

  it('opens the document being labelled in the reader from Review; label keys wait while it is open', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.openProject(page, 'Demo: unfair contract terms');
    await app.goToStep(page, 'review');
    const doc = page.getByTestId('review-doc');
    await doc.waitFor();
    const id = await doc.getAttribute('data-example-id');
    const text = await doc.textContent();
    await page.getByTestId('review-open-reader').click();
    const reader = page.getByTestId('reader-text');
    await reader.waitFor();
    expect(await reader.textContent()).toBe(text);
    await expect(page.getByRole('dialog').getByText(`Document ${id}`).count()).resolves.toBe(1);
    // Not labelled by a person yet (the unreviewed queue), and no teacher run: the reader says so.
    await expect(page.getByTestId('reader-human-label').textContent()).resolves.toMatch(/\S/);
    await page.getByTestId('reader-no-teacher').waitFor();
    // A label key pressed while reading labels nothing and moves nowhere.
    await page.keyboard.press('1');
    await page.keyboard.press('Escape');
    await reader.waitFor({ state: 'detached' });
    await expect(doc.getAttribute('data-example-id')).resolves.toBe(id);
  }, 120_000);

  it('imports a file dropped onto the import area, and refuses a file type it cannot read with clear words', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.createProject(page, 'Dropped files');
    await page.getByTestId('import-panel').waitFor();

    await dropFiles(page, 'import-panel', [{ name: 'photo.png', type: 'image/png', content: 'not text' }]);
    await expect(page.getByTestId('import-error').textContent()).resolves.toContain(
      '"photo.png" is not a file Distillery imports',
    );

    await dropFiles(page, 'import-panel', [
      { name: 'a.csv', type: 'text/csv', content: 'text\none' },
      { name: 'b.csv', type: 'text/csv', content: 'text\ntwo' },
    ]);
    await expect(page.getByTestId('import-error').textContent()).resolves.toContain('2 files were dropped');

    const csv = 'text,label\nThe lease ends in May.,fair\nWe may keep your deposit for any reason.,unfair\n';
    await dropFiles(page, 'import-panel', [{ name: 'clauses.csv', type: 'text/csv', content: csv }]);
    await expect(page.getByTestId('import-dropped').textContent()).resolves.toMatch(
      /^Dropped: clauses\.csv \(/,
    );
    await expect(page.getByTestId('import-detected').textContent()).resolves.toContain('clauses.csv');
    await page.getByTestId('import-preview').waitFor();
    await expect(page.getByTestId('import-error').count()).resolves.toBe(0);
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-done').waitFor({ timeout: 60_000 });
  }, 120_000);

  it("an empty state's button opens the step that fills it", async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.createProject(page, 'Nothing yet');
    await app.goToStep(page, 'review');
    await page.getByTestId('review-no-labels').waitFor();
    await page.getByTestId('go-to-data').click();
    await page.getByTestId('step-panel-data').waitFor();
    await page.getByTestId('import-panel').waitFor();

    await app.goToStep(page, 'evaluate');
    await page.getByTestId('go-to-train').first().click();
    await page.getByTestId('step-panel-train').waitFor();

    await app.goToStep(page, 'export');
    await page.getByTestId('export-no-model').getByTestId('go-to-train').click();
    await page.getByTestId('step-panel-train').waitFor();

    // With documents but no teacher run, bulk accept has nothing to take: its button opens the Teacher step.
    await app.goToStep(page, 'data');
    const csv = 'text,label\nThe lease ends in May.,fair\nWe may keep your deposit for any reason.,unfair\n';
    await dropFiles(page, 'import-panel', [{ name: 'clauses.csv', type: 'text/csv', content: csv }]);
    await page.getByTestId('import-preview').waitFor();
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-done').waitFor({ timeout: 60_000 });
    await app.goToStep(page, 'review');
    await page.getByTestId('review-tab-bulk').click();
    await page.getByTestId('bulk-no-teacher').getByTestId('go-to-teacher').click();
    await page.getByTestId('step-panel-teacher').waitFor();
  }, 180_000);
});
