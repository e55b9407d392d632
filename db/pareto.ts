/**
 * The speed–accuracy Pareto front, as a pure function so it can be tested without a database.
 *
 * Definition: a point is on the front iff no other point is at least as good on both axes and
 * strictly better on one. Exact duplicates therefore do not dominate each other: both are on it.
 */
export interface ParetoPoint {
  top1: number;
  imagesPerSec: number;
}

/** True when `a` dominates `b` (maximising both axes). */
export function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  return a.top1 >= b.top1 && a.imagesPerSec >= b.imagesPerSec && (a.top1 > b.top1 || a.imagesPerSec > b.imagesPerSec);
}

/**
 * For each point, whether it is on the front. O(n log n): sweep from the fastest down, keeping the
 * best top-1 among strictly faster points; a point with equal speed is compared inside its group.
 * Points with a non-finite coordinate are never on the front and never dominate.
 */
export function paretoMask(points: readonly ParetoPoint[]): boolean[] {
  const mask = points.map(() => false);
  const order = points
    .map((p, i) => i)
    .filter((i) => Number.isFinite(points[i].top1) && Number.isFinite(points[i].imagesPerSec))
    .sort((a, b) => points[b].imagesPerSec - points[a].imagesPerSec);
  let bestFaster = -Infinity;
  for (let start = 0; start < order.length; ) {
    const speed = points[order[start]].imagesPerSec;
    let end = start;
    let groupBest = -Infinity;
    while (end < order.length && points[order[end]].imagesPerSec === speed) {
      groupBest = Math.max(groupBest, points[order[end]].top1);
      end++;
    }
    for (let k = start; k < end; k++) {
      const top1 = points[order[k]].top1;
      // Equal top-1 to a faster point is dominated (faster, as accurate), so the comparison is strict.
      mask[order[k]] = top1 === groupBest && top1 > bestFaster;
    }
    bestFaster = Math.max(bestFaster, groupBest);
    start = end;
  }
  return mask;
}

/** The points on the front, in input order. */
export function paretoFront<T extends ParetoPoint>(points: readonly T[]): T[] {
  const mask = paretoMask(points);
  return points.filter((_, i) => mask[i]);
}
