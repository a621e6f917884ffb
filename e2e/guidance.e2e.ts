import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../src/shared/jobs';
import type { Project } from '../src/shared/projects';
import type { TeacherRun } from '../src/shared/teacher';
import { tinyModelPath } from '../tests/fixtures/gguf/generate';
import { invoke, openApp, uploadFile, type AppSession } from './harness';
import { app } from './pages';
import { insertTeacherOutputs, projectWithData, waitForJob } from './setup';

/** What a person reads in the teacher check. */
const check = {
  async verdict(page: Page): Promise<string | null> {
    const badge = page.getByTestId('teacher-check-verdict').first();
    await badge.waitFor({ timeout: 30_000 });
    return badge.getAttribute('data-verdict');
  },
  async explanation(page: Page, metric: string): Promise<string> {
    await page.getByTestId(`metric-name-${metric}`).first().hover();
    const tip = page.getByRole('tooltip');
    await tip.waitFor();
    return (await tip.textContent()) ?? '';
  },
};

/** 200 documents, "fair" and "unfair" alternating, labelled by people; an 80/10/10 split. */
async function labelledProject(session: AppSession, name: string): Promise<Project> {
  return projectWithData(
    session.server,
    name,
    Array.from({ length: 200 }, (_, i) => ({
      text: `Clause number ${i}: ${i % 2 ? 'we may change anything at any time' : 'you may leave whenever you like'}.`,
      label: i % 2 ? 'unfair' : 'fair',
    })),
  );
}

describe('guidance for people who are not ML engineers (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('teacher check: a teacher that always says "fair" is no better than chance, in both languages; Train defaults to human labels only', async () => {
    session = await openApp();
    const { page, server } = session;
    const project = await labelledProject(session, 'Chance teacher');
    // A teacher run whose every answer is "fair" (written as the teacher feature writes outputs; no LLM here).
    insertTeacherOutputs(server.dataDir, project.id, 0.9);
    await app.waitForProjects(page);
    await page.reload();
    await app.openProject(page, 'Chance teacher');
    await app.goToStep(page, 'teacher');
    expect(await check.verdict(page)).toBe('chance');
    await expect(page.getByTestId('teacher-check-why').textContent()).resolves.toMatch(
      /no better than always answering “fair”/,
    );
    await expect(page.getByTestId('teacher-check-never').textContent()).resolves.toContain('unfair');
    await expect(page.getByTestId('teacher-check-confusions').textContent()).resolves.toMatch(
      /People said “unfair”, the teacher said “fair”/,
    );
    const accuracy = (await page.getByTestId('teacher-check-accuracy').textContent()) ?? '';
    // The teacher's accuracy, its interval, then always "fair" and random guessing.
    expect(accuracy).toMatch(/Accuracy\s*\d+\.\d%\s*\(\d+\.\d%–\d+\.\d%\)\s*\d+\.\d%\s*50\.0%/);
    expect(await check.explanation(page, 'kappa')).toMatch(/0 is no better than chance/);

    await app.goToStep(page, 'train');
    await expect(
      page
        .getByTestId('train-teacher-check')
        .getByTestId('teacher-check-verdict')
        .getAttribute('data-verdict'),
    ).resolves.toBe('chance');
    const choice = page.getByTestId('train-teacher-choice');
    await expect(choice.getAttribute('data-use-teacher')).resolves.toBe('no');
    await expect(choice.textContent()).resolves.toMatch(/trains on human labels only/);
    await page.getByTestId('train-toggle-settings').click();
    await expect(page.getByTestId('train-use-teacher').isChecked()).resolves.toBe(false);
    // The person overrides: the switch follows, and the warning says what that means.
    await page.getByTestId('train-teacher-override').click();
    await expect(choice.getAttribute('data-use-teacher')).resolves.toBe('yes');
    await expect(page.getByTestId('train-use-teacher').isChecked()).resolves.toBe(true);
    await page.getByTestId('train-show-check').click();
    await page.getByTestId('train-teacher-check').getByTestId('teacher-check-table').waitFor();

    await app.setLanguage(page, '简体中文');
    await app.goToStep(page, 'teacher');
    await expect(page.getByTestId('teacher-check-verdict').first().textContent()).resolves.toBe('不比随机好');
    await expect(page.getByTestId('teacher-check-why').textContent()).resolves.toMatch(
      /并不比始终回答“fair”或随机猜测更好/,
    );
    expect(await check.explanation(page, 'kappa')).toMatch(/0 表示不比随机好/);
  }, 120_000);

  it('a run’s scope and cost: only documents without a human label, a timed estimate in minutes, before the start button', async () => {
    session = await openApp();
    const { page, server } = session;
    // 30 documents, the first 12 labelled by people.
    const project = await projectWithData(
      server,
      'Scoped run',
      Array.from({ length: 30 }, (_, i) => ({
        text: `Clause ${i}: the provider may ${i % 2 ? 'change the price' : 'send you emails'}.`,
        label: i < 12 ? (i % 2 ? 'unfair' : 'fair') : undefined,
      })),
    );
    const importJob = await invoke<Job>(server, 'teacher.importModel', {
      path: await uploadFile(server, tinyModelPath()),
    });
    const imported = await waitForJob(server, importJob.id);
    expect(imported.state).toBe('completed');
    await app.waitForProjects(page);
    await page.reload();
    await app.openProject(page, 'Scoped run');
    await app.goToStep(page, 'teacher');
    await expect
      .poll(() => page.getByTestId('teacher-plan').textContent(), { timeout: 30_000 })
      .toMatch(/covers 30 examples: 30 to label/);
    await page.getByTestId('teacher-scope-kind').getByText('Only without a human label').click();
    await expect
      .poll(() => page.getByTestId('teacher-plan').textContent())
      .toMatch(/covers 18 examples: 18 to label/);
    await expect(page.getByTestId('teacher-cost-line').textContent()).resolves.toMatch(
      /Time a few documents to estimate/,
    );
    // The estimate is on the page before the start button.
    const costBox = await page.getByTestId('teacher-cost').boundingBox();
    const startBox = await page.getByTestId('teacher-run').boundingBox();
    expect(costBox!.y).toBeLessThan(startBox!.y);

    await page.getByTestId('teacher-time').click();
    await expect
      .poll(() => page.getByTestId('teacher-cost-line').getAttribute('data-minutes'), { timeout: 60_000 })
      .toMatch(/^\d/);
    await expect(page.getByTestId('teacher-cost-line').textContent()).resolves.toMatch(
      /about (<1|\d+) minutes on this computer \(timed on \d+ documents/,
    );

    await page.getByTestId('teacher-run').click();
    await page
      .locator('[data-testid="teacher-job"] [data-testid="job-row"][data-job-state="completed"]')
      .waitFor({ timeout: 100_000 });
    const [run] = await invoke<TeacherRun[]>(server, 'teacher.runs', { projectId: project.id });
    expect(run.targetCount).toBe(18);

    await app.setLanguage(page, '简体中文');
    await page.getByTestId('teacher-scope-kind').getByText('随机抽样').click();
    await page.getByTestId('teacher-scope-sample').fill('5');
    await expect.poll(() => page.getByTestId('teacher-plan').textContent()).toMatch(/覆盖 5 条示例/);
  }, 180_000);

  it('numbers explained: a target verdict on Evaluate, and Compare says whether a difference could be chance (both languages)', async () => {
    session = await openApp();
    const { page, server } = session;
    const demo = (await invoke<Project[]>(server, 'projects.list')).find((p) => p.name.startsWith('Demo'))!;
    const runs: number[] = [];
    for (const dim of [8, 16]) {
      const started = await invoke<{ run: { id: number }; job: Job }>(server, 'student.train', {
        projectId: demo.id,
        settings: { useTeacher: false, maxEpochs: 2, dim },
      });
      expect((await waitForJob(server, started.job.id)).state).toBe('completed');
      await invoke(server, 'evaluation.evaluate', {
        projectId: demo.id,
        model: { kind: 'student', runId: started.run.id },
      });
      runs.push(started.run.id);
    }
    await app.waitForProjects(page);
    await app.openProject(page, demo.name);
    await app.goToStep(page, 'evaluate');
    const row = page.locator(`[data-testid="eval-run-row"][data-model="student-${runs[1]}"]`);
    await row.getByTestId('eval-evaluate').click();
    await page.getByTestId('eval-target').waitFor({ timeout: 60_000 });
    // Accuracy at least 0: met; at least 1: not met (nobody's model is perfect on the demo).
    await page.getByTestId('eval-target-metric').click();
    await page.getByRole('option', { name: 'Accuracy' }).click();
    await page.getByTestId('eval-target-min').fill('0');
    await expect.poll(() => page.getByTestId('eval-target-verdict').getAttribute('data-verdict')).toBe('met');
    await page.getByTestId('eval-target-min').fill('1');
    await expect
      .poll(() => page.getByTestId('eval-target-verdict').getAttribute('data-verdict'))
      .toBe('not-met');
    await expect(page.getByTestId('eval-target-why').textContent()).resolves.toMatch(
      /^Accuracy is 0\.\d{3}, below the target of 1\.$/,
    );
    expect(await check.explanation(page, 'macroF1')).toMatch(/rare label counts as much as a common one/);

    await page.getByTestId('eval-tab-compare').click();
    await page.getByTestId('compare-run').click();
    const sig = page.getByTestId('compare-significance');
    await expect(sig.textContent()).resolves.toMatch(
      /^On the same \d+ test documents, only A is right on \d+ and only B on \d+ \(McNemar p = [\d.e-]+\)/,
    );
    expect(['yes', 'no']).toContain(await sig.getAttribute('data-significant'));

    await app.setLanguage(page, '简体中文');
    await expect(sig.textContent()).resolves.toMatch(/^在相同的 \d+ 篇测试文档上/);
  }, 240_000);
});
