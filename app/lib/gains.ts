import { formatPoints } from './format.js';
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

/**
 * What the seeds say of a gain: 'significant' when its paired 95 % interval excludes 0, 'ns' when
 * it contains 0, 'unknown' with one pair (no interval) or none (no seed finished in both modes).
 */
export type GainSignificance = 'significant' | 'ns' | 'unknown';

export function gainSignificance(usi: Pick<ChartPoint, 'usiGainSignificant'>): GainSignificance {
  return usi.usiGainSignificant === true ? 'significant' : usi.usiGainSignificant === false ? 'ns' : 'unknown';
}

/** The gain in words, for the USI point's hover and its arrow's: the paired gain over seeds with its interval where there is one. */
export function gainText(usi: Pick<ChartPoint, 'usiGain' | 'usiGainCi95' | 'usiGainSignificant'>): string | null {
  if (usi.usiGain === null) return null;
  const text = `USI gain ${formatPoints(usi.usiGain, usi.usiGainCi95)}`;
  switch (gainSignificance(usi)) {
    case 'significant':
      return `${text} (95% interval excludes 0)`;
    case 'ns':
      return `${text}, n.s. (95% interval contains 0)`;
    case 'unknown':
      return `${text} (n=1, no interval)`;
  }
}

/** A pair's arrow in words: the paired gain, or the difference of the plotted means when no seed is paired. */
function pairText(p: GainPair): string {
  return `<b>${p.model}</b><br>${gainText(p.usi) ?? `top-1 ${formatPoints(p.deltaTop1, null)} (difference of the means, no paired seeds)`}`;
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

/**
 * Where each arrow can be hovered, with its text: its middle as drawn (the x axis is logarithmic),
 * away from the markers at its ends, whose own hover a vertex there would take over.
 */
export function gainMidpoints(pairs: readonly GainPair[]): { x: number[]; y: number[]; text: string[] } {
  return {
    x: pairs.map((p) => Math.sqrt(p.baseline.imagesPerSec * p.usi.imagesPerSec)),
    y: pairs.map((p) => (p.baseline.top1 + p.usi.top1) / 2),
    text: pairs.map(pairText),
  };
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
