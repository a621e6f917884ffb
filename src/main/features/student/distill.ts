/**
 * The distillation loss, exactly as the method defines it, for one example:
 *
 *   alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) * CE(student, label)
 *
 * Teacher outputs are stored as probabilities, so teacher logits are log(max(p, 1e-12)).
 * An example with only a human label uses CE alone; an example with only a teacher distribution uses
 * T^2 * KL alone (the missing term's weight goes to the other, so that neither kind of example is silenced).
 * When a human label and the teacher's top label disagree, the human wins: the dataset drops the teacher's
 * distribution for that example (see `buildTrainingSet`), so it trains on CE only.
 */

export interface DistillTarget {
  /** Class index of the human label, or null. */
  readonly label: number | null;
  /** The teacher's probabilities (in the run's label order), or null. */
  readonly teacher: ArrayLike<number> | null;
}

export interface DistillOptions {
  readonly alpha: number;
  readonly temperature: number;
}

import { softmax, softmaxInto } from '../../../shared/math';

const TEACHER_FLOOR = 1e-12;

export function teacherLogits(probs: ArrayLike<number>): Float64Array {
  const out = new Float64Array(probs.length);
  for (let i = 0; i < probs.length; i++) out[i] = Math.log(Math.max(probs[i], TEACHER_FLOOR));
  return out;
}

export interface LossAndGrad {
  readonly loss: number;
  /** d loss / d student logits. */
  readonly grad: Float64Array;
}

/**
 * How much the teacher's soft target and the human label weigh in one example's loss: alpha and 1 - alpha when it
 * has both, all of the one it has otherwise.
 */
export function lossWeights(
  hasLabel: boolean,
  hasTeacher: boolean,
  alpha: number,
): { softWeight: number; hardWeight: number } {
  return {
    softWeight: hasLabel && hasTeacher ? alpha : hasTeacher ? 1 : 0,
    hardWeight: hasLabel && hasTeacher ? 1 - alpha : hasLabel ? 1 : 0,
  };
}

/** The teacher's soft target at temperature T: softmax(teacherLogits(probs) / T), what `distillLoss` compares with. */
export function softTarget(probs: ArrayLike<number>, temperature: number): Float64Array {
  return softmax(teacherLogits(probs), temperature);
}

/**
 * The loss of one example and its gradient with respect to the student's logits. `soft`: the example's
 * `softTarget(target.teacher, opts.temperature)` when the caller keeps it (the training loop computes it once per
 * example, not once per epoch); computed here otherwise.
 */
export function distillLoss(
  logits: ArrayLike<number>,
  target: DistillTarget,
  opts: DistillOptions,
  soft?: Float64Array,
): LossAndGrad {
  const grad = new Float64Array(logits.length);
  const loss = distillLossInto(logits, target, opts, soft, grad, new Float64Array(logits.length));
  return { loss, grad };
}

/**
 * `distillLoss` into buffers the caller keeps (the training loop: no allocation per example): writes the gradient
 * into `grad` and uses `scratch` for the student's softmax (both as long as `logits`), returns the loss. The same
 * numbers as `distillLoss`, which calls it.
 */
export function distillLossInto(
  logits: ArrayLike<number>,
  target: DistillTarget,
  opts: DistillOptions,
  soft: Float64Array | undefined,
  grad: Float64Array,
  scratch: Float64Array,
): number {
  const n = logits.length;
  const T = opts.temperature;
  const { softWeight, hardWeight } = lossWeights(target.label !== null, target.teacher !== null, opts.alpha);
  for (let i = 0; i < n; i++) grad[i] = 0;
  let loss = 0;
  if (softWeight > 0 && target.teacher !== null) {
    const p = soft ?? softTarget(target.teacher, T);
    const q = softmaxInto(logits, T, scratch);
    let kl = 0;
    for (let i = 0; i < n; i++)
      if (p[i] > 0) kl += p[i] * (Math.log(p[i]) - Math.log(Math.max(q[i], 1e-300)));
    loss += softWeight * T * T * kl;
    // d(T^2 KL)/ds = T (q - p)
    for (let i = 0; i < n; i++) grad[i] += softWeight * T * (q[i] - p[i]);
  }
  if (hardWeight > 0 && target.label !== null) {
    const s = softmaxInto(logits, 1, scratch);
    loss += hardWeight * -Math.log(Math.max(s[target.label], 1e-300));
    for (let i = 0; i < n; i++) grad[i] += hardWeight * (s[i] - (i === target.label ? 1 : 0));
  }
  return loss;
}
