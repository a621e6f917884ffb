import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatasetStats } from '../src/shared/dataset';
import type { Job } from '../src/shared/jobs';
import type { Project } from '../src/shared/projects';
import { invoke, openApp, type AppSession } from './harness';
import { app } from './pages';

describe('a double click starts one job (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('double-clicking Import imports once; double-clicking Back up writes one file', async () => {
    session = await openApp();
    const { page, server } = session;
    const file = join(server.dataDir, 'letters.csv');
    writeFileSync(
      file,
      [
        'id,text',
        ...Array.from({ length: 25 }, (_, i) => `${i},"Letter ${i}: patient seen in clinic."`),
      ].join('\n') + '\n',
    );
    await app.waitForProjects(page);
    await app.createProject(page, 'Double clicks');
    await page.getByTestId('data-file-input').setInputFiles(file);
    await page.getByTestId('import-preview').waitFor();
    await page.getByTestId('import-start').dblclick();
    await page.getByTestId('import-done').waitFor();
    const project = (await invoke<Project[]>(server, 'projects.list')).find(
      (p) => p.name === 'Double clicks',
    );
    const jobs = async (kind: string): Promise<Job[]> =>
      (await invoke<Job[]>(server, 'jobs.list', { projectId: project?.id })).filter((j) => j.kind === kind);
    expect(await jobs('dataset.import')).toHaveLength(1);
    const stats = await invoke<DatasetStats>(server, 'dataset.stats', { projectId: project?.id });
    expect(stats.total).toBe(25);

    await app.goToStep(page, 'export');
    await page.getByTestId('backup-create').dblclick();
    await page.getByTestId('backup-result').waitFor({ timeout: 60_000 });
    expect(await jobs('export.backup')).toHaveLength(1);
    expect(readdirSync(join(server.dataDir, 'exports', 'backups'))).toHaveLength(1);
  });
});
