import { describe, expect, it } from 'vitest';
import { Rng } from '../common/rng.js';
import { bestSplit, changePoints } from './regression.js';

/** Nightly images/s around `level`, each night off by a uniform factor within ±noise/2 (noise 0.3: 30 % spread). */
function series(levels: number[], noise: number, seed: number): number[] {
  const rng = new Rng(seed);
  return levels.map((l) => l * (1 + noise * (rng.next() - 0.5)));
}

/** The brute-force statistic, straight from the formula, to check the O(n²) scan. */
function q(x: number[], tau: number): number {
  const a = x.slice(0, tau);
  const b = x.slice(tau);
  const pairs = (v: number[]) => v.flatMap((p, i) => v.slice(i + 1).map((r) => Math.abs(p - r)));
  const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
  const between = mean(a.flatMap((p) => b.map((r) => Math.abs(p - r))));
  return ((a.length * b.length) / x.length) * (2 * between - mean(pairs(a)) - mean(pairs(b)));
}

describe('E-divisive change points', () => {
  it('scans the energy statistic as the formula defines it', () => {
    const x = [5, 6, 5.5, 9, 9.5, 8.8, 9.1];
    const split = bestSplit(x, 2)!;
    const brute = [2, 3, 4, 5].map((t) => ({ t, q: q(x, t) })).reduce((m, c) => (c.q > m.q ? c : m));
    expect(split.index).toBe(brute.t);
    expect(split.q).toBeCloseTo(brute.q, 9);
    expect(split.index).toBe(3);
  });

  it('flags a lasting 15 % slow-down at the night it starts', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const x = series([...Array(12).fill(1000), ...Array(12).fill(850)], 0.1, seed);
      const regressions = changePoints(x).filter((c) => c.regression);
      expect(regressions.map((c) => c.index), `seed ${seed}`).toEqual([12]);
      expect(regressions[0].change).toBeCloseTo(-0.15, 1);
    }
  });

  it('under 30 % night-to-night noise: finds most such drops, near where they start, and invents none', () => {
    // 100 seeded series of each kind; nights ±15 % apart make a 15 % drop hard to place exactly
    let found = 0;
    let nearby = 0;
    let invented = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const drop = changePoints(series([...Array(12).fill(1000), ...Array(12).fill(850)], 0.3, seed)).filter((c) => c.regression);
      if (drop.length > 0) found++;
      if (drop.length === 1 && Math.abs(drop[0].index - 12) <= 1) nearby++;
      if (changePoints(series(Array(24).fill(1000), 0.3, 1000 + seed)).some((c) => c.regression)) invented++;
    }
    expect(found).toBeGreaterThanOrEqual(80);
    expect(nearby).toBeGreaterThanOrEqual(60);
    expect(invented).toBeLessThanOrEqual(2);
  });

  it('flags nothing in a series with 30 % noise and no change', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const x = series(Array(24).fill(1000), 0.3, 100 + seed);
      expect(changePoints(x).filter((c) => c.regression), `seed ${seed}`).toEqual([]);
    }
  });

  it('does not call a speed-up or a change below the minimum effect a regression', () => {
    const up = series([...Array(10).fill(1000), ...Array(10).fill(1300)], 0.05, 9);
    const found = changePoints(up);
    expect(found.map((c) => c.index)).toEqual([10]);
    expect(found[0].regression).toBe(false);
    const small = series([...Array(10).fill(1000), ...Array(10).fill(960)], 0.01, 9);
    expect(changePoints(small).every((c) => !c.regression)).toBe(true);
    expect(changePoints([1, 2, 3])).toEqual([]);
  });
});
