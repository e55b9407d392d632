import { describe, expect, it } from 'vitest';
import { formatMean, parity, parityRow } from './parity.js';

// Hand computation, checked once with scipy 1.17 (stats.ttest_ind(a, b, equal_var=False).df and
// stats.t.ppf(0.975, df) · se):
//   a = [.97, .96, .98]: mean .97, sd .01;  b = [.95, .97, .93]: mean .95, sd .02
//   se = sqrt(.01²/3 + .02²/3) = 0.0129099…;  df = (5/30000)² / ((1/30000)²/2 + (4/30000)²/2) = 50/17
//   half-width t(.975, 50/17) · se = 0.041553995031825 (0.0248413771175 for a alone: t(.975, 2) · .01/√3)
const a = [0.97, 0.96, 0.98];

describe('parity (bench:accuracy verdict)', () => {
  it('is the Welch interval of the difference of means, within when it contains 0', () => {
    const p = parity(a, [0.95, 0.97, 0.93]);
    expect(p.difference!.difference).toBeCloseTo(0.02, 12);
    expect(p.difference!.df).toBeCloseTo(50 / 17, 9);
    expect(p.difference!.ci95).toBeCloseTo(0.041553995031825, 9);
    expect(p.ours!.ci95).toBeCloseTo(0.0248413771175, 9);
    expect(p.within).toBe(true);
  });

  it('says NO when the difference exceeds the half-width', () => {
    const p = parity(a, [0.9, 0.92, 0.88]); // same spread, difference .07 > .0416
    expect(p.difference!.ci95).toBeCloseTo(0.041553995031825, 9);
    expect(p.within).toBe(false);
    expect(parityRow('m', p)).toBe('| m | 97.00 ± 2.48 (n=3) | 90.00 ± 4.97 (n=3) | +7.00 ± 4.16 (df 2.9) | NO |');
  });

  it('has no verdict with one seed on a side', () => {
    const p = parity(a, [0.9]);
    expect(p.difference).toBeNull();
    expect(p.within).toBeNull();
    expect(formatMean(p.theirs)).toBe('90.00 ± ? (n=1)');
    expect(parityRow('m', p)).toBe('| m | 97.00 ± 2.48 (n=3) | 90.00 ± ? (n=1) | — | — |');
  });
});
