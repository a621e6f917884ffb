/**
 * Iterative stratification of multi-label data (Sechidis, Tsoumakas & Vlahavas, "On the stratification of
 * multi-label data", ECML PKDD 2011, algorithm 1), for splitting a multi-label project so that every label, rare
 * ones first, is divided between the splits in the requested proportions.
 *
 * Each split j wants c_j = r_j * N documents and c_j^l = r_j * |D^l| documents of each label l. Repeatedly the label
 * with the fewest documents left is taken, and each of its documents goes to the split that still wants that label
 * most (ties: the split that wants the most documents, then a seeded random choice); the document's other labels are
 * counted as given to that split too. Documents with no label at the end are dealt the same way by c_j alone.
 * Pure: the caller decides what a "label" is (a multi-label project passes "none of these" as a label of its own, so
 * that the share of documents with no applicable label is kept too).
 */
export function iterativeStratification(
  items: ReadonlyArray<readonly number[]>,
  fractions: readonly number[],
  random: () => number,
): number[] {
  const n = items.length;
  const k = fractions.length;
  const wanted = fractions.map((r) => r * n);
  const counts = new Map<number, number>();
  for (const labels of items) for (const l of new Set(labels)) counts.set(l, (counts.get(l) ?? 0) + 1);
  const wantedPer = new Map<number, number[]>();
  for (const [l, c] of counts)
    wantedPer.set(
      l,
      fractions.map((r) => r * c),
    );
  const out = new Array<number>(n).fill(-1);
  // Visit documents in a seeded random order, so ties between equal documents are not broken by file order.
  const order = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const byLabel = new Map<number, number[]>();
  for (const i of order) {
    for (const l of new Set(items[i])) {
      const docs = byLabel.get(l);
      if (docs) docs.push(i);
      else byLabel.set(l, [i]);
    }
  }
  const remaining = new Map(counts);

  const choose = (scores: readonly number[] | null): number => {
    let best: number[] = [];
    let bestKey: [number, number] = [-Infinity, -Infinity];
    for (let j = 0; j < k; j++) {
      if (fractions[j] <= 0) continue;
      const key: [number, number] = [scores ? scores[j] : wanted[j], wanted[j]];
      if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
        bestKey = key;
        best = [j];
      } else if (key[0] === bestKey[0] && key[1] === bestKey[1]) best.push(j);
    }
    return best.length === 1 ? best[0] : best[Math.floor(random() * best.length)];
  };
  const give = (i: number, j: number): void => {
    out[i] = j;
    wanted[j]--;
    for (const l of new Set(items[i])) {
      const w = wantedPer.get(l);
      if (w) w[j]--;
      remaining.set(l, (remaining.get(l) ?? 0) - 1);
    }
  };

  for (;;) {
    // The label with the fewest documents still to place (ties: the smaller label id, for a stable result).
    let label: number | null = null;
    let fewest = Infinity;
    for (const [l, left] of remaining) {
      if (left > 0 && (left < fewest || (left === fewest && label !== null && l < label))) {
        fewest = left;
        label = l;
      }
    }
    if (label === null) break;
    for (const i of byLabel.get(label) ?? []) {
      if (out[i] === -1) give(i, choose(wantedPer.get(label) ?? null));
    }
  }
  for (const i of order) if (out[i] === -1) give(i, choose(null));
  return out;
}
