/**
 * The distillation loss for independent labels (multi-label projects), for one example with K sigmoid outputs:
 *
 *   alpha * T^2 * sum_k BCE(sigmoid(t_k / T), sigmoid(s_k / T)) + (1 - alpha) * sum_k w_k^{y_k} BCE(s_k, y_k)
 *
 * where s_k are the student's logits, t_k = logit(p_k) the teacher's (its per-label probability p_k, clamped to
 * [1e-12, 1 - 1e-12]), BCE(a, sigmoid(z)) = -(a log sigmoid(z) + (1 - a) log(1 - sigmoid(z))), y_k the human label
 * set as 0/1, and w_k the positive weight of label k (class imbalance per label, as BCEWithLogits' pos_weight: a
 * missed positive of a rare label costs w_k times a false alarm; 1 leaves the loss as written above).
 * As in `distillLoss`: an example with only a human label set uses the BCE term alone, one with only teacher
 * probabilities the T^2 term alone. The empty set ("none of these") is a label set: every y_k is 0.
 *
 * Gradient with respect to s_k: alpha * T * (sigmoid(s_k/T) - sigmoid(t_k/T))
 *   + (1 - alpha) * (sigmoid(s_k) * (w_k y_k + 1 - y_k) - w_k y_k).
 */

import { sigmoid } from '../../../shared/math';
import { lossWeights, type LossAndGrad } from './distill';

export interface MultiLabelTarget {
  /** The human label set as 0/1 per label, or null. */
  readonly labels: ArrayLike<number> | null;
  /** The teacher's independent per-label probabilities, or null. */
  readonly teacher: ArrayLike<number> | null;
}

export interface MultiLabelDistillOptions {
  readonly alpha: number;
  readonly temperature: number;
  /** w_k per label; absent: 1 for every label. */
  readonly positiveWeights?: ArrayLike<number>;
}

const FLOOR = 1e-12;

export { sigmoid };

/** log(1 + e^z), without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** BCE(a, sigmoid(z)) computed from the logit z: a softplus(-z) + (1 - a) softplus(z). */
function bceWithLogit(a: number, z: number, positiveWeight = 1): number {
  return positiveWeight * a * softplus(-z) + (1 - a) * softplus(z);
}

export function probabilityLogit(p: number): number {
  const q = Math.min(1 - FLOOR, Math.max(FLOOR, p));
  return Math.log(q) - Math.log1p(-q);
}

export function multiLabelDistillLoss(
  logits: ArrayLike<number>,
  target: MultiLabelTarget,
  opts: MultiLabelDistillOptions,
): LossAndGrad {
  const n = logits.length;
  const T = opts.temperature;
  const { softWeight, hardWeight } = lossWeights(target.labels !== null, target.teacher !== null, opts.alpha);
  const grad = new Float64Array(n);
  let loss = 0;
  if (softWeight > 0 && target.teacher !== null) {
    for (let k = 0; k < n; k++) {
      const p = sigmoid(probabilityLogit(target.teacher[k]) / T);
      loss += softWeight * T * T * bceWithLogit(p, logits[k] / T);
      grad[k] += softWeight * T * (sigmoid(logits[k] / T) - p);
    }
  }
  if (hardWeight > 0 && target.labels !== null) {
    for (let k = 0; k < n; k++) {
      const y = target.labels[k];
      const w = opts.positiveWeights?.[k] ?? 1;
      loss += hardWeight * bceWithLogit(y, logits[k], w);
      grad[k] += hardWeight * (sigmoid(logits[k]) * (w * y + 1 - y) - w * y);
    }
  }
  return { loss, grad };
}

/**
 * Positive weights for class imbalance per label: negatives / positives among the training label sets, at least 1
 * and at most `cap` (a label with 10 positives in 9,000 documents would otherwise weigh 900). A label without a
 * positive keeps 1.
 */
export function positiveWeights(sets: ReadonlyArray<ArrayLike<number>>, labels: number, cap = 10): number[] {
  const pos = new Array<number>(labels).fill(0);
  for (const s of sets) for (let k = 0; k < labels; k++) if (s[k]) pos[k]++;
  return pos.map((p) => (p === 0 ? 1 : Math.min(cap, Math.max(1, (sets.length - p) / p))));
}
