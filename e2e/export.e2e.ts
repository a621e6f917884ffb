import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../src/main/core/core';
import { loadStudent } from '../src/main/features/student/predictor';
import type { StudentArchitectureName } from '../src/shared/student';
import { addStudentModel } from '../tests/export/fixtures';
import { tempDir } from '../tests/helpers';
import { launchBrowser, openApp, serveFolder, type AppSession } from './harness';
import { app } from './pages';

const TEXTS = [
  'We may change these terms at any time without notice to you.',
  'You can contact our support team by e-mail.',
  '患者主诉头痛三天，伴有恶心。',
  '',
];

/** A data folder with the demo project and a student model (written in the student feature's own format). */
async function dataDirWithModel(
  architecture: StudentArchitectureName = 'fasttext',
): Promise<{ dir: string; modelDir: string; labels: string[] }> {
  const { dir } = tempDir('distillery-e2e-export-');
  const core = await createCore({ dataDir: dir, mode: 'cli', seedDemo: true });
  try {
    const projectId = core.db.prepare('SELECT id FROM projects WHERE is_demo = 1').pluck().get() as number;
    const m = addStudentModel(core, projectId, { architecture });
    return { dir, modelDir: m.modelDir, labels: m.labels };
  } finally {
    await core.dispose();
  }
}

/** Any plain static web server: what a person would put an exported folder behind. */
function maxDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j])))));
  return worst;
}

describe('export step (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    await session?.close();
    session = null;
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A data folder with a student of `architecture`, the app's predictions of TEXTS, and the app on its Export step. */
  async function openExportStep(architecture: StudentArchitectureName): Promise<{
    data: Awaited<ReturnType<typeof dataDirWithModel>>;
    expected: number[][];
    page: Page;
  }> {
    const data = await dataDirWithModel(architecture);
    const student = await loadStudent(data.modelDir);
    const expected = await student.predict(TEXTS);
    student.dispose();
    session = await openApp({ dataDir: data.dir });
    const { page } = session;
    await app.waitForProjects(page);
    await app.openProject(page, 'Demo: unfair contract terms');
    await app.goToStep(page, 'export');
    return { data, expected, page };
  }

  /** Serves an exported folder with a plain web server and predicts TEXTS in its sample page, in a new Chromium. */
  async function predictInServedPage(
    dir: string,
  ): Promise<{ browser: Browser; sample: Page; inBrowser: number[][] }> {
    const served = await serveFolder(dir);
    cleanups.push(() => new Promise<void>((r) => served.server.close(() => r())));
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const sample = await browser.newPage();
    await sample.goto(served.url);
    await sample.waitForFunction(() => 'studentModel' in globalThis);
    const inBrowser = await sample.evaluate(
      (texts) =>
        (
          globalThis as unknown as { studentModel: { predictProba(t: string[]): number[][] } }
        ).studentModel.predictProba(texts),
      TEXTS,
    );
    return { browser, sample, inBrowser };
  }

  it('exports a transformer student from the Export step; its page predicts in Chromium what the app predicts', async () => {
    const { expected, page } = await openExportStep('transformer');
    await page.getByTestId('export-student').click();
    const result = page.getByTestId('export-result');
    await result.waitFor();
    const dir = (await result.getAttribute('data-dir')) as string;
    const { inBrowser } = await predictInServedPage(dir);
    expect(maxDiff(inBrowser, expected)).toBeLessThan(1e-6);
  });

  it('tries the student, exports it, and the exported page predicts in Chromium what the app predicts', async () => {
    const { expected, page } = await openExportStep('fasttext');

    await page.getByTestId('playground-text').fill(TEXTS[0]);
    await page.getByTestId('playground-predict').click();
    await page.getByTestId('playground-student').waitFor();
    const shown = await page
      .getByTestId('playground-student-prob')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-prob'))));
    expect(maxDiff([shown], [expected[0]])).toBeLessThan(1e-6);

    await page.getByTestId('export-student').click();
    const result = page.getByTestId('export-result');
    await result.waitFor();
    const dir = (await result.getAttribute('data-dir')) as string;
    expect(readdirSync(dir)).toContain('index.html');

    // The exported sample page over a plain web server, with nothing of Distillery running for it.
    const { browser, sample, inBrowser } = await predictInServedPage(dir);
    expect(maxDiff(inBrowser, expected)).toBeLessThan(1e-6);
    await sample.locator('#text').fill(TEXTS[0]);
    await sample.locator('#predict').click();
    await expect(sample.locator('#decided').textContent()).resolves.toMatch(/→ /);
    // The page speaks English and Chinese: the button switches, the prediction shown stays.
    const title = await sample.locator('h1').textContent();
    await sample.locator('#lang').click();
    const other = await sample.locator('h1').textContent();
    expect([title, other].sort()).toEqual(['Distillery student model', 'Distillery 学生模型']);
    await expect(sample.locator('#predict').textContent()).resolves.toBe(
      other === 'Distillery 学生模型' ? '预测' : 'Predict',
    );
    await expect(sample.locator('#decided').textContent()).resolves.toMatch(/→ /);
    const zh = await browser.newPage();
    await zh.goto(`${sample.url().split('?')[0]}?lang=zh`);
    await zh.waitForFunction(() => 'studentModel' in globalThis);
    await expect(zh.locator('#status').textContent()).resolves.toMatch(/^标签：/);

    // Opened from disk, the page asks for the model files instead.
    const fromDisk = await browser.newPage();
    await fromDisk.goto(pathToFileURL(join(dir, 'index.html')).href);
    await fromDisk.locator('#pick').waitFor();
    await fromDisk
      .locator('#files')
      .setInputFiles([
        join(dir, 'deployment.json'),
        join(dir, 'model', 'model.json'),
        join(dir, 'model', 'weights.bin'),
      ]);
    await fromDisk.waitForFunction(() => 'studentModel' in globalThis);
    const fromFiles = await fromDisk.evaluate(
      (texts) =>
        (
          globalThis as unknown as { studentModel: { predictProba(t: string[]): number[][] } }
        ).studentModel.predictProba(texts),
      TEXTS,
    );
    expect(maxDiff(fromFiles, expected)).toBeLessThan(1e-6);
  });

  it('predicts a file as a job, backs up the project and restores it as a new project', async () => {
    const { data, page } = await openExportStep('fasttext');

    const csv = join(data.dir, 'new-documents.csv');
    writeFileSync(csv, ['id,text', ...TEXTS.slice(0, 3).map((t, i) => `n${i},"${t}"`)].join('\n') + '\n');
    await page.getByTestId('batch-file-input').setInputFiles(csv);
    await page.getByTestId('batch-start').click();
    await page.getByTestId('batch-result').waitFor();
    await expect(page.getByTestId('batch-result').textContent()).resolves.toContain('3');

    await page.getByTestId('backup-create').click();
    await page.getByTestId('backup-result').waitFor();
    const backups = readdirSync(join(data.dir, 'exports', 'backups'));
    expect(backups).toHaveLength(1);

    await page
      .getByTestId('restore-file-input')
      .setInputFiles(join(data.dir, 'exports', 'backups', backups[0]));
    await page.getByTestId('restore-summary').waitFor();
    await expect(page.getByTestId('restore-name').inputValue()).resolves.toBe(
      'Demo: unfair contract terms (restored)',
    );
    await page.getByTestId('restore-submit').click();
    await page.getByTestId('restore-result').waitFor();
    await app.backToProjects(page);
    await app.projectCard(page, 'Demo: unfair contract terms (restored)').waitFor();
    await expect(
      app.projectCard(page, 'Demo: unfair contract terms (restored)').textContent(),
    ).resolves.toContain('677');
  });
});
