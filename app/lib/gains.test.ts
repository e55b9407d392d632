import { describe, expect, it } from 'vitest';
import { arrowHeadPath, gainMidpoints, gainPairs, gainSegments, gainSignificance, gainText } from './gains.js';
import type { ChartPoint } from './points.js';

type Gain = Pick<ChartPoint, 'usiGain' | 'usiGainCi95' | 'usiGainSignificant' | 'nSeeds'>;
const NO_GAIN: Gain = { usiGain: null, usiGainCi95: null, usiGainSignificant: null, nSeeds: 1 };

function point(id: number, model: string, variant: 'usi' | 'baseline', top1: number, ips: number, date: string, gain: Gain = NO_GAIN): ChartPoint {
  return { id, model, family: 'cnn', variant, top1, imagesPerSec: ips, latencyMs: 1, params: 1, gmacs: 0.1, runId: 1, date, onFront: false, top1Ci95: null, imagesPerSecCi95: null, speedSource: 'measured', ...gain };
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

  it('hovers each arrow at its middle as drawn, with its gain', () => {
    const pairs = gainPairs([
      point(1, 'a', 'baseline', 0.5, 10, 'd'),
      point(2, 'a', 'usi', 0.6, 1000, 'd', { usiGain: 0.1, usiGainCi95: null, usiGainSignificant: null, nSeeds: 1 }),
      point(3, 'b', 'usi', 0.7, 20, 'd'),
      point(4, 'b', 'baseline', 0.65, 20, 'd'),
    ]);
    const mid = gainMidpoints(pairs);
    // the x axis is logarithmic: the middle of 10 → 1000 as drawn is 100
    expect(mid.x).toEqual([100, 20]);
    expect(mid.y.map((v) => Number(v.toFixed(12)))).toEqual([0.55, 0.675]);
    // b has no paired seeds: the difference of its plotted means stands in
    expect(mid.text).toEqual(['<b>a</b><br>USI gain +10.0 points (n=1, no interval)', '<b>b</b><br>top-1 +5.0 points (difference of the means, no paired seeds)']);
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

describe('gain significance', () => {
  const significant: Gain = { usiGain: 0.031, usiGainCi95: 0.012, usiGainSignificant: true, nSeeds: 3 };
  const ns: Gain = { usiGain: 0.006, usiGainCi95: 0.089, usiGainSignificant: false, nSeeds: 2 };
  const single: Gain = { usiGain: -0.004, usiGainCi95: null, usiGainSignificant: null, nSeeds: 1 };

  it('tells a gain whose interval contains 0 from a significant one and from one without an interval', () => {
    expect(gainSignificance(significant)).toBe('significant');
    expect(gainSignificance(ns)).toBe('ns');
    expect(gainSignificance(single)).toBe('unknown');
  });

  it('says so in words, in percentage points', () => {
    expect(gainText(significant)).toBe('USI gain +3.1 ± 1.2 points (95% interval excludes 0)');
    expect(gainText(ns)).toBe('USI gain +0.6 ± 8.9 points, n.s. (95% interval contains 0)');
    expect(gainText(single)).toBe('USI gain −0.4 points (n=1, no interval)');
    expect(gainText(NO_GAIN)).toBeNull();
  });
});
