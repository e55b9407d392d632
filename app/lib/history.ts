/**
 * A model's benchmark history across nights, one series per protocol (numbers from different
 * devices or batch sizes are not comparable), with speed regressions flagged where the series'
 * level lastingly drops by at least the minimum effect (db/regression.ts: E-divisive change
 * points with a permutation test), not wherever one night is slower than the one before.
 */
import { protocolGroupKey, type ResultRow } from '../../db/queries.js';
import { changePoints, DEFAULT_CHANGE_POINT } from '../../db/regression.js';

export const DEFAULT_REGRESSION_THRESHOLD = DEFAULT_CHANGE_POINT.minEffect;

export interface HistoryPoint {
  benchmarkId: number;
  date: string;
  nightlyId: number | null;
  imagesPerSec: number | null;
  status: 'ok' | 'failed';
  error: string | null;
  /** Relative change against the previous successful night of the same series (-0.2 = 20% slower): shown, never flagged on. */
  change: number | null;
  /** The first night after a lasting slow-down of at least the minimum effect. */
  regression: boolean;
  /** For a flagged night: the level change (median after / median before − 1) and the change point's p-value. */
  levelChange: number | null;
  pValue: number | null;
}

export interface HistorySeries {
  key: string;
  /** e.g. "usi · mnist · tfjs/wasm · fp32 · batch 32 · 28 px · Test Xeon" */
  label: string;
  points: HistoryPoint[];
  regressions: number;
}

/** The minimum effect of a regression from env USIBENCH_REGRESSION_THRESHOLD (a fraction, e.g. 0.1), else 10%. */
export function regressionThreshold(env: string | undefined = process.env.USIBENCH_REGRESSION_THRESHOLD): number {
  const v = env === undefined ? NaN : Number(env);
  return Number.isFinite(v) && v > 0 && v < 1 ? v : DEFAULT_REGRESSION_THRESHOLD;
}

export function benchmarkHistory(rows: readonly ResultRow[], threshold: number): HistorySeries[] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) {
    const key = JSON.stringify([r.mode, protocolGroupKey(r)]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const series: HistorySeries[] = [];
  for (const [key, list] of groups) {
    const sorted = [...list].sort((a, b) => a.date.localeCompare(b.date) || a.benchmarkId - b.benchmarkId);
    let prev: number | null = null;
    const points = sorted.map((r): HistoryPoint => {
      const ips = r.status === 'ok' ? r.imagesPerSec : null;
      const change = ips !== null && prev !== null && prev > 0 ? ips / prev - 1 : null;
      if (ips !== null) prev = ips;
      return { benchmarkId: r.benchmarkId, date: r.date, nightlyId: r.nightlyId, imagesPerSec: ips, status: r.status, error: r.error, change, regression: false, levelChange: null, pValue: null };
    });
    // change points over the nights that measured a speed (a failed night is no evidence either way)
    const measured = points.filter((p) => p.imagesPerSec !== null);
    for (const cp of changePoints(measured.map((p) => p.imagesPerSec!), { minEffect: threshold })) {
      if (!cp.regression) continue;
      Object.assign(measured[cp.index], { regression: true, levelChange: cp.change, pValue: cp.pValue });
    }
    const first = sorted[0];
    const label = [
      first.mode ?? 'untrained',
      first.dataset,
      `${first.runtime}/${first.backend}`,
      first.precision,
      `batch ${first.batchSize}`,
      `${first.resolution} px`,
      first.device,
    ]
      .filter(Boolean)
      .join(' · ');
    series.push({ key, label, points, regressions: points.filter((p) => p.regression).length });
  }
  return series.sort((a, b) => a.label.localeCompare(b.label));
}
