import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { tempDir, testCore } from '../helpers';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile());
}

/** A project with texts carrying `marker`, its split, a trained student, a dataset export and a backup. */
async function projectWithEverything(core: Core, src: string, name: string, marker: string): Promise<number> {
  const p = await core.call('projects.create', { name });
  const lines = ['text,label'];
  for (let i = 0; i < 120; i++)
    lines.push(
      `"${marker} note ${i} about ${i % 2 ? 'billing and invoices' : 'pain and fever'}",${i % 2 ? 'b' : 'p'}`,
    );
  const file = join(src, `${name}.csv`);
  writeFileSync(file, lines.join('\n'));
  const imported = await core.jobs.wait(
    (
      await core.call('dataset.import', {
        projectId: p.id,
        path: file,
        textColumn: 'text',
        labelColumn: 'label',
      })
    ).id,
  );
  expect(imported.state).toBe('completed');
  await core.call('dataset.split', { projectId: p.id, seed: 1 });
  await core.call('dataset.browse', { projectId: p.id, filters: { search: marker } });
  const { job } = await core.call('student.train', { projectId: p.id, settings: { maxEpochs: 2 } });
  expect((await core.jobs.wait(job.id)).state).toBe('completed');
  await core.call('dataset.export', { projectId: p.id, format: 'csv', includeExcluded: true });
  const backup = await core.jobs.wait((await core.call('backup.create', { projectId: p.id })).id);
  expect(backup.state).toBe('completed');
  return p.id;
}

describe('deleting a project', () => {
  it('deletes everything it owns: no file in the data folder holds its texts afterwards, and ids are never reused', async () => {
    const t = await testCore();
    closers.push(() => t.close());
    const src = tempDir('distillery-src-');
    closers.push(src.cleanup);
    const marker = 'QZXMARKER7781';
    const keep = await projectWithEverything(t.core, src.dir, 'Kept', 'KEPTTEXT4411');
    const gone = await projectWithEverything(t.core, src.dir, 'Gone', marker);
    const goneRuns = (await t.core.call('student.runs', { projectId: gone })).map((r) => r.id);
    const holding = allFiles(t.dataDir).filter((f) => readFileSync(f).includes(marker));
    // Before: the database, its run folder, the export and the backup all hold the texts.
    expect(holding.length).toBeGreaterThan(2);

    const r = await t.core.call('projects.delete', { projectId: gone, confirmName: 'Gone' });
    expect(r.removedFiles).toBeGreaterThanOrEqual(3);
    const left = allFiles(t.dataDir).filter((f) => readFileSync(f).includes(marker));
    console.log(
      `files holding the marker: ${holding.length} before, ${left.length} after (${r.removedFiles} removed)`,
    );
    expect(left).toEqual([]);
    // The other project is untouched, files included.
    expect((await t.core.call('projects.get', { projectId: keep })).exampleCount).toBe(120);
    expect(allFiles(t.dataDir).some((f) => readFileSync(f).includes('KEPTTEXT4411'))).toBe(true);

    // A new project and run get new ids (and so new folders), even though the deleted ones were the newest.
    const again = await t.core.call('projects.create', { name: 'Gone' });
    expect(again.id).toBeGreaterThan(gone);
    const imported = await t.core.jobs.wait(
      (
        await t.core.call('dataset.import', {
          projectId: again.id,
          path: join(src.dir, 'Kept.csv'),
          textColumn: 'text',
          labelColumn: 'label',
        })
      ).id,
    );
    expect(imported.state).toBe('completed');
    await t.core.call('dataset.split', { projectId: again.id, seed: 1 });
    const { run } = await t.core.call('student.train', { projectId: again.id, settings: { maxEpochs: 1 } });
    expect(run.id).toBeGreaterThan(Math.max(...goneRuns));
  }, 600_000);
});
