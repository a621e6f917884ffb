import type { OpenArchitecture, Params } from './architecture';

/**
 * Weight averaging over epochs (settings.averageWeights; sparse single-label runs): the run keeps, beside the
 * weights it trains, their mean over the ends of its epochs 1..e (Polyak-Ruppert averaging, once per epoch), and
 * validates, saves and exports that mean. Training itself (the batches, Adam, the checkpointed parameters it resumes
 * from) is unchanged. The mean is updated in float64 and stored as float32, and a checkpoint holds it
 * (`<tensor>.avg`), so a resumed run ends with the same bytes as an uninterrupted one. A column that never changes
 * (the sparse student's idf) keeps its value exactly.
 */

/** The averaged weights of `p`: the same slots, Adam moments shared (never read through it), weights copied. */
export function newAverage(p: Params): Params {
  const dense: Record<string, Params['emb']> = {};
  for (const [name, d] of Object.entries(p.dense)) dense[name] = { ...d, w: Float32Array.from(d.w) };
  return { slotBucket: p.slotBucket, emb: { ...p.emb, w: Float32Array.from(p.emb.w) }, dense };
}

/** After epoch `epoch` (1-based) of a run: the mean of the epochs' weights so far, `avg += (w - avg) / epoch`. */
export function addEpochToAverage(avg: Params, p: Params, epoch: number): void {
  const add = (a: Float32Array, w: Float32Array): void => {
    for (let i = 0; i < a.length; i++) a[i] += (w[i] - a[i]) / epoch;
  };
  add(avg.emb.w, p.emb.w);
  for (const [name, d] of Object.entries(p.dense)) add(avg.dense[name].w, d.w);
}

/** The checkpoint tensor names of the averaged weights: `emb.avg`, then each dense tensor's. */
export function averageTensors(arch: OpenArchitecture, avg: Params): Array<readonly [string, Float32Array]> {
  return [['emb.avg', avg.emb.w], ...arch.denseShapes.map(([name]) => [`${name}.avg`, avg.dense[name].w] as const)];
}
