import {
  DEFAULT_LABEL_THRESHOLD,
  MIN_HUMAN_VALIDATION,
  MIN_THRESHOLD_POSITIVES,
} from '../../../../shared/student';
import { argmax, softmax } from '../../../../shared/math';
import { macroF1 } from '../../evaluation/metrics';
import { predictSets, setMetrics, thresholdsWithSharedFallback } from '../../evaluation/multilabelMetrics';
import { sigmoid } from '../distillMultilabel';
import type { Forward } from '../model';
import { indicator, type MultiLabelData, type SingleLabelData, type TrainData } from './data';

/** An epoch's validation (the loop's `finishEpoch`): the figures it reports and stops on. */

/** Accuracy and macro-F1 of the validation documents selected by `keep` (NaN when there are none). */
function subsetScores(
  gold: Int32Array,
  pred: Int32Array,
  classes: number,
  keep: (i: number) => boolean,
): { count: number; accuracy: number; macroF1: number } {
  const g: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < gold.length; i++) {
    if (!keep(i)) continue;
    g.push(gold[i]);
    p.push(pred[i]);
  }
  if (!g.length) return { count: 0, accuracy: Number.NaN, macroF1: Number.NaN };
  const correct = g.filter((x, i) => x === p[i]).length;
  return { count: g.length, accuracy: correct / g.length, macroF1: macroF1(g, p, classes) };
}

/** An epoch's validation figures (see EpochMetrics), and for a multi-label run its tuned thresholds. */
export interface Validation {
  readonly valLoss: number;
  readonly valAccuracy: number;
  readonly valMacroF1: number;
  readonly human: { count: number; accuracy: number; macroF1: number };
  readonly teacher: { count: number; accuracy: number; macroF1: number };
  readonly multi?: { valMicroF1: number; valSamplesF1: number; valHumanMicroF1: number };
  readonly thresholds?: number[];
}

export function singleLabelValidation(
  data: SingleLabelData,
  forward: Forward,
  valInputs: readonly Int32Array[],
): Validation {
  const classes = data.labels.length;
  const count = data.validation.length;
  const gold = new Int32Array(count);
  const pred = new Int32Array(count);
  const losses = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const p = softmax(forward(valInputs[i]));
    const arg = argmax(p);
    gold[i] = data.validation[i].label;
    pred[i] = arg;
    losses[i] = -Math.log(Math.max(p[gold[i]], 1e-300));
  }
  const byPeople = (i: number): boolean => data.validation[i].fromTeacher !== true;
  const human = subsetScores(gold, pred, classes, byPeople);
  const teacher = subsetScores(gold, pred, classes, (i) => !byPeople(i));
  // The stopping set: people's labels alone when there are enough of them (MIN_HUMAN_VALIDATION), else all.
  const onPeople = human.count >= MIN_HUMAN_VALIDATION;
  const stopping = onPeople ? human : subsetScores(gold, pred, classes, () => true);
  let valLoss = 0;
  for (let i = 0; i < count; i++) if (!onPeople || byPeople(i)) valLoss += losses[i];
  valLoss /= Math.max(1, stopping.count);
  return { valLoss, valAccuracy: stopping.accuracy, valMacroF1: stopping.macroF1, human, teacher };
}

/**
 * A multi-label run's validation: sigmoid outputs, label sets predicted at the global threshold 0.5, and
 * setMetrics of multilabelMetrics.ts: valMacroF1 = macro-F1 over labels (what `metric: 'macro_f1'`, the default,
 * stops on), valAccuracy = subset accuracy, valLoss = mean BCE summed over labels (unweighted). The stopping set is
 * the human-labelled documents when there are at least MIN_HUMAN_VALIDATION, else all (teacher sets at 0.5 on the
 * rest). Thresholds are tuned on the stopping set (`thresholdsWithSharedFallback`: F1 per label with at least
 * MIN_THRESHOLD_POSITIVES positives, one cut shared by the other labels).
 */
export function multiLabelValidation(
  data: MultiLabelData,
  forward: Forward,
  valInputs: readonly Int32Array[],
): Validation {
  const classes = data.labels.length;
  const y = data.validation.map((e) => indicator(e.labels, classes));
  const scores = valInputs.map((ids) => Array.from(forward(ids), sigmoid));
  const predicted = predictSets(scores, new Array<number>(classes).fill(DEFAULT_LABEL_THRESHOLD));
  const rowsWhere = (keep: (i: number) => boolean): number[] => [...y.keys()].filter(keep);
  const byPeople = (i: number): boolean => !data.validation[i].fromTeacher;
  const score = (
    rows: number[],
  ): { count: number; accuracy: number; macroF1: number; microF1: number; samplesF1: number } => {
    if (!rows.length) return { count: 0, accuracy: NaN, macroF1: NaN, microF1: NaN, samplesF1: NaN };
    const m = setMetrics(y, predicted, rows);
    return {
      count: rows.length,
      accuracy: m.subsetAccuracy,
      macroF1: m.macroF1,
      microF1: m.microF1,
      samplesF1: m.samplesF1,
    };
  };
  const humanRows = rowsWhere(byPeople);
  const human = score(humanRows);
  const teacher = score(rowsWhere((i) => !byPeople(i)));
  const stoppingRows = human.count >= MIN_HUMAN_VALIDATION ? humanRows : rowsWhere(() => true);
  const stopping = score(stoppingRows);
  let valLoss = 0;
  for (const i of stoppingRows) {
    for (let k = 0; k < classes; k++) {
      const p = Math.min(1 - 1e-12, Math.max(1e-12, scores[i][k]));
      valLoss -= y[i][k] ? Math.log(p) : Math.log1p(-p);
    }
  }
  valLoss /= Math.max(1, stoppingRows.length);
  const thresholds = thresholdsWithSharedFallback(
    stoppingRows.map((i) => y[i]),
    stoppingRows.map((i) => scores[i]),
    DEFAULT_LABEL_THRESHOLD,
    MIN_THRESHOLD_POSITIVES,
  );
  return {
    valLoss,
    valAccuracy: stopping.accuracy,
    valMacroF1: stopping.macroF1,
    human,
    teacher,
    multi: { valMicroF1: stopping.microF1, valSamplesF1: stopping.samplesF1, valHumanMicroF1: human.microF1 },
    thresholds,
  };
}

/** The validation of a run's kind: single-label or multi-label. */
export function validate(data: TrainData, forward: Forward, valInputs: readonly Int32Array[]): Validation {
  return data.kind === 'multi'
    ? multiLabelValidation(data, forward, valInputs)
    : singleLabelValidation(data, forward, valInputs);
}
