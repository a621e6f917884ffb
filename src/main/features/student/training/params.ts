import type { StudentArchitectureName } from '../../../../shared/student';
import type { FeaturizerConfig } from '../featurizer';
import type { StudentModel } from '../model';
import { withMoments, type OpenArchitecture, type Params } from './architecture';
import { mergeRows, rowsByBucket } from './slots';

/** Fresh parameters for the slots `slotBucket`, drawn by the architecture from `seed` (and the training inputs). */
export function initParams(
  arch: OpenArchitecture,
  slotBucket: Uint32Array,
  seed: number,
  inputs?: readonly Int32Array[],
): Params {
  const { emb, dense } = arch.init(slotBucket.length, seed, inputs);
  return withTensors(arch, slotBucket, emb, (name) => dense[name]);
}

/**
 * Replaces fresh parameters with an earlier model's (already checked to match): its dense tensors, and the
 * embedding row of every bucket it has; its buckets the training data does not contain are appended as extra
 * slots, so the starting point predicts exactly like the earlier model.
 */
export function warmStart(arch: OpenArchitecture, fresh: Params, model: StudentModel): Params {
  const { slotBucket, emb } = mergeRows(fresh.slotBucket, fresh.emb.w, model);
  const byName = model as unknown as Readonly<Record<string, Float32Array>>;
  return withTensors(arch, slotBucket, emb, (name) => Float32Array.from(byName[name]));
}

function withTensors(
  arch: OpenArchitecture,
  slotBucket: Uint32Array,
  emb: Float32Array,
  tensor: (name: string) => Float32Array,
): Params {
  const dense: Record<string, Params['emb']> = {};
  for (const [name] of arch.denseShapes) dense[name] = withMoments(tensor(name));
  return { slotBucket, emb: withMoments(emb), dense };
}

/**
 * The inference model of the parameters (model.ts). `sorted`: rows by bucket, tensors copied (to save); else a
 * view of the parameters by slot, for a forward pass with rowOf = identity (validation). `into`: with `sorted`, the
 * rows of an earlier sorted model of the same parameters to overwrite (`rowsByBucket`; that model is then stale).
 */
export function toModel(
  arch: OpenArchitecture,
  name: StudentArchitectureName,
  p: Params,
  spec: { labels: readonly string[]; featurizer: FeaturizerConfig; dim: number },
  sorted: boolean,
  into?: Pick<StudentModel, 'rowIds' | 'embeddings'>,
): StudentModel {
  const rows = sorted
    ? rowsByBucket(p.slotBucket, p.emb.w, spec.dim, into)
    : { rowIds: p.slotBucket, embeddings: p.emb.w };
  const tensors: Record<string, Float32Array> = {};
  for (const [tensor] of arch.denseShapes) {
    const w = p.dense[tensor].w;
    tensors[tensor] = sorted ? Float32Array.from(w) : w;
  }
  return {
    architecture: name,
    labels: spec.labels,
    featurizer: spec.featurizer,
    dim: spec.dim,
    ...arch.describe(),
    ...rows,
    ...tensors,
  } as unknown as StudentModel;
}
