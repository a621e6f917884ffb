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

/** Each training example's weight in the loss: its class's weight (classWeights), 1 for an example without one. */
export function exampleWeights(
  targets: readonly DistillTarget[],
  classes: number,
  power: number,
): Float64Array {
  const weightOfClass = classWeights(targets, classes, power);
  return Float64Array.from(targets, (t) => {
    const c = exampleClass(t);
    return c >= 0 ? weightOfClass[c] : 1;
  });
}
