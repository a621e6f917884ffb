/**
 * Adam (Kingma & Ba) as every student trains with it: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
 * w -= lr (m / c1) / (sqrt(v / c2) + eps), with the bias corrections c1 = 1 - b1^t, c2 = 1 - b2^t of update t.
 * Dense for the dense parameters; lazy (only the rows a batch touched) for the embedding table.
 */

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

/** An L2 penalty on embedding rows, applied by `adamRows`: l2 * scale[slot] * w (scale null: 1). */
export interface RowDecay {
  readonly l2: number;
  readonly scale: Float32Array | null;
}

/** The bias corrections [c1, c2] of update number `step` (1-based). */
export function adamCorrections(step: number): readonly [number, number] {
  return [1 - Math.pow(BETA1, step), 1 - Math.pow(BETA2, step)];
}

export function adamDense(
  w: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float64Array,
  lr: number,
  c1: number,
  c2: number,
): void {
  for (let i = 0; i < w.length; i++) {
    m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
    v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
    w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + EPS);
  }
}

/**
 * Lazy (sparse) Adam: updates only the embedding rows (slots) a batch touched; the gradient of touched[t] is
 * g[t * dim .. (t + 1) * dim) (a compact buffer, not one as large as the table). `frozen`: leading columns of every
 * row that never get a gradient (the sparse student's idf), skipped: with g = 0 and moments at 0 their update is
 * exactly 0, so skipping them changes nothing. `decay`: an L2 penalty's gradient added to each updated column first,
 * g + k * w with k = l2 * scale[slot] (scale absent: 1), the same double as adding it to the gradient buffer before
 * (sparseGradients with `l2`), in the pass Adam makes over the row anyway.
 */
export function adamRows(
  emb: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float64Array,
  touched: readonly number[],
  dim: number,
  lr: number,
  c1: number,
  c2: number,
  frozen = 0,
  decay: RowDecay | null = null,
): void {
  const l2 = decay?.l2 ?? 0;
  const scale = decay?.scale ?? null;
  for (let t = 0; t < touched.length; t++) {
    const slot = touched[t];
    const off = slot * dim;
    const goff = t * dim - off;
    const k = l2 > 0 ? (scale ? l2 * scale[slot] : l2) : 0;
    // Two copies of the column loop, with and without the penalty, rather than a test on every column.
    if (k !== 0) {
      for (let d = off + frozen, end = off + dim; d < end; d++) {
        const gd = g[goff + d] + k * emb[d];
        // Each moment is read back as the float32 it is stored as (Math.fround), without a second array read.
        const md = Math.fround(BETA1 * m[d] + (1 - BETA1) * gd);
        const vd = Math.fround(BETA2 * v[d] + (1 - BETA2) * gd * gd);
        m[d] = md;
        v[d] = vd;
        emb[d] -= (lr * (md / c1)) / (Math.sqrt(vd / c2) + EPS);
      }
    } else {
      for (let d = off + frozen, end = off + dim; d < end; d++) {
        const gd = g[goff + d];
        const md = Math.fround(BETA1 * m[d] + (1 - BETA1) * gd);
        const vd = Math.fround(BETA2 * v[d] + (1 - BETA2) * gd * gd);
        m[d] = md;
        v[d] = vd;
        emb[d] -= (lr * (md / c1)) / (Math.sqrt(vd / c2) + EPS);
      }
    }
  }
}
