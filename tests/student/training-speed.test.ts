import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  runAuto,
  chosenSettings,
  runConfigurations,
  type AutoProgress,
} from '../../src/main/features/student/auto';
import { featurize } from '../../src/main/features/student/featurizer';
import { createForward } from '../../src/main/features/student/modelKinds';
import { tableLogits, tableVector, type SparseVector } from '../../src/main/features/student/sparse';
import { SPARSE, slotVector, sparseGradients, touchRates } from '../../src/main/features/student/sparseArch';
import { adamCorrections, adamRows } from '../../src/main/features/student/training/adam';
import { lossOfRun } from '../../src/main/features/student/training/loss';
import { shuffledOrder } from '../../src/main/features/student/training/schedule';
import { runFeaturizer, runTraining, type TrainData } from '../../src/main/features/student/trainer';
import { initParams, toModel } from '../../src/main/features/student/training/params';
import { assignSlots, extendSlots, RowGrad, slotsIn } from '../../src/main/features/student/training/slots';
import { mulberry32 } from '../../src/shared/random';
import { TrainSettings } from '../../src/shared/student';
import { loadKuake } from './fixtures';

/**
 * What makes the default student's training cheaper must not change what it learns (issue 21): texts featurized
 * once for Auto's trials and the run, no files written by the trials, validation vectors computed once.
 */

/** 300 Chinese medical queries (270 train, 30 validation), some with the teacher's soft labels only. */
function data(): TrainData {
  const { labels, train } = loadKuake();
  const rows = train.slice(0, 300);
  const cls = (l: string): number => labels.indexOf(l);
  const soft = (c: number): number[] => labels.map((_, k) => (k === c ? 0.7 : 0.3 / (labels.length - 1)));
  return {
    labels,
    train: rows
      .filter((_, i) => i % 10 !== 0)
      .map((r, i) =>
        i % 3 === 0
          ? { text: r.text, label: null, teacher: soft(cls(r.label)) }
          : { text: r.text, label: cls(r.label), teacher: null },
      ),
    validation: rows.filter((_, i) => i % 10 === 0).map((r) => ({ text: r.text, label: cls(r.label) })),
  };
}

// The validated run is compared here (its checkpoints, its best model): no final fit after it.
const SETTINGS = TrainSettings.parse({ maxEpochs: 3, patience: 5, seed: 11, finalFit: false });
const hooks = {
  onProgress: async (): Promise<void> => undefined,
  onEpoch: async (): Promise<void> => undefined,
};

const dirs: string[] = [];
function runDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'training-speed-test-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A checkpoint's tensors (the bytes after its JSON header, whose paths name the run folder). */
function checkpointBody(file: string): Buffer {
  const buf = readFileSync(file);
  return buf.subarray(4 + buf.readUInt32LE(0));
}

describe('slots (typed hash table)', () => {
  it('are what a Map in order of first appearance gives, for any uint32 bucket, and -1 for unknown ones', () => {
    const rnd = mulberry32(3);
    const bucket = (): number => (rnd() < 0.5 ? Math.floor(rnd() * 50) : Math.floor(rnd() * 2 ** 32));
    const lists = Array.from({ length: 500 }, () =>
      Uint32Array.from({ length: Math.floor(rnd() * 80) }, bucket),
    );
    lists.push(Uint32Array.from([0, 2 ** 32 - 1, 0, 2 ** 32 - 1]));
    const { slotBucket, slots } = assignSlots(lists);
    const slotOf = new Map<number, number>();
    const order: number[] = [];
    const expected = lists.map((ids) =>
      Array.from(ids, (b) => {
        if (!slotOf.has(b)) slotOf.set(b, order.push(b) - 1);
        return slotOf.get(b);
      }),
    );
    expect(Array.from(slotBucket)).toEqual(order);
    expect(slots.map((s) => Array.from(s))).toEqual(expected);
    const other = Array.from({ length: 100 }, () =>
      Uint32Array.from({ length: 30 }, () =>
        rnd() < 0.5 ? order[Math.floor(rnd() * order.length)] : bucket(),
      ),
    );
    expect(slotsIn(slotBucket, other).map((s) => Array.from(s))).toEqual(
      other.map((ids) => Array.from(ids, (b) => slotOf.get(b) ?? -1)),
    );
    // A final fit's slots: the run's, extended by its validation documents, as if assigned all at once.
    const whole = assignSlots([...lists, ...other]);
    const extended = extendSlots({ slotBucket, slots }, other);
    expect(Array.from(extended.slotBucket)).toEqual(Array.from(whole.slotBucket));
    expect(extended.slots.map((s) => Array.from(s))).toEqual(whole.slots.map((s) => Array.from(s)));
  });
});

describe("the sparse student's L2 penalty, applied by lazy Adam", () => {
  it('gives exactly the parameters of the penalty added to the gradient (sparseGradients with l2)', async () => {
    const d = data();
    if (d.kind === 'multi') throw new Error('single-label data expected');
    const settings = TrainSettings.parse({ ...SETTINGS, l2: 3e-3, batchSize: 16 });
    const featurizer = runFeaturizer({ settings });
    const { slotBucket, slots } = assignSlots(d.train.map((e) => featurize(e.text, featurizer)));
    const { targets, weights, loss } = lossOfRun(d, settings);
    const width = d.labels.length + 1;
    const train = async (fused: boolean): Promise<Float32Array> => {
      const arch = await SPARSE.open({ settings, labels: d.labels, featurizer });
      const params = initParams(arch, slotBucket, 1, slots);
      const scale = touchRates(slots, slotBucket.length, settings.batchSize);
      const rows = new RowGrad(slotBucket.length, width);
      for (let step = 0; step < 40; step++) {
        const order = shuffledOrder(slots.length, 2, Math.floor(step / 16) + 1);
        const examples = order.subarray((step % 16) * 16, (step % 16) * 16 + 16);
        rows.begin();
        const [c1, c2] = adamCorrections(step + 1);
        const { emb } = params;
        if (fused) {
          const batch = { examples, inputs: slots, targets, weights, step, loss };
          arch.gradients(params, batch, rows);
          const decay = arch.rowDecay?.() ?? null;
          expect(decay?.l2).toBe(3e-3);
          adamRows(emb.w, emb.m, emb.v, rows.g, rows.touched, width, 0.05, c1, c2, 1, decay);
        } else {
          sparseGradients(
            { table: emb.w, bias: params.dense.bias.w, l2: settings.l2, l2Scale: scale },
            { examples, inputs: slots, targets, weights, step },
            (logits, _t, i) => loss(logits, i),
            rows,
          );
          adamRows(emb.w, emb.m, emb.v, rows.g, rows.touched, width, 0.05, c1, c2);
        }
      }
      return params.emb.w;
    };
    const fused = await train(true);
    const reference = await train(false);
    expect(Buffer.from(fused.buffer)).toEqual(Buffer.from(reference.buffer));
    // The steps trained the class weights (column 0, the idf, never moves).
    expect(reference.some((x, i) => i % width !== 0 && x !== 0)).toBe(true);
  });
});

describe('the training loop does its work once', () => {
  it("a run whose texts Auto's trials featurized ends exactly like a run that featurizes them itself", async () => {
    const shared = data();
    const dirA = runDir();
    const auto = await runAuto({ data: shared, settings: SETTINGS, runDir: dirA, resumeFrom: null }, hooks);
    // Six configurations on Chinese text, and the manual defaults: the data carries a teacher's distributions.
    expect(auto.auto?.trials).toHaveLength(runConfigurations(shared).length);
    expect(runConfigurations(shared)).toHaveLength(7);
    // The same run in a fresh copy of the data (nothing cached for it), with the settings Auto chose.
    const dirB = runDir();
    const settings = chosenSettings(SETTINGS, auto.auto ?? null);
    const alone = await runTraining(
      { data: structuredClone(shared), settings, runDir: dirB, resumeFrom: null },
      hooks,
    );
    expect(alone.bestEpoch).toBe(auto.bestEpoch);
    expect(alone.bestMetric).toBe(auto.bestMetric);
    expect(readFileSync(join(alone.modelPath, 'weights.bin'))).toEqual(
      readFileSync(join(auto.modelPath, 'weights.bin')),
    );
    const ckpts = readdirSync(dirA).filter((f) => f.endsWith('.ckpt'));
    expect(ckpts.length).toBeGreaterThan(0);
    expect(readdirSync(dirB).filter((f) => f.endsWith('.ckpt'))).toEqual(ckpts);
    for (const f of ckpts) expect(checkpointBody(join(dirB, f))).toEqual(checkpointBody(join(dirA, f)));
  }, 120_000);

  it("Auto's trials write no checkpoint or model (they are never resumed), the run itself does", async () => {
    const dir = runDir();
    const seen: string[] = [];
    const out = await runAuto(
      { data: data(), settings: SETTINGS, runDir: dir, resumeFrom: null },
      {
        onProgress: async (p: AutoProgress) => {
          if (p.auto === undefined || p.epoch < 2) return;
          const trialDir = join(dir, 'auto', `trial-${p.auto.trial}`);
          if (existsSync(trialDir)) seen.push(...readdirSync(trialDir));
        },
        onEpoch: async () => undefined,
      },
    );
    expect(seen).toEqual([]);
    expect(readdirSync(dir).some((f) => f.endsWith('.ckpt'))).toBe(true);
    expect(existsSync(join(out.modelPath, 'weights.bin'))).toBe(true);
  }, 120_000);

  it("the sparse student's validation forward pass gives exactly the model's logits", async () => {
    const d = data();
    const featurizer = runFeaturizer({ settings: SETTINGS });
    const arch = await SPARSE.open({ settings: SETTINGS, labels: d.labels, featurizer });
    const { slotBucket, slots } = assignSlots(d.train.map((e) => featurize(e.text, featurizer)));
    const params = initParams(arch, slotBucket, 1, slots);
    const rnd = mulberry32(5);
    const width = d.labels.length + 1;
    const w = params.emb.w;
    for (let i = 0; i < w.length; i++) if (i % width !== 0) w[i] = rnd() * 2 - 1;
    params.dense.bias.w.forEach((_, c, b) => (b[c] = rnd() - 0.5));
    const model = toModel(arch, 'sparse', params, { labels: d.labels, featurizer, dim: width }, false);
    const reference = createForward(model, (slot) => slot);
    expect(arch.forward).toBeDefined();
    const cached = arch.forward?.(params);
    const val = slotsIn(
      slotBucket,
      d.validation.map((e) => featurize(e.text, featurizer)),
    );
    for (let pass = 0; pass < 2; pass++)
      for (const ids of val) expect(Array.from(cached?.(ids) ?? [])).toEqual(Array.from(reference(ids)));
    // The TF-IDF vectors behind it: the same rows in the same order and the same float32 values as sparse.ts's.
    const pos = new Int32Array(slotBucket.length).fill(-1);
    for (const ids of [...slots, ...val, Int32Array.from([-1, -1]), new Int32Array(0)]) {
      const fast = slotVector(ids, w, d.labels.length, pos);
      const ref = tableVector(ids, (slot) => slot, w, d.labels.length);
      expect(Array.from(fast.indices)).toEqual(Array.from(ref.indices));
      expect(Array.from(fast.values)).toEqual(Array.from(ref.values));
    }
    expect(pos.every((p) => p === -1)).toBe(true);
  });

  it('sums the logits class by class exactly as row by row (the order of the previous loop)', () => {
    /** tableLogits as it was: every row adds its terms to every class in turn. */
    const rowByRow = (
      v: SparseVector,
      table: Float32Array,
      bias: Float32Array,
      classes: number,
    ): number[] => {
      const out = Array.from(bias, (b) => b);
      for (let k = 0; k < v.indices.length; k++)
        for (let c = 0; c < classes; c++) out[c] += v.values[k] * table[v.indices[k] * (classes + 1) + 1 + c];
      return out;
    };
    const rnd = mulberry32(9);
    for (const classes of [1, 2, 3, 9, 11]) {
      const rows = 500;
      const table = Float32Array.from(
        { length: rows * (classes + 1) },
        () => (rnd() * 2 - 1) * 10 ** (rnd() * 6 - 3),
      );
      const bias = Float32Array.from({ length: classes }, () => rnd() - 0.5);
      for (let doc = 0; doc < 50; doc++) {
        const n = Math.floor(rnd() * 120);
        const indices = Int32Array.from({ length: n }, () => Math.floor(rnd() * rows));
        const values = Float32Array.from({ length: n }, () => rnd());
        const v = { indices, values };
        const fast = Array.from(tableLogits(v, table, bias, new Float64Array(classes)));
        expect(fast).toEqual(rowByRow(v, table, bias, classes));
      }
    }
  });
});
