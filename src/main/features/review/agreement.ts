import type { AgreementReport, LabelAgreement, PairAgreement, SetAgreement } from '../../../shared/review';
import { annotatorLabelSets, annotatorLabels, projectKind, projectLabels } from '../../core/labels';
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
 * MASI distance between two label sets (Passonneau 2006, "Measuring Agreement on Set-Valued Items"):
 * 1 - J * M, with J = |A ∩ B| / |A ∪ B| (Jaccard) and M = 1 when the sets are equal, 2/3 when one holds the other,
 * 1/3 when they overlap otherwise, 0 when disjoint (the weights of NLTK's masi_distance). Two empty sets ("none of
 * these" twice) agree: distance 0 (J is 0/0 there; NLTK divides by zero).
 */
export function masiDistance(a: readonly number[], b: readonly number[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  const union = sa.size + sb.size - inter;
  if (union === 0) return 0;
  let m: number;
  if (sa.size === sb.size && inter === sa.size) m = 1;
  else if (inter === Math.min(sa.size, sb.size)) m = 2 / 3;
  else if (inter > 0) m = 1 / 3;
  else m = 0;
  return 1 - (inter / union) * m;
}

/**
 * Krippendorff's alpha for any distance, in the coincidence form (Krippendorff 2011, "Computing Krippendorff's
 * alpha-reliability"): `units[u]` holds the values the coders gave unit u (missing ones left out). Only units with at
 * least two values are pairable; with n their values in all,
 *   D_o = (1/n) sum_u sum_{i != j in u} d(v_i, v_j) / (m_u - 1),
 *   D_e = 1/(n (n - 1)) sum_{i != j over all n values} d(v_i, v_j),
 *   alpha = 1 - D_o / D_e.
 * null when undefined: fewer than two pairable values, or D_e = 0 (every value the same).
 */
export function krippendorffAlpha<T>(
  units: ReadonlyArray<readonly T[]>,
  distance: (a: T, b: T) => number,
): number | null {
  const pairable = units.filter((u) => u.length >= 2);
  const values = pairable.flat() as T[];
  const n = values.length;
  if (n < 2) return null;
  let observed = 0;
  for (const u of pairable) {
    let sum = 0;
    for (let i = 0; i < u.length; i++)
      for (let j = 0; j < u.length; j++) if (i !== j) sum += distance(u[i], u[j]);
    observed += sum / (u.length - 1);
  }
  observed /= n;
  let expected = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expected += 2 * distance(values[i], values[j]);
  expected /= n * (n - 1);
  if (expected < 1e-12) return null;
  return 1 - observed / expected;
}

/**
 * Multi-label agreement from each annotator's sets. Per label, each annotator's answer to "does this label apply"
 * (in their set or not): Cohen's kappa per pair over the documents both labelled, Fleiss' kappa over the documents
 * all of them labelled. Over whole sets: Krippendorff's alpha with the MASI distance, every document with two or
 * more annotators a unit.
 */
export function setAgreement(
  labels: ReadonlyArray<{ id: number; name: string }>,
  names: readonly string[],
  byAnnotator: ReadonlyMap<string, ReadonlyMap<number, readonly number[]>>,
): SetAgreement {
  const maps = names.map((n) => byAnnotator.get(n) ?? new Map<number, readonly number[]>());
  const perLabel: LabelAgreement[] = labels.map((l) => {
    const pairs: Array<LabelAgreement['pairs'][number]> = [];
    for (let x = 0; x < names.length; x++) {
      for (let y = x + 1; y < names.length; y++) {
        // [a yes, b yes], [a yes, b no], ...: rows a, columns b, index 0 = has the label.
        const confusion = [
          [0, 0],
          [0, 0],
        ];
        let overlap = 0;
        for (const [exampleId, sa] of maps[x]) {
          const sb = maps[y].get(exampleId);
          if (sb === undefined) continue;
          overlap++;
          confusion[sa.includes(l.id) ? 0 : 1][sb.includes(l.id) ? 0 : 1]++;
        }
        if (overlap > 0) pairs.push({ a: names[x], b: names[y], overlap, kappa: cohenKappa(confusion) });
      }
    }
    let fleiss: number | null = null;
    if (names.length >= 2) {
      const counts: number[][] = [];
      for (const exampleId of maps[0].keys()) {
        const sets = maps.map((m) => m.get(exampleId));
        if (sets.some((s) => s === undefined)) continue;
        const yes = sets.filter((s) => s?.includes(l.id)).length;
        counts.push([yes, sets.length - yes]);
      }
      fleiss = fleissKappa(counts);
    }
    return { labelId: l.id, name: l.name, pairs, fleiss };
  });
  const units = new Map<number, Array<readonly number[]>>();
  for (const m of maps) {
    for (const [exampleId, set] of m) {
      const u = units.get(exampleId);
      if (u) u.push(set);
      else units.set(exampleId, [set]);
    }
  }
  const pairable = [...units.values()].filter((u) => u.length >= 2);
  return {
    perLabel,
    alpha: krippendorffAlpha(pairable, masiDistance),
    distance: 'masi',
    units: pairable.length,
  };
}

/**
 * Agreement between annotators: Cohen's kappa and the confusion matrix for every pair that labelled the same
 * documents, Fleiss' kappa over the documents all of them labelled, and how many documents they disagree on.
 */
export function agreement(db: Db, projectId: number, only?: readonly string[]): AgreementReport {
  const labels = projectLabels(db, projectId).map((l) => ({ id: l.id, name: l.name }));
  if (projectKind(db, projectId) === 'multi') return multiAgreement(db, projectId, labels, only);
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
  return { annotators: names, labels, sets: null, pairs, fleiss, disagreements: disagreeing.size };
}

function multiAgreement(
  db: Db,
  projectId: number,
  labels: ReadonlyArray<{ id: number; name: string }>,
  only: readonly string[] | undefined,
): AgreementReport {
  const byAnnotator = annotatorLabelSets(db, projectId);
  const names = [...byAnnotator.keys()].filter((a) => !only || only.includes(a)).sort();
  const disagreeing = new Set<number>();
  const seen = new Map<number, string>();
  for (const n of names) {
    for (const [exampleId, set] of byAnnotator.get(n) ?? []) {
      const key = JSON.stringify(set);
      const prev = seen.get(exampleId);
      if (prev === undefined) seen.set(exampleId, key);
      else if (prev !== key) disagreeing.add(exampleId);
    }
  }
  return {
    annotators: names,
    labels: [...labels],
    sets: setAgreement(labels, names, byAnnotator),
    pairs: [],
    fleiss: null,
    disagreements: disagreeing.size,
  };
}
