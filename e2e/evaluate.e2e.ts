import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { EvaluationOverview } from '../src/shared/evaluation';
import type { Job } from '../src/shared/jobs';
import type { Project } from '../src/shared/projects';
import { invoke, openApp, type AppSession, type ServerHandle } from './harness';
import { app } from './pages';

const DEMO = 'Demo: unfair contract terms';

/** What a person does on the Evaluate step, in the words of the test. */
const evaluate = {
  async runModel(page: Page, modelKey: string): Promise<void> {
    const row = page.locator(`[data-testid="eval-run-row"][data-model="${modelKey}"]`);
    await row.getByTestId('eval-evaluate').click();
    await page.locator(`[data-testid="eval-detail"][data-model="${modelKey}"]`).waitFor({ timeout: 60_000 });
  },
  async openTab(page: Page, tab: string): Promise<void> {
    await page.getByTestId(`eval-tab-${tab}`).click();
  },
  /** The first off-diagonal confusion cell with documents (a model's mistakes), else the first cell with any. */
  async busiestMistake(page: Page): Promise<{ gold: string; pred: string; count: number }> {
    const cells = page.getByTestId('confusion-cell');
    const n = await cells.count();
    let fallback: { gold: string; pred: string; count: number } | null = null;
    for (let i = 0; i < n; i++) {
      const cell = cells.nth(i);
      const count = Number(await cell.textContent());
      const gold = (await cell.getAttribute('data-gold')) ?? '';
      const pred = (await cell.getAttribute('data-pred')) ?? '';
      if (count > 0 && gold !== pred) return { gold, pred, count };
      if (count > 0 && !fallback) fallback = { gold, pred, count };
    }
    if (!fallback) throw new Error('the confusion matrix is empty');
    return fallback;
  },
};

async function trainDemoStudent(server: ServerHandle): Promise<{ projectId: number; runId: number }> {
  const projects = await invoke<Project[]>(server, 'projects.list');
  const demo = projects.find((p) => p.name === DEMO);
  if (!demo) throw new Error('no demo project');
  const started = await invoke<{ run: { id: number }; job: Job }>(server, 'student.train', {
    projectId: demo.id,
    settings: { useTeacher: false, maxEpochs: 2 },
  });
  for (;;) {
    const job = await invoke<Job>(server, 'jobs.get', { jobId: started.job.id });
    if (job.state === 'completed') break;
    if (job.state === 'failed' || job.state === 'cancelled')
      throw new Error(`training ${job.state}: ${job.error}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { projectId: demo.id, runId: started.run.id };
}

/** Reads a binary PPM (P6) as pdftoppm writes it. */
function readPpm(file: string): { width: number; height: number; rgb: Buffer } {
  const buf = readFileSync(file);
  const header: string[] = [];
  let pos = 0;
  while (header.length < 4) {
    while (/\s/.test(String.fromCharCode(buf[pos]))) pos++;
    let token = '';
    while (!/\s/.test(String.fromCharCode(buf[pos]))) token += String.fromCharCode(buf[pos++]);
    header.push(token);
  }
  pos++;
  if (header[0] !== 'P6') throw new Error(`not a binary PPM: ${header[0]}`);
  return { width: Number(header[1]), height: Number(header[2]), rgb: buf.subarray(pos) };
}

/** Pixels of the charts' colours: the confusion heatmap / ROC blue (#1c7ed6 and tints) and the second curve's orange. */
function chartPixels(rgb: Buffer): { blue: number; orange: number; ink: number } {
  let blue = 0;
  let orange = 0;
  let ink = 0;
  for (let i = 0; i + 2 < rgb.length; i += 3) {
    const [r, g, b] = [rgb[i], rgb[i + 1], rgb[i + 2]];
    if (r < 250 || g < 250 || b < 250) ink++;
    if (b > 150 && b - r > 60) blue++;
    if (r > 180 && r - b > 100 && g < 140) orange++;
  }
  return { blue, orange, ink };
}

const hasPoppler = spawnSync('pdftoppm', ['-v'], { stdio: 'ignore' }).status === 0;

describe('Evaluate step (browser mode, real Chromium, a student trained on the demo project)', () => {
  let session: AppSession | null = null;
  let scratch: string | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    scratch = null;
  });

  it('evaluates the student, drills into a confusion cell, sets an operating point and exports a PDF with charts, and the report in Chinese', async () => {
    session = await openApp();
    const { page, server } = session;
    const { projectId, runId } = await trainDemoStudent(server);
    const modelKey = `student-${runId}`;

    await app.waitForProjects(page);
    await app.openProject(page, DEMO);
    await app.goToStep(page, 'evaluate');
    await evaluate.runModel(page, modelKey);
    await expect(page.getByTestId('per-class-table').textContent()).resolves.toContain('unfair');

    // A confusion cell leads to exactly the documents behind its number, with the model's distribution.
    await evaluate.openTab(page, 'confusion');
    const cell = await evaluate.busiestMistake(page);
    await page
      .locator(`[data-testid="confusion-cell"][data-gold="${cell.gold}"][data-pred="${cell.pred}"]`)
      .click();
    const total = page.getByTestId('eval-documents-total');
    await total.waitFor();
    await expect(total.getAttribute('data-total')).resolves.toBe(String(cell.count));
    const docs = page.getByTestId('eval-document');
    await docs.first().waitFor();
    await expect.poll(() => docs.count()).toBe(Math.min(cell.count, 200));
    await expect.poll(() => docs.first().getByTestId('eval-distribution').count()).toBeGreaterThanOrEqual(1);
    const exampleId = Number(await docs.first().getAttribute('data-example-id'));
    await docs.first().getByTestId('eval-doc-check').click();
    await page.getByTestId('eval-send-review').click();
    await docs.first().getByTestId('eval-in-queue').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('eval-review-requests').waitFor();

    // The curves: drawn through a few of their own points (not one per threshold), with axis titles and a legend.
    await evaluate.openTab(page, 'curves');
    const roc = page.getByTestId('roc-chart');
    await roc.waitFor();
    const drawn = await roc.locator('[data-testid="curve-point"]').count();
    const ev = await invoke<{ perClass: Array<{ roc: unknown[] | null }> }>(server, 'evaluation.get', {
      projectId,
      model: { kind: 'student', runId },
    });
    const all = ev.perClass.reduce((a, c) => a + (c.roc?.length ?? 0), 0);
    expect(drawn).toBeGreaterThan(ev.perClass.length);
    expect(drawn).toBeLessThanOrEqual(all);
    await expect(roc.getByTestId('axis-y').textContent()).resolves.toBeTruthy();
    await expect(page.getByTestId('chart-legend').first().textContent()).resolves.toContain('AUC');

    // Operating point: the "unfair" class at a target recall of 0.8, saved with the model.
    await evaluate.openTab(page, 'operating');
    const target = page.getByTestId('op-target');
    await target.fill('0.8');
    await target.blur();
    const result = page.locator('[data-testid="op-result"][data-by="recall"][data-target="0.8"]');
    await result.waitFor();
    const tp = Number(await page.getByTestId('op-tp').textContent());
    const fn = Number(await page.getByTestId('op-fn').textContent());
    expect(tp / (tp + fn)).toBeGreaterThanOrEqual(0.8);
    await page.getByTestId('op-save').click();
    await page.getByTestId('op-saved').waitFor();
    const overview = await invoke<EvaluationOverview>(server, 'evaluation.overview', { projectId });
    const saved = overview.candidates.find(
      (c) => c.model.kind === 'student' && c.model.runId === runId,
    )?.threshold;
    expect(saved).toMatchObject({ label: 'unfair', by: 'recall', target: 0.8 });
    expect(Number(await result.getAttribute('data-threshold'))).toBeCloseTo(
      saved?.threshold ?? Number.NaN,
      12,
    );
    expect(overview.reviewRequests).toBe(1);
    const queued = await invoke<{ items: Array<{ exampleId: number; inReviewQueue: boolean }> }>(
      server,
      'evaluation.documents',
      {
        projectId,
        model: { kind: 'student', runId },
        filter: { kind: 'cell', gold: Number(cell.gold), predicted: Number(cell.pred) },
      },
    );
    expect(queued.items.find((d) => d.exampleId === exampleId)?.inReviewQueue).toBe(true);

    // The report, exported as PDF, has its charts drawn (rendered to pixels by poppler).
    await evaluate.openTab(page, 'report');
    await page.getByTestId('report-pdf').click();
    const reportPath = page.getByTestId('report-path');
    await reportPath.waitFor({ timeout: 60_000 });
    const pdf = (await reportPath.getAttribute('data-path')) ?? '';
    expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // In Chinese, the report is written in Chinese.
    await app.setLanguage(page, '简体中文');
    await page.getByTestId('report-html').click();
    await expect.poll(() => reportPath.getAttribute('data-path')).toMatch(/-zh-CN\.html$/);
    const zhReport = readFileSync((await reportPath.getAttribute('data-path')) ?? '', 'utf8');
    expect(zhReport).toContain('<html lang="zh-CN">');
    expect(zhReport).toContain('<h2>金标准测试集上的指标</h2>');
    expect(zhReport).not.toContain('Known limitations');
    await app.setLanguage(page, 'English');
    if (!hasPoppler) return;
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
    for (const title of [
      'Confusion matrix',
      'ROC one-vs-rest',
      'Precision-recall',
      'Reliability',
      'Training loss',
    ])
      expect(text).toContain(title);
    scratch = mkdtempSync(join(tmpdir(), 'distillery-e2e-pdf-'));
    execFileSync('pdftoppm', ['-r', '40', pdf, join(scratch, 'page')]);
    const pages = readdirSync(scratch).filter((f) => f.endsWith('.ppm'));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    const counts = pages.map((f) => chartPixels(readPpm(join(scratch!, f)).rgb));
    // The heatmap and the ROC/PR curves put many blue and orange pixels on some page; text alone is grey.
    expect(Math.max(...counts.map((c) => c.blue))).toBeGreaterThan(300);
    expect(Math.max(...counts.map((c) => c.orange))).toBeGreaterThan(30);
    for (const c of counts) expect(c.ink).toBeGreaterThan(0);
  });
});
