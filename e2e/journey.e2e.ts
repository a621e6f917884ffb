import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../src/shared/jobs';
import type { Project } from '../src/shared/projects';
import { tinyModelPath } from '../tests/fixtures/gguf/generate';
import { idleActivity, watchActivity } from './activity';
import { invoke, openApp, type AppSession, type ServerHandle } from './harness';
import { app } from './pages';

/** 36 short clauses, two thirds labelled in the file; one row repeated, for Clean to find. */
function writeClauses(dir: string): string {
  const unfair = [
    'may change the price at any time',
    'may end the contract without notice',
    'is never liable',
  ];
  const fair = [
    'gives thirty days notice before a change',
    'refunds the customer in full',
    'answers within a week',
  ];
  const rows: string[] = [];
  for (let i = 0; i < 36; i++) {
    const bad = i % 2 === 0;
    const text = `Clause ${i}: the supplier ${(bad ? unfair : fair)[i % 3]}.`;
    rows.push(`"${text}",${i % 3 === 2 ? '' : bad ? 'unfair' : 'fair'}`);
  }
  rows.push(rows[0]);
  const file = join(dir, 'clauses.csv');
  writeFileSync(file, ['text,label', ...rows].join('\n') + '\n');
  return file;
}

async function jobsOf(server: ServerHandle, projectId: number | null, kind: string): Promise<Job[]> {
  const all = await invoke<Job[]>(server, 'jobs.list', projectId === null ? {} : { projectId });
  return all.filter((j) => j.kind === kind);
}

/** Nothing happens while nobody touches the page: no request, (almost) no render. */
async function expectIdle(page: Page, where: string): Promise<void> {
  const a = await idleActivity(page, 2000);
  expect({ where, requests: a.requests }).toEqual({ where, requests: 0 });
  expect(a.commits, where).toBeLessThanOrEqual(5);
}

describe('the whole journey (browser mode, real Chromium, real node-llama-cpp on the tiny model)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('new project, import, clean, split, teacher, review, train, evaluate, export: every start double-clicked is one job', async () => {
    session = await openApp();
    const { page, server } = session;
    await watchActivity(page);
    await page.reload();
    const file = writeClauses(server.dataDir);

    await app.waitForProjects(page);
    await app.createProject(page, 'Journey');
    const project = (await invoke<Project[]>(server, 'projects.list')).find((p) => p.name === 'Journey');
    if (!project) throw new Error('project not created');
    const id = project.id;

    // Data: import (double click), clean (double click), split.
    await page.getByTestId('data-file-input').setInputFiles(file);
    await page.getByTestId('import-preview').waitFor();
    // The label column is recognised by its name (choosing it again would clear it).
    await expect(page.getByTestId('map-label').inputValue()).resolves.toBe('label');
    await page.getByTestId('import-start').dblclick();
    await page.getByTestId('import-done').waitFor();
    expect(await jobsOf(server, id, 'dataset.import')).toHaveLength(1);
    await app.waitForDataTotal(page, 37);

    await page.getByTestId('data-tab-clean').click();
    await page.getByTestId('clean-preview').click();
    await expect(page.getByTestId('clean-result').getAttribute('data-excluded')).resolves.toBe('1');
    await page.getByTestId('clean-apply').dblclick();
    await page.getByTestId('clean-message').waitFor();
    await page.getByTestId('data-tab-split').click();
    await page.getByTestId('split-apply').click();
    await page.locator('[data-testid="split-count-test"]:not(:text-is("0"))').waitFor();
    await expectIdle(page, 'data');

    // Teacher: import the tiny GGUF, label all examples (double click).
    await app.goToStep(page, 'teacher');
    await page.getByTestId('teacher-import-input').setInputFiles(tinyModelPath());
    await page.getByTestId('teacher-model').first().waitFor({ timeout: 60_000 });
    expect(await jobsOf(server, null, 'teacher.import')).toHaveLength(1);
    await page.getByTestId('teacher-run').dblclick();
    await page
      .locator('[data-testid="teacher-job"] [data-testid="job-row"][data-job-state="completed"]')
      .waitFor({ timeout: 120_000 });
    expect(await jobsOf(server, id, 'teacher.run')).toHaveLength(1);
    await expectIdle(page, 'teacher');

    // Review: three labels with the keyboard.
    await app.goToStep(page, 'review');
    const doc = page.getByTestId('review-doc');
    await doc.click();
    for (let i = 0; i < 3; i++) {
      const before = await doc.getAttribute('data-example-id');
      await page.keyboard.press(i % 2 === 0 ? '1' : '2');
      await page.locator(`[data-testid="review-doc"]:not([data-example-id="${before}"])`).waitFor();
    }
    await page.locator('[data-testid="saved-count"]', { hasText: '3' }).waitFor();
    await expectIdle(page, 'review');

    // Train (double click), few epochs.
    await app.goToStep(page, 'train');
    await page.getByTestId('train-toggle-settings').click();
    const epochs = page.getByTestId('train-field-maxEpochs');
    await epochs.fill('3');
    await epochs.blur();
    await page.getByTestId('train-start').dblclick();
    await page
      .locator('[data-testid="train-run-panel"][data-run-state="completed"]')
      .waitFor({ timeout: 120_000 });
    const trains = await jobsOf(server, id, 'student.train');
    expect(trains).toHaveLength(1);

    // Evaluate (double click): one evaluation, its metrics shown.
    await app.goToStep(page, 'evaluate');
    const row = page.locator('[data-testid="eval-run-row"][data-model^="student-"]').first();
    await row.getByTestId('eval-evaluate').dblclick();
    await page.locator('[data-testid="eval-detail"][data-model^="student-"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('per-class-table').waitFor();
    await expectIdle(page, 'evaluate');

    // Export the student and back up the project (double clicks): one export, one backup file.
    await app.goToStep(page, 'export');
    await page.getByTestId('export-student').dblclick();
    await page.getByTestId('export-result').waitFor({ timeout: 60_000 });
    await page.getByTestId('backup-create').dblclick();
    await page.getByTestId('backup-result').waitFor({ timeout: 60_000 });
    expect(await jobsOf(server, id, 'export.backup')).toHaveLength(1);
    expect(readdirSync(join(server.dataDir, 'exports', 'backups'))).toHaveLength(1);
    await expectIdle(page, 'export');
  }, 400_000);
});
