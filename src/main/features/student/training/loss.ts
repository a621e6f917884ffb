import type { TrainSettings } from '../../../../shared/student';
import { distillLossInto, softTarget, type DistillTarget, type LossAndGrad } from '../distill';
import { multiLabelDistillLoss, type MultiLabelTarget } from '../distillMultilabel';
import { indicator, type TrainData } from './data';
import { weightedTargets } from './schedule';

/**
 * The per-example loss of a run and the targets and weights it reads. Single-label: `distillLoss` with class weights
 * (settings.classBalance); its result object and gradient are reused from call to call (read them before the
 * next). Multi-label: `multiLabelDistillLoss` with the data's per-label positive weights (class
 * imbalance per label replaces class balance: every example weighs 1).
 */
export function lossOfRun(
  data: TrainData,
  settings: TrainSettings,
): {
  targets: DistillTarget[];
  weights: Float64Array;
  loss: (logits: Float64Array, example: number) => LossAndGrad;
} {
  const classes = data.labels.length;
  if (data.kind === 'multi') {
    const sets: MultiLabelTarget[] = data.train.map((e) => ({
      labels: e.labels === null ? null : indicator(e.labels, classes),
      teacher: e.teacher,
    }));
    const opts = {
      alpha: settings.alpha,
      temperature: settings.temperature,
      positiveWeights: data.positiveWeights,
    };
    return {
      targets: data.train.map(() => ({ label: null, teacher: null })),
      weights: new Float64Array(data.train.length).fill(1),
      loss: (logits, i) => multiLabelDistillLoss(logits, sets[i], opts),
    };
  }
  const { targets, weights } = weightedTargets(
    data.train.map((e) => ({ label: e.label, teacher: e.teacher })),
    classes,
    settings.classBalance,
  );
  // Each example's soft target, computed on its first step (the same numbers distillLoss would compute each time).
  const soft: Array<Float64Array | undefined> = new Array(targets.length);
  // One result, gradient and softmax buffer for every call (the loop reads each before the next call): the same
  // numbers as distillLoss, without three allocations per example.
  const out = { loss: 0, grad: new Float64Array(classes) };
  const scratch = new Float64Array(classes);
  return {
    targets,
    weights,
    loss: (logits, i) => {
      const teacher = targets[i].teacher;
      if (teacher !== null && soft[i] === undefined) soft[i] = softTarget(teacher, settings.temperature);
      out.loss = distillLossInto(logits, targets[i], settings, soft[i], out.grad, scratch);
      return out;
    },
  };
}
