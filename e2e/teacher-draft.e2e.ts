import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../src/shared/jobs';
import type { Project } from '../src/shared/projects';
import type { TeacherModel } from '../src/shared/teacher';
import { tinyModelPath } from '../tests/fixtures/gguf/generate';
import { invoke, openApp, uploadFile, type AppSession, type ServerHandle } from './harness';
import { app } from './pages';

const DEMO = 'Demo: unfair contract terms';

async function finished(server: ServerHandle, job: Job): Promise<Job> {
  let j = job;
  while (!['completed', 'failed', 'cancelled'].includes(j.state)) {
    await new Promise((r) => setTimeout(r, 250));
    j = await invoke<Job>(server, 'jobs.get', { jobId: j.id });
  }
  return j;
}

describe('the Teacher step keeps its draft and says what each run used (browser mode, real Chromium, tiny model)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('keeps the prompt and mode when the person leaves the step and after a reload, and shows each run’s prompt and model', async () => {
    session = await openApp();
    const { page, server } = session;
    const imported = await finished(
      server,
      await invoke<Job>(server, 'teacher.importModel', {
        path: await uploadFile(server, tinyModelPath()),
        name: 'Tiny teacher',
      }),
    );
    const model = imported.result as TeacherModel;
    await app.waitForProjects(page);
    await app.openProject(page, DEMO);
    await app.goToStep(page, 'teacher');
    // Before a run: what it would do.
    await expect
      .poll(() => page.getByTestId('teacher-plan').textContent(), { timeout: 30_000 })
      .toMatch(/^A run now covers [\d,]+ examples: [\d,]+ to label, 0 already labelled/);

    const template = page.getByTestId('teacher-template');
    const edited = `Please be strict.\n${await template.inputValue()}`;
    await template.fill(edited);
    await page.getByTestId('teacher-mode').getByText('Reasoning (thinks first)').click();
    await page.waitForTimeout(1000); // the draft is saved once typing pauses
    await app.goToStep(page, 'data');
    await app.goToStep(page, 'teacher');
    await expect.poll(() => template.inputValue()).toBe(edited);
    await page.getByTestId('teacher-budget').waitFor();
    await page.reload();
    await page.getByTestId('teacher-template').waitFor();
    await expect.poll(() => page.getByTestId('teacher-template').inputValue()).toBe(edited);

    // A run with that prompt: the run list says which model and which prompt it used.
    const demo = (await invoke<Project[]>(server, 'projects.list')).find((p) => p.name === DEMO)!;
    const { job } = await invoke<{ job: Job }>(server, 'teacher.run', {
      projectId: demo.id,
      modelId: model.id,
      template: edited,
      limit: 3,
      contextSize: 512,
      threads: 1,
      sequences: 1,
    });
    expect((await finished(server, job)).state).toBe('completed');
    await page.reload();
    await page.getByTestId('teacher-run-model').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('teacher-run-model').textContent()).resolves.toContain(
      `Model: Tiny teacher · SHA-256 ${model.sha256.slice(0, 12)} · Direct (fast)`,
    );
    await page.getByTestId('teacher-run-prompt').getByText('Prompt used').click();
    await expect(page.getByTestId('teacher-run-prompt-text').textContent()).resolves.toMatch(
      /^Please be strict\.\n/,
    );
  }, 240_000);
});
