import type { DiffLine } from '../../../shared/teacher';

/**
 * A line diff of `older` against `newer` (no diff library is installed): lines are split on \n (\r\n counts as \n),
 * the common first and last lines are kept as they are, and the middle is aligned by a longest common subsequence
 * (dynamic programming, O(n·m) over the middle only; prompts are a few hundred lines at most). Among equally long
 * alignments, removals are listed before additions, as `diff -u` does. Every line of both texts appears exactly once,
 * in order: the 'same' and 'removed' lines rebuild `older`, the 'same' and 'added' lines rebuild `newer`.
 */
export function lineDiff(older: string, newer: string): DiffLine[] {
  const a = older.replace(/\r\n/g, '\n').split('\n');
  const b = newer.replace(/\r\n/g, '\n').split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  // lcs[i][j]: the longest common subsequence of a[start+i..endA) and b[start+j..endB).
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] =
        a[start + i] === b[start + j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  const same = (i: number, j: number): void => {
    out.push({ kind: 'same', text: a[i], oldLine: i + 1, newLine: j + 1 });
  };
  for (let k = 0; k < start; k++) same(k, k);
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) {
      same(start + i, start + j);
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push({ kind: 'removed', text: a[start + i], oldLine: start + i + 1, newLine: null });
      i++;
    } else {
      out.push({ kind: 'added', text: b[start + j], oldLine: null, newLine: start + j + 1 });
      j++;
    }
  }
  for (let k = 0; k < a.length - endA; k++) same(endA + k, endB + k);
  return out;
}
