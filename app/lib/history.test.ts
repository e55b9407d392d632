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

describe('benchmarkHistory', () => {
  it('flags a drop beyond the threshold against the previous successful night', () => {
    const [s] = benchmarkHistory([row(3, '2025-01-03', 790), row(1, '2025-01-01', 1000), row(2, '2025-01-02', null)], 0.2);
    expect(s.points.map((p) => p.benchmarkId)).toEqual([1, 2, 3]);
    expect(s.points[1].change).toBeNull(); // the failed night has no speed
    expect(s.points[2].change).toBeCloseTo(-0.21, 12);
    expect(s.points[2].regression).toBe(true);
    expect(s.regressions).toBe(1);
  });

  it('does not flag a drop within the threshold, nor a speed-up', () => {
    const [s] = benchmarkHistory([row(1, 'a', 1000), row(2, 'b', 810), row(3, 'c', 2000)], 0.2);
    expect(s.points.map((p) => p.regression)).toEqual([false, false, false]);
    expect(s.points[1].change).toBeCloseTo(-0.19, 12);
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
