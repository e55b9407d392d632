import type { ResultRow } from '../../db/queries.js';

/** The shape the chart draws: one benchmark result of one trained backbone, with both coordinates known. */
export type Variant = 'usi' | 'baseline';

export interface ChartPoint {
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
 * (failed benchmarks, untrained or teacher models) stay in the table and are counted, not drawn.
 */
export function rowsToPoints(rows: readonly ResultRow[]): { points: ChartPoint[]; skipped: number } {
  const points: ChartPoint[] = [];
  let skipped = 0;
  for (const r of rows) {
    if ((r.mode !== 'usi' && r.mode !== 'baseline') || r.top1 === null || r.imagesPerSec === null || !(r.imagesPerSec > 0)) {
      skipped++;
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
      onFront: r.onFrontier,
    });
  }
  return { points, skipped };
}
