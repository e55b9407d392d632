/**
 * The verdict of bench:accuracy, pure: usibench's top-1 over seeds against PyTorch's. Both sides
 * get a mean with its 95 % Student-t interval (db/intervals.ts meanInterval, t with n − 1 df);
 * "combined" is the 95 % Welch interval of the difference of the means (usibench − PyTorch,
 * standard error sqrt(sd_a²/n_a + sd_b²/n_b), Welch–Satterthwaite df: independent seeds, unequal
 * variances). usibench's mean lies within PyTorch's combined interval when that interval contains
 * 0, i.e. |difference| ≤ its half-width.
 */
import { meanInterval, welchInterval, type DifferenceInterval, type MeanInterval } from '../../db/intervals.js';

export interface Parity {
  ours: MeanInterval | null;
  theirs: MeanInterval | null;
  /** null when a side has fewer than two values (no interval). */
  difference: DifferenceInterval | null;
  within: boolean | null;
}

export function parity(ours: readonly number[], theirs: readonly number[]): Parity {
  const difference = welchInterval(ours, theirs);
  return {
    ours: meanInterval(ours),
    theirs: meanInterval(theirs),
    difference,
    within: difference === null ? null : Math.abs(difference.difference) <= difference.ci95,
  };
}

const pct = (v: number) => (100 * v).toFixed(2);

/** `mean ± ci (n=…)` in percentage points, for top-1 fractions. */
export function formatMean(m: MeanInterval | null): string {
  if (m === null) return '—';
  return `${pct(m.mean)} ± ${m.ci95 === null ? '?' : pct(m.ci95)} (n=${m.n})`;
}

/** One markdown row: model | usibench | PyTorch | difference ± Welch interval | within?. */
export function parityRow(model: string, p: Parity): string {
  const d = p.difference;
  const diff = d === null ? '—' : `${d.difference >= 0 ? '+' : ''}${pct(d.difference)} ± ${pct(d.ci95)} (df ${d.df.toFixed(1)})`;
  const within = p.within === null ? '—' : p.within ? 'yes' : 'NO';
  return `| ${model} | ${formatMean(p.ours)} | ${formatMean(p.theirs)} | ${diff} | ${within} |`;
}
