import type { EvaluationResult, PairedSignificance } from '../../../shared/evaluation';
import { finiteOrNull } from './compute';
import { argmax } from '../../../shared/math';
import { bootstrapIntervals, confusionMatrix, mcnemarExact, prfFromConfusion } from './metrics';

const ITERATIONS = 1000;
const SEED = 42;

type Scored = Pick<EvaluationResult, 'labels' | 'predictions'>;

/**
 * Is B better or worse than A by more than chance? Only documents both were evaluated on with the same gold label
 * count (a model may lack predictions for some, a label may have changed between evaluations). Accuracy is compared
 * by McNemar's exact test and both accuracy and macro-F1 by a paired bootstrap: each resample draws the same
 * documents for A and B, so that the interval is of the difference on one set of documents. Macro-F1 is compared
 * only when both have the same labels in the same order.
 */
export function pairedSignificance(a: Scored, b: Scored): PairedSignificance {
  const byId = new Map(b.predictions.map((p) => [p.exampleId, p]));
  const goldA: number[] = [];
  const predA: number[] = [];
  const predB: number[] = [];
  const goldB: number[] = [];
  for (const p of a.predictions) {
    const q = byId.get(p.exampleId);
    if (!q || a.labels[p.gold] !== b.labels[q.gold]) continue;
    goldA.push(p.gold);
    predA.push(argmax(p.probs));
    goldB.push(q.gold);
    predB.push(argmax(q.probs));
  }
  const n = goldA.length;
  const rightA = goldA.map((g, i) => g === predA[i]);
  const rightB = goldB.map((g, i) => g === predB[i]);
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < n; i++) {
    if (rightA[i] && !rightB[i]) onlyA++;
    if (rightB[i] && !rightA[i]) onlyB++;
  }
  const sameLabels = a.labels.length === b.labels.length && a.labels.every((l, i) => l === b.labels[i]);
  const k = a.labels.length;
  const macro = (gold: number[], pred: number[], idx: readonly number[]): number =>
    prfFromConfusion(
      confusionMatrix(
        idx.map((i) => gold[i]),
        idx.map((i) => pred[i]),
        k,
      ),
    ).macroF1;
  const all = Array.from({ length: n }, (_, i) => i);
  const ci = bootstrapIntervals(
    n,
    (idx) => {
      let diff = 0;
      for (const i of idx) diff += Number(rightB[i]) - Number(rightA[i]);
      return {
        accuracy: diff / idx.length,
        macroF1: sameLabels ? macro(goldB, predB, idx) - macro(goldA, predA, idx) : Number.NaN,
      };
    },
    { iterations: ITERATIONS, seed: SEED },
  );
  const accuracyDelta = {
    value: n ? (onlyB - onlyA) / n : null,
    low: ci.accuracy ? finiteOrNull(ci.accuracy.low) : null,
    high: ci.accuracy ? finiteOrNull(ci.accuracy.high) : null,
  };
  const macroF1Delta =
    sameLabels && n
      ? {
          value: finiteOrNull(macro(goldB, predB, all) - macro(goldA, predA, all)),
          low: ci.macroF1 ? finiteOrNull(ci.macroF1.low) : null,
          high: ci.macroF1 ? finiteOrNull(ci.macroF1.high) : null,
        }
      : { value: null, low: null, high: null };
  const pValue = n ? mcnemarExact(onlyA, onlyB) : null;
  const excludesZero = (m: { low: number | null; high: number | null }): boolean =>
    m.low !== null && m.high !== null && (m.low > 0 || m.high < 0);
  return {
    shared: n,
    onlyA,
    onlyB,
    pValue,
    accuracyDelta,
    macroF1Delta,
    significant: (pValue !== null && pValue < 0.05) || excludesZero(macroF1Delta),
  };
}
