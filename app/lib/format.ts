/** Number formatting shared by the chart hover, the table and the model page. */

/** 1234567 -> "1.23 M"; 12345 -> "12.3 k"; small values keep `digits` decimals. */
export function formatCount(n: number, digits = 1): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(abs >= 100 ? 0 : digits);
}

/** 0.8123 -> "81.23%". */
export function formatPercent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '—';
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Decimals that show a half-width to at least one significant digit, within [min, max]. */
export function intervalDecimals(halfWidth: number, min = 1, max = 3): number {
  if (!(halfWidth > 0)) return min;
  return Math.min(max, Math.max(min, -Math.floor(Math.log10(halfWidth))));
}

/** Top-1 over seeds: 0.971, 0.004, 2 -> "97.1 ± 0.4 % (n=2)"; without an interval (one seed) the mean alone. */
export function formatTop1(mean: number, ci95: number | null, n: number): string {
  if (ci95 === null) return `${(mean * 100).toFixed(2)} % (n=${n})`;
  const digits = intervalDecimals(ci95 * 100);
  return `${(mean * 100).toFixed(digits)} ± ${(ci95 * 100).toFixed(digits)} % (n=${n})`;
}

/** Throughput: 1234.4, 12.2 -> "1234 ± 12", in whole images/s from 100 up. */
export function formatSpeed(imagesPerSec: number, ci95: number | null): string {
  const digits = imagesPerSec >= 100 ? 0 : 1;
  const mean = imagesPerSec.toFixed(digits);
  return ci95 === null ? mean : `${mean} ± ${ci95.toFixed(digits)}`;
}

/** A top-1 difference in percentage points: 0.006, 0.089 -> "+0.6 ± 8.9 points". */
export function formatPoints(delta: number, ci95: number | null): string {
  const digits = ci95 === null ? 1 : intervalDecimals(ci95 * 100);
  const mean = `${delta >= 0 ? '+' : '−'}${Math.abs(delta * 100).toFixed(digits)}`;
  return ci95 === null ? `${mean} points` : `${mean} ± ${(ci95 * 100).toFixed(digits)} points`;
}
