import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { checkpointsDeferred } from '../../src/main/core/store/checkpoints';
import type { Job } from '../../src/shared/jobs';
import { testCore } from '../helpers';
import {
  importLabelledRows,
  openProjectFixture,
  tableSnapshot,
  writeFixture,
  importIndexNames,
} from './fixtures';

// A direct import writes its batches with the foreign keys off and checks once per batch that its project and
// dataset still exist (importDirect.ts `ensureTargets`). A person cannot delete the project while its import runs
// (projects.delete refuses while a job of the project is queued, running or paused); should its dataset go anyway
// between two batches, the import fails with dataset.importTargetGone and leaves nothing behind.

interface Fixture {
  core: Core;
  readonly dir: string;
  readonly projectId: number;
  /** Closes the core and opens a new one on the same data folder, as a restart does. */
  reopen(): Promise<void>;
}

let f: Fixture;
let close: () => Promise<void>;

beforeEach(async () => {
  const x = await openProjectFixture('target gone');
  let t = x.t;
  const dataDir = t.dataDir;
  f = {
    core: t.core,
    dir: x.dir,
    projectId: x.projectId,
    reopen: async () => {
      await t.close({ keep: true });
      t = await testCore({ dataDir });
      f.core = t.core;
    },
  };
  close = async () => {
    await t.close({ keep: true });
    rmSync(dataDir, { recursive: true, force: true });
    x.cleanupDir();
  };
});
afterEach(async () => {
  await close();
});

/** Large enough to defer indexes and checkpoints (at least 50,000 rows): three labels, new to the project. */
const ROWS = 60_000;

function csv(rows: number): string {
  const lines = ['text,label'];
  for (let i = 0; i < rows; i++) lines.push(`note ${i} fever dose,${['urgent', 'routine', 'admin'][i % 3]}`);
  return lines.join('\n');
}

/** Rows the import has committed so far (its checkpoint, saved with each batch). */
function written(jobId: number): number {
  const cp = f.core.db.prepare('SELECT checkpoint FROM jobs WHERE id = ?').pluck().get(jobId) as
    string | null | undefined;
  return cp ? ((JSON.parse(cp) as { written?: number }).written ?? 0) : 0;
}

/**
 * Starts the import and answers once its first batch is committed (the second not yet written: the caller acts in
 * the same tick), with the dataset it writes into.
 */
async function afterFirstBatch(): Promise<{ job: Job; datasetId: number }> {
  const job = await f.core.call('dataset.import', {
    projectId: f.projectId,
    path: writeFixture(f.dir, 'notes.csv', csv(ROWS)),
    textColumn: 'text',
    labelColumn: 'label',
    onBadRow: 'abort',
  });
  while (written(job.id) === 0) await new Promise((r) => setTimeout(r, 2));
  const cp = JSON.parse(
    f.core.db.prepare('SELECT checkpoint FROM jobs WHERE id = ?').pluck().get(job.id) as string,
  ) as { written: number; datasetId: number };
  expect(cp.written).toBeLessThan(ROWS);
  return { job, datasetId: cp.datasetId };
}

function indexNames(): string[] {
  return importIndexNames(f.core);
}

/** Everything a project holds that an import writes or counts. */
function projectState(projectId: number): unknown {
  const q = (sql: string): unknown[] => f.core.db.prepare(sql).all(projectId);
  return {
    ...(tableSnapshot(f.core, projectId) as object),
    exampleCounts: q(
      'SELECT split, length_bin, n FROM example_counts WHERE project_id = ? AND n <> 0 ORDER BY 1, 2',
    ),
    labelCounts: q('SELECT split, human, n FROM label_counts WHERE project_id = ? AND n <> 0 ORDER BY 1, 2'),
  };
}

/** A second project with its own labelled rows, which nothing here may touch. */
async function otherProject(): Promise<number> {
  const id = (await f.core.call('projects.create', { name: 'Other' })).id;
  await importLabelledRows(f.core, id, f.dir, [
    ['the invoice is overdue', 'admin'],
    ['chest pain since noon', 'urgent'],
    ['yearly check-up', 'routine'],
  ]);
  // Its search index job ends first, so that no other job builds the large import's deferred indexes meanwhile.
  for (const j of f.core.jobs.list({ projectId: id })) await f.core.jobs.wait(j.id);
  return id;
}

describe('an import whose project or dataset goes while it runs', () => {
  it('keeps its project: deleting it is refused while the import runs or is paused, and the import completes', async () => {
    const other = await otherProject();
    const otherBefore = projectState(other);
    const { job } = await afterFirstBatch();
    f.core.jobs.pause(job.id);
    const name = (await f.core.call('projects.get', { projectId: f.projectId })).name;
    const refused = { code: 'CONFLICT', key: 'projects.jobProjectStillWorking' };
    await expect(
      f.core.call('projects.delete', { projectId: f.projectId, confirmName: name }),
    ).rejects.toMatchObject(refused);
    f.core.jobs.resume(job.id);
    expect(f.core.jobs.get(job.id).state).toBe('running');
    await expect(
      f.core.call('projects.delete', { projectId: f.projectId, confirmName: name }),
    ).rejects.toMatchObject(refused);

    const done = await f.core.jobs.wait(job.id);
    expect(done.state).toBe('completed');
    expect(
      f.core.db.prepare('SELECT COUNT(*) FROM examples WHERE project_id = ?').pluck().get(f.projectId),
    ).toBe(ROWS);
    expect(projectState(other)).toEqual(otherBefore);
  }, 60_000);

  it('fails with dataset.importTargetGone when its dataset is deleted between batches, and leaves nothing behind', async () => {
    const db = f.core.db;
    const other = await otherProject();
    const otherBefore = projectState(other);
    const before = projectState(f.projectId);
    const indexes = indexNames();
    const threshold = db.pragma('wal_autocheckpoint', { simple: true });

    const { job, datasetId } = await afterFirstBatch();
    f.core.jobs.pause(job.id);
    // The first batch deferred the indexes and the checkpoints (a large import).
    expect(db.prepare('SELECT COUNT(*) FROM deferred_indexes').pluck().get()).toBeGreaterThan(0);
    expect(checkpointsDeferred(db)).toBe(true);
    // Nothing in the app deletes a dataset; this stands for whatever would (its rows go with it by cascade).
    db.prepare('DELETE FROM datasets WHERE id = ?').run(datasetId);
    f.core.jobs.resume(job.id);

    const failed = await f.core.jobs.wait(job.id);
    expect(failed).toMatchObject({
      state: 'failed',
      errorCode: 'NOT_FOUND',
      errorKey: 'dataset.importTargetGone',
      errorParams: { projectId: f.projectId },
      error: expect.stringMatching(/was deleted while the import ran/),
    });
    // Its project as before it (the labels it created are gone again, every count back to zero)...
    expect(projectState(f.projectId)).toEqual(before);
    // ...no other project touched...
    expect(projectState(other)).toEqual(otherBefore);
    // ...and the store as before: indexes built again, checkpoints and counting triggers back on, no checkpoint kept.
    expect(indexNames()).toEqual(indexes);
    expect(db.prepare('SELECT COUNT(*) FROM deferred_indexes').pluck().get()).toBe(0);
    expect(checkpointsDeferred(db)).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(threshold);
    expect(db.prepare('SELECT COUNT(*) FROM label_count_pause').pluck().get()).toBe(0);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT checkpoint FROM jobs WHERE id = ?').pluck().get(job.id)).toBeNull();
    expect(db.pragma('foreign_key_check')).toEqual([]);
  }, 60_000);

  it('behind that refusal, a project deleted between batches takes the import and its job row with it; a restart builds the deferred indexes', async () => {
    const db = (): Core['db'] => f.core.db;
    const other = await otherProject();
    const otherBefore = projectState(other);
    const indexes = indexNames();
    const threshold = db().pragma('wal_autocheckpoint', { simple: true });
    const empty = projectState(f.projectId);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);

    const { job } = await afterFirstBatch();
    // What projects.delete refuses to do, done by hand while the import runs: the cascade removes the rows written
    // so far and the job's own row.
    db().prepare('DELETE FROM projects WHERE id = ?').run(f.projectId);
    // The import stops at its next write, but its end cannot be recorded: no job is left to show why.
    await expect(f.core.jobs.wait(job.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining(`could not record the end of job ${job.id}`),
      expect.anything(),
    );
    logged.mockRestore();
    expect(db().prepare('SELECT COUNT(*) FROM jobs WHERE project_id = ?').pluck().get(f.projectId)).toBe(0);
    expect(projectState(f.projectId)).toEqual(empty);
    expect(projectState(other)).toEqual(otherBefore);
    expect(checkpointsDeferred(db())).toBe(false);
    expect(db().pragma('wal_autocheckpoint', { simple: true })).toBe(threshold);
    expect(db().prepare('SELECT COUNT(*) FROM label_count_pause').pluck().get()).toBe(0);
    expect(db().pragma('foreign_keys', { simple: true })).toBe(1);

    // The indexes the import dropped are not built by its clean-up here (it finds no job row to clean up after);
    // with no import left, the next start builds them (removeUnfinishedImports).
    await f.reopen();
    expect(indexNames()).toEqual(indexes);
    expect(db().prepare('SELECT COUNT(*) FROM deferred_indexes').pluck().get()).toBe(0);
    expect(projectState(other)).toEqual(otherBefore);
    expect(db().pragma('integrity_check', { simple: true })).toBe('ok');
  }, 60_000);
});
