import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { openApp, type AppSession } from './harness';
import { app } from './pages';

const DEMO = 'Demo: unfair contract terms';

const train = {
  async setNumber(page: Page, field: string, value: number): Promise<void> {
    const input = page.getByTestId(`train-field-${field}`);
    await input.fill(String(value));
    await input.blur();
  },
  runPanel(page: Page) {
    return page.getByTestId('train-run-panel');
  },
  async epochsShown(page: Page): Promise<number> {
    return Number((await page.getByTestId('train-curves').getAttribute('data-epochs')) ?? '0');
  },
};

describe('Train step (browser mode, real Chromium, real training worker)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('trains a student on the demo project, shows live curves, pauses, resumes and keeps the best epoch', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.openProject(page, DEMO);
    await app.goToStep(page, 'train');
    await expect(page.getByTestId('train-backend').textContent()).resolves.toContain('cpu-sparse');
    await expect(page.getByTestId('train-overview').textContent()).resolves.toMatch(/validation/);

    // Long enough to pause: many small steps with a large model (the fastText student, which has a model size).
    await page.getByTestId('train-toggle-settings').click();
    await page.getByTestId('train-architecture').click();
    await page.getByRole('option', { name: /^fastText/ }).click();
    await train.setNumber(page, 'maxEpochs', 200);
    await train.setNumber(page, 'patience', 50);
    await train.setNumber(page, 'batchSize', 1);
    await train.setNumber(page, 'dim', 256);
    await page.getByTestId('train-start').click();

    const panel = train.runPanel(page);
    await panel.waitFor();
    await page.getByTestId('train-curves').waitFor();
    await panel.getByTestId('job-pause').click();
    await panel.locator('[data-testid="job-row"][data-job-state="paused"]').waitFor();
    await page.waitForTimeout(1500); // the worker finishes its current epoch, then holds
    const pausedEpochs = await train.epochsShown(page);
    await page.waitForTimeout(1500);
    expect(await train.epochsShown(page)).toBe(pausedEpochs);

    await panel.getByTestId('job-resume').click();
    await page
      .locator('[data-testid="train-run-panel"][data-run-state="completed"]')
      .waitFor({ timeout: 110_000 });
    expect(await train.epochsShown(page)).toBeGreaterThan(pausedEpochs);
    await expect(page.getByTestId('train-best').textContent()).resolves.toMatch(/epoch \d+/);
    await expect(page.getByTestId('train-model').textContent()).resolves.toMatch(/Model kept: epoch \d+/);
    await expect.poll(() => page.getByTestId('train-run-row').count()).toBe(1);
  });

  it('a default run uses Auto: on English text tries four configurations (no words-only trials), shows each with its validation macro-F1, trains the best', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.openProject(page, DEMO);
    await app.goToStep(page, 'train');
    await page.getByTestId('train-toggle-settings').click();
    // Auto is on by default: it chooses what the student reads, so that field is hidden until it is turned off.
    await expect(page.getByTestId('train-auto').isChecked()).resolves.toBe(true);
    await expect(page.getByTestId('train-final-fit').isChecked()).resolves.toBe(true);
    await expect(page.getByTestId('train-features').count()).resolves.toBe(0);
    await train.setNumber(page, 'maxEpochs', 2);
    await page.getByTestId('train-start').click();

    await page
      .locator('[data-testid="train-run-panel"][data-run-state="completed"]')
      .waitFor({ timeout: 200_000 });
    const trials = page.getByTestId('train-auto-trials');
    await expect.poll(() => trials.getByTestId('train-auto-trial').count()).toBe(4);
    const chosen = Number(await trials.getAttribute('data-chosen'));
    expect(chosen).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('train-auto-status').textContent()).resolves.toContain(
      `Tried 4 of 4 configurations; trained the best (number ${chosen}).`,
    );
    await expect(
      trials
        .getByTestId('train-auto-trial')
        .nth(chosen - 1)
        .textContent(),
    ).resolves.toMatch(/chosen/);
    // The model kept is the final fit's, and the panel says the validation figures were measured before it.
    const model = page.getByTestId('train-model');
    await expect(model.getAttribute('data-final-fit')).resolves.toBe('true');
    await expect(model.textContent()).resolves.toMatch(
      /Model kept: the final fit.*measured before the final fit/,
    );
    await app.setLanguage(page, '简体中文');
    await expect
      .poll(() => page.getByTestId('train-auto-status').textContent())
      .toContain('已尝试 4 种配置（共 4 种）');
    await expect(model.textContent()).resolves.toContain('在最终训练之前测得');

    // Manual control stays: turning Auto off shows what the student reads.
    await page.getByTestId('train-auto').click();
    await page.getByTestId('train-features').waitFor();
  }, 240_000);

  it('trains the CNN student on TensorFlow.js (WebAssembly here), with its own settings, and lists it by architecture', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.openProject(page, DEMO);
    await app.goToStep(page, 'train');
    await page.getByTestId('train-toggle-settings').click();
    await expect(page.getByTestId('train-field-filters').count()).resolves.toBe(0);
    await page.getByTestId('train-architecture').click();
    await page.getByRole('option', { name: /^CNN/ }).click();
    await expect
      .poll(() => page.getByTestId('train-backend').textContent())
      .toContain('TensorFlow.js: WebAssembly (SIMD)');
    await expect(page.getByTestId('train-field-filters').inputValue()).resolves.toBe('64');
    await train.setNumber(page, 'filters', 32);
    await train.setNumber(page, 'maxEpochs', 3);
    await page.getByTestId('train-start').click();

    await page
      .locator('[data-testid="train-run-panel"][data-run-state="completed"]')
      .waitFor({ timeout: 110_000 });
    await expect(page.getByTestId('train-model').textContent()).resolves.toMatch(/Model kept: epoch \d+/);
    await expect.poll(() => page.getByTestId('train-run-row').first().textContent()).toMatch(/CNN/);
  });

  it('explains in Chinese, and refuses to train a project without labelled data', async () => {
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.createProject(page, 'Empty');
    await app.setLanguage(page, '简体中文');
    await app.goToStep(page, 'train');
    await page.getByText('训练学生模型').waitFor();
    await page.getByTestId('train-start').click();
    // The server's refusal, worded in Chinese from its catalogue key.
    await expect(page.getByTestId('train-error').textContent()).resolves.toMatch(/至少需要两个标签/);
  });
});
