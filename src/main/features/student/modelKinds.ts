import type { StudentArchitectureName } from '../../../shared/student';
import {
  CNN_MODEL,
  FASTTEXT_MODEL,
  headOf,
  rowLookup,
  type Forward,
  type ModelBase,
  type ModelDescription,
  type ModelHead,
  type ModelKind,
} from './model';
import { SPARSE_MODEL } from './sparse';
import { TRANSFORMER_MODEL } from './transformer';

/**
 * Every student model the app and the exported runtime can read, by architecture name. Pure (the runtime bundles
 * this file with esbuild for browsers and Node, so nothing here may reach TensorFlow or a Node API): that is why an
 * architecture's model and its training side (`ARCHITECTURES`, architectures.ts) are two registries. Exactly the
 * names of `STUDENT_ARCHITECTURE_LIST`, each kind's model naming its own key as `architecture`: TypeScript names a
 * missing, extra or misnamed entry here.
 */
const KINDS = {
  sparse: SPARSE_MODEL,
  fasttext: FASTTEXT_MODEL,
  cnn: CNN_MODEL,
  transformer: TRANSFORMER_MODEL,
} as const satisfies {
  readonly [A in StudentArchitectureName]: ModelKind<ModelBase & { readonly architecture: A }>;
};

type ModelOf<K> = K extends ModelKind<infer M> ? M : never;

/** A student model of any registered architecture: the union of `MODEL_KINDS`' models, discriminated by `architecture`. */
export type StudentModel = {
  [A in StudentArchitectureName]: ModelOf<(typeof KINDS)[A]>;
}[StudentArchitectureName] &
  ModelHead;

export const MODEL_KINDS: Readonly<Record<StudentArchitectureName, ModelKind>> = KINDS;

export function modelKind(architecture: string): ModelKind | null {
  return Object.hasOwn(MODEL_KINDS, architecture)
    ? MODEL_KINDS[architecture as StudentArchitectureName]
    : null;
}

/** The sizes in a description's section of `kind` ({} for an architecture without one); null when it is missing. */
function sectionOf(d: ModelDescription, kind: ModelKind): Readonly<Record<string, number>> | null {
  if (!kind.section) return {};
  const sizes = d[kind.section];
  return typeof sizes === 'object' && sizes !== null ? (sizes as Record<string, number>) : null;
}

type FileShapes = ReadonlyArray<readonly [string, 'float32' | 'uint32', readonly number[]]>;

/** The tensors each architecture stores, in file order, with their shapes; null for an unknown architecture. */
export function modelTensorShapes(d: ModelDescription, rows: number): FileShapes | null {
  const kind = modelKind(d.architecture);
  if (!kind) return null;
  const sizes = sectionOf(d, kind);
  if (!sizes) return null;
  const dense = kind.denseShapes(d.labels.length, d.dim, sizes);
  if (!dense) return null;
  return [
    ['rowIds', 'uint32', [rows]],
    ['embeddings', 'float32', [rows, d.dim]],
    ...dense.map(([name, shape]) => [name, 'float32', shape] as const),
  ];
}

/**
 * Builds a model from its description and a tensor reader; throws an Error with a plain message when the
 * architecture is unknown or a tensor's size does not match (callers wrap it in their own error type).
 */
export function buildModel(
  d: ModelDescription,
  tensor: (name: string, dtype: 'float32' | 'uint32') => Float32Array | Uint32Array,
): StudentModel {
  const kind = modelKind(d.architecture);
  if (!kind) throw new Error(`Unknown student architecture "${d.architecture}".`);
  const rowIds = tensor('rowIds', 'uint32') as Uint32Array;
  const shapes = modelTensorShapes(d, rowIds.length);
  if (!shapes) throw new Error(`model.json has no "${d.architecture}" section with the model's sizes.`);
  const out: Record<string, Float32Array | Uint32Array> = { rowIds };
  for (const [name, dtype, shape] of shapes) {
    const t = name === 'rowIds' ? rowIds : tensor(name, dtype);
    const expected = shape.reduce((a, b) => a * b, 1);
    if (t.length !== expected) {
      throw new Error(`The "${name}" weights have ${t.length} values instead of ${expected}.`);
    }
    out[name] = t;
  }
  const sizes = sectionOf(d, kind);
  return {
    labels: d.labels,
    featurizer: d.featurizer,
    dim: d.dim,
    ...out,
    architecture: kind.name,
    ...sizes,
    ...headOf(d),
  } as unknown as StudentModel;
}

/** A forward pass over `model` with its own scratch buffers; `rowOf` defaults to a lookup of model.rowIds. */
export function createForward(
  model: StudentModel,
  rowOf: (bucket: number) => number = rowLookup(model.rowIds),
): Forward {
  return MODEL_KINDS[model.architecture].forward(model, rowOf);
}

/** The ids a model reads from a text: the hashed n-gram bag (fastText) or the token sequence (CNN, transformer). */
export function modelInput(model: StudentModel, text: string): Uint32Array {
  return MODEL_KINDS[model.architecture].input(model, text);
}

/** model.json's description of a model (without tensors). */
export function describeModel(model: StudentModel): ModelDescription {
  const kind = MODEL_KINDS[model.architecture];
  const base = {
    architecture: model.architecture,
    labels: model.labels,
    featurizer: model.featurizer,
    dim: model.dim,
    ...(model.kind === 'multi' ? { kind: 'multi' as const, thresholds: model.thresholds } : {}),
  };
  return kind.section ? { ...base, [kind.section]: kind.sizes(model) } : base;
}

/** model.json's section of a description's architecture (`{cnn: {...}}`), or nothing for one without a section. */
export function sectionEntry(d: ModelDescription): Readonly<Record<string, unknown>> {
  const section = modelKind(d.architecture)?.section;
  return section && d[section] !== undefined ? { [section]: d[section] } : {};
}
