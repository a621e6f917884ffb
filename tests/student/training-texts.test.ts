import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { createRun, dataFile, runDir, selectionFile } from '../../src/main/features/student/runs';
import { TrainClient } from '../../src/main/features/student/train.client';
import type { TrainData } from '../../src/main/features/student/trainer';
import { loadRunData, type RunDataSource } from '../../src/main/features/student/trainingTexts';
import type { Job } from '../../src/shared/jobs';
import { DEFAULT_TRAIN_SETTINGS } from '../../src/shared/student';
import { testCore } from '../helpers';
import { insertProject, type FixtureExample } from './fixtures';

let open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open) await close();
  open = [];
});

async function core(): Promise<Core> {
  const t = await testCore();
  open.push(() => t.close());
  return t.core;
}

/** 40 labelled documents (every fifth in validation) and 20 unlabelled ones, which no run reads. */
function examples(): FixtureExample[] {
  return Array.from({ length: 60 }, (_, i) => ({
    text: `${i % 2 === 0 ? 'agree accept yes' : 'refuse reject no'} document ${i}`,
    split: i % 5 === 0 ? ('validation' as const) : ('train' as const),
    label: i < 40 ? (i % 2 === 0 ? 'yes' : 'no') : null,
  }));
}

function source(c: Core, runId: number, projectId: number): RunDataSource {
  return {
    dataPath: dataFile(c.paths, runId),
    selectionPath: selectionFile(c.paths, runId),
    dbPath: c.paths.database,
    runId,
    projectId,
  };
}

async function waitForJob(c: Core, jobId: number): Promise<Job> {
  for (;;) {
    const job = await c.call('jobs.get', { jobId });
    if (job.state !== 'queued' && job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The nice value of each thread of this process (Linux: /proc/self/task/<tid>/stat, field 19). */
function threadNiceValues(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), Number(fields[16]));
    } catch {
      // the thread ended while we looked
    }
  }
  return out;
}

describe("a run's texts are read by the training worker, not the server's thread", () => {
  it('creating a run freezes ids and targets only; its texts are read on start, frozen, and kept when the database changes', async () => {
    const c = await core();
    const { projectId, exampleIds } = insertProject(c.db, ['yes', 'no'], examples());
    const runId = createRun(c.db, c.paths, projectId, DEFAULT_TRAIN_SETTINGS);

    const selection = JSON.parse(readFileSync(selectionFile(c.paths, runId), 'utf8')) as {
      train: Array<Record<string, unknown>>;
      validation: Array<Record<string, unknown>>;
    };
    expect(existsSync(dataFile(c.paths, runId))).toBe(false);
    expect(selection.train).toHaveLength(32);
    expect(selection.validation).toHaveLength(8);
    for (const item of [...selection.train, ...selection.validation]) {
      expect(item).not.toHaveProperty('text');
      expect(exampleIds.slice(0, 40)).toContain(item.id);
    }

    const data = loadRunData(source(c, runId, projectId)) as Extract<TrainData, { kind?: 'single' }>;
    expect(data.train.map((e) => e.text)).toEqual(
      examples()
        .slice(0, 40)
        .filter((e) => e.split === 'train')
        .map((e) => e.text),
    );
    expect(data.validation[0]).toEqual({ text: 'agree accept yes document 0', label: 0, fromTeacher: false });
    expect(existsSync(selectionFile(c.paths, runId))).toBe(false);

    // A resume reads the frozen data, not today's database.
    c.db.prepare("UPDATE examples SET text = 'edited' WHERE id = ?").run(exampleIds[1]);
    const again = loadRunData(source(c, runId, projectId)) as Extract<TrainData, { kind?: 'single' }>;
    expect(again.train[0].text).toBe('refuse reject no document 1');
  });

  it('a document deleted between creation and start fails the run with a message that says so', async () => {
    const c = await core();
    const { projectId, exampleIds } = insertProject(c.db, ['yes', 'no'], examples());
    const runId = createRun(c.db, c.paths, projectId, DEFAULT_TRAIN_SETTINGS);
    c.db.prepare('DELETE FROM examples WHERE id IN (?, ?)').run(exampleIds[1], exampleIds[2]);
    expect(() => loadRunData(source(c, runId, projectId))).toThrow(
      `2 document(s) of training run ${runId} were deleted before it started`,
    );
    expect(existsSync(dataFile(c.paths, runId))).toBe(false);
  });

  it('a training job started through the core: the worker writes data.json with the texts and trains', async () => {
    const c = await core();
    const { projectId } = insertProject(c.db, ['yes', 'no'], examples());
    const { run, job } = await c.call('student.train', { projectId, settings: { maxEpochs: 2 } });
    const done = await waitForJob(c, job.id);
    expect(done.state, done.error ?? '').toBe('completed');
    const data = JSON.parse(readFileSync(dataFile(c.paths, run.id), 'utf8')) as TrainData;
    expect(data.train).toHaveLength(32);
    expect(data.train.every((e) => e.text.includes('document'))).toBe(true);
    expect(readdirSync(runDir(c.paths, run.id))).not.toContain('selection.json');
  });

  it.runIf(process.platform === 'linux')(
    "the worker's thread runs 10 nicer than the server's thread (Linux: a nice value is per thread)",
    async () => {
      const c = await core();
      const { projectId } = insertProject(c.db, ['yes', 'no'], examples());
      const runId = createRun(c.db, c.paths, projectId, { ...DEFAULT_TRAIN_SETTINGS, maxEpochs: 1 });
      const before = threadNiceValues();
      const ownNice = before.get(process.pid) ?? 0;
      const seen: Array<Map<number, number>> = [];
      const client = new TrainClient({
        ...source(c, runId, projectId),
        settings: { ...DEFAULT_TRAIN_SETTINGS, maxEpochs: 1 },
        runDir: runDir(c.paths, runId),
        resumeFrom: null,
        initFrom: null,
        meta: { runId, projectId },
      });
      try {
        // The worker waits for our answer to each report, so its thread is there while we look.
        await client.run({
          onProgress: async () => void seen.push(threadNiceValues()),
          onEpoch: async () => void seen.push(threadNiceValues()),
        });
      } finally {
        await client.dispose();
      }
      expect(seen.length).toBeGreaterThan(0);
      const during = seen[0];
      // This thread (the server's, in the app) is where it was; a thread that was not there before runs 10 nicer.
      expect(during.get(process.pid)).toBe(ownNice);
      const niced = [...during].filter(
        ([tid, nice]) => !before.has(tid) && nice === Math.min(19, ownNice + 10),
      );
      expect(niced.length).toBeGreaterThan(0);
    },
  );
});
