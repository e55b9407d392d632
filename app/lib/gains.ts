import type { ChartPoint } from './points.js';

/** One backbone's USI gain: its baseline (no KD) result and its USI result under the same protocol. */
export interface GainPair {
  model: string;
  family: string;
  baseline: ChartPoint;
  usi: ChartPoint;
  /** USI top-1 minus baseline top-1, as a fraction. */
  deltaTop1: number;
}

/**
 * Pairs each model's baseline and USI points. When a model was measured on several nights, the
 * latest result of each variant is used, so an arrow always joins the two numbers a reader would
 * compare today. Models with only one variant get no pair.
 */
export function gainPairs(points: readonly ChartPoint[]): GainPair[] {
  const latest = new Map<string, { usi?: ChartPoint; baseline?: ChartPoint }>();
  for (const p of points) {
    const entry = latest.get(p.model) ?? {};
    const prev = entry[p.variant];
    if (!prev || p.date > prev.date || (p.date === prev.date && p.id > prev.id)) entry[p.variant] = p;
    latest.set(p.model, entry);
  }
  const pairs: GainPair[] = [];
  for (const [model, { usi, baseline }] of latest) {
    if (usi && baseline) pairs.push({ model, family: usi.family, baseline, usi, deltaTop1: usi.top1 - baseline.top1 });
  }
  return pairs.sort((a, b) => a.model.localeCompare(b.model));
}

/** The arrows as one line trace: segments baseline→USI separated by gaps (null). */
export function gainSegments(pairs: readonly GainPair[]): { x: Array<number | null>; y: Array<number | null> } {
  const x: Array<number | null> = [];
  const y: Array<number | null> = [];
  for (const p of pairs) {
    x.push(p.baseline.imagesPerSec, p.usi.imagesPerSec, null);
    y.push(p.baseline.top1, p.usi.top1, null);
  }
  return { x, y };
}

/** A baseline→USI segment in the plot's pixels (y grows downwards). */
export interface PixelSegment {
  bx: number;
  by: number;
  ux: number;
  uy: number;
}

const tenth = (v: number) => Math.round(v * 10) / 10;

/**
 * The arrowheads as one SVG path in pixels: a filled triangle per segment, pointing along it, its
 * tip `standoff` short of the USI point so it sits beside the USI marker instead of under it. A
 * segment too short to hold a head gets none: the two markers nearly touch, and a head would cover
 * the baseline marker. One path instead of a Plotly marker per head: a marker trace of heads cost
 * the both-variants chart about a third of its drawing time, one SVG element per point.
 */
export function arrowHeadPath(segments: readonly PixelSegment[], { standoff = 7, length = 7, halfWidth = 3.5 } = {}): { d: string; count: number } {
  const heads: string[] = [];
  for (const s of segments) {
    const dx = s.ux - s.bx;
    const dy = s.uy - s.by;
    const len = Math.hypot(dx, dy);
    if (!(len > standoff + length)) continue; // also skips a segment with an unplottable end (NaN)
    const ex = dx / len;
    const ey = dy / len;
    const tipX = s.ux - ex * standoff;
    const tipY = s.uy - ey * standoff;
    const baseX = tipX - ex * length;
    const baseY = tipY - ey * length;
    heads.push(
      `M${tenth(tipX)},${tenth(tipY)}L${tenth(baseX - ey * halfWidth)},${tenth(baseY + ex * halfWidth)}L${tenth(baseX + ey * halfWidth)},${tenth(baseY - ex * halfWidth)}Z`,
    );
  }
  return { d: heads.join(''), count: heads.length };
}
