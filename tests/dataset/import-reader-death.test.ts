import { statSync } from 'node:fs';
import type { Worker as WorkerType } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { checkpointsDeferred } from '../../src/main/core/store/checkpoints';
import { READ_IN_WORKER_FROM } from '../../src/main/features/dataset/importReader';
import {
  importFile,
  importIndexNames,
  projectFixtureForEachTest,
  writeFixture,
  type ProjectFixture,
} from './fixtures';

// The import's reader thread dying in the middle (as it would on running out of memory or a fault in it). Nothing
// here mocks the reader: the real thread runs and is terminated from outside after the first committed batch; the
// Worker class is only wrapped so that the test can reach the instance the import starts.
const workers = vi.hoisted(() => [] as WorkerType[]);
vi.mock('node:worker_threads', async (original) => {
  const real = await original<typeof import('node:worker_threads')>();
  class RecordedWorker extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      super(...args);
      workers.push(this);
    }
  }
  return { ...real, Worker: RecordedWorker, default: { ...real, Worker: RecordedWorker } };
});

let f: ProjectFixture;
projectFixtureForEachTest('reader death', (x) => (f = x));

function bigCsv(rows: number): string {
  const lines = ['text,label'];
  const words = 'with some words about a patient, a contract and a clause '.repeat(2);
  for (let i = 0; i < rows; i++) lines.push(`"example number ${i} ${words}",${i % 3 ? 'a' : 'b'}`);
  const path = writeFixture(f.dir, 'big.csv', lines.join('\n') + '\n');
  expect(statSync(path).size).toBeGreaterThanOrEqual(READ_IN_WORKER_FROM);
  return path;
}

describe('the import reader thread (killed from outside: a real thread fault cannot be caused on demand)', () => {
  it('dying mid-import fails the import with a clear error, removes its rows and leaves the project as before', async () => {
    const db = f.core.db;
    const importLabelled = (path: string): ReturnType<typeof importFile> =>
      importFile(f.core, { projectId: f.projectId, path, textColumn: 'text', labelColumn: 'label' });
    const kept = await importLabelled(writeFixture(f.dir, 'first.csv', 'text,label\nalready here,a\n'));
    expect(kept.job.state).toBe('completed');
    const count = db.prepare('SELECT COUNT(*) FROM examples WHERE project_id = ?').pluck();
    const annotations = db.prepare('SELECT COUNT(*) FROM annotations WHERE project_id = ?').pluck();
    const indexes = importIndexNames(f.core);
    const ROWS = 200_000;
    const path = bigCsv(ROWS);
    const job = await f.core.call('dataset.import', {
      projectId: f.projectId,
      path,
      textColumn: 'text',
      labelColumn: 'label',
      onBadRow: 'abort',
    });
    // The first batch is committed, the reader is ahead of the writer: it dies.
    while ((count.get(f.projectId) as number) < 2) await new Promise((r) => setTimeout(r, 1));
    expect(workers).toHaveLength(1);
    await workers[0].terminate();
    const failed = await f.core.jobs.wait(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.errorKey).toBe('dataset.importReaderStopped');
    expect(failed.error).toMatch(/exit code/);
    // Exactly what was there before: the import's rows and labels removed, the schema and settings given back.
    expect(count.get(f.projectId)).toBe(1);
    expect(annotations.get(f.projectId)).toBe(1);
    expect(importIndexNames(f.core)).toEqual(indexes);
    expect(checkpointsDeferred(db)).toBe(false);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // Trying again works.
    const again = await importLabelled(path);
    expect(again.job.state).toBe('completed');
    expect(count.get(f.projectId)).toBe(ROWS + 1);
  }, 120_000);
});
