import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrowsePage, LabelInfo } from '../src/shared/dataset';
import type { Project } from '../src/shared/projects';
import { invoke, openApp, type AppSession } from './harness';
import { app } from './pages';

const DEMO = 'Demo: unfair contract terms';

interface Job {
  id: number;
  state: string;
  progress: { done: number };
}

async function waitJob(session: AppSession, id: number, until: (j: Job) => boolean): Promise<Job> {
  for (;;) {
    const job = await invoke<Job>(session.server, 'jobs.get', { jobId: id });
    if (until(job)) return job;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ended = (j: Job): boolean => ['completed', 'failed', 'cancelled'].includes(j.state);

describe('deleting runs from the Train and Teacher steps (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('asks first, says what goes and how much it frees, refuses a run that trains, and a double click deletes once', async () => {
    session = await openApp();
    const { page, server } = session;
    const demo = (await invoke<Project[]>(server, 'projects.list')).find((p) => p.name === DEMO)!;
    const trainRun = async (settings: Record<string, unknown>): Promise<{ runId: number; jobId: number }> => {
      const { run, job } = await invoke<{ run: { id: number }; job: Job }>(server, 'student.train', {
        projectId: demo.id,
        settings,
      });
      return { runId: run.id, jobId: job.id };
    };
    const done = await trainRun({ useTeacher: false, maxEpochs: 1 });
    expect((await waitJob(session, done.jobId, ended)).state).toBe('completed');
    await invoke(server, 'evaluation.evaluate', {
      projectId: demo.id,
      model: { kind: 'student', runId: done.runId },
      iterations: 10,
    });
    // Slow enough to still be training while the dialog is open.
    const slow = await trainRun({ useTeacher: false, maxEpochs: 200, patience: 50, batchSize: 1, dim: 256 });
    await waitJob(session, slow.jobId, (j) => j.progress.done > 0);

    await app.waitForProjects(page);
    await app.openProject(page, DEMO);
    await app.goToStep(page, 'train');
    const row = (id: number) => page.locator(`[data-testid="train-run-row"][data-run-id="${id}"]`);

    // The training run: the dialog says why not, and its button cannot be pressed.
    await row(slow.runId).getByTestId('train-run-delete').click();
    await page.getByTestId('delete-run-blocked').waitFor();
    expect(await page.getByTestId('delete-run-blocked').textContent()).toMatch(/still training/);
    expect(await page.getByTestId('delete-run-confirm').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Keep it' }).click();
    await invoke(server, 'jobs.cancel', { jobId: slow.jobId });
    await waitJob(session, slow.jobId, ended);

    // The evaluated run: its size and what goes with it; keeping it changes nothing.
    await row(done.runId).getByTestId('train-run-delete').click();
    await expect
      .poll(() => page.getByTestId('delete-run-size').textContent(), { timeout: 30_000 })
      .toMatch(/^Frees [\d.]+ (KB|MB) on disk\.$/);
    expect(await page.getByTestId('delete-run-lines').textContent()).toMatch(
      /checkpoints.*evaluation on the gold test set is deleted/s,
    );
    await page.getByRole('button', { name: 'Keep it' }).click();
    expect(existsSync(join(server.dataDir, 'runs', `student-${done.runId}`))).toBe(true);

    // Confirmed with a double click: deleted once, the space it freed shown, the row gone.
    await row(done.runId).getByTestId('train-run-delete').click();
    await page.getByTestId('delete-run-size').waitFor();
    await page.getByTestId('delete-run-confirm').dblclick();
    await expect
      .poll(() => page.getByTestId('train-run-deleted').textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`^Training run #${done.runId} deleted: [\\d.]+ (KB|MB) freed\\.$`));
    await expect.poll(() => row(done.runId).count(), { timeout: 30_000 }).toBe(0);
    expect(existsSync(join(server.dataDir, 'runs', `student-${done.runId}`))).toBe(false);
    expect(await page.getByTestId('delete-run-error').count()).toBe(0);
    const left = await invoke<Array<{ id: number }>>(server, 'student.runs', { projectId: demo.id });
    expect(left.map((r) => r.id)).toEqual([slow.runId]);
  }, 240_000);

  it('deletes a teacher run from the Teacher step, saying which run is used instead', async () => {
    session = await openApp();
    const { page, server } = session;
    const demo = (await invoke<Project[]>(server, 'projects.list')).find((p) => p.name === DEMO)!;
    const labels = await invoke<LabelInfo[]>(server, 'dataset.labels', { projectId: demo.id });
    const rows = (await invoke<BrowsePage>(server, 'dataset.browse', { projectId: demo.id, limit: 5 })).rows;
    const file = join(server.dataDir, 'teacher.jsonl');
    writeFileSync(
      file,
      rows
        .map((r) =>
          JSON.stringify({
            text: r.text,
            probs: Object.fromEntries(labels.map((l, i) => [l.name, i === 0 ? 1 : 0])),
          }),
        )
        .join('\n'),
    );
    const before = await invoke<Array<{ id: number }>>(server, 'teacher.runs', { projectId: demo.id });
    await app.waitForProjects(page);
    await app.openProject(page, DEMO);
    await app.goToStep(page, 'teacher');
    // Two imports of the same outputs (through the file picker, as a person does): two runs.
    const imported = async (): Promise<number> => {
      await page.getByTestId('teacher-import-run-input').setInputFiles(file);
      await expect
        .poll(() => page.getByTestId('teacher-import-run-done').textContent(), { timeout: 30_000 })
        .toMatch(/as run \d+\.$/);
      const text = (await page.getByTestId('teacher-import-run-done').textContent()) ?? '';
      return Number(/run (\d+)\.$/.exec(text)?.[1]);
    };
    const first = { run: { id: await imported() } };
    await expect
      .poll(async () => (await invoke<unknown[]>(server, 'teacher.runs', { projectId: demo.id })).length)
      .toBe(before.length + 1);
    await page.getByTestId('teacher-import-run-input').setInputFiles([]);
    const second = { run: { id: await imported() } };
    expect(second.run.id).toBeGreaterThan(first.run.id);
    await page.getByTestId('teacher-run-delete').click();
    await expect
      .poll(() => page.getByTestId('delete-run-size').textContent(), { timeout: 30_000 })
      .toMatch(/^Frees about [\d.]+ (B|KB) in the database/);
    expect(await page.getByTestId('delete-run-lines').textContent()).toContain(
      `Review and the next student will use teacher run #${first.run.id} instead.`,
    );
    await page.getByTestId('delete-run-confirm').click();
    await expect
      .poll(() => page.getByTestId('teacher-import-run-done').textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`^Teacher run #${second.run.id} deleted: about [\\d.]+ (B|KB) freed\\.$`));
    const after = await invoke<Array<{ id: number }>>(server, 'teacher.runs', { projectId: demo.id });
    expect(after.map((r) => r.id).sort()).toEqual([...before.map((r) => r.id), first.run.id].sort());
  }, 240_000);
});
