/**
 * Speed regressions that mean something. These hosts drift by tens of percent from one night to
 * the next, so comparing a night with the one before cries wolf; a regression is a lasting change
 * of level in a benchmark's nightly series. It is found with E-divisive means (Matteson & James,
 * 2014: the split that maximises the energy distance between the series before and after it),
 * as MongoDB's CI and Apache Otava do, its significance taken by a permutation test with a seeded
 * generator (the same series always gives the same answer), recursively on both sides. A change
 * point is flagged as a regression only when the median speed after it is lower than before by at
 * least the minimum effect. Pure, so it is tested on synthetic series with known changes.
 */
import { Rng } from '../common/rng.js';

export interface ChangePointOptions {
  /** Permutation-test level a change point must reach. */
  alpha: number;
  /** Smallest relative slow-down that counts (0.1: 10 % fewer images/s). */
  minEffect: number;
  /** Fewest nights on each side of a change point. */
  minSegment: number;
  permutations: number;
  seed: number;
}

export const DEFAULT_CHANGE_POINT: ChangePointOptions = { alpha: 0.05, minEffect: 0.1, minSegment: 3, permutations: 199, seed: 1 };

export interface ChangePoint {
  /** Index of the first night after the change. */
  index: number;
  pValue: number;
  /** median(after) / median(before) − 1 of the values (images/s): −0.15 is 15 % slower. */
  change: number;
  /** A slow-down at least minEffect large. */
  regression: boolean;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The best split of `x` and its statistic: for every τ with at least `minSegment` values on each
 * side, q̂(τ) = (m·n/(m+n)) · [2/(m·n) Σ|a−b| − 1/C(m,2) Σ|a−a'| − 1/C(n,2) Σ|b−b'|], α = 1.
 * Moving one value across the split updates the three sums in O(len), so the scan is O(len²).
 */
export function bestSplit(x: readonly number[], minSegment: number): { index: number; q: number } | null {
  const len = x.length;
  if (len < 2 * Math.max(2, minSegment)) return null;
  // start with everything on the right: within-right holds every pair
  let left = 0;
  let right = 0;
  let between = 0;
  for (let a = 0; a < len; a++) for (let b = a + 1; b < len; b++) right += Math.abs(x[a] - x[b]);
  let best: { index: number; q: number } | null = null;
  for (let tau = 1; tau <= len - Math.max(2, minSegment); tau++) {
    // x[tau − 1] moves from the right segment to the left one
    const v = x[tau - 1];
    let toLeft = 0;
    for (let a = 0; a < tau - 1; a++) toLeft += Math.abs(x[a] - v);
    let toRight = 0;
    for (let b = tau; b < len; b++) toRight += Math.abs(v - x[b]);
    left += toLeft;
    right -= toRight;
    between += toRight - toLeft;
    if (tau < Math.max(2, minSegment)) continue;
    const m = tau;
    const n = len - tau;
    const e = (2 * between) / (m * n) - left / ((m * (m - 1)) / 2) - right / ((n * (n - 1)) / 2);
    const q = ((m * n) / (m + n)) * e;
    if (!best || q > best.q) best = { index: tau, q };
  }
  return best;
}

function shuffled(x: readonly number[], rng: Rng): number[] {
  const a = [...x];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Change points of a series (e.g. one benchmark's images/s per night), in order. */
export function changePoints(values: readonly number[], options: Partial<ChangePointOptions> = {}): ChangePoint[] {
  const opts = { ...DEFAULT_CHANGE_POINT, ...options };
  const rng = new Rng(opts.seed);
  const found: ChangePoint[] = [];
  const search = (lo: number, hi: number) => {
    const segment = values.slice(lo, hi);
    const split = bestSplit(segment, opts.minSegment);
    if (!split) return;
    let asLarge = 0;
    for (let r = 0; r < opts.permutations; r++) {
      const q = bestSplit(shuffled(segment, rng), opts.minSegment)!.q;
      if (q >= split.q) asLarge++;
    }
    const pValue = (asLarge + 1) / (opts.permutations + 1);
    if (pValue >= opts.alpha) return;
    const index = lo + split.index;
    const change = median(values.slice(index, hi)) / median(values.slice(lo, index)) - 1;
    found.push({ index, pValue, change, regression: change <= -opts.minEffect });
    search(lo, index);
    search(index, hi);
  };
  search(0, values.length);
  return found.sort((a, b) => a.index - b.index);
}
