/**
 * The sparse linear student: a linear softmax layer over TF-IDF vectors of hashed word and character n-grams
 * (sparse.ts), trained on the exact distillation loss (distill.ts) by full-batch L-BFGS.
 *
 * Objective over parameters W (rows x classes) and b (classes):
 *
 *   f(W, b) = sum_i w_i * L_i(x_i W + b) / sum_i w_i  +  (l2 / 2) * ||W||^2
 *
 * where L_i is distillLoss of example i (its human label and/or the teacher's distribution, alpha, T), w_i its
 * class weight (schedule.ts weightedTargets), and the bias is not penalised. The gradient is exact:
 * dW[r, c] = sum_i w_i x_i[r] g_i[c] / sum w + l2 W[r, c], db[c] = sum_i w_i g_i[c] / sum w with g_i = dL_i/dlogits.
 * The objective is convex, so L-BFGS reaches the same minimum from any start; only l2 (and the features) change it.
 */
import { distillLoss, type DistillOptions, type DistillTarget } from './distill';
import type { FeaturizerConfig } from './featurizer';
import { sparseLogits, type SparseVector } from './sparse';

export interface SparseLinearModel {
  readonly architecture: 'sparse';
  readonly labels: readonly string[];
  readonly featurizer: FeaturizerConfig;
  /** Bucket ids that have a row, ascending. */
  readonly rowIds: Uint32Array;
  /** rows: inverse document frequency. */
  readonly idf: Float32Array;
  /** rows x classes, row-major. */
  readonly weight: Float32Array;
  /** classes. */
  readonly bias: Float32Array;
}

export interface SparseProblem {
  readonly vectors: readonly SparseVector[];
  readonly targets: readonly DistillTarget[];
  /** Loss weight of each example. */
  readonly weights: ArrayLike<number>;
  readonly rows: number;
  readonly classes: number;
  readonly l2: number;
  readonly distill: DistillOptions;
}

/** Parameters as one vector: W row-major (rows x classes), then b. */
export function parameterCount(rows: number, classes: number): number {
  return rows * classes + classes;
}

/** f and its gradient (written into grad) at theta; see the file comment. */
export function sparseObjective(p: SparseProblem, theta: Float64Array, grad: Float64Array): number {
  const { classes, rows, vectors, targets, weights } = p;
  const biasOff = rows * classes;
  const bias = theta.subarray(biasOff);
  grad.fill(0);
  let total = 0;
  let weightSum = 0;
  for (let i = 0; i < vectors.length; i++) weightSum += weights[i];
  const scale = weightSum > 0 ? 1 / weightSum : 0;
  const logits = new Float64Array(classes);
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i];
    sparseLogits(v, theta, bias, logits);
    const { loss, grad: g } = distillLoss(logits, targets[i], p.distill);
    const w = weights[i] * scale;
    total += w * loss;
    for (let c = 0; c < classes; c++) grad[biasOff + c] += w * g[c];
    for (let k = 0; k < v.indices.length; k++) {
      const off = v.indices[k] * classes;
      const x = w * v.values[k];
      for (let c = 0; c < classes; c++) grad[off + c] += x * g[c];
    }
  }
  let sq = 0;
  for (let j = 0; j < biasOff; j++) {
    sq += theta[j] * theta[j];
    grad[j] += p.l2 * theta[j];
  }
  return total + 0.5 * p.l2 * sq;
}

export interface LbfgsOptions {
  readonly maxIterations: number;
  /** Pairs of past steps kept. */
  readonly memory: number;
  /** Stop when the gradient's max-norm falls below this. */
  readonly gradientTolerance: number;
  /** Called after each iteration; return true to stop. */
  readonly onIteration?: (iteration: number, value: number, theta: Float64Array) => boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Minimises f from theta (in place) by L-BFGS with a backtracking (Armijo) line search; returns the iterations
 * run. f(theta, grad) returns the value and writes the gradient.
 */
export function lbfgs(
  f: (theta: Float64Array, grad: Float64Array) => number,
  theta: Float64Array,
  opts: LbfgsOptions,
): number {
  const n = theta.length;
  const m = opts.memory;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let grad = new Float64Array(n);
  let value = f(theta, grad);
  const dir = new Float64Array(n);
  const next = new Float64Array(n);
  let nextGrad = new Float64Array(n);
  const alpha = new Float64Array(m);
  let iter = 0;
  while (iter < opts.maxIterations) {
    let gMax = 0;
    for (let j = 0; j < n; j++) gMax = Math.max(gMax, Math.abs(grad[j]));
    if (gMax < opts.gradientTolerance) break;
    // Two-loop recursion: dir = -H grad.
    for (let j = 0; j < n; j++) dir[j] = -grad[j];
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(S[k], dir);
      const y = Y[k];
      for (let j = 0; j < n; j++) dir[j] -= alpha[k] * y[j];
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let j = 0; j < n; j++) dir[j] *= gamma;
    } else {
      for (let j = 0; j < n; j++) dir[j] /= Math.max(1, gMax);
    }
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dot(Y[k], dir);
      const s = S[k];
      for (let j = 0; j < n; j++) dir[j] += (alpha[k] - beta) * s[j];
    }
    let slope = dot(grad, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let j = 0; j < n; j++) dir[j] = -grad[j] / Math.max(1, gMax);
      slope = dot(grad, dir);
    }
    let step = 1;
    let nextValue = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let j = 0; j < n; j++) next[j] = theta[j] + step * dir[j];
      nextValue = f(next, nextGrad);
      if (nextValue <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(nextValue <= value)) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = next[j] - theta[j];
      y[j] = nextGrad[j] - grad[j];
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    theta.set(next);
    [grad, nextGrad] = [nextGrad, grad];
    const improvement = value - nextValue;
    value = nextValue;
    iter++;
    if (opts.onIteration?.(iter, value, theta)) break;
    if (improvement < 1e-10 * Math.max(1, Math.abs(value))) break;
  }
  return iter;
}

/** The inference model of parameters theta. */
export function sparseModelOf(
  theta: Float64Array,
  base: Omit<SparseLinearModel, 'weight' | 'bias' | 'architecture'>,
): SparseLinearModel {
  const classes = base.labels.length;
  const biasOff = base.rowIds.length * classes;
  return {
    architecture: 'sparse',
    ...base,
    weight: Float32Array.from(theta.subarray(0, biasOff)),
    bias: Float32Array.from(theta.subarray(biasOff)),
  };
}
