import { describe, expect, it } from 'vitest';
import type { ChartRow } from '../../db/queries.js';
import { packPoints, rowsToPoints, shownPoints, unpackPoints, type ChartPoint } from './points.js';

function row(id: number, model: string, mode: ChartRow['mode'], top1: number | null, ips: number | null, date = '2025-06-02T02:00:00.000Z'): ChartRow {
  return {
    benchmarkId: id,
    model,
    family: model.startsWith('vit') ? 'transformer' : 'cnn',
    params: 1000 * id,
    gmacs: id === 3 ? null : 0.01 * id,
    mode,
    top1,
    top1Ci95: null,
    nSeeds: top1 === null ? 0 : 1,
    usiGain: null,
    usiGainCi95: null,
    usiGainSignificant: null,
    imagesPerSec: ips,
    imagesPerSecCi95: null,
    speedSource: 'measured',
    latencyP50: id === 2 ? null : id / 10,
    nightlyId: id === 1 ? null : 7,
    date,
    dataset: 'mnist',
    profile: 'plain',
    device: 'cpu',
    runtime: 'tfjs',
    backend: 'wasm',
    precision: 'fp32',
    batchSize: 32,
    resolution: 28,
  };
}

// resnet: USI .90@100, baseline .88@100; vit: USI .85@300, baseline .91@50; fast: USI .80@50 (dominated).
const ROWS = [
  row(1, 'resnet', 'usi', 0.9, 100),
  row(2, 'resnet', 'baseline', 0.88, 100, '2025-06-01T02:00:00.000Z'),
  row(3, 'vit', 'usi', 0.85, 300),
  row(4, 'vit', 'baseline', 0.91, 50),
  row(5, 'fast', 'usi', 0.8, 50),
  row(6, 'broken', 'usi', null, 100),
  row(7, 'broken', 'baseline', 0.5, 0),
  row(8, 'teacher', 'teacher', 0.99, 10),
  row(9, 'untrained', null, null, 10),
];

/** A backbone over two seeds: its USI run benchmarked, its baseline placed at that speed, the gain within noise. */
const SEEDED: ChartRow[] = [
  { ...row(10, 'regnet', 'usi', 0.976, 700), top1Ci95: 0.0254, nSeeds: 2, imagesPerSecCi95: 8.4, usiGain: 0.006, usiGainCi95: 0.089, usiGainSignificant: false },
  { ...row(10, 'regnet', 'baseline', 0.97, 700), top1Ci95: 0.064, nSeeds: 2, imagesPerSecCi95: 8.4, speedSource: 'twin' },
];

describe('rowsToPoints', () => {
  it('keeps USI and baseline results with both coordinates and counts the others per variant', () => {
    const { points, skipped } = rowsToPoints(ROWS);
    expect(points.map((p) => p.id)).toEqual([1, 2, 3, 4, 5]);
    expect(skipped).toEqual({ usi: 1, baseline: 1 });
    expect(points[1]).toEqual({
      id: 2, model: 'resnet', family: 'cnn', variant: 'baseline', top1: 0.88, imagesPerSec: 100, latencyMs: null, params: 2000, gmacs: 0.02, runId: 7, date: '2025-06-01T02:00:00.000Z', onFront: false,
      top1Ci95: null, nSeeds: 1, imagesPerSecCi95: null, speedSource: 'measured', usiGain: null, usiGainCi95: null, usiGainSignificant: null,
    });
  });

  it("carries each row's intervals, seed count, speed source and gain", () => {
    const { points } = rowsToPoints(SEEDED);
    expect(points.map(({ top1Ci95, nSeeds, imagesPerSecCi95, speedSource, usiGain, usiGainCi95, usiGainSignificant }) => ({ top1Ci95, nSeeds, imagesPerSecCi95, speedSource, usiGain, usiGainCi95, usiGainSignificant }))).toEqual([
      { top1Ci95: 0.0254, nSeeds: 2, imagesPerSecCi95: 8.4, speedSource: 'measured', usiGain: 0.006, usiGainCi95: 0.089, usiGainSignificant: false },
      { top1Ci95: 0.064, nSeeds: 2, imagesPerSecCi95: 8.4, speedSource: 'twin', usiGain: null, usiGainCi95: null, usiGainSignificant: null },
    ]);
  });
});

describe('shownPoints', () => {
  const { points } = rowsToPoints(ROWS);
  const front = (ps: ChartPoint[]) => ps.filter((p) => p.onFront).map((p) => p.id);

  it('takes the front over the shown variants only', () => {
    const usi = shownPoints(points, 'usi');
    expect(usi.map((p) => p.id)).toEqual([1, 3, 5]);
    expect(front(usi)).toEqual([1, 3]); // fast (.80@50) loses to resnet (.90@100)
    expect(front(shownPoints(points, 'baseline'))).toEqual([2, 4]);
    // Together, resnet's baseline (.88@100) loses to its USI point (.90@100); vit's baseline (.91@50), the most accurate, does not.
    expect(front(shownPoints(points, 'both'))).toEqual([1, 3, 4]);
  });

  it('leaves its input untouched', () => {
    shownPoints(points, 'both');
    expect(points.every((p) => !p.onFront)).toBe(true);
  });
});

describe('packPoints', () => {
  it('round-trips every field, null included', () => {
    const { points } = rowsToPoints([...ROWS, ...SEEDED]);
    const packed = packPoints(points);
    expect(packed.families).toEqual(['cnn', 'transformer']);
    expect(packed.dates).toHaveLength(2);
    expect(unpackPoints(JSON.parse(JSON.stringify(packed)))).toEqual(points);
  });

  it('is a fraction of the points as JSON objects', () => {
    const many = Array.from({ length: 2000 }, (_, i) => row(i + 10, `model_${i}`, i % 2 ? 'baseline' : 'usi', 0.9 - i / 1e4, 100 + i));
    const { points } = rowsToPoints(many);
    expect(JSON.stringify(packPoints(points)).length).toBeLessThan(0.6 * JSON.stringify(points).length);
  });
});
