import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStudentRuntime } from '../../src/main/features/export/runtime/student-runtime';
import { featurize } from '../../src/main/features/student/featurizer';
import type { SparseModel } from '../../src/main/features/student/model';
import { createForward } from '../../src/main/features/student/modelKinds';
import { readModel, saveModel } from '../../src/main/features/student/modelFile';
import { loadStudent } from '../../src/main/features/student/predict';
import { sparseGradients, touchRates } from '../../src/main/features/student/sparseArch';
import { RowGrad } from '../../src/main/features/student/training/slots';
import { runTraining, type TrainData } from '../../src/main/features/student/trainer';
import { fnv1a } from '../../src/shared/math';
import { TrainSettings } from '../../src/shared/student';
import { kuakeTrainData, loadKuake } from './fixtures';

const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sparse-student-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const data = (n: number): TrainData => kuakeTrainData(n);

describe('the sparse student (default)', () => {
  it('saves and loads exactly, predicts the same in the app and the exported runtime, and its size is its rows', async () => {
    const d = data(600);
    const settings = TrainSettings.parse({ auto: false, maxEpochs: 3, patience: 5, seed: 5 });
    const out = await runTraining(
      { data: d, settings, runDir: dir(), resumeFrom: null },
      { onProgress: async () => undefined, onEpoch: async () => undefined },
    );
    const model = readModel(out.modelPath) as SparseModel;
    expect(model.architecture).toBe('sparse');
    // It reads Chinese as the default featurizer does: CJK n-grams over whole spans, so the question mark that ends
    // many queries (NFKC: "？" -> "?") and "吗?" are features with a trained row.
    expect(model.featurizer.cjkScope).toBe('spans');
    for (const gram of ['?', '吗?'])
      expect(model.rowIds).toContain(fnv1a('c\u0001' + gram) % model.featurizer.buckets);
    const K = d.labels.length;
    expect(model.dim).toBe(K + 1);
    const rows = model.rowIds.length;
    expect(model.embeddings.length).toBe(rows * (K + 1));
    // Column 0 is the idf of the feature over the training documents: ln((1 + n) / (1 + df)) + 1.
    const n = d.train.length;
    const bucket = model.rowIds[0];
    const df = d.train.filter((e) => featurize(e.text, model.featurizer).includes(bucket)).length;
    expect(model.embeddings[0]).toBeCloseTo(Math.log((1 + n) / (1 + df)) + 1, 5);

    // Round trip: the same tensors, byte for byte.
    const again = dir();
    const bytes = saveModel(again, model);
    const back = readModel(again) as SparseModel;
    expect(Buffer.from(back.embeddings.buffer).equals(Buffer.from(model.embeddings.buffer))).toBe(true);
    expect(Array.from(back.rowIds)).toEqual(Array.from(model.rowIds));
    expect(Array.from(back.bias)).toEqual(Array.from(model.bias));
    // Size: rowIds (4 bytes) + a row of K + 1 float32 per feature + the bias, and model.json.
    const weights = statSync(join(again, 'weights.bin')).size;
    expect(weights).toBe(4 * rows + 4 * rows * (K + 1) + 4 * K);
    expect(bytes).toBe(weights + statSync(join(again, 'model.json')).size);
    const size = (f: string): number => statSync(join(out.modelPath, f)).size;
    expect(out.modelBytes).toBe(size('weights.bin') + size('model.json'));

    // The app's predictor and the exported runtime give the same probabilities as the forward pass.
    const texts = loadKuake()
      .dev.slice(0, 20)
      .map((r) => r.text);
    const app = await loadStudent(out.modelPath);
    const runtime = loadStudentRuntime(
      JSON.parse(readFileSync(join(out.modelPath, 'model.json'), 'utf8')),
      readFileSync(join(out.modelPath, 'weights.bin')),
    );
    const forward = createForward(model);
    const fromApp = await app.predict(texts);
    const fromRuntime = runtime.predictProba(texts);
    texts.forEach((text, i) => {
      const logits = forward(featurize(text, model.featurizer));
      const top = logits.indexOf(Math.max(...logits));
      expect(fromApp[i].indexOf(Math.max(...fromApp[i]))).toBe(top);
      fromRuntime[i].forEach((p, c) => expect(p).toBeCloseTo(fromApp[i][c], 12));
    });
    app.dispose();
  }, 60_000);

  it('a text without a known feature gets the bias alone (the zero vector)', () => {
    const model: SparseModel = {
      architecture: 'sparse',
      labels: ['a', 'b'],
      featurizer: loadKuakeFeaturizer(),
      dim: 3,
      rowIds: Uint32Array.of(5),
      embeddings: Float32Array.of(1.5, 2, -2),
      bias: Float32Array.of(0.25, -0.5),
    };
    const forward = createForward(model);
    expect(Array.from(forward(Uint32Array.of(7, 8)))).toEqual([0.25, -0.5]);
    // One known feature, once: tf 1, idf 1.5, normalised to 1; logits = bias + weights.
    expect(Array.from(forward(Uint32Array.of(5)))).toEqual([2.25, -2.5]);
  });
});

describe("the sparse student's L2 penalty (single-label: every row, on average)", () => {
  it('scales each row by 1 / the chance that a batch reads it', () => {
    // 4 documents, batches of 2: slot 0 in every document (read by every batch), slot 1 in one, slot 2 in none.
    const docs = [Int32Array.of(0, 1), Int32Array.of(0), Int32Array.of(0, 0), Int32Array.of(0)];
    const s = touchRates(docs, 3, 2);
    expect(s[0]).toBe(1);
    // Batches drawn without replacement: q = 1 - (3/4)(2/3) = 1/2.
    expect(s[1]).toBeCloseTo(2, 6);
    expect(s[2]).toBe(1);
    // A batch larger than the data reads every document: every held slot is read.
    expect(Array.from(touchRates(docs, 3, 32))).toEqual([1, 1, 1]);
  });

  it('adds l2 x scale x weight to the gradient of each row the batch read, never to the idf column', () => {
    // One class pair, rows [idf, w_a, w_b]; the example reads slot 1 only, so its loss gradient is on row 1.
    const table = Float32Array.of(1, 0.5, -0.5, 1, 2, -1);
    const bias = new Float32Array(2);
    const run = (l2Scale?: Float32Array): Float64Array => {
      const rows = new RowGrad(2, 3, 2);
      rows.begin();
      sparseGradients(
        { table, bias, l2: 0.1, l2Scale },
        {
          examples: Uint32Array.of(0),
          inputs: [Int32Array.of(1)],
          targets: [null],
          weights: Float64Array.of(1),
          step: 0,
        },
        () => ({ loss: 0, grad: new Float64Array(2) }),
        rows,
      );
      return rows.g.slice(rows.rowOf(1) * 3, rows.rowOf(1) * 3 + 3);
    };
    const plain = run();
    expect(plain[0]).toBe(0);
    expect(plain[1]).toBeCloseTo(0.2, 6);
    expect(plain[2]).toBeCloseTo(-0.1, 6);
    const scaled = run(Float32Array.of(1, 4));
    expect(scaled[0]).toBe(0);
    expect(scaled[1]).toBeCloseTo(0.8, 6);
    expect(scaled[2]).toBeCloseTo(-0.4, 6);
  });
});

function loadKuakeFeaturizer(): SparseModel['featurizer'] {
  return {
    kind: 'hashed-ngrams',
    version: 1,
    buckets: 100,
    lowercase: true,
    segmenter: 'intl',
    wordNgrams: 1,
    subwordMin: 0,
    subwordMax: 0,
    cjkMin: 1,
    cjkMax: 1,
  };
}
