import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Project } from '../src/shared/projects';
import { openApp, type AppSession } from './harness';
import { app } from './pages';
import { insertTeacherOutputs, projectWithData } from './setup';

/** What a person reads in the teacher check. */
const check = {
  async verdict(page: Page): Promise<string | null> {
    const badge = page.getByTestId('teacher-check-verdict').first();
    await badge.waitFor({ timeout: 30_000 });
    return badge.getAttribute('data-verdict');
  },
  async explanation(page: Page, metric: string): Promise<string> {
    await page.getByTestId(`metric-${metric}`).first().hover();
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
    await expect(page.getByTestId('train-use-teacher').isChecked()).resolves.toBe(false);

    await app.setLanguage(page, '简体中文');
    await app.goToStep(page, 'teacher');
    await expect(page.getByTestId('teacher-check-verdict').first().textContent()).resolves.toBe('不比随机好');
    await expect(page.getByTestId('teacher-check-why').textContent()).resolves.toMatch(
      /并不比始终回答“fair”或随机猜测更好/,
    );
    expect(await check.explanation(page, 'kappa')).toMatch(/0 表示不比随机好/);
  }, 120_000);
});
