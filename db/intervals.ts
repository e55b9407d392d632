/**
 * Uncertainty of numbers over seeds: a mean with its sample standard deviation and the half-width
 * of its 95 % Student-t interval, and the same for paired differences (USI seed s − baseline seed
 * s), whose interval is what says whether a gain is real. Pure, so it is checked against t tables.
 */
import jstat from 'jstat';

const { jStat } = jstat;

export interface MeanInterval {
  mean: number;
  /** Sample standard deviation (n − 1); null for one value. */
  sd: number | null;
  n: number;
  /** Half-width of the two-sided 95 % Student-t interval of the mean; null for one value. */
  ci95: number | null;
}

/** Student t quantile for a two-sided 95 % interval with n − 1 degrees of freedom. */
export function tCritical95(n: number): number {
  return jStat.studentt.inv(0.975, n - 1);
}

export function meanInterval(values: readonly number[]): MeanInterval | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, sd: null, n, ci95: null };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { mean, sd, n, ci95: (tCritical95(n) * sd) / Math.sqrt(n) };
}

export interface PairedInterval extends MeanInterval {
  /** Whether the interval excludes 0; null when it cannot be computed (fewer than two pairs). */
  significant: boolean | null;
}

/** The mean of paired differences a[i] − b[i] with its paired t interval. */
export function pairedInterval(pairs: ReadonlyArray<readonly [number, number]>): PairedInterval | null {
  const m = meanInterval(pairs.map(([a, b]) => a - b));
  if (!m) return null;
  return { ...m, significant: m.ci95 === null ? null : Math.abs(m.mean) > m.ci95 };
}

export interface DifferenceInterval {
  /** mean(a) − mean(b). */
  difference: number;
  /** Half-width of its two-sided 95 % Welch interval (unequal variances, Welch–Satterthwaite df). */
  ci95: number;
  df: number;
}

/**
 * The difference of two independent means with its Welch t interval: what says whether two
 * implementations trained to the same accuracy (bench:accuracy), where seeds are not paired.
 */
export function welchInterval(a: readonly number[], b: readonly number[]): DifferenceInterval | null {
  const ma = meanInterval(a);
  const mb = meanInterval(b);
  if (!ma || !mb || ma.sd === null || mb.sd === null) return null;
  const va = ma.sd ** 2 / ma.n;
  const vb = mb.sd ** 2 / mb.n;
  const se = Math.sqrt(va + vb);
  const difference = ma.mean - mb.mean;
  // both samples constant: the difference is exact
  if (se === 0) return { difference, ci95: 0, df: ma.n + mb.n - 2 };
  const df = (va + vb) ** 2 / (va ** 2 / (ma.n - 1) + vb ** 2 / (mb.n - 1));
  return { difference, ci95: jStat.studentt.inv(0.975, df) * se, df };
}
