import { paretoMask } from '../../db/pareto.js';
import type { ChartRow } from '../../db/queries.js';
import type { Shown } from './filters.js';

/** The shape the chart draws: one benchmark result of one trained backbone, with both coordinates known. */
export type Variant = 'usi' | 'baseline';

/** A row's uncertainty, as the database gives it: what the error bars, the hover and the gain arrows show. */
type PointStats = Pick<ChartRow, 'top1Ci95' | 'nSeeds' | 'imagesPerSecCi95' | 'speedSource' | 'usiGain' | 'usiGainCi95' | 'usiGainSignificant'>;

export interface ChartPoint extends PointStats {
  /** Benchmark result id: unique per plotted point. */
  id: number;
  model: string;
  family: string;
  variant: Variant;
  top1: number; // fraction in [0, 1]
  imagesPerSec: number;
  latencyMs: number | null; // p50 at batch 1
  params: number | null;
  gmacs: number | null;
  runId: number | null; // nightly id
  /** When the result was measured (ISO date). */
  date: string;
  onFront: boolean;
}

export const FAMILIES = ['transformer', 'cnn', 'mobile', 'mlp'] as const;

export const FAMILY_STYLE: Record<string, { label: string; color: string; symbol: string }> = {
  transformer: { label: 'Transformer', color: '#d62728', symbol: 'diamond' },
  cnn: { label: 'CNN', color: '#1f77b4', symbol: 'circle' },
  mobile: { label: 'Mobile-oriented', color: '#2ca02c', symbol: 'triangle-up' },
  mlp: { label: 'MLP-only', color: '#9467bd', symbol: 'square' },
};

export function familyStyle(family: string): { label: string; color: string; symbol: string } {
  return FAMILY_STYLE[family] ?? { label: family, color: '#7f7f7f', symbol: 'x' };
}

/**
 * The rows that can be plotted: a USI or baseline result with a top-1 and a throughput. The rest
 * (failed benchmarks, untrained or teacher models) stay in the table; the USI and baseline rows
 * among them are counted per variant, not drawn. `onFront` is left false: the front depends on
 * which variants are shown (see shownPoints).
 */
export function rowsToPoints(rows: readonly ChartRow[]): { points: ChartPoint[]; skipped: Record<Variant, number> } {
  const points: ChartPoint[] = [];
  const skipped = { usi: 0, baseline: 0 };
  for (const r of rows) {
    if (r.mode !== 'usi' && r.mode !== 'baseline') continue;
    if (r.top1 === null || r.imagesPerSec === null || !(r.imagesPerSec > 0)) {
      skipped[r.mode]++;
      continue;
    }
    points.push({
      id: r.benchmarkId,
      model: r.model,
      family: r.family,
      variant: r.mode,
      top1: r.top1,
      imagesPerSec: r.imagesPerSec,
      latencyMs: r.latencyP50,
      params: r.params,
      gmacs: r.gmacs,
      runId: r.nightlyId,
      date: r.date,
      onFront: false,
      top1Ci95: r.top1Ci95,
      nSeeds: r.nSeeds,
      imagesPerSecCi95: r.imagesPerSecCi95,
      speedSource: r.speedSource,
      usiGain: r.usiGain,
      usiGainCi95: r.usiGainCi95,
      usiGainSignificant: r.usiGainSignificant,
    });
  }
  return { points, skipped };
}

/**
 * The points a view draws: the chosen variants, each marked on or off the Pareto front of exactly
 * those points (one selection is one protocol group, so this is db/queries' markFrontier over the
 * same rows, and the table's ★).
 */
export function shownPoints(points: readonly ChartPoint[], shown: Shown): ChartPoint[] {
  const kept = shown === 'both' ? points : points.filter((p) => p.variant === shown);
  const mask = paretoMask(kept);
  return kept.map((p, i) => ({ ...p, onFront: mask[i] }));
}

/**
 * The points of a page in columns, both variants together, so the chart can switch between USI,
 * baseline and both without asking the server again: about a third of the bytes of the same
 * points as objects (keys, families and dates are not repeated per point).
 */
export interface PackedPoints {
  families: string[];
  dates: string[];
  id: number[];
  model: string[];
  /** Index into `families`. */
  family: number[];
  /** 0: USI, 1: baseline. */
  baseline: number[];
  top1: number[];
  imagesPerSec: number[];
  latencyMs: Array<number | null>;
  params: Array<number | null>;
  gmacs: Array<number | null>;
  runId: Array<number | null>;
  /** Index into `dates`. */
  date: number[];
  top1Ci95: Array<ChartPoint['top1Ci95']>;
  nSeeds: Array<ChartPoint['nSeeds']>;
  imagesPerSecCi95: Array<ChartPoint['imagesPerSecCi95']>;
  /** 1: placed at its USI twin's measured speed ('twin'), 0: measured. */
  twin: number[];
  usiGain: Array<ChartPoint['usiGain']>;
  usiGainCi95: Array<ChartPoint['usiGainCi95']>;
  usiGainSignificant: Array<ChartPoint['usiGainSignificant']>;
}

function indexer(list: string[]): (value: string) => number {
  const at = new Map<string, number>();
  return (value) => {
    let i = at.get(value);
    if (i === undefined) {
      i = list.push(value) - 1;
      at.set(value, i);
    }
    return i;
  };
}

export function packPoints(points: readonly ChartPoint[]): PackedPoints {
  const p: PackedPoints = {
    families: [], dates: [], id: [], model: [], family: [], baseline: [], top1: [], imagesPerSec: [], latencyMs: [], params: [], gmacs: [], runId: [], date: [],
    top1Ci95: [], nSeeds: [], imagesPerSecCi95: [], twin: [], usiGain: [], usiGainCi95: [], usiGainSignificant: [],
  };
  const familyAt = indexer(p.families);
  const dateAt = indexer(p.dates);
  for (const pt of points) {
    p.id.push(pt.id);
    p.model.push(pt.model);
    p.family.push(familyAt(pt.family));
    p.baseline.push(pt.variant === 'baseline' ? 1 : 0);
    p.top1.push(pt.top1);
    p.imagesPerSec.push(pt.imagesPerSec);
    p.latencyMs.push(pt.latencyMs);
    p.params.push(pt.params);
    p.gmacs.push(pt.gmacs);
    p.runId.push(pt.runId);
    p.date.push(dateAt(pt.date));
    p.top1Ci95.push(pt.top1Ci95);
    p.nSeeds.push(pt.nSeeds);
    p.imagesPerSecCi95.push(pt.imagesPerSecCi95);
    p.twin.push(pt.speedSource === 'twin' ? 1 : 0);
    p.usiGain.push(pt.usiGain);
    p.usiGainCi95.push(pt.usiGainCi95);
    p.usiGainSignificant.push(pt.usiGainSignificant);
  }
  return p;
}

/** The points packPoints packed, with `onFront` false. */
export function unpackPoints(p: PackedPoints): ChartPoint[] {
  return p.id.map((id, i) => ({
    id,
    model: p.model[i],
    family: p.families[p.family[i]],
    variant: p.baseline[i] === 1 ? 'baseline' : 'usi',
    top1: p.top1[i],
    imagesPerSec: p.imagesPerSec[i],
    latencyMs: p.latencyMs[i],
    params: p.params[i],
    gmacs: p.gmacs[i],
    runId: p.runId[i],
    date: p.dates[p.date[i]],
    onFront: false,
    top1Ci95: p.top1Ci95[i],
    nSeeds: p.nSeeds[i],
    imagesPerSecCi95: p.imagesPerSecCi95[i],
    speedSource: p.twin[i] === 1 ? 'twin' : 'measured',
    usiGain: p.usiGain[i],
    usiGainCi95: p.usiGainCi95[i],
    usiGainSignificant: p.usiGainSignificant[i],
  }));
}
