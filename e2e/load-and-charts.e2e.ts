import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../src/shared/jobs';
import type { Project } from '../src/shared/projects';
import { invoke, launchBrowser, startServer, uploadFile, type ServerHandle } from './harness';
import { app } from './pages';

const LABELS = Array.from({ length: 14 }, (_, i) => `Department ${String.fromCharCode(65 + i)}`);

describe('first load and the data charts (browser mode, real Chromium)', () => {
  let server: ServerHandle | null = null;
  let browser: Browser | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await browser?.close();
    await server?.stop();
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
    server = browser = dir = null;
  });

  it('loads with no console error (frame-ancestors comes as a header), and names all 14 labels in the examples-per-label chart with a legend of the splits', async () => {
    server = await startServer();
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const response = await page.goto(server.openUrl);
    // The server sends the page's whole policy as a header (src/main/server: PAGE_CSP), frame-ancestors included.
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(meta).toContain("default-src 'self'");
    expect(meta).not.toContain('frame-ancestors');
    await app.waitForProjects(page);
    await page.waitForTimeout(1000);
    expect(errors).toEqual([]);

    // A project with 14 labels, imported as a person would from a CSV.
    dir = mkdtempSync(join(tmpdir(), 'distillery-e2e-csv-'));
    const csv = join(dir, 'departments.csv');
    const rows = LABELS.flatMap((l, i) => [0, 1, 2, 3].map((k) => `"Referral ${i}-${k} for ${l}",${l}`));
    writeFileSync(csv, ['text,label', ...rows].join('\n'));
    const project = await invoke<Project>(server, 'projects.create', { name: 'Referrals' });
    let job = await invoke<Job>(server, 'dataset.import', {
      projectId: project.id,
      path: await uploadFile(server, csv),
      textColumn: 'text',
      labelColumn: 'label',
    });
    while (!['completed', 'failed'].includes(job.state)) {
      await new Promise((r) => setTimeout(r, 200));
      job = await invoke<Job>(server, 'jobs.get', { jobId: job.id });
    }
    expect(job.state, job.error ?? '').toBe('completed');
    await page.reload();
    await app.openProject(page, 'Referrals');
    await page.getByTestId('data-tab-browse').click();
    const chart = page.getByTestId('chart-per-label');
    // Every label is written on the axis (none skipped), whatever the order.
    const texts = chart.locator('svg text');
    await expect
      .poll(async () => (await texts.allTextContents()).filter((x) => x.startsWith('Department')).sort(), {
        timeout: 30_000,
      })
      .toEqual(LABELS);
    // The legend names the split colours.
    for (const split of ['Train', 'Validation', 'Test']) {
      await chart.getByText(split, { exact: true }).first().waitFor();
    }
    expect(errors).toEqual([]);
  });
});
