import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { sizeOf } from '../../src/main/features/disk/disk';
import { FINAL_MODEL_DIR } from '../../src/main/features/student/trainer';
import { checkpointName, modelDirName } from '../../src/main/features/student/training/checkpoint';
import type { Job } from '../../src/shared/jobs';
import type { TrainSettingsInput } from '../../src/shared/student';
import { ROOT, testCore } from '../helpers';
import { insertProject, loadKuake } from '../student/fixtures';

/** Overfits quickly on a small subset, so that early stopping ends the run two epochs after its best one. */
const STOPS_EARLY: TrainSettingsInput = {
  maxEpochs: 30,
  patience: 2,
  metric: 'loss',
  learningRate: 0.05,
  dim: 16,
  useTeacher: false,
};

function kuakeProject(core: Core, n: number): { projectId: number; texts: string[]; labels: string[] } {
  const { labels, train } = loadKuake();
  const rows = train.slice(0, n);
  const { projectId } = insertProject(
    core.db,
    labels,
    rows.map((r, i) => ({
      text: r.text,
      // Human labels on half of the training split; the teacher labels the rest.
      label: i % 10 === 0 || i % 2 === 0 ? r.label : null,
      split: i % 10 === 0 ? 'validation' : 'train',
    })),
  );
  return { projectId, texts: rows.map((r) => r.text), labels };
}

async function train(core: Core, projectId: number, settings: TrainSettingsInput): Promise<number> {
  const { run, job } = await core.call('student.train', { projectId, settings });
  const done = await core.jobs.wait(job.id);
  expect(done.state, done.error ?? '').toBe('completed');
  return run.id;
}

function waitForJob(core: Core, predicate: (j: Job) => boolean): Promise<Job> {
  return new Promise((resolve) => {
    const off = core.events.subscribe((e) => {
      if (e.name === 'job.updated' && predicate(e.payload)) {
        off();
        resolve(e.payload);
      }
    });
  });
}

describe('a training run keeps its best and last checkpoints only', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it('during a real training run older checkpoints go; the rows name the files that stay', async () => {
    const t = await testCore();
    closers.push(() => t.close());
    const { core } = t;
    const { projectId } = kuakeProject(core, 1800);
    // What the run folder holds after each epoch is recorded (the worker prunes before the next epoch starts).
    const seen: Array<{ epoch: number; checkpoints: number }> = [];
    const off = core.events.subscribe((e) => {
      if (e.name !== 'student.epoch') return;
      const dir = join(core.paths.runs, `student-${e.payload.runId}`);
      const files = readdirSync(dir).filter((f) => f.endsWith('.ckpt'));
      seen.push({ epoch: e.payload.epoch, checkpoints: files.length });
    });
    closers.push(off);
    const runId = await train(core, projectId, STOPS_EARLY);
    const detail = await core.call('student.run', { runId });
    const last = detail.epochs.length;
    expect(detail.bestEpoch).not.toBeNull();
    const best = detail.bestEpoch!;
    expect(last).toBeGreaterThan(best);
    expect(last).toBeGreaterThanOrEqual(4);
    // Before pruning an epoch there are at most: the previous last, the best, and this epoch's.
    expect(Math.max(...seen.map((s) => s.checkpoints))).toBeLessThanOrEqual(3);
    const dir = join(core.paths.runs, `student-${runId}`);
    // auto.json: the default student's Auto trials (kept: the run's record of what it tried); model-final: the
    // final fit's model, the run's (its own checkpoint goes once the run is completed).
    expect(readdirSync(dir).sort()).toEqual(
      [
        'auto.json',
        'data.json',
        checkpointName(best),
        checkpointName(last),
        modelDirName(best),
        FINAL_MODEL_DIR,
      ].sort(),
    );
    expect(detail.modelPath).toBe(join(dir, FINAL_MODEL_DIR));
    expect(detail.checkpoints.map((c) => [c.epoch, c.isBest])).toEqual([
      [best, true],
      [last, false],
    ]);
    console.log(
      `[retention] ${last} epochs, best ${best}: run folder ${sizeOf(dir)} bytes, checkpoints after each epoch ${seen
        .map((s) => s.checkpoints)
        .join(',')}`,
    );
  }, 120_000);
});

describe('deleting runs', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it('a student run: refused while it trains, then its files and rows go, and a second delete is harmless', async () => {
    const t = await testCore();
    closers.push(() => t.close());
    const { core } = t;
    const { projectId } = kuakeProject(core, 1500);
    const started = waitForJob(core, (j) => j.kind === 'student.train' && j.progress.done > 0);
    const slow = { ...STOPS_EARLY, maxEpochs: 40, patience: 40, batchSize: 1, dim: 64 };
    const { run, job } = await core.call('student.train', { projectId, settings: slow });
    await started;
    await expect(
      core.call('disk.deleteRun', { projectId, runId: run.id, force: true }),
    ).rejects.toMatchObject({
      code: 'JOB_STATE',
      message: expect.stringMatching(/still running.*Cancel that job first/),
    });
    expect((await core.call('disk.runUse', { projectId, runId: run.id })).active).toBe(true);
    core.jobs.cancel(job.id);
    expect((await core.jobs.wait(job.id)).state).toBe('cancelled');
    const dir = join(core.paths.runs, `student-${run.id}`);
    const use = await core.call('disk.runUse', { projectId, runId: run.id });
    expect(use).toMatchObject({ active: false, evaluated: false, exports: 0 });
    expect(use.bytes).toBe(sizeOf(dir));
    expect(use.bytes).toBeGreaterThan(0);

    const removed = await core.call('disk.deleteRun', { projectId, runId: run.id });
    expect(removed).toEqual({ deletedBytes: use.bytes, alreadyDeleted: false });
    expect(existsSync(dir)).toBe(false);
    for (const table of ['student_runs WHERE id', 'checkpoints WHERE run_id', 'metrics WHERE student_run_id'])
      expect(core.db.prepare(`SELECT COUNT(*) FROM ${table} = ?`).pluck().get(run.id)).toBe(0);
    // A second click, or a second window, after it went.
    expect(await core.call('disk.deleteRun', { projectId, runId: run.id })).toEqual({
      deletedBytes: 0,
      alreadyDeleted: true,
    });
    await expect(core.call('disk.deleteRun', { projectId, runId: 9999 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  }, 120_000);

  it('a teacher run: refused while students name it unless confirmed; they keep their models', async () => {
    const t = await testCore();
    closers.push(() => t.close());
    const { core } = t;
    const { projectId, texts, labels } = kuakeProject(core, 600);
    const file = join(t.dataDir, 'teacher.jsonl');
    writeFileSync(
      file,
      texts
        .map((text, i) =>
          JSON.stringify({ text, probs: Object.fromEntries(labels.map((l, k) => [l, k === i % 3 ? 1 : 0])) }),
        )
        .join('\n'),
    );
    const { run: first } = await core.call('teacher.importRun', { projectId, path: file });
    const { run: second } = await core.call('teacher.importRun', { projectId, path: file });
    const studentRun = await train(core, projectId, { ...STOPS_EARLY, useTeacher: true, maxEpochs: 2 });
    expect((await core.call('student.run', { runId: studentRun })).teacherRunId).toBe(second.id);

    const use = await core.call('disk.teacherRunUse', { projectId, runId: second.id });
    expect(use).toMatchObject({
      outputs: 600,
      studentRuns: [studentRun],
      latest: true,
      previousRunId: first.id,
      active: false,
    });
    expect(use.bytes).toBeGreaterThan(600 * 64);
    await expect(core.call('disk.deleteTeacherRun', { projectId, runId: second.id })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(new RegExp(`training run\\(s\\) ${studentRun} learnt from it`)),
    });
    expect(await core.call('disk.deleteTeacherRun', { projectId, runId: second.id, force: true })).toEqual({
      deletedBytes: use.bytes,
      alreadyDeleted: false,
    });
    expect(
      core.db.prepare('SELECT COUNT(*) FROM teacher_outputs WHERE run_id = ?').pluck().get(second.id),
    ).toBe(0);
    const kept = await core.call('student.run', { runId: studentRun });
    expect(kept.teacherRunId).toBeNull();
    expect(existsSync(kept.modelPath!)).toBe(true);
    // The earlier run is the project's teacher again.
    expect((await core.call('student.overview', { projectId })).teacherRunId).toBe(first.id);
    expect(await core.call('disk.deleteTeacherRun', { projectId, runId: second.id })).toEqual({
      deletedBytes: 0,
      alreadyDeleted: true,
    });
    // Nobody learnt from the first one: it goes without confirmation.
    expect(
      (await core.call('disk.deleteTeacherRun', { projectId, runId: first.id })).deletedBytes,
    ).toBeGreaterThan(0);
    expect(core.db.pragma('foreign_key_check')).toEqual([]);
  }, 120_000);

  it('from the command line: train delete and teacher delete-run, with --json', async () => {
    const t = await testCore();
    const { projectId, texts, labels } = kuakeProject(t.core, 300);
    const file = join(t.dataDir, 'teacher.jsonl');
    writeFileSync(
      file,
      texts.map((text) => JSON.stringify({ text, probs: { [labels[0]]: 0.6, [labels[1]]: 0.4 } })).join('\n'),
    );
    const { run: teacherRun } = await t.core.call('teacher.importRun', { projectId, path: file });
    const runId = await train(t.core, projectId, { ...STOPS_EARLY, maxEpochs: 2 });
    await t.close({ keep: true });
    closers.push(() => rmSync(t.dataDir, { recursive: true, force: true }));
    const cli = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', t.dataDir, '--json'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    const deleted = cli('train', 'delete', String(runId));
    expect(deleted.status, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ alreadyDeleted: false });
    expect(JSON.parse(deleted.stdout).deletedBytes).toBeGreaterThan(0);
    const again = cli('train', 'delete', String(runId));
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ deletedBytes: 0, alreadyDeleted: true });
    const teacher = cli('teacher', 'delete-run', String(teacherRun.id));
    expect(teacher.status, teacher.stderr).toBe(0);
    expect(JSON.parse(teacher.stdout).deletedBytes).toBeGreaterThan(0);
    const missing = cli('teacher', 'delete-run', '9999');
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  }, 120_000);
});
