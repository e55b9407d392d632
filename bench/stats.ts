/**
 * Summary statistics of timing samples. The definitions follow tinybench 6 exactly (sample
 * standard deviation with n−1, linear-interpolation percentiles, relative margin of error from the
 * two-sided 95% Student-t critical value), so a number computed here and one tinybench prints
 * agree; tinybench only lacks p90, which the benchmark reports, hence the own implementation.
 */

export interface SampleStats {
  mean: number;
  median: number;
  p90: number;
  p99: number;
  sd: number;
  /** Relative margin of error in percent: 100 · t(0.975, n−1) · sd/√n / |mean|. */
  rme: number;
  samples: number;
}

/** A result whose margin of error is above this (percent) is flagged noisy. */
export const NOISY_RME_PERCENT = 5;

/** The q-quantile (0 ≤ q ≤ 1) of ascending-sorted values, interpolating linearly (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new Error('quantile of no samples');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const frac = pos - lo;
  if (frac === 0) return sorted[lo];
  return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

/** The median of unsorted values (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  return quantileSorted([...values].sort((a, b) => a - b), 0.5);
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9): ~15 significant digits for x > 0.5.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Density of Student's t with df degrees of freedom. */
function tDensity(t: number, df: number): number {
  const logC = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logC - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** P(|T| ≤ t) for Student's t, by Simpson integration of the density over [0, t]; t is small (≲ 13). */
function tTwoSidedMass(t: number, df: number): number {
  const n = 2000;
  const h = t / n;
  let s = tDensity(0, df) + tDensity(t, df);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * tDensity(i * h, df);
  return (2 * s * h) / 3;
}

const criticalCache = new Map<number, number>();

/** The two-sided 95% critical value of Student's t with df degrees of freedom (12.706 at df 1, → 1.960). */
export function tCritical95(df: number): number {
  if (!(df >= 1)) return NaN;
  const cached = criticalCache.get(df);
  if (cached !== undefined) return cached;
  let value: number;
  if (df > 1e5) value = 1.959963984540054;
  else {
    // Bisection on the monotone mass; df 1 needs the widest bracket (12.71).
    let lo = 1.9;
    let hi = 13;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (tTwoSidedMass(mid, df) < 0.95) lo = mid;
      else hi = mid;
    }
    value = (lo + hi) / 2;
  }
  criticalCache.set(df, value);
  return value;
}

/** Statistics of raw samples (any order). Fewer than two samples give sd 0 and an infinite rme. */
export function summarize(values: ArrayLike<number>): SampleStats {
  const n = values.length;
  if (n === 0) throw new Error('no samples to summarise');
  const sorted = Float64Array.from(values).sort();
  let mean = 0;
  for (let i = 0; i < n; i++) mean += sorted[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i] - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const rme = n > 1 && mean !== 0 ? ((tCritical95(n - 1) * sd) / Math.sqrt(n) / Math.abs(mean)) * 100 : Infinity;
  return {
    mean,
    median: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    sd,
    rme,
    samples: n,
  };
}

export function isNoisy(stats: { rme: number }, thresholdPercent = NOISY_RME_PERCENT): boolean {
  return !(stats.rme <= thresholdPercent);
}
