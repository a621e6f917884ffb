import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import type { Job } from '../src/shared/jobs';
import type { MultiLabelEvaluation, MultiLabelOverview } from '../src/shared/multilabelEvaluation';
import type { Project } from '../src/shared/projects';
import { judgeMultiLabelTarget } from '../src/shared/target';
import { writeEvaluationSubset } from '../tests/evaluation/multilabelFixture';
import { invoke, openApp, uploadFile, type AppSession, type ServerHandle } from './harness';
import { app } from './pages';
import { waitForJob } from './setup';

const PROJECT = 'Unfair terms, evaluated';

async function pick(page: Page, select: string, option: string): Promise<void> {
  await page.getByTestId(select).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function fill(page: Page, testId: string, value: string, nth = 0): Promise<void> {
  const input = page.getByTestId(testId).nth(nth);
  await input.fill(value);
  await input.blur();
}

/** A multi-label project from a small CLAUDETTE subset with its splits, and a sparse student trained on it. */
async function trainedProject(
  server: ServerHandle,
  dir: string,
): Promise<{ projectId: number; runId: number }> {
  const { path } = writeEvaluationSubset(dir, { perLabel: 30, none: 40 });
  const project = await invoke<Project>(server, 'projects.create', { name: PROJECT, kind: 'multi' });
  const imported = await invoke<Job>(server, 'dataset.import', {
    projectId: project.id,
    path: await uploadFile(server, path),
    textColumn: 'text',
    labelColumn: 'labels',
    splitColumn: 'split',
    multiLabel: { format: 'list', delimiter: '|' },
  });
  expect((await waitForJob(server, imported.id)).state).toBe('completed');
  const started = await invoke<{ run: { id: number }; job: Job }>(server, 'student.train', {
    projectId: project.id,
    settings: { auto: false, maxEpochs: 4 },
  });
  const trained = await waitForJob(server, started.job.id);
  expect(trained.state, trained.error ?? '').toBe('completed');
  return { projectId: project.id, runId: started.run.id };
}

let session: AppSession | null = null;
let dir: string | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

it('evaluates a multi-label student: per-label figures, a verdict, curves, co-occurrence, thresholds tuned on validation, the report in both languages', async () => {
  dir = mkdtempSync(join(tmpdir(), 'distillery-e2e-ml-eval-'));
  session = await openApp();
  const { page, server } = session;
  const { projectId, runId } = await trainedProject(server, dir);
  const overview = await invoke<MultiLabelOverview>(server, 'evaluation.multiOverview', { projectId });

  // The page opened before the project was made through the contract: it lists it once reloaded.
  await page.reload();
  await app.waitForProjects(page);
  await app.openProject(page, PROJECT);
  await app.goToStep(page, 'evaluate');
  await page.locator('[data-testid="evaluate-step"][data-kind="multi"]').waitFor();
  await expect(page.getByTestId('eval-gold-count').getAttribute('data-count')).resolves.toBe(
    String(overview.goldCount),
  );
  await page.getByTestId('eval-gold-none').waitFor();
  await page.getByTestId('eval-evaluate').click();
  await page
    .locator(`[data-testid="eval-detail"][data-model="student-${runId}"]`)
    .waitFor({ timeout: 60_000 });
  const e = await invoke<MultiLabelEvaluation>(server, 'evaluation.multiGet', { projectId, runId });

  // Headline figures with their interval, each name explained in a sentence; a row per label at its threshold.
  const micro = page.getByTestId('metric-microF1');
  await expect(micro.getByTestId('metric-value').textContent()).resolves.toBe(e.microF1.value?.toFixed(3));
  await expect(micro.getByTestId('metric-interval').textContent()).resolves.toContain(
    e.microF1.low?.toFixed(3),
  );
  await expect(
    page.getByTestId('metric-name-hammingLoss').first().getAttribute('aria-description'),
  ).resolves.toMatch(/decisions .* wrong/);
  const rows = page.getByTestId('per-label-row');
  await expect.poll(() => rows.count()).toBe(e.labels.length);
  for (const l of e.perLabel) {
    const row = page.locator(`[data-testid="per-label-row"][data-label="${l.label}"]`);
    await expect(row.getByTestId('per-label-threshold').textContent()).resolves.toBe(l.threshold.toFixed(3));
    await expect(row.getByTestId('per-label-support').textContent()).resolves.toContain(String(l.support));
  }

  // A target on one label's recall: the verdict the shared judge gives.
  const label = e.perLabel.reduce((a, b) => (b.support > a.support ? b : a)).label;
  await pick(page, 'eval-target-metric', 'Recall');
  await pick(page, 'eval-target-label', label);
  await fill(page, 'eval-target-min', '0.95');
  const verdict = judgeMultiLabelTarget(e, { metric: 'recall', label, min: 0.95 }).verdict;
  await page.locator(`[data-testid="eval-target-verdict"][data-verdict="${verdict}"]`).waitFor();
  await expect(page.getByTestId('eval-target-why').textContent()).resolves.toContain(label);

  // ROC and PR per label: every label with a legend entry, or one label alone.
  await page.getByTestId('eval-tab-curves').click();
  const roc = page.getByTestId('roc-chart');
  await roc.waitFor();
  expect(await roc.locator('[data-testid="curve-point"]').count()).toBeGreaterThan(e.labels.length);
  await expect(roc.getByTestId('axis-y').textContent()).resolves.toBe('Recall');
  const legend = page.getByTestId('chart-legend').first();
  await expect(legend.textContent()).resolves.toContain('AUC');
  await pick(page, 'curve-label', label);
  await expect.poll(async () => (await legend.textContent())?.match(/AUC/g)?.length).toBe(1);
  await expect(legend.textContent()).resolves.toContain(label);

  // Co-occurrence: the gold matrix's diagonal is each label's gold documents.
  await page.getByTestId('eval-tab-coOccurrence').click();
  const gold = page.getByTestId('co-occurrence-gold-matrix');
  await gold.waitFor();
  for (let k = 0; k < e.labels.length; k++)
    await expect(
      gold.locator(`[data-testid="co-occurrence-cell"][data-row="${k}"][data-column="${k}"]`).textContent(),
    ).resolves.toBe(String(e.perLabel[k].support));
  await page.getByTestId('co-occurrence-predicted-matrix').waitFor();

  // Thresholds: tune one label on validation to recall 1, saved with the model and evaluated again.
  await page.getByTestId('eval-tab-thresholds').click();
  await pick(page, 'tune-label', label);
  await pick(page, 'tune-by', 'Recall at least');
  await fill(page, 'tune-value', '1');
  await page.getByTestId('tune-run').dblclick();
  await page.getByTestId('tune-outcome').waitFor({ timeout: 60_000 });
  let o = await invoke<MultiLabelOverview>(server, 'evaluation.multiOverview', { projectId });
  const run = o.runs[0];
  expect(run.saved?.targets).toEqual([expect.objectContaining({ label, by: 'recall', value: 1 })]);
  const k = e.labels.indexOf(label);
  await expect
    .poll(
      async () =>
        (await invoke<MultiLabelOverview>(server, 'evaluation.multiOverview', { projectId })).runs[0],
      { timeout: 60_000 },
    )
    .toMatchObject({ stale: false, evaluation: { thresholdSource: 'saved' } });
  const chosenBy = page
    .locator(`[data-testid="threshold-row"][data-label="${label}"]`)
    .getByTestId('threshold-chosen-by');
  await expect
    .poll(() => chosenBy.textContent(), { timeout: 60_000 })
    .toMatch(/recall ≥ 1 on validation|not reachable/);
  for (const other of e.labels.filter((l) => l !== label))
    await expect(
      page
        .locator(`[data-testid="threshold-row"][data-label="${other}"]`)
        .getByTestId('threshold-chosen-by')
        .textContent(),
    ).resolves.toBe('training (best F1 on validation)');
  // One threshold for every label, typed in and saved.
  await fill(page, 'threshold-global', '0.3');
  await page.getByTestId('threshold-apply-all').click();
  await page.getByTestId('threshold-save').click();
  await expect
    .poll(
      async () =>
        (await invoke<MultiLabelOverview>(server, 'evaluation.multiOverview', { projectId })).runs[0]
          .evaluation?.thresholds,
      { timeout: 60_000 },
    )
    .toEqual(e.labels.map(() => 0.3));
  await expect
    .poll(() => page.getByTestId('threshold-chosen-by').allTextContents(), { timeout: 60_000 })
    .toEqual(e.labels.map(() => 'typed in'));
  await page.getByTestId('eval-tab-metrics').click();
  await expect
    .poll(() => page.getByTestId('per-label-threshold').allTextContents(), { timeout: 60_000 })
    .toEqual(e.labels.map(() => '0.300'));
  // Tuning moved that label's threshold (recall 1 on validation: at its lowest-scored document carrying it).
  expect(run.thresholds?.[k]).toBe(run.saved?.thresholds[k]);

  // The report: HTML with the per-label table and set metrics, a PDF, and the same in Chinese.
  await page.getByTestId('eval-tab-report').click();
  await page.getByTestId('report-html').click();
  const reportPath = page.getByTestId('report-path');
  await reportPath.waitFor({ timeout: 60_000 });
  const html = readFileSync((await reportPath.getAttribute('data-path')) ?? '', 'utf8');
  for (const s of ['Per label, at its threshold', 'Hamming loss', 'Gold co-occurrence', ...e.labels])
    expect(html).toContain(s);
  await page.getByTestId('report-pdf').click();
  await expect.poll(() => reportPath.getAttribute('data-path'), { timeout: 60_000 }).toMatch(/\.pdf$/);
  expect(
    readFileSync((await reportPath.getAttribute('data-path')) ?? '')
      .subarray(0, 5)
      .toString('latin1'),
  ).toBe('%PDF-');
  await app.setLanguage(page, '简体中文');
  await expect(page.getByTestId('eval-tab-thresholds').textContent()).resolves.toBe('阈值');
  await page.getByTestId('report-html').click();
  await expect.poll(() => reportPath.getAttribute('data-path'), { timeout: 60_000 }).toMatch(/-zh-CN\.html$/);
  const zh = readFileSync((await reportPath.getAttribute('data-path')) ?? '', 'utf8');
  for (const s of ['<html lang="zh-CN">', '汉明损失', '各标签（按其阈值）']) expect(zh).toContain(s);
  await app.setLanguage(page, 'English');

  // Back to the thresholds from training.
  await page.getByTestId('eval-tab-thresholds').click();
  await page.getByTestId('threshold-reset').click();
  await expect
    .poll(
      async () => {
        o = await invoke<MultiLabelOverview>(server, 'evaluation.multiOverview', { projectId });
        return o.runs[0].saved;
      },
      { timeout: 60_000 },
    )
    .toBeNull();
  await expect
    .poll(
      async () =>
        (await invoke<MultiLabelOverview>(server, 'evaluation.multiOverview', { projectId })).runs[0]
          .evaluation?.thresholdSource,
      { timeout: 60_000 },
    )
    .toBe('model');
}, 400_000);
