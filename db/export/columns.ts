/**
 * The exported table: one flat record per result row, in the units timm's result CSVs use
 * (top-1/top-5 in percent, parameters in millions, GMACs, step time in ms) so scripts written for
 * timm's tables read ours. Every format is rendered from these records.
 */
import type { ResultRow } from '../queries.js';

export interface ExportRow {
  model: string;
  family: string;
  dataset: string | null;
  img_size: number;
  /** Mean over seeds, percent; its sample sd and the half-width of its 95 % t interval. */
  top1: number | null;
  top1_sd: number | null;
  top1_ci95: number | null;
  n_seeds: number;
  top5: number | null;
  baseline_top1: number | null;
  /** Percentage points: the mean of paired differences (USI − baseline, seed by seed), its interval half-width, and whether it excludes 0. */
  usi_gain: number | null;
  usi_gain_ci95: number | null;
  usi_gain_significant: boolean | null;
  /** Millions. */
  param_count: number | null;
  infer_gmacs: number | null;
  infer_samples_per_sec: number | null;
  /** Half-width of the throughput's 95 % interval. */
  infer_samples_per_sec_ci95: number | null;
  /** 'measured' on these weights, or 'twin': a baseline at its USI twin's measured speed (same graph). */
  speed_source: string;
  /** ms per batch of infer_batch_size. */
  infer_step_time: number | null;
  infer_batch_size: number;
  latency_p50_ms: number | null;
  latency_p90_ms: number | null;
  latency_p99_ms: number | null;
  rme_pct: number | null;
  noisy: boolean;
  frontier: boolean;
  runtime: string;
  backend: string;
  device: string;
  precision: string;
  training: string | null;
  recipe_hash: string | null;
  /** The recipe profile (training/recipe/profiles.ts): usi is the reference. */
  recipe_profile: string | null;
  teacher: string | null;
  epochs: number | null;
  /** The seeds the means are over, space-separated. */
  seeds: string;
  git_commit: string;
  date: string;
}

export const EXPORT_COLUMNS: ReadonlyArray<keyof ExportRow> = [
  'model', 'family', 'dataset', 'img_size', 'top1', 'top1_sd', 'top1_ci95', 'n_seeds', 'top5', 'baseline_top1', 'usi_gain',
  'usi_gain_ci95', 'usi_gain_significant', 'param_count', 'infer_gmacs', 'infer_samples_per_sec', 'infer_samples_per_sec_ci95',
  'speed_source', 'infer_step_time', 'infer_batch_size', 'latency_p50_ms', 'latency_p90_ms', 'latency_p99_ms',
  'rme_pct', 'noisy', 'frontier', 'runtime', 'backend', 'device', 'precision', 'training', 'recipe_hash', 'recipe_profile', 'teacher',
  'epochs', 'seeds', 'git_commit', 'date',
];

// toPrecision(12) drops the binary noise of ×100 (0.9801·100 = 98.00999999999999) without losing a measured digit.
const pct = (x: number | null) => (x === null ? null : Number((x * 100).toPrecision(12)));

export function toExportRow(r: ResultRow): ExportRow {
  return {
    model: r.model,
    family: r.family,
    dataset: r.dataset,
    img_size: r.resolution,
    top1: pct(r.top1),
    top1_sd: pct(r.top1Sd),
    top1_ci95: pct(r.top1Ci95),
    n_seeds: r.nSeeds,
    top5: pct(r.top5),
    baseline_top1: pct(r.baselineTop1),
    usi_gain: pct(r.usiGain),
    usi_gain_ci95: pct(r.usiGainCi95),
    usi_gain_significant: r.usiGainSignificant,
    param_count: r.params === null ? null : r.params / 1e6,
    infer_gmacs: r.gmacs,
    infer_samples_per_sec: r.imagesPerSec,
    infer_samples_per_sec_ci95: r.imagesPerSecCi95,
    speed_source: r.speedSource,
    infer_step_time: r.stepMsMean,
    infer_batch_size: r.batchSize,
    latency_p50_ms: r.latencyP50,
    latency_p90_ms: r.latencyP90,
    latency_p99_ms: r.latencyP99,
    rme_pct: r.rme,
    noisy: r.noisy,
    frontier: r.onFrontier,
    runtime: r.runtime,
    backend: r.backend,
    device: r.device,
    precision: r.precision,
    training: r.mode,
    recipe_hash: r.recipeHash,
    recipe_profile: r.profile,
    teacher: r.teacherModel,
    epochs: r.epochs,
    seeds: r.seeds.join(' '),
    git_commit: r.gitCommit,
    date: r.date,
  };
}

/** Fixed decimals per column, so the same data always renders to the same text. */
const DECIMALS: Partial<Record<keyof ExportRow, number>> = {
  top1: 3, top1_sd: 3, top1_ci95: 3, top5: 3, baseline_top1: 3, usi_gain: 3, usi_gain_ci95: 3, param_count: 3, infer_gmacs: 4,
  infer_samples_per_sec: 2, infer_samples_per_sec_ci95: 2, infer_step_time: 3, latency_p50_ms: 3, latency_p90_ms: 3, latency_p99_ms: 3, rme_pct: 2,
};

/** A cell as text: fixed decimals for numbers, '' for missing, 'true'/'false' for flags. */
export function cellText(row: ExportRow, col: keyof ExportRow): string {
  const v = row[col];
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    const d = DECIMALS[col];
    return d === undefined ? String(v) : v.toFixed(d);
  }
  return String(v);
}

/** Distinct values of a column over the rows, in first-seen order (for protocol captions). */
export function distinctValues(rows: readonly ExportRow[], col: keyof ExportRow): string[] {
  return [...new Set(rows.map((r) => cellText(r, col)).filter((v) => v !== ''))];
}

/** The protocol the rows were measured under, in words: one value per field, or all of them when mixed. */
export function protocolLine(rows: readonly ExportRow[]): string {
  const field = (label: string, col: keyof ExportRow) => `${label} ${distinctValues(rows, col).join(' / ') || 'n/a'}`;
  const dates = rows.map((r) => r.date.slice(0, 10)).sort();
  const date = dates.length === 0 ? 'n/a' : dates[0] === dates[dates.length - 1] ? dates[0] : `${dates[0]} to ${dates[dates.length - 1]}`;
  return [
    field('device', 'device'),
    `runtime ${distinctValues(rows, 'runtime').map((rt) => `${rt} (${distinctValues(rows.filter((r) => r.runtime === rt), 'backend').join('/')})`).join(' / ') || 'n/a'}`,
    field('precision', 'precision'),
    field('batch', 'infer_batch_size'),
    field('resolution', 'img_size'),
    field('dataset', 'dataset'),
    field('recipe profile', 'recipe_profile'),
    field('seeds', 'seeds'),
    `date ${date}`,
  ].join('; ');
}

/** What the paper tables' numbers mean: said once, under every Markdown and LaTeX table. */
export const STATISTICS_NOTE =
  "Top-1 is the mean over n seeds ± the half-width of its 95% Student-t interval; the USI gain is the mean of paired differences (USI − baseline, seed by seed) ± its paired interval, (n.s.) where that interval contains 0; img/s ± the 95% interval of the timed iterations, † a baseline at its USI twin's measured speed (same graph, same weight shapes). The Pareto front is computed on the means.";

/** The narrower table for papers (Markdown and LaTeX): header text and the column it shows. */
export const PAPER_COLUMNS: ReadonlyArray<{ header: string; col: keyof ExportRow; align: 'l' | 'r' }> = [
  { header: 'Model', col: 'model', align: 'l' },
  { header: 'Family', col: 'family', align: 'l' },
  // USI and baseline rows share a table with --training all; without it they would look like duplicates.
  { header: 'Training', col: 'training', align: 'l' },
  { header: 'Params (M)', col: 'param_count', align: 'r' },
  { header: 'GMACs', col: 'infer_gmacs', align: 'r' },
  { header: 'Res', col: 'img_size', align: 'r' },
  { header: 'Top-1 (95% CI)', col: 'top1', align: 'r' },
  { header: 'n', col: 'n_seeds', align: 'r' },
  { header: 'Top-5', col: 'top5', align: 'r' },
  { header: 'Baseline top-1', col: 'baseline_top1', align: 'r' },
  { header: 'USI gain (95% CI)', col: 'usi_gain', align: 'r' },
  // Rows of several runtimes share one table when not filtered; without this column they would look like duplicates.
  { header: 'Runtime', col: 'runtime', align: 'l' },
  { header: 'img/s (95% CI)', col: 'infer_samples_per_sec', align: 'r' },
  { header: 'Latency p50 (ms)', col: 'latency_p50_ms', align: 'r' },
];

const PM = '±';

/** `mean ± half-width`, or the mean alone when there is no interval (one seed). */
function withInterval(mean: string, ci: number | null, digits: number): string {
  return ci === null ? mean : `${mean} ${PM} ${ci.toFixed(digits)}`;
}

/**
 * Paper tables show fewer decimals than the CSV (two for percentages and speeds) and every number
 * with its interval: top-1 and speed `mean ± ci`; a gain whose interval contains 0 is marked (n.s.).
 */
export function paperCell(row: ExportRow, col: keyof ExportRow): string {
  const v = row[col];
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  if (col === 'usi_gain') {
    const text = withInterval(`${v >= 0 ? '+' : ''}${v.toFixed(2)}`, row.usi_gain_ci95, 2);
    return row.usi_gain_significant === false ? `${text} (n.s.)` : text;
  }
  if (col === 'top1') return withInterval(v.toFixed(2), row.top1_ci95, 2);
  if (col === 'infer_samples_per_sec') {
    const digits = v >= 100 ? 0 : 1;
    return withInterval(v.toFixed(digits), row.infer_samples_per_sec_ci95, digits) + (row.speed_source === 'twin' ? ' †' : '');
  }
  if (col === 'infer_gmacs') return v.toFixed(3);
  if (col === 'param_count' || col === 'top5' || col === 'baseline_top1' || col === 'latency_p50_ms') return v.toFixed(2);
  return String(v);
}
