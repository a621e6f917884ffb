import type { TrainSettings } from '../../../../shared/student';
import { argmax } from '../../../../shared/math';
import { mulberry32 } from '../../../../shared/random';
import type { DistillTarget } from '../distill';

/** The order of the training examples in epoch `epoch`: a shuffle seeded by (seed, epoch), so resumes repeat it. */
export function shuffledOrder(n: number, seed: number, epoch: number): Uint32Array {
  const rnd = mulberry32((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** The learning rate of optimizer step `step` (0-based) of a run of `totalSteps` steps. */
export function learningRateAt(settings: TrainSettings, step: number, totalSteps: number): number {
  if (settings.lrSchedule === 'constant') return settings.learningRate;
  return settings.learningRate * Math.max(0, 1 - step / Math.max(1, totalSteps));
}

/**
 * The loss weight of each class (settings.classBalance): (n / (K * n_c)) ^ power for the K classes present among
 * the n examples (class of an example: its label, else the teacher's top label), scaled so that the weights of the
 * examples average 1 (the learning rate keeps its meaning). power 0 gives all ones.
 */
export function classWeights(
  targets: readonly DistillTarget[],
  classes: number,
  power: number,
): Float64Array {
  const count = new Float64Array(classes);
  for (const t of targets) {
    const c = exampleClass(t);
    if (c >= 0) count[c]++;
  }
  const weights = new Float64Array(classes).fill(1);
  const n = count.reduce((a, b) => a + b, 0);
  const present = count.filter((x) => x > 0).length;
  if (power <= 0 || n === 0) return weights;
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    if (count[c] > 0) weights[c] = Math.pow(n / (present * count[c]), power);
    sum += weights[c] * count[c];
  }
  for (let c = 0; c < classes; c++) weights[c] *= n / sum;
  return weights;
}

/** The class an example counts for in class weights: its human label, else the teacher's top label (-1: none). */
function exampleClass(t: DistillTarget): number {
  if (t.label !== null) return t.label;
  if (t.teacher === null || t.teacher.length === 0) return -1;
  return argmax(t.teacher);
}

/**
 * Each training example's weight in the loss and the target it learns, with class weights w (classWeights).
 * An example with a human label weighs w[label] (its teacher distribution, if any, agrees with the label: see
 * trainingSet.ts). An example with only a teacher distribution p is weighted class by class, as class-weighted
 * cross-entropy on soft targets is: sum_c w_c p_c (-log q_c) = W * sum_c p'_c (-log q_c) with W = sum_c w_c p_c and
 * p' = w * p / W. So it weighs W and learns p' (the teacher's distribution moved to the balanced class prior).
 * Weighting it by its top class alone (w[argmax p]) would weigh the commonest class's share of a soft target as much
 * as the rest, and the student would learn the teacher's imbalanced prior that hard labels, weighted, do not carry.
 * A one-hot teacher distribution (hard labels) is unchanged, weighing w of its class. The distillation loss itself
 * (distill.ts) is untouched. The weights average 1 over the examples (the learning rate keeps its meaning).
 */
export function weightedTargets(
  targets: readonly DistillTarget[],
  classes: number,
  power: number,
): { targets: DistillTarget[]; weights: Float64Array } {
  const w = classWeights(targets, classes, power);
  const out: DistillTarget[] = [];
  const weights = new Float64Array(targets.length);
  targets.forEach((t, i) => {
    if (t.label !== null || t.teacher === null || power <= 0) {
      const c = exampleClass(t);
      weights[i] = c >= 0 ? w[c] : 1;
      out.push(t);
      return;
    }
    let sum = 0;
    for (let c = 0; c < t.teacher.length; c++) sum += w[c] * t.teacher[c];
    if (!(sum > 0)) {
      weights[i] = 1;
      out.push(t);
      return;
    }
    weights[i] = sum;
    out.push({ label: null, teacher: Array.from(t.teacher, (p, c) => (w[c] * p) / sum) });
  });
  const mean = weights.reduce((a, b) => a + b, 0) / Math.max(1, weights.length);
  if (mean > 0) for (let i = 0; i < weights.length; i++) weights[i] /= mean;
  return { targets: out, weights };
}
