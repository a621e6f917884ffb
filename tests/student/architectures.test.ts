import { describe, expect, it } from 'vitest';
import { ARCHITECTURES } from '../../src/main/features/student/architectures';
import { distillLoss, type DistillTarget } from '../../src/main/features/student/distill';
import { DEFAULT_FEATURIZER } from '../../src/main/features/student/featurizer';
import {
  buildModel,
  createForward,
  describeModel,
  MODEL_KINDS,
  modelInput,
  modelTensorShapes,
} from '../../src/main/features/student/modelKinds';
import type { OpenArchitecture, Params } from '../../src/main/features/student/training/architecture';
import { initParams, toModel } from '../../src/main/features/student/training/params';
import { RowGrad } from '../../src/main/features/student/training/slots';
import {
  architectureNames,
  STUDENT_ARCHITECTURES,
  TrainSettings,
  type StudentArchitectureName,
} from '../../src/shared/student';

/** Slots of four texts: 5 features, 1 (shorter than the CNN's window), none, 3 with a repeat. */
const INPUTS = [Int32Array.of(0, 1, 2, 3, 4), Int32Array.of(5), Int32Array.of(), Int32Array.of(6, 2, 6)];
const TARGETS: DistillTarget[] = [
  { label: 0, teacher: [0.7, 0.2, 0.1] }, // both terms
  { label: 2, teacher: null }, // human only: CE
  { label: null, teacher: [0.1, 0.3, 0.6] }, // teacher only: T^2 KL
  { label: 1, teacher: [0.2, 0.5, 0.3] },
];
/** Class-balance weights of the examples: the gradient must carry them. */
const WEIGHTS = Float64Array.of(1, 0.5, 2, 1);
const LABELS = ['a', 'b', 'c'];

async function open(name: keyof typeof ARCHITECTURES): Promise<{ arch: OpenArchitecture; p: Params }> {
  const settings = TrainSettings.parse({
    architecture: name,
    dim: 6,
    kernelSize: 3,
    filters: 5,
    maxTokens: 8,
    alpha: 0.3,
    temperature: 2,
    dropout: 0,
    // The L2 penalty is not part of the loss (sparseArch.ts): checked on its own below.
    l2: 0,
  });
  const arch = await ARCHITECTURES[name].open({ settings, labels: LABELS, featurizer: DEFAULT_FEATURIZER });
  const p = initParams(
    arch,
    Uint32Array.from({ length: 7 }, (_, i) => 100 + i),
    11,
  );
  // Tensors that start constant (zero embedding rows of the fastText student, biases, gains of 1) get distinct
  // values, so that every parameter matters.
  for (const t of [p.emb, ...Object.values(p.dense)]) {
    if (t.w.every((x) => x === t.w[0]))
      t.w.forEach((x, i, a) => (a[i] = x + 0.05 * Math.sin(i + t.w.length)));
  }
  return { arch, p };
}

/** The weighted loss of the batch by the pure forward pass (model.ts, float64) and distill.ts. */
function pureLoss(name: keyof typeof ARCHITECTURES, arch: OpenArchitecture, p: Params): number {
  const model = toModel(
    arch,
    name,
    p,
    { labels: LABELS, featurizer: DEFAULT_FEATURIZER, dim: arch.rowWidth ?? 6 },
    false,
  );
  const forward = createForward(model, (slot) => slot);
  const opts = { alpha: 0.3, temperature: 2 };
  return INPUTS.reduce((sum, x, i) => sum + WEIGHTS[i] * distillLoss(forward(x), TARGETS[i], opts).loss, 0);
}

/**
 * How close each architecture's gradients must be to float64 central differences: the fastText student computes
 * in float64 (tight), the TensorFlow.js students in float32 (1e-3 plus 0.5% relative).
 */
const TOLERANCE: Readonly<Record<StudentArchitectureName, readonly [absolute: number, relative: number]>> = {
  sparse: [1e-9, 1e-5],
  fasttext: [1e-9, 1e-5],
  cnn: [1e-3, 5e-3],
  transformer: [1e-3, 5e-3],
};

function close(name: StudentArchitectureName, actual: number, expected: number, what: string): void {
  const [absolute, relative] = TOLERANCE[name];
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThan(
    absolute + relative * Math.abs(expected),
  );
}

describe.each(Object.keys(ARCHITECTURES) as Array<keyof typeof ARCHITECTURES>)(
  'the %s student architecture',
  (name) => {
    it('computes the distillation loss of the pure forward pass, and every gradient matches finite differences', async () => {
      const { arch, p } = await open(name);
      const examples = Uint32Array.of(0, 1, 2, 3);
      const width = arch.rowWidth ?? 6;
      const rows = new RowGrad(7, width);
      rows.begin();
      const g = arch.gradients(
        p,
        {
          examples,
          inputs: INPUTS,
          targets: TARGETS,
          weights: WEIGHTS,
          step: 0,
          loss: (z, i) => distillLoss(z, TARGETS[i], { alpha: 0.3, temperature: 2 }),
        },
        rows,
      );
      // TensorFlow.js runs in float32; the pure pass in float64.
      expect(g.loss).toBeCloseTo(pureLoss(name, arch, p), 4);

      const B = examples.length;
      const numeric = (array: Float32Array, index: number): number => {
        const eps = 1e-4;
        const keep = array[index];
        array[index] = keep + eps;
        const stepUp = array[index]; // float32: the step actually taken
        const up = pureLoss(name, arch, p);
        array[index] = keep - eps;
        const stepDown = array[index];
        const down = pureLoss(name, arch, p);
        array[index] = keep;
        return (up - down) / (stepUp - stepDown) / B; // the gradients are of the batch mean
      };
      for (const [tensor] of arch.denseShapes) {
        const w = p.dense[tensor].w;
        for (const index of [0, Math.floor(w.length / 2), w.length - 1]) {
          close(name, g.dense[tensor][index], numeric(w, index), `${tensor}[${index}]`);
        }
      }
      // The embedding rows' gradient, by slot (slots 2 and 6 appear twice); nothing is updated by `gradients`.
      expect(new Set(rows.touched)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
      // The sparse student's column 0 is each feature's idf, fixed from the training documents: no gradient.
      const first = name === 'sparse' ? 1 : 0;
      for (const [slot, d] of [
        [2, 1],
        [6, 3],
        [5, first],
        [0, first],
      ]) {
        const index = slot * width + d;
        close(name, rows.g[rows.rowOf(slot) * width + d], numeric(p.emb.w, index), `emb[${index}]`);
      }
      if (name === 'sparse') for (const slot of [0, 2, 6]) expect(rows.g[rows.rowOf(slot) * width]).toBe(0);
    });
  },
);

describe('architectures and their models', () => {
  it('every trainable architecture has a model kind (its tensors, forward pass and input), and no other', () => {
    expect(Object.keys(MODEL_KINDS).sort()).toEqual(Object.keys(ARCHITECTURES).sort());
    // Each registry entry is the architecture its key names (the model kind's key is checked by TypeScript too).
    for (const a of STUDENT_ARCHITECTURES) {
      expect(ARCHITECTURES[a].name).toBe(a);
      expect(MODEL_KINDS[a].name).toBe(a);
    }
  });

  it("the contract's list names every architecture, with its words in the UI in English and Chinese", () => {
    expect([...STUDENT_ARCHITECTURES].sort()).toEqual(Object.keys(ARCHITECTURES).sort());
    for (const length of ['short', 'long'] as const) {
      const en = architectureNames('en', length);
      const zh = architectureNames('zh', length);
      expect(Object.keys(en)).toEqual(STUDENT_ARCHITECTURES);
      expect(Object.keys(zh)).toEqual(STUDENT_ARCHITECTURES);
      for (const a of STUDENT_ARCHITECTURES) expect(en[a].length).toBeGreaterThan(2);
    }
    // The long Chinese names are Chinese (the short ones may be a proper name such as fastText or CNN).
    for (const name of Object.values(architectureNames('zh', 'long')))
      expect(name).toMatch(/[\u4e00-\u9fff]/);
    expect(TrainSettings.parse({}).architecture).toBe(STUDENT_ARCHITECTURES[0]);
  });

  it.each(Object.keys(ARCHITECTURES) as Array<keyof typeof ARCHITECTURES>)(
    'a %s model is described, its tensors listed and rebuilt from the kind alone',
    async (name) => {
      const { arch, p } = await open(name);
      const model = toModel(
        arch,
        name,
        p,
        { labels: LABELS, featurizer: DEFAULT_FEATURIZER, dim: arch.rowWidth ?? 6 },
        true,
      );
      const description = describeModel(model);
      const shapes = modelTensorShapes(description, model.rowIds.length);
      expect(shapes?.map(([n]) => n)).toEqual(['rowIds', 'embeddings', ...arch.denseShapes.map(([n]) => n)]);
      const byName = model as unknown as Record<string, Float32Array | Uint32Array>;
      const rebuilt = buildModel(description, (n) => byName[n]);
      const text = 'the cat sat on the mat';
      expect(Array.from(createForward(rebuilt)(modelInput(rebuilt, text)))).toEqual(
        Array.from(createForward(model)(modelInput(model, text))),
      );
    },
  );

  it('a model file of an unknown architecture or without its sizes is refused in plain words', () => {
    const base = { labels: LABELS, featurizer: DEFAULT_FEATURIZER, dim: 6 };
    const none = (): Uint32Array => new Uint32Array(0);
    expect(() => buildModel({ ...base, architecture: 'lstm' }, none)).toThrow(
      'Unknown student architecture "lstm".',
    );
    expect(() => buildModel({ ...base, architecture: 'cnn' }, none)).toThrow(
      'model.json has no "cnn" section',
    );
  });
});
