import { describe, expect, it } from 'vitest';
import { arrowHeadPath, gainPairs, gainSegments } from './gains.js';
import type { ChartPoint } from './points.js';

function point(id: number, model: string, variant: 'usi' | 'baseline', top1: number, ips: number, date: string): ChartPoint {
  return { id, model, family: 'cnn', variant, top1, imagesPerSec: ips, latencyMs: 1, params: 1, gmacs: 0.1, runId: 1, date, onFront: false };
}

describe('gainPairs', () => {
  it('pairs each model with both variants, using the latest result of each', () => {
    const pts = [
      point(1, 'resnet', 'baseline', 0.8, 100, '2025-01-01'),
      point(2, 'resnet', 'usi', 0.83, 101, '2025-01-01'),
      point(3, 'resnet', 'usi', 0.85, 99, '2025-01-02'), // the newer USI number
      point(4, 'vit', 'usi', 0.7, 50, '2025-01-02'), // no baseline: no pair
    ];
    const pairs = gainPairs(pts);
    expect(pairs).toHaveLength(1);
    expect(pairs[0].baseline.id).toBe(1);
    expect(pairs[0].usi.id).toBe(3);
    expect(pairs[0].deltaTop1).toBeCloseTo(0.05, 12);
  });

  it('reports a negative gain as negative', () => {
    const pairs = gainPairs([point(1, 'm', 'baseline', 0.9, 1, '2025-01-01'), point(2, 'm', 'usi', 0.85, 1, '2025-01-01')]);
    expect(pairs[0].deltaTop1).toBeCloseTo(-0.05, 12);
  });

  it('lays the arrows out as gap-separated segments from baseline to USI', () => {
    const pairs = gainPairs([
      point(1, 'a', 'baseline', 0.5, 10, 'd'),
      point(2, 'a', 'usi', 0.6, 11, 'd'),
      point(3, 'b', 'usi', 0.7, 20, 'd'),
      point(4, 'b', 'baseline', 0.65, 21, 'd'),
    ]);
    expect(gainSegments(pairs)).toEqual({ x: [10, 11, null, 21, 20, null], y: [0.5, 0.6, null, 0.65, 0.7, null] });
  });

  it('draws one head per segment, its tip short of the USI end and pointing along the segment', () => {
    // Upwards (y grows down in pixels) from (100, 200) to (100, 100), and rightwards from (0, 0) to (50, 0).
    const { d, count } = arrowHeadPath(
      [
        { bx: 100, by: 200, ux: 100, uy: 100 },
        { bx: 0, by: 0, ux: 50, uy: 0 },
      ],
      { standoff: 6, length: 8, halfWidth: 4 },
    );
    expect(count).toBe(2);
    expect(d).toBe('M100,106L104,114L96,114ZM44,0L36,4L36,-4Z');
  });

  it('leaves out the head of a segment too short to hold one, or with an end off the axes', () => {
    const short = { bx: 0, by: 0, ux: 0, uy: 10 };
    const offAxis = { bx: NaN, by: 0, ux: 0, uy: 100 };
    expect(arrowHeadPath([short, offAxis], { standoff: 6, length: 8 })).toEqual({ d: '', count: 0 });
  });
});
