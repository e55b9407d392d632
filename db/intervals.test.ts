import { describe, expect, it } from 'vitest';
import { meanInterval, pairedInterval, tCritical95, welchInterval } from './intervals.js';

describe('intervals over seeds', () => {
  it('uses Student t quantiles (table values)', () => {
    // two-sided 95 %: df 1, 2, 4, 29 from any t table
    expect(tCritical95(2)).toBeCloseTo(12.706, 3);
    expect(tCritical95(3)).toBeCloseTo(4.303, 3);
    expect(tCritical95(5)).toBeCloseTo(2.776, 3);
    expect(tCritical95(30)).toBeCloseTo(2.045, 3);
  });

  it('gives mean, sample sd and the t half-width, computed by hand', () => {
    // 0.97, 0.98, 0.99: mean 0.98, sd 0.01, ci = 4.303 · 0.01 / √3 = 0.024842
    const m = meanInterval([0.97, 0.98, 0.99])!;
    expect(m.mean).toBeCloseTo(0.98, 12);
    expect(m.sd).toBeCloseTo(0.01, 12);
    expect(m.n).toBe(3);
    expect(m.ci95).toBeCloseTo(0.024842, 5);
    expect(meanInterval([0.5])).toEqual({ mean: 0.5, sd: null, n: 1, ci95: null });
    expect(meanInterval([])).toBeNull();
  });

  it('pairs differences and calls a gain significant only when its interval excludes 0', () => {
    // differences 0.02, 0.03, 0.025: mean 0.025, sd 0.005, ci = 4.303 · 0.005 / √3 = 0.012421
    const g = pairedInterval([[0.92, 0.9], [0.93, 0.9], [0.945, 0.92]])!;
    expect(g.mean).toBeCloseTo(0.025, 12);
    expect(g.ci95).toBeCloseTo(0.012421, 5);
    expect(g.significant).toBe(true);
    // the same means unpaired would look alike, but these differences disagree in sign
    const noisy = pairedInterval([[0.95, 0.9], [0.9, 0.94], [0.93, 0.91]])!;
    expect(noisy.significant).toBe(false);
    expect(pairedInterval([[0.9, 0.8]])!.significant).toBeNull();
  });
});

describe('welchInterval', () => {
  it('matches scipy: difference, Welch–Satterthwaite df and the 95 % half-width', () => {
    // scipy 1.17: a = [.962, .970, .958], b = [.955, .949, .968, .960]; ttest_ind(a, b, equal_var=False).df
    // = 4.97467879583607; t.ppf(0.975, df) · sqrt(var(a)/3 + var(b)/4) = 0.01377095368953545
    const w = welchInterval([0.962, 0.97, 0.958], [0.955, 0.949, 0.968, 0.96])!;
    expect(w.difference).toBeCloseTo(0.005333333333333301, 12);
    expect(w.df).toBeCloseTo(4.97467879583607, 9);
    expect(w.ci95).toBeCloseTo(0.01377095368953545, 9);
  });

  it('needs two values on each side', () => {
    expect(welchInterval([0.9], [0.8, 0.85])).toBeNull();
    expect(welchInterval([0.9, 0.9], [0.8, 0.8])).toEqual({ difference: 0.09999999999999998, ci95: 0, df: 2 });
  });
});
