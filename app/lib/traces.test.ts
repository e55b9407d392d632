import { describe, expect, it } from 'vitest';
import { gainPairs } from './gains.js';
import type { ChartPoint } from './points.js';
import { ARROW_STYLES, arrowGroups, arrowTraces, FRONT_TRACE, frontTrace, halfWidths, hoverData, markerTrace, speedErrorBar, top1ErrorBar } from './traces.js';

function point(id: number, model: string, variant: 'usi' | 'baseline', top1: number, stats: Partial<ChartPoint> = {}): ChartPoint {
  return {
    id, model, family: 'cnn', variant, top1, imagesPerSec: 1234.4, latencyMs: 1.5, params: 600_000, gmacs: 0.04, runId: 2, date: '2025-06-02T02:00:00.000Z', onFront: false,
    top1Ci95: null, nSeeds: 1, imagesPerSecCi95: null, speedSource: 'measured', usiGain: null, usiGainCi95: null, usiGainSignificant: null,
    ...stats,
  };
}

const TWO_SEEDS = point(1, 'regnet', 'usi', 0.971, { top1Ci95: 0.004, nSeeds: 2, imagesPerSecCi95: 12.2, usiGain: 0.006, usiGainCi95: 0.089, usiGainSignificant: false });
const ONE_SEED = point(2, 'resnet', 'usi', 0.982, { imagesPerSecCi95: 10.8 });

describe('error bars', () => {
  it('gives top-1 half-widths as fractions, the unit the y axis holds, and no bar for one seed', () => {
    const bar = top1ErrorBar([TWO_SEEDS, ONE_SEED], '#1f77b4')!;
    expect(bar).toMatchObject({ type: 'data', visible: true, color: '#1f77b4', width: 3 });
    expect(bar.array).toEqual([0.004, NaN]);
  });

  it('gives the speed spread in images/s', () => {
    expect(speedErrorBar([TWO_SEEDS, ONE_SEED], '#000')).toMatchObject({ array: [12.2, 10.8], width: 0 });
  });

  it('leaves a trace without any interval without an error bar', () => {
    expect(top1ErrorBar([ONE_SEED], '#000')).toBeUndefined();
    expect(halfWidths([null, 0, 0.01])).toEqual([NaN, 0, 0.01]);
  });

  it("puts both on a family's marker trace", () => {
    const trace = markerTrace([TWO_SEEDS, ONE_SEED], 'cnn', 'usi', true);
    expect(trace.name).toBe('CNN');
    expect(trace.y).toEqual([0.971, 0.982]);
    expect(trace.error_y?.array).toEqual([0.004, NaN]);
    expect(trace.error_x?.array).toEqual([12.2, 10.8]);
    expect(markerTrace([ONE_SEED], 'cnn', 'baseline', true).error_y).toBeUndefined();
  });
});

describe('hover', () => {
  it('shows top-1 and speed with their intervals and n, and the gain of a USI point', () => {
    const [, , , top1, speed, twin, gain] = hoverData(TWO_SEEDS);
    expect(top1).toBe('97.1 ± 0.4 % (n=2)');
    expect(speed).toBe('1234 ± 12');
    expect(twin).toBe('');
    expect(gain).toBe('<br>USI gain +0.6 ± 8.9 points, n.s. (95% interval contains 0)');
    expect(hoverData(ONE_SEED)[3]).toBe('98.20 % (n=1)');
  });

  it("says when a baseline sits at its USI twin's measured speed", () => {
    const data = hoverData(point(3, 'regnet', 'baseline', 0.97, { speedSource: 'twin', usiGain: 0.006 }));
    expect(data[5]).toContain("USI twin's measured speed");
    // the gain belongs to the USI point and its arrow
    expect(data[6]).toBe('');
  });
});

describe('arrows', () => {
  const pts = [
    point(10, 'ns', 'baseline', 0.97),
    point(11, 'ns', 'usi', 0.976, { usiGain: 0.006, usiGainCi95: 0.089, usiGainSignificant: false, nSeeds: 2 }),
    point(12, 'sig', 'baseline', 0.95),
    point(13, 'sig', 'usi', 0.98, { usiGain: 0.03, usiGainCi95: 0.01, usiGainSignificant: true, nSeeds: 3 }),
    point(14, 'single', 'baseline', 0.9),
    point(15, 'single', 'usi', 0.92, { usiGain: 0.02, usiGainCi95: null, usiGainSignificant: null }),
  ];

  it('sets apart only the gains whose interval contains 0; one seed is drawn as a significant gain', () => {
    const groups = arrowGroups(gainPairs(pts));
    expect(groups.map((g) => [g.style, g.pairs.map((p) => p.model)])).toEqual([
      ['plain', ['sig', 'single']],
      ['ns', ['ns']],
    ]);
    expect(arrowGroups(gainPairs(pts.slice(2))).map((g) => g.style)).toEqual(['plain']);
  });

  it('draws the n.s. arrows dotted, paler and named as such, hoverable at their middle with their gain', () => {
    const [[plain, plainHover], [ns, nsHover]] = arrowGroups(gainPairs(pts)).map((g) => arrowTraces(g.style, g.pairs));
    expect(plain).toMatchObject({ name: ARROW_STYLES.plain.name, opacity: 1, line: { dash: 'solid', color: '#888' }, hoverinfo: 'skip' });
    expect(ns).toMatchObject({ name: 'USI gain, n.s. (95% interval contains 0)', line: { dash: 'dot' }, hoverinfo: 'skip' });
    expect(ns.opacity).toBeLessThan(1);
    expect(nsHover).toMatchObject({ legendgroup: ns.name, showlegend: false, line: { width: 0 } });
    expect(nsHover.text).toEqual(['<b>ns</b><br>USI gain +0.6 ± 8.9 points, n.s. (95% interval contains 0)']);
    expect(plainHover.text).toEqual(['<b>sig</b><br>USI gain +3.0 ± 1.0 points (95% interval excludes 0)', '<b>single</b><br>USI gain +2.0 points (n=1, no interval)']);
  });
});

describe('front', () => {
  it('is named as taken over the means', () => {
    expect(frontTrace([{ x: 1, y: 0.9 }])!.name).toBe(FRONT_TRACE);
    expect(FRONT_TRACE).toContain('means');
    expect(frontTrace([])).toBeNull();
  });
});
