import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, expect } from 'vitest';
import type { Core } from '../../src/main/core/core';
import type { ImportRequestInput, ImportResult } from '../../src/shared/dataset';
import type { Job } from '../../src/shared/jobs';
import { tempDir, testCore } from '../helpers';

/** Writes a file into dir and returns its path; strings are UTF-8 unless an encoding is given. */
export function writeFixture(dir: string, name: string, content: string | Buffer, encoding?: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof content === 'string' && encoding ? iconv.encode(content, encoding) : content);
  return path;
}

/** Runs an import to its end, as the UI does: start the job, wait for it. */
export async function importFile(
  core: Core,
  req: Omit<ImportRequestInput, 'onBadRow'> & { onBadRow?: 'skip' | 'abort' },
): Promise<{ job: Job; result: ImportResult | null }> {
  const started = await core.call('dataset.import', { onBadRow: 'abort', ...req });
  const job = await core.jobs.wait(started.id);
  return { job, result: job.state === 'completed' ? (job.result as ImportResult) : null };
}

/** Imports (text, label) rows as a CSV file into the project, and expects the import to complete. */
export async function importLabelledRows(
  core: Core,
  projectId: number,
  dir: string,
  rows: ReadonlyArray<readonly [string, string]>,
): Promise<void> {
  const csv = ['text,label', ...rows.map(([x, l]) => `"${x.replace(/"/g, '""')}",${l}`)].join('\n');
  const { job } = await importFile(core, {
    projectId,
    path: writeFixture(dir, `d${Math.random()}.csv`, csv),
    textColumn: 'text',
    labelColumn: 'label',
  });
  expect(job.state).toBe('completed');
}

/** Deletes the project once the jobs still running (the search index an import started) have ended. */
export async function deleteProjectAfterJobs(core: Core, projectId: number): Promise<void> {
  for (const id of core.db
    .prepare("SELECT id FROM jobs WHERE state NOT IN ('completed', 'failed', 'cancelled')")
    .pluck()
    .all() as number[])
    await core.jobs.wait(id);
  const name = (await core.call('projects.get', { projectId })).name;
  await core.call('projects.delete', { projectId, confirmName: name });
}

/** The named indexes of the tables an import writes (a large import drops some and its jobs build them again). */
export function importIndexNames(core: Core): string[] {
  return core.db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('examples', 'annotations')
         AND sql IS NOT NULL ORDER BY name`,
    )
    .pluck()
    .all() as string[];
}

export function tableSnapshot(core: Core, projectId: number): unknown {
  const q = (sql: string): unknown[] => core.db.prepare(sql).all(projectId);
  return {
    examples: q('SELECT * FROM examples WHERE project_id = ? ORDER BY id'),
    labels: q('SELECT * FROM labels WHERE project_id = ? ORDER BY id'),
    datasets: q('SELECT * FROM datasets WHERE project_id = ? ORDER BY id'),
    annotations: q('SELECT * FROM annotations WHERE project_id = ? ORDER BY id'),
  };
}

export interface ProjectFixture {
  readonly t: Awaited<ReturnType<typeof testCore>>;
  readonly core: Core;
  /** A temp folder for the test's own input files. */
  readonly dir: string;
  readonly cleanupDir: () => void;
  readonly projectId: number;
}

/** A fresh core on its own data folder, a temp folder for fixture files, and an empty project. */
export async function openProjectFixture(name: string): Promise<ProjectFixture> {
  const t = await testCore();
  const d = tempDir('distillery-fixtures-');
  const projectId = (await t.core.call('projects.create', { name })).id;
  return { t, core: t.core, dir: d.dir, cleanupDir: d.cleanup, projectId };
}

/** A fresh project fixture for each test of the file, closed and removed after it; `use` receives it. */
export function projectFixtureForEachTest(name: string, use: (f: ProjectFixture) => void): void {
  let f: ProjectFixture | null = null;
  beforeEach(async () => {
    f = await openProjectFixture(name);
    use(f);
  });
  afterEach(async () => {
    await f?.t.close();
    f?.cleanupDir();
    f = null;
  });
}
