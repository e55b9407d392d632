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

/**
 * The arrowheads as one marker trace: each pair's baseline then USI point, sized 0 and `size`, so a
 * marker with angleref 'previous' on the USI point points along its segment and the baseline
 * point draws nothing.
 */
export function arrowHeads(pairs: readonly GainPair[], size = 11): { x: number[]; y: number[]; size: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  const sizes: number[] = [];
  for (const p of pairs) {
    x.push(p.baseline.imagesPerSec, p.usi.imagesPerSec);
    y.push(p.baseline.top1, p.usi.top1);
    sizes.push(0, size);
  }
  return { x, y, size: sizes };
}
