import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { runAuto, type AutoProgress } from '../../src/main/features/student/auto';
import { hasFinalFit, readFinalFit } from '../../src/main/features/student/finalFit';
import { readModel } from '../../src/main/features/student/modelFile';
import { FINAL_MODEL_DIR, type FinalFitEpoch, type TrainData } from '../../src/main/features/student/trainer';
import { modelDirName } from '../../src/main/features/student/training/checkpoint';
import { TrainSettings, type TrainSettingsInput } from '../../src/shared/student';
import { tempDir, testCore } from '../helpers';
import { insertProject, kuakeSubset as subset, loadKuake, waitForJob } from './fixtures';

/**
 * 400 Chinese medical queries: 360 to train on, 40 to validate on (30 labelled by people, 10 with the teacher's
 * top label only, which the final fit leaves out).
 */
function data(): TrainData {
  const { labels, train } = loadKuake();
  const rows = train.slice(0, 400);
  const cls = (l: string): number => labels.indexOf(l);
  return {
    labels,
    train: rows
      .filter((_, i) => i % 10 !== 0)
      .map((r) => ({ text: r.text, label: cls(r.label), teacher: null })),
    validation: rows
      .filter((_, i) => i % 10 === 0)
      .map((r, j) => ({ text: r.text, label: cls(r.label), fromTeacher: j % 4 === 3 })),
  };
}

const dirs: string[] = [];
function runDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'final-fit-test-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const SETTINGS = TrainSettings.parse({ maxEpochs: 3, patience: 5, seed: 5, auto: false, metric: 'loss' });

function quiet(): { onProgress: () => Promise<void>; onEpoch: () => Promise<void> } {
  return { onProgress: async () => undefined, onEpoch: async () => undefined };
}

describe('final fit (settings.finalFit)', () => {
  it('is on by default, and a run created before it existed reads it as off', () => {
    expect(TrainSettings.parse({}).finalFit).toBe(true);
  });

  it('trains the chosen configuration on the training and human-labelled validation documents for the best epoch count, and that is the model', async () => {
    const d = data();
    const human = d.validation.filter((v) => !v.fromTeacher).length;
    const documents = d.train.length + human;
    const dir = runDir();
    const progress: AutoProgress[] = [];
    const fitEpochs: FinalFitEpoch[] = [];
    const mainEpochs: number[] = [];
    const out = await runAuto(
      { data: d, settings: { ...SETTINGS, auto: true }, runDir: dir, resumeFrom: null },
      {
        onProgress: async (p) => void progress.push(p),
        onEpoch: async (e) => void mainEpochs.push(e.epoch),
        onFinalFitEpoch: async (f) => void fitEpochs.push(f),
      },
    );
    const E = out.bestEpoch;
    expect(E).toBeGreaterThanOrEqual(1);
    expect(out.auto?.chosen).not.toBeNull();
    expect(out.finalFit).toEqual({ epochs: E, documents, validation: human });
    // The validated run's epochs came first; then E epochs over every document, each reported after its checkpoint.
    expect(mainEpochs.length).toBeGreaterThanOrEqual(E);
    expect(fitEpochs.map((f) => f.epoch)).toEqual(Array.from({ length: E }, (_, i) => i + 1));
    const fit = progress.filter((p) => p.finalFit);
    expect(fit.length).toBeGreaterThan(0);
    expect(fit.every((p) => p.finalFit?.epochs === E && p.total === E * documents)).toBe(true);
    expect(fit[fit.length - 1].done).toBe(E * documents);
    // Progress after the final fit began is the final fit's only.
    const first = progress.findIndex((p) => p.finalFit);
    expect(progress.slice(first).every((p) => p.finalFit)).toBe(true);

    // The model kept is the final fit's; the validated best epoch's folder is kept beside it.
    expect(out.modelPath).toBe(join(dir, FINAL_MODEL_DIR));
    expect(existsSync(join(dir, modelDirName(E)))).toBe(true);
    const model = readModel(out.modelPath);
    const validated = readModel(join(dir, modelDirName(E)));
    const file = JSON.parse(readFileSync(join(out.modelPath, 'model.json'), 'utf8')) as { meta: unknown };
    expect(file.meta).toMatchObject({ epoch: E, value: out.bestMetric, finalFit: out.finalFit });
    expect(readFinalFit(out.modelPath)).toEqual(out.finalFit);
    expect(readFinalFit(join(dir, modelDirName(E)))).toBeNull();
    // Its features and idf come from every document it trained on: a feature seen in one document has idf
    // ln((1 + n) / 2) + 1 with n the documents, and the final model has rows the training split never had.
    const idfMax = (m: typeof model): number => {
      let top = 0;
      for (let r = 0; r < m.rowIds.length; r++) top = Math.max(top, m.embeddings[r * m.dim]);
      return top;
    };
    expect(idfMax(model)).toBeCloseTo(Math.log((1 + documents) / 2) + 1, 5);
    expect(idfMax(validated)).toBeCloseTo(Math.log((1 + d.train.length) / 2) + 1, 5);
    expect(model.rowIds.length).toBeGreaterThan(validated.rowIds.length);
    // Only the last final-fit checkpoint is kept.
    expect(readdirSync(dir).filter((f) => f.startsWith('final-'))).toEqual([
      `final-${String(E).padStart(4, '0')}.ckpt`,
    ]);
  }, 120_000);

  it('resumes an interrupted final fit from its checkpoint and ends with the same model', async () => {
    const reference = await runAuto(
      { data: data(), settings: SETTINGS, runDir: runDir(), resumeFrom: null },
      quiet(),
    );
    const E = reference.bestEpoch;
    expect(E).toBeGreaterThanOrEqual(2);
    const dir = runDir();
    const stop = new Error('the app quit');
    let saved = '';
    await expect(
      runAuto(
        { data: data(), settings: SETTINGS, runDir: dir, resumeFrom: null },
        {
          ...quiet(),
          onFinalFitEpoch: async (f) => {
            saved = f.checkpointPath;
            if (f.epoch === 1) throw stop;
          },
        },
      ),
    ).rejects.toBe(stop);
    expect(basename(saved)).toBe('final-0001.ckpt');
    const mainEpochs: number[] = [];
    const fitEpochs: number[] = [];
    const resumed = await runAuto(
      { data: data(), settings: SETTINGS, runDir: dir, resumeFrom: saved },
      {
        onProgress: async () => undefined,
        onEpoch: async (e) => void mainEpochs.push(e.epoch),
        onFinalFitEpoch: async (f) => void fitEpochs.push(f.epoch),
      },
    );
    // Neither the validated run nor the final fit's first epoch ran again.
    expect(mainEpochs).toEqual([]);
    expect(fitEpochs).toEqual(Array.from({ length: E - 1 }, (_, i) => i + 2));
    expect(resumed).toEqual({
      ...reference,
      modelPath: join(dir, FINAL_MODEL_DIR),
      modelBytes: resumed.modelBytes,
    });
    expect(resumed.modelBytes).toBe(reference.modelBytes);
    expect(
      readFileSync(join(resumed.modelPath, 'weights.bin')).equals(
        readFileSync(join(reference.modelPath, 'weights.bin')),
      ),
    ).toBe(true);
  }, 120_000);

  it('is skipped when turned off, for multi-label runs and for runs that start from another', async () => {
    const off = await runAuto(
      { data: data(), settings: { ...SETTINGS, finalFit: false }, runDir: runDir(), resumeFrom: null },
      quiet(),
    );
    expect(off.finalFit).toBeUndefined();
    expect(basename(off.modelPath)).toBe(modelDirName(off.bestEpoch));
    expect(readFinalFit(off.modelPath)).toBeNull();
    const multi: TrainData = {
      kind: 'multi',
      labels: ['a', 'b'],
      positiveWeights: [1, 1],
      train: [],
      validation: [],
    };
    expect(hasFinalFit({ data: multi, settings: SETTINGS, initFrom: null })).toBe(false);
    expect(hasFinalFit({ data: data(), settings: { ...SETTINGS, initFromRunId: 3 }, initFrom: null })).toBe(
      false,
    );
    expect(hasFinalFit({ data: data(), settings: SETTINGS, initFrom: '/runs/student-3/model-e0002' })).toBe(
      false,
    );
    expect(
      hasFinalFit({ data: data(), settings: { ...SETTINGS, architecture: 'cnn' }, initFrom: null }),
    ).toBe(false);
    expect(hasFinalFit({ data: data(), settings: SETTINGS, initFrom: null })).toBe(true);
  }, 60_000);
});

/** A run of the app: the job, its checkpoint and the model Evaluate and Export read (student_runs.model_path). */
describe('final fit in a training job', () => {
  const JOB_SETTINGS: TrainSettingsInput = {
    maxEpochs: 2,
    patience: 10,
    batchSize: 2,
    seed: 7,
    learningRate: 0.01,
    auto: false,
    metric: 'loss',
  };

  function modelOf(core: Core, runId: number): { path: string; weights: Buffer } {
    const run = core.db.prepare('SELECT model_path FROM student_runs WHERE id = ?').get(runId) as {
      model_path: string;
    };
    return { path: run.model_path, weights: readFileSync(join(run.model_path, 'weights.bin')) };
  }

  it('is resumed after the app quits during it, and its model is the run’s (Evaluate, Export)', async () => {
    const { labels, examples } = subset(3000);
    const a = await testCore();
    const pa = insertProject(a.core.db, labels, examples);
    const ra = await a.core.call('student.train', { projectId: pa.projectId, settings: JOB_SETTINGS });
    expect((await a.core.jobs.wait(ra.job.id)).state).toBe('completed');
    const reference = modelOf(a.core, ra.run.id);
    const detail = await a.core.call('student.run', { runId: ra.run.id });
    await a.close();
    expect(basename(reference.path)).toBe(FINAL_MODEL_DIR);
    expect(detail.finalFit).toEqual({ epochs: detail.bestEpoch, documents: 3000, validation: 300 });
    const E = detail.bestEpoch ?? 0;
    // Two epochs or more, so that the final fit has a checkpoint of its own to resume from.
    expect(E).toBeGreaterThanOrEqual(2);

    const dir = tempDir();
    try {
      const b = await testCore({ dataDir: dir.dir });
      const pb = insertProject(b.core.db, labels, examples);
      // The app quits in the final fit's last epoch, once the checkpoint of the one before is recorded. Progress
      // events come at most every 250 ms, and a final-fit epoch here can take less: so the job is paused at the
      // moment that checkpoint is written (it stops at its next yield, right after) instead of waiting for an event.
      const lastButOne = `final-${String(E - 1).padStart(4, '0')}.ckpt`;
      const prepare = b.core.db.prepare.bind(b.core.db);
      vi.spyOn(b.core.db, 'prepare').mockImplementation(((sql: string) => {
        const statement = prepare(sql);
        if (!sql.startsWith('UPDATE jobs SET checkpoint')) return statement;
        const run = statement.run.bind(statement);
        return Object.assign(Object.create(statement) as typeof statement, {
          run: (json: string, at: string, jobId: number) => {
            const done = run(json, at, jobId);
            const saved = JSON.parse(json) as { path?: string; finalFit?: true } | null;
            if (saved?.finalFit && basename(saved.path ?? '') === lastButOne) b.core.jobs.pause(jobId);
            return done;
          },
        });
      }) as typeof b.core.db.prepare);
      const midFinalFit = waitForJob(b.core, (j) => j.state === 'paused');
      const rb = await b.core.call('student.train', { projectId: pb.projectId, settings: JOB_SETTINGS });
      await midFinalFit;
      await b.close({ keep: true });

      const c = await testCore({ dataDir: dir.dir });
      expect(c.core.jobs.get(rb.job.id).state).toBe('interrupted');
      const saved = c.core.db.prepare('SELECT checkpoint FROM jobs WHERE id = ?').get(rb.job.id) as {
        checkpoint: string;
      };
      const checkpoint = JSON.parse(saved.checkpoint) as { epoch: number; path: string; finalFit?: true };
      // The validated run's epochs are all recorded; the job resumes from the final fit's last checkpoint.
      expect(checkpoint.epoch).toBe(2);
      expect([basename(checkpoint.path), checkpoint.finalFit]).toEqual([lastButOne, true]);
      await c.core.call('jobs.resume', { jobId: rb.job.id });
      expect((await c.core.jobs.wait(rb.job.id)).state).toBe('completed');
      const resumed = modelOf(c.core, rb.run.id);
      expect(basename(resumed.path)).toBe(FINAL_MODEL_DIR);
      // Completed: nothing resumes from the final fit's checkpoint any more, so it is gone.
      expect(readdirSync(dirname(resumed.path)).filter((f) => f.startsWith('final-'))).toEqual([]);
      expect(resumed.weights.equals(reference.weights)).toBe(true);
      const run = await c.core.call('student.run', { runId: rb.run.id });
      expect(run.epochs).toHaveLength(2);
      expect(run.finalFit).toEqual(detail.finalFit);
      await c.close({ keep: true });
    } finally {
      dir.cleanup();
    }
  }, 180_000);
});
