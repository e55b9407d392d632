import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../../db/queries.js';
import { benchmarkHistory, regressionThreshold } from './history.js';

function row(id: number, date: string, ips: number | null, extra: Partial<ResultRow> = {}): ResultRow {
  return {
    benchmarkId: id,
    model: 'm',
    mode: 'usi',
    dataset: 'mnist',
    runtime: 'tfjs',
    backend: 'wasm',
    device: 'cpu',
    precision: 'fp32',
    batchSize: 32,
    resolution: 28,
    imagesPerSec: ips,
    status: ips === null ? 'failed' : 'ok',
    error: ips === null ? 'boom' : null,
    date,
    nightlyId: id,
    ...extra,
  } as ResultRow;
}

const nights = (values: Array<number | null>, extra: Partial<ResultRow> = {}) =>
  values.map((v, i) => row(i + 1, `2025-01-${String(i + 1).padStart(2, '0')}`, v, extra));

describe('benchmarkHistory', () => {
  it('flags a lasting drop beyond the minimum effect at the night it starts, failed nights aside', () => {
    // eight nights near 1000, a failed one, then eight near 790 (21 % slower)
    const before = [1000, 1010, 990, 1005, 995, 1008, 992, 1003];
    const after = [790, 800, 785, 795, 805, 788, 798, 792];
    const [s] = benchmarkHistory(nights([...before, null, ...after]).reverse(), 0.2);
    expect(s.points.map((p) => p.benchmarkId)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(s.points[8].change).toBeNull(); // the failed night has no speed
    expect(s.points[9].change).toBeCloseTo(790 / 1003 - 1, 12);
    expect(s.points.filter((p) => p.regression).map((p) => p.benchmarkId)).toEqual([10]);
    expect(s.points[9].levelChange).toBeCloseTo(-0.21, 2);
    expect(s.points[9].pValue).toBeLessThan(0.05);
    expect(s.regressions).toBe(1);
  });

  it('does not flag a drop within the minimum effect, a speed-up, nor one slow night', () => {
    const level = (n: number, v: number) => Array.from({ length: n }, (_, i) => v + (i % 3) - 1);
    const small = benchmarkHistory(nights([...level(8, 1000), ...level(8, 810)]), 0.2)[0];
    expect(small.regressions).toBe(0);
    expect(benchmarkHistory(nights([...level(8, 1000), ...level(8, 2000)]), 0.2)[0].regressions).toBe(0);
    // one night 40 % slower, then back: noise on a shared host, not a regression
    const blip = benchmarkHistory(nights([...level(8, 1000), 600, ...level(8, 1000)]), 0.2)[0];
    expect(blip.points[8].change).toBeCloseTo(-0.4, 2);
    expect(blip.regressions).toBe(0);
  });

  it('keeps protocols and training modes in separate series', () => {
    const series = benchmarkHistory([row(1, 'a', 1000), row(2, 'b', 500, { batchSize: 1 }), row(3, 'c', 100, { mode: 'baseline' })], 0.1);
    expect(series).toHaveLength(3);
    expect(series.every((s) => s.regressions === 0)).toBe(true);
  });
});

describe('regressionThreshold', () => {
  it('reads a fraction from the environment and ignores nonsense', () => {
    expect(regressionThreshold('0.05')).toBe(0.05);
    expect(regressionThreshold(undefined)).toBe(0.1);
    expect(regressionThreshold('fast')).toBe(0.1);
    expect(regressionThreshold('5')).toBe(0.1);
  });
});
