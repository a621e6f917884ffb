import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { GoldSummary } from '../src/shared/review';
import { invoke, openApp, type AppSession } from './harness';
import { app } from './pages';
import { insertTeacherOutputs, projectWithData, waitForJob } from './setup';

function annotations(
  dataDir: string,
  projectId: number,
): Array<{ split: string; source: string; n: number }> {
  const db = new Database(join(dataDir, 'distillery.db'), { readonly: true });
  try {
    return db
      .prepare(
        `SELECT e.split, a.source, COUNT(*) AS n FROM annotations a JOIN examples e ON e.id = a.example_id
         WHERE a.retracted_at IS NULL AND a.project_id = ? GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      .all(projectId) as Array<{ split: string; source: string; n: number }>;
  } finally {
    db.close();
  }
}

function bulkCount(dataDir: string, projectId: number): number {
  return annotations(dataDir, projectId)
    .filter((r) => r.source === 'bulk')
    .reduce((n, r) => n + r.n, 0);
}

describe('the teacher never labels the gold test set (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('Enter on a test document records nothing, a chosen key does; bulk accept offers no test split', async () => {
    session = await openApp();
    const { page, server } = session;
    const rows = Array.from({ length: 40 }, (_, i) => ({
      text: `Clause ${i}: the supplier may change prices.`,
    }));
    const project = await projectWithData(server, 'Gold rules', rows);
    insertTeacherOutputs(server.dataDir, project.id);

    await app.waitForProjects(page);
    await app.openProject(page, 'Gold rules');
    await app.goToStep(page, 'review');
    await page.getByTestId('split-select').click();
    await page.getByRole('option', { name: 'Test', exact: true }).click();
    await page.getByTestId('gold-choose').waitFor();
    await expect(page.getByTestId('accept-teacher').isDisabled()).resolves.toBe(true);
    const doc = page.getByTestId('review-doc');
    const first = await doc.getAttribute('data-example-id');
    // Keys go to the review screen, not to the split box that had the focus.
    await doc.click();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(800);
    await expect(doc.getAttribute('data-example-id')).resolves.toBe(first);
    expect(annotations(server.dataDir, project.id)).toEqual([]);

    // The person chooses a label with its key: recorded as theirs, and gold.
    await page.keyboard.press('2');
    await page.locator(`[data-testid="review-doc"]:not([data-example-id="${first}"])`).waitFor();
    // The next document shows before the save is written (saving never holds up showing): wait for the save.
    await expect
      .poll(() => annotations(server.dataDir, project.id), { timeout: 10_000 })
      .toEqual([{ split: 'test', source: 'human', n: 1 }]);

    // Bulk accept: "all splits" means training and validation; there is no test choice.
    await page.getByTestId('review-tab-bulk').click();
    await page.getByTestId('bulk-no-test').waitFor();
    await page.getByTestId('bulk-split').click();
    const options = await page.getByRole('option').allTextContents();
    expect(options).toEqual(['Training and validation', 'Training', 'Validation']);
    await page.keyboard.press('Escape');
    await page.getByTestId('bulk-accept').click();
    await page.getByTestId('bulk-confirm').click();
    const stats = await invoke<{ splits: { train: number; validation: number } }>(server, 'dataset.stats', {
      projectId: project.id,
    });
    await expect
      .poll(() => bulkCount(server.dataDir, project.id), { timeout: 30_000 })
      .toBe(stats.splits.train + stats.splits.validation);
    expect(annotations(server.dataDir, project.id).filter((r) => r.split === 'test')).toEqual([
      { split: 'test', source: 'human', n: 1 },
    ]);

    // The core refuses it too, whatever the client.
    await expect(
      invoke(server, 'review.bulkAccept', {
        projectId: project.id,
        queue: { kind: 'unreviewed', split: 'test' },
        minConfidence: 0.5,
      }),
    ).rejects.toThrow(/test split/);
    const gold = await invoke<GoldSummary>(server, 'review.gold', { projectId: project.id });
    expect(gold.labelled).toBe(1);
    const jobs = await invoke<Array<{ id: number; kind: string }>>(server, 'jobs.list', {
      projectId: project.id,
    });
    for (const j of jobs) await waitForJob(server, j.id);
  });
});
