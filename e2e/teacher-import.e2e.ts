import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrowsePage, LabelInfo } from '../src/shared/dataset';
import type { Project } from '../src/shared/projects';
import { invoke, openApp, type AppSession } from './harness';
import { app } from './pages';

const DEMO = 'Demo: unfair contract terms';

describe('the Teacher step imports teacher outputs made elsewhere (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('lists every bad line and imports nothing, then imports a good file as a run', async () => {
    session = await openApp();
    const { page, server } = session;
    const demo = (await invoke<Project[]>(server, 'projects.list')).find((p) => p.name === DEMO)!;
    const labels = await invoke<LabelInfo[]>(server, 'dataset.labels', { projectId: demo.id });
    const rows = (await invoke<BrowsePage>(server, 'dataset.browse', { projectId: demo.id, limit: 2 })).rows;
    const probs = (first: number): Record<string, number> =>
      Object.fromEntries(labels.map((l, i) => [l.name, i === 0 ? first : (1 - first) / (labels.length - 1)]));
    const bad = join(server.dataDir, 'bad.jsonl');
    writeFileSync(
      bad,
      [
        JSON.stringify({ text: rows[0].text, probs: probs(0.8) }),
        JSON.stringify({ text: rows[1].text, probs: { 'no such label': 1 } }),
      ].join('\n'),
    );
    const good = join(server.dataDir, 'good.jsonl');
    writeFileSync(good, rows.map((r) => JSON.stringify({ text: r.text, probs: probs(0.8) })).join('\n'));

    const before = await invoke<unknown[]>(server, 'teacher.runs', { projectId: demo.id });
    await app.waitForProjects(page);
    await app.openProject(page, DEMO);
    await app.goToStep(page, 'teacher');
    await page.getByTestId('teacher-import-run-input').setInputFiles(bad);
    await expect
      .poll(() => page.getByTestId('teacher-import-run-error').textContent(), { timeout: 30_000 })
      .toMatch(
        /Lines of .* that could not be imported: 1; nothing was imported\. Line 2: Unknown label "no such label"/,
      );
    expect(await invoke<unknown[]>(server, 'teacher.runs', { projectId: demo.id })).toEqual(before);

    await page.getByTestId('teacher-import-run-input').setInputFiles(good);
    await expect
      .poll(() => page.getByTestId('teacher-import-run-done').textContent(), { timeout: 30_000 })
      .toMatch(/^Imported 2 teacher outputs as run \d+\.$/);
    await expect.poll(() => page.getByTestId('teacher-output').count(), { timeout: 30_000 }).toBe(2);
  }, 240_000);
});
