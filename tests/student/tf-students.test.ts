import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStudentRuntime } from '../../src/main/features/export/runtime/student-runtime';
import { dropoutMask } from '../../src/main/features/student/tfStudent';
import { DEFAULT_FEATURIZER } from '../../src/main/features/student/featurizer';
import { loadStudent } from '../../src/main/features/student/predictor';
import { expectedTfBackend, initTf } from '../../src/main/features/student/tfBackend';
import { runTraining, type TrainData } from '../../src/main/features/student/trainer';
import { TrainSettings } from '../../src/shared/student';
import { tempDir, testCore } from '../helpers';
import { insertProject, loadKuake, type FixtureExample } from './fixtures';

const dirs: Array<() => void> = [];
afterAll(() => dirs.forEach((cleanup) => cleanup()));

describe('model files of the sequence students', () => {
  it('refuses a model.json without its sizes, or of an unknown architecture, saying so', () => {
    const rowIds = new Uint8Array(4); // one uint32 row id (0)
    const json = (architecture: string): string =>
      JSON.stringify({
        format: 'distillery-student',
        version: 1,
        architecture,
        labels: ['a', 'b'],
        featurizer: DEFAULT_FEATURIZER,
        dim: 4,
        tensors: [{ name: 'rowIds', dtype: 'uint32', shape: [1], offset: 0 }],
      });
    expect(() => loadStudentRuntime(json('cnn'), rowIds)).toThrow(/no "cnn" section/);
    expect(() => loadStudentRuntime(json('transformer'), rowIds)).toThrow(/no "transformer" section/);
    expect(() => loadStudentRuntime(json('rnn'), rowIds)).toThrow(/Unknown student architecture "rnn"/);
  });
});

describe('dropout of the pooled features', () => {
  it('draws a mask that depends only on (seed, step), keeps about 1 - rate, and scales what it keeps', () => {
    expect(dropoutMask(0, 4, 8, 1, 0)).toBeNull();
    const a = dropoutMask(0.5, 64, 32, 7, 3) as Float32Array;
    expect(dropoutMask(0.5, 64, 32, 7, 3)).toEqual(a);
    expect(dropoutMask(0.5, 64, 32, 7, 4)).not.toEqual(a);
    expect(new Set(a)).toEqual(new Set([0, 2]));
    const kept = a.filter((x) => x > 0).length / a.length;
    expect(kept).toBeGreaterThan(0.45);
    expect(kept).toBeLessThan(0.55);
  });
});

describe('TensorFlow.js backend', () => {
  it('picks tfjs-node-gpu, then tfjs-node, then WebAssembly (simulated: the native packages cannot be installed here)', async () => {
    const none = { installed: () => false, load: (m: string) => import(m), env: {} };
    expect(expectedTfBackend(none)).toBe('wasm');
    expect(expectedTfBackend({ ...none, installed: (m) => m === '@tensorflow/tfjs-node' })).toBe('node');
    expect(expectedTfBackend({ ...none, installed: () => true })).toBe('node-gpu');
    expect(
      expectedTfBackend({ ...none, installed: () => true, env: { DISTILLERY_TF_BACKEND: 'wasm' } }),
    ).toBe('wasm');
    // Both native packages "installed" but broken (no CUDA driver; a package that registers no backend): the
    // trainer falls back to WebAssembly and says what it tried.
    const loaded: string[] = [];
    const r = await initTf({
      installed: () => true,
      load: async (m) => {
        loaded.push(m);
        if (m === '@tensorflow/tfjs-node-gpu')
          throw new Error('libcudart.so.11.0: cannot open shared object file');
        if (m === '@tensorflow/tfjs-node') return {};
        return import(m);
      },
      env: {},
    });
    expect(r.kind).toBe('wasm');
    expect(r.label).toMatch(/WebAssembly/);
    expect(loaded).toEqual([
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-backend-wasm',
    ]);
    expect(r.tried[0]).toMatch(/node-gpu: libcudart/);
    expect(r.tried[1]).toMatch(/^node: /);
  });
});

function kuakeSubset(n: number): { labels: string[]; examples: FixtureExample[]; test: FixtureExample[] } {
  const { labels, train, dev } = loadKuake();
  return {
    labels,
    examples: train
      .slice(0, n)
      .map((r, i) => ({ text: r.text, label: r.label, split: i % 10 === 0 ? 'validation' : 'train' })),
    test: dev.map((r) => ({ text: r.text, label: r.label, split: 'test' })),
  };
}

describe.each([
  ['cnn', { kernelSize: 3, filters: 64, maxTokens: 256 }],
  ['transformer', { hidden: 64, maxTokens: 256 }],
] as const)('%s student: training', (architecture, description) => {
  it('trains on kuake_qic as a job on WebAssembly, beats the majority class, and the export runtime agrees to 1e-6', async () => {
    const t = await testCore();
    try {
      const { labels, examples, test } = kuakeSubset(3000);
      const p = insertProject(t.core.db, labels, [...examples, ...test]);
      const { run, job } = await t.core.call('student.train', {
        projectId: p.projectId,
        settings: { architecture, maxEpochs: 4, patience: 2, seed: 3 },
      });
      expect((await t.core.jobs.wait(job.id)).state).toBe('completed');
      const detail = await t.core.call('student.run', { runId: run.id });
      expect(detail.architecture).toBe(architecture);
      expect(detail.backend).toBe('TensorFlow.js: WebAssembly (SIMD)');
      expect(detail.epochs.length).toBeGreaterThanOrEqual(2);
      expect(detail.bestEpoch).not.toBeNull();

      const model = JSON.parse(readFileSync(join(detail.modelPath ?? '', 'model.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(model.architecture).toBe(architecture);
      expect(model[architecture]).toEqual(description);

      const predictor = await loadStudent(detail.modelPath ?? '');
      const texts = test.map((e) => e.text);
      const probs = await predictor.predict(texts);
      const gold = test.map((e) => labels.indexOf(e.label ?? ''));
      const correct = probs.filter((v, i) => v.indexOf(Math.max(...v)) === gold[i]).length;
      const counts = labels.map((_, c) => gold.filter((g) => g === c).length);
      const majority = Math.max(...counts) / gold.length;
      expect(correct / gold.length).toBeGreaterThan(majority + 0.2);

      // The exported runtime (the same pure forward pass, bundled) predicts the same distributions.
      const runtime = loadStudentRuntime(
        readFileSync(join(detail.modelPath ?? '', 'model.json'), 'utf8'),
        readFileSync(join(detail.modelPath ?? '', 'weights.bin')),
      );
      const exported = runtime.predictProba(texts.slice(0, 300));
      exported.forEach((v, i) => v.forEach((x, c) => expect(Math.abs(x - probs[i][c])).toBeLessThan(1e-6)));
      // Empty text and a text in another script still give a distribution.
      for (const v of runtime.predictProba(['', 'the patient asked about dosage'])) {
        expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      }

      // A run cannot start a fastText student from this model.
      await expect(
        t.core.call('student.train', {
          projectId: p.projectId,
          settings: { architecture: 'fasttext', initFromRunId: run.id },
        }),
      ).rejects.toThrow(new RegExp(`${architecture} student; this run trains a fasttext student`));
    } finally {
      await t.close();
    }
  }, 240_000);

  it('resumed from a checkpoint ends with the same weights as an uninterrupted run', async () => {
    const { labels, examples } = kuakeSubset(800);
    const data: TrainData = {
      labels,
      train: examples
        .filter((e) => e.split === 'train')
        .map((e) => ({ text: e.text, label: labels.indexOf(e.label ?? ''), teacher: null })),
      validation: examples
        .filter((e) => e.split === 'validation')
        .map((e) => ({ text: e.text, label: labels.indexOf(e.label ?? '') })),
    };
    const settings = TrainSettings.parse({
      architecture,
      maxEpochs: 3,
      patience: 10,
      seed: 5,
      filters: 16,
    });
    const quiet = { onProgress: async () => undefined, onEpoch: async () => undefined };

    const a = tempDir();
    dirs.push(a.cleanup);
    const full = await runTraining({ data, settings, runDir: a.dir, resumeFrom: null }, quiet);

    const b = tempDir();
    dirs.push(b.cleanup);
    let checkpoint = '';
    // The "kill": training stops in the middle of epoch 2, after epoch 1's checkpoint is on disk.
    await expect(
      runTraining(
        { data, settings, runDir: b.dir, resumeFrom: null },
        {
          onProgress: async (pr) => {
            if (pr.epoch === 2) throw new Error('killed');
          },
          onEpoch: async (e) => {
            checkpoint = e.checkpointPath;
          },
        },
      ),
    ).rejects.toThrow('killed');
    expect(checkpoint).toMatch(/epoch-0001\.ckpt$/);
    rmSync(join(b.dir, 'epoch-0002.ckpt'), { force: true });
    const resumed = await runTraining({ data, settings, runDir: b.dir, resumeFrom: checkpoint }, quiet);

    expect(resumed.bestEpoch).toBe(full.bestEpoch);
    expect(resumed.bestMetric).toBe(full.bestMetric);
    const weights = (dir: string): Buffer => readFileSync(join(dir, 'weights.bin'));
    expect(weights(resumed.modelPath).equals(weights(full.modelPath))).toBe(true);
  }, 240_000);
});
