/**
 * Fewer points for drawing a curve, with its shape kept: the Ramer-Douglas-Peucker simplification. The first and
 * last points are kept; between two kept points, the point farthest from the segment joining them is kept when it
 * lies more than `tolerance` away (in the units of x and y: for ROC and PR curves, the unit square), and the two
 * halves are simplified the same way. Every point returned is one of the input's, in order (a ROC point keeps its
 * threshold), and no dropped point lies farther than `tolerance` from the drawn line. With `maxPoints`, the
 * tolerance is doubled until the curve fits in that many points.
 */
export function simplifyCurve<P extends { readonly x: number; readonly y: number }>(
  points: readonly P[],
  tolerance = 0.002,
  maxPoints = Infinity,
): P[] {
  if (points.length <= 2) return [...points];
  let tol = tolerance;
  for (;;) {
    const kept = keepMask(points, tol);
    const out = points.filter((_, i) => kept[i]);
    if (out.length <= maxPoints || tol > 1) return out;
    tol *= 2;
  }
}

function keepMask(
  points: ReadonlyArray<{ readonly x: number; readonly y: number }>,
  tol: number,
): Uint8Array {
  const kept = new Uint8Array(points.length);
  kept[0] = 1;
  kept[points.length - 1] = 1;
  // An explicit stack: a curve of tens of thousands of points would overflow the call stack when recursing.
  const stack: Array<[number, number]> = [[0, points.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    let far = -1;
    let farDist = tol;
    for (let i = a + 1; i < b; i++) {
      const d = segmentDistance(points[i], points[a], points[b]);
      if (d > farDist) {
        far = i;
        farDist = d;
      }
    }
    if (far < 0) continue;
    kept[far] = 1;
    stack.push([a, far], [far, b]);
  }
  return kept;
}

/** The distance from p to the segment a-b. */
export function segmentDistance(
  p: { readonly x: number; readonly y: number },
  a: { readonly x: number; readonly y: number },
  b: { readonly x: number; readonly y: number },
): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}
