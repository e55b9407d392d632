/** The shape the chart and table draw from: one benchmark result of one trained backbone. */
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
  params: number;
  gmacs: number;
  runId: number | string;
  /** When the result was measured (ISO date), for the hover and the table. */
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
