import type { AgreementReport, PairAgreement } from '../../../shared/review';
import { annotatorLabels, projectLabels } from '../../core/labels';
import type { Db } from '../../core/store/db';

/**
 * Cohen's kappa from a square confusion matrix (rows: rater A, columns: rater B).
 * null when chance agreement is total (both raters always used one and the same label): kappa is undefined there.
 */
export function cohenKappa(confusion: readonly (readonly number[])[]): number | null {
  const k = confusion.length;
  let n = 0;
  let agreed = 0;
  const rows = new Array<number>(k).fill(0);
  const cols = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = confusion[i][j];
      n += v;
      rows[i] += v;
      cols[j] += v;
      if (i === j) agreed += v;
    }
  }
  if (n === 0) return null;
  const po = agreed / n;
  let pe = 0;
  for (let i = 0; i < k; i++) pe += (rows[i] / n) * (cols[i] / n);
  if (1 - pe < 1e-12) return null;
  return (po - pe) / (1 - pe);
}

/**
 * Fleiss' kappa from per-item category counts (counts[item][category]); every item must have the same number of
 * ratings (at least two). null when undefined.
 */
export function fleissKappa(counts: readonly (readonly number[])[]): number | null {
  const items = counts.length;
  if (items === 0) return null;
  const raters = counts[0].reduce((a, b) => a + b, 0);
  if (raters < 2 || counts.some((row) => row.reduce((a, b) => a + b, 0) !== raters)) return null;
  const k = counts[0].length;
  const pj = new Array<number>(k).fill(0);
  let pBar = 0;
  for (const row of counts) {
    let sumSq = 0;
    for (let j = 0; j < k; j++) {
      pj[j] += row[j];
      sumSq += row[j] * row[j];
    }
    pBar += (sumSq - raters) / (raters * (raters - 1));
  }
  pBar /= items;
  let pe = 0;
  for (let j = 0; j < k; j++) {
    const p = pj[j] / (items * raters);
    pe += p * p;
  }
  if (1 - pe < 1e-12) return null;
  return (pBar - pe) / (1 - pe);
}

/**
 * Agreement between annotators: Cohen's kappa and the confusion matrix for every pair that labelled the same
 * documents, Fleiss' kappa over the documents all of them labelled, and how many documents they disagree on.
 */
export function agreement(db: Db, projectId: number, only?: readonly string[]): AgreementReport {
  const labels = projectLabels(db, projectId).map((l) => ({ id: l.id, name: l.name }));
  const index = new Map(labels.map((l, i) => [l.id, i]));
  const byAnnotator = annotatorLabels(db, projectId);
  const names = [...byAnnotator.keys()].filter((a) => !only || only.includes(a)).sort();
  const pairs: PairAgreement[] = [];
  for (let x = 0; x < names.length; x++) {
    for (let y = x + 1; y < names.length; y++) {
      const a = byAnnotator.get(names[x]) ?? new Map<number, number>();
      const b = byAnnotator.get(names[y]) ?? new Map<number, number>();
      const confusion = labels.map(() => labels.map(() => 0));
      let overlap = 0;
      let agreed = 0;
      for (const [exampleId, la] of a) {
        const lb = b.get(exampleId);
        if (lb === undefined) continue;
        const i = index.get(la);
        const j = index.get(lb);
        if (i === undefined || j === undefined) continue;
        overlap++;
        if (i === j) agreed++;
        confusion[i][j]++;
      }
      if (overlap > 0) {
        pairs.push({ a: names[x], b: names[y], overlap, agreed, kappa: cohenKappa(confusion), confusion });
      }
    }
  }
  let fleiss: AgreementReport['fleiss'] = null;
  if (names.length >= 2) {
    const maps = names.map((n) => byAnnotator.get(n) ?? new Map<number, number>());
    const counts: number[][] = [];
    for (const exampleId of maps[0].keys()) {
      const row = labels.map(() => 0);
      let complete = true;
      for (const m of maps) {
        const i = index.get(m.get(exampleId) ?? -1);
        if (i === undefined) {
          complete = false;
          break;
        }
        row[i]++;
      }
      if (complete) counts.push(row);
    }
    fleiss = { kappa: fleissKappa(counts), documents: counts.length, raters: names.length };
  }
  const disagreeing = new Set<number>();
  const seen = new Map<number, number>();
  for (const n of names) {
    for (const [exampleId, labelId] of byAnnotator.get(n) ?? []) {
      const prev = seen.get(exampleId);
      if (prev === undefined) seen.set(exampleId, labelId);
      else if (prev !== labelId) disagreeing.add(exampleId);
    }
  }
  return { annotators: names, labels, pairs, fleiss, disagreements: disagreeing.size };
}
