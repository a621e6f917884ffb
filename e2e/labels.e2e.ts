import { afterEach, describe, expect, it } from 'vitest';
import { openApp, type AppSession } from './harness';
import { app } from './pages';

describe('the label set in the Data step (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('refuses a Review shortcut as a key and a second label with a taken name, saying why, and never says "saved"', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.createProject(page, 'Triage');
    await page.getByTestId('data-tab-labels').click();
    const rows = page.getByTestId('label-row');
    for (const name of ['urgent', 'routine']) {
      await page.getByTestId('label-add').click();
      await rows.last().getByTestId('label-name').fill(name);
    }
    await rows.first().getByTestId('label-hotkey').fill('S');
    await expect(
      page.getByText('The key “S” is taken: in Review it skips to the next document.').count(),
    ).resolves.toBe(1);
    await page.getByTestId('labels-save').click();
    await expect(page.getByTestId('labels-message').textContent()).resolves.toBe(
      'Nothing was saved: fix the labels marked in red first.',
    );
    await rows.first().getByTestId('label-hotkey').fill('u');
    await page.getByTestId('labels-save').click();
    await expect.poll(() => page.getByTestId('labels-message').textContent()).toBe('Labels saved.');

    // A third row named like the first (other case) is refused before it reaches the core, not dropped.
    await page.getByTestId('label-add').click();
    await rows.last().getByTestId('label-name').fill('Urgent');
    await page
      .getByText('Another label already has this name. Give each label its own name.')
      .first()
      .waitFor();
    await page.getByTestId('labels-save').click();
    await expect.poll(() => page.getByTestId('labels-message').textContent()).toMatch(/^Nothing was saved/);
    await page.reload();
    await page.getByTestId('data-tab-labels').click();
    await expect.poll(() => rows.count()).toBe(2);
  });
});
