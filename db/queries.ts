/**
 * The read queries the site and the exports use. Everything that reads results goes through here,
 * so the meaning of "the current number for a model" is defined once:
 * - a result row is one benchmark result joined with the training run it measured and its model;
 * - by default only the newest result per (model, training mode, dataset, protocol) is kept, and
 *   only successful ones;
 * - the Pareto front is computed within each protocol group (dataset, recipe profile, device,
 *   runtime, backend, precision, batch, resolution), since numbers across protocols are not comparable.
 */
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { SlurmNightlySchema, type Allocation, type SlurmNightly } from '../common/allocation.js';
import type { Family } from '../training/models/registry.js';
import type { Db } from './index.js';
import { computeCohorts, computeGains, type Cohort, type Gain, type GainInputRun, type TrainingMode } from './gains.js';
import { paretoMask } from './pareto.js';
import { benchmarkResults, jobs, models, nightlyRuns, recipes, trainingRuns, type ProtocolJson } from './schema.js';

export type { TrainingMode };
export type SpeedSource = 'measured' | 'twin';

export interface ResultFilter {
  dataset?: string;
  /** Recipe profile (training/recipe/profiles.ts) the measured weights were trained with. */
  profile?: string;
  device?: string;
  runtime?: string;
  backend?: string;
  precision?: string;
  batchSize?: number;
  resolution?: number;
  model?: string;
  family?: Family;
  /** Which training runs to show; default 'usi' (the recipe's numbers). */
  mode?: TrainingMode | 'all';
  /** Keep every night's result instead of the newest per model and protocol (default false). */
  allNights?: boolean;
  /** Include failed benchmarks (default false). */
  includeFailed?: boolean;
}

export interface ResultRow {
  benchmarkId: number;
  model: string;
  family: Family;
  /** Parameters and MACs as the bench counted them for this graph, else the model row's figures. */
  params: number | null;
  gmacs: number | null;
  /** Null only for a benchmark of an untrained model (no training run). */
  dataset: string | null;
  mode: TrainingMode | null;
  trainingRunId: number | null;
  /** Mean top-1 (and top-5) over the cohort's seeds in this mode, with the sd and 95 % t interval half-width. */
  top1: number | null;
  top1Sd: number | null;
  top1Ci95: number | null;
  nSeeds: number;
  /** The seeds the means are over. */
  seeds: number[];
  top5: number | null;
  /** The baseline's mean top-1 and the USI gain (mean of paired differences usi − baseline) with its paired interval; null without a pair. */
  baselineTop1: number | null;
  usiGain: number | null;
  usiGainCi95: number | null;
  usiGainN: number | null;
  /** Whether the gain's interval excludes 0 (null with one pair: not known). */
  usiGainSignificant: boolean | null;
  runtime: string;
  backend: string;
  device: string;
  precision: string;
  batchSize: number;
  resolution: number;
  /** The recipe profile of the training run; null for a benchmark of an untrained model. */
  profile: string | null;
  imagesPerSec: number | null;
  /** Half-width of the 95 % interval of the throughput (from the timed iterations' relative margin of error). */
  imagesPerSecCi95: number | null;
  /**
   * 'measured': the benchmark timed this mode's own weights; 'twin': a baseline placed at its USI
   * twin's measured speed (same graph, same weight shapes, so the same speed).
   */
  speedSource: SpeedSource;
  /** Mean per-iteration time at batchSize, ms. */
  stepMsMean: number | null;
  latencyP50: number | null;
  latencyP90: number | null;
  latencyP99: number | null;
  /** Relative margin of error of the throughput, percent. */
  rme: number | null;
  noisy: boolean;
  status: 'ok' | 'failed';
  error: string | null;
  recipeHash: string | null;
  teacherModel: string | null;
  epochs: number | null;
  gitCommit: string;
  /** When the benchmark was stored (ISO). */
  date: string;
  nightlyId: number | null;
  /** On the speed/top-1 Pareto front of its protocol group (false when top-1 or speed is unknown). */
  onFrontier: boolean;
  protocol: ProtocolJson;
}

/** The fields that make two results comparable; the Pareto front and "newest" are taken within one group. */
export type ProtocolGroup = Pick<ResultRow, 'dataset' | 'profile' | 'device' | 'runtime' | 'backend' | 'precision' | 'batchSize' | 'resolution'>;

export function protocolGroupKey(r: ProtocolGroup): string {
  return JSON.stringify([r.dataset, r.profile, r.device, r.runtime, r.backend, r.precision, r.batchSize, r.resolution]);
}

/** Keeps the newest row per (model, mode, protocol group); input order of the survivors is kept. */
export function latestPerProtocol<T extends ProtocolGroup & Pick<ResultRow, 'model' | 'mode' | 'date' | 'benchmarkId' | 'speedSource'>>(rows: readonly T[]): T[] {
  const newest = new Map<string, T>();
  // a benchmark of a mode's own weights stands before a twin's, then the newest
  const rank = (r: T) => [r.speedSource === 'measured' ? 1 : 0, r.date, r.benchmarkId] as const;
  const after = (a: T, b: T) => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] !== y[0] ? x[0] > y[0] : x[1] !== y[1] ? x[1] > y[1] : x[2] > y[2];
  };
  for (const r of rows) {
    const key = JSON.stringify([r.model, r.mode, protocolGroupKey(r)]);
    const cur = newest.get(key);
    if (!cur || after(r, cur)) newest.set(key, r);
  }
  const keep = new Set(newest.values());
  return rows.filter((r) => keep.has(r));
}

/** Sets `onFrontier` on each row, computing the front separately in each protocol group. */
export function markFrontier<T extends ResultRow>(rows: readonly T[]): T[] {
  const groups = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const key = protocolGroupKey(r);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  const out = rows.map((r) => ({ ...r, onFrontier: false }));
  for (const idx of groups.values()) {
    const points = idx.map((i) => ({
      top1: rows[i].status === 'ok' && rows[i].top1 !== null ? rows[i].top1! : NaN,
      imagesPerSec: rows[i].status === 'ok' && rows[i].imagesPerSec !== null ? rows[i].imagesPerSec! : NaN,
    }));
    paretoMask(points).forEach((on, k) => {
      out[idx[k]].onFrontier = on;
    });
  }
  return out;
}

/** Every finished-or-failed training run's fields that cohorts and gains need. */
function gainInputs(db: Db, dataset?: string) {
  return db
    .select({
      id: trainingRuns.id,
      model: trainingRuns.model,
      dataset: trainingRuns.dataset,
      mode: trainingRuns.mode,
      pairKey: trainingRuns.pairKey,
      cohortKey: trainingRuns.cohortKey,
      recipeHash: trainingRuns.recipeHash,
      status: trainingRuns.status,
      top1: trainingRuns.top1,
      top5: trainingRuns.top5,
      seed: trainingRuns.seed,
      epochs: trainingRuns.epochs,
      teacherModel: trainingRuns.teacherModel,
      createdAt: trainingRuns.createdAt,
    })
    .from(trainingRuns)
    .where(dataset ? eq(trainingRuns.dataset, dataset) : undefined)
    .all();
}

export interface GainRow extends Gain {
  family: Family;
}

/** USI gain per backbone (newest USI/baseline pair per pair key), optionally for one dataset. */
export function usiGains(db: Db, opts: { dataset?: string } = {}): GainRow[] {
  const families = new Map(db.select({ name: models.name, family: models.family }).from(models).all().map((m) => [m.name, m.family]));
  return computeGains(gainInputs(db, opts.dataset)).map((g) => ({ ...g, family: families.get(g.model) ?? 'cnn' }));
}

/** The WHERE clause of a result query (resultRows, chartRows): both read the same rows. */
function resultConditions(filter: ResultFilter): SQL | undefined {
  return and(
    filter.dataset !== undefined ? eq(trainingRuns.dataset, filter.dataset) : undefined,
    filter.profile !== undefined ? eq(PROFILE, filter.profile) : undefined,
    filter.device !== undefined ? eq(benchmarkResults.device, filter.device) : undefined,
    filter.runtime !== undefined ? eq(benchmarkResults.runtime, filter.runtime) : undefined,
    filter.backend !== undefined ? eq(benchmarkResults.backend, filter.backend) : undefined,
    filter.precision !== undefined ? eq(benchmarkResults.precision, filter.precision) : undefined,
    filter.batchSize !== undefined ? eq(benchmarkResults.batchSize, filter.batchSize) : undefined,
    filter.resolution !== undefined ? eq(benchmarkResults.resolution, filter.resolution) : undefined,
    filter.model !== undefined ? eq(benchmarkResults.model, filter.model) : undefined,
    filter.family !== undefined ? eq(models.family, filter.family) : undefined,
    filter.includeFailed ? undefined : eq(benchmarkResults.status, 'ok'),
  );
}

/**
 * A training run's recipe profile, read from its stored recipe (queries join `recipes`). A recipe
 * stored before profiles existed was the reference, so it reads as 'usi'; no training run, no profile.
 */
const PROFILE = sql<string | null>`case when ${recipes.hash} is null then null else coalesce(json_extract(${recipes.recipe}, '$.profile'), 'usi') end`;

/** The columns of a result's protocol group (ProtocolGroup): a selector each on the chart page. */
const GROUP_COLUMNS = {
  dataset: trainingRuns.dataset,
  profile: PROFILE,
  device: benchmarkResults.device,
  runtime: benchmarkResults.runtime,
  backend: benchmarkResults.backend,
  precision: benchmarkResults.precision,
  batchSize: benchmarkResults.batchSize,
  resolution: benchmarkResults.resolution,
};

/** The columns the chart needs of a result (ChartRow), selected by both result queries. */
const CHART_COLUMNS = {
  ...GROUP_COLUMNS,
  benchmarkId: benchmarkResults.id,
  model: benchmarkResults.model,
  family: models.family,
  benchParams: benchmarkResults.params,
  modelParams: models.params,
  benchGmacs: benchmarkResults.gmacs,
  modelGmacs: models.gmacs,
  /** The measured run's mode and cohort: the rows of every mode in that cohort are placed at this benchmark. */
  measuredMode: trainingRuns.mode,
  cohortKey: trainingRuns.cohortKey,
  pairKey: trainingRuns.pairKey,
  imagesPerSec: benchmarkResults.imagesPerSec,
  rme: benchmarkResults.rme,
  latencyP50: benchmarkResults.latencyP50,
  nightlyId: benchmarkResults.nightlyId,
  date: benchmarkResults.createdAt,
};

/**
 * Only the columns a row needs: whole training-run rows would carry (and JSON-parse) every
 * per-epoch curve, the recipe and more, which no page or export shows.
 */
const RESULT_COLUMNS = {
  ...CHART_COLUMNS,
  trainingRunId: trainingRuns.id,
  stepMsMean: benchmarkResults.stepMsMean,
  latencyP90: benchmarkResults.latencyP90,
  latencyP99: benchmarkResults.latencyP99,
  noisy: benchmarkResults.noisy,
  status: benchmarkResults.status,
  error: benchmarkResults.error,
  protocol: benchmarkResults.protocol,
};

/** The query behind both result functions, with every column either needs. */
function resultQuery(db: Db, columns: typeof RESULT_COLUMNS, filter: ResultFilter) {
  return db
    .select(columns)
    .from(benchmarkResults)
    .innerJoin(models, eq(models.name, benchmarkResults.model))
    .leftJoin(trainingRuns, eq(trainingRuns.id, benchmarkResults.trainingRunId))
    .leftJoin(recipes, eq(recipes.hash, trainingRuns.recipeHash))
    .where(resultConditions(filter))
    .orderBy(asc(benchmarkResults.createdAt), asc(benchmarkResults.id))
    .all();
}
type ResultRecord = ReturnType<typeof resultQuery>[number];
type ChartRecord = Pick<ResultRecord, keyof typeof CHART_COLUMNS>;

/** One record per benchmark result matching `filter`, oldest first, with only the columns named. */
function selectResults<K extends keyof typeof RESULT_COLUMNS>(db: Db, columns: Pick<typeof RESULT_COLUMNS, K>, filter: ResultFilter): Array<Pick<ResultRecord, K>> {
  // drizzle cannot type a select over a generic column set; the records hold exactly `columns`.
  return resultQuery(db, columns as typeof RESULT_COLUMNS, filter);
}

type CohortRun = ReturnType<typeof gainInputs>[number];

/** The cohorts of the stored training runs, with their runs by id (for the fields a row shows of them). */
function cohortsOf(db: Db, dataset?: string): { cohorts: Map<string, Cohort>; runs: Map<number, CohortRun> } {
  const runs = gainInputs(db, dataset);
  return { cohorts: computeCohorts(runs satisfies GainInputRun[]), runs: new Map(runs.map((r) => [r.id, r])) };
}

/** The modes a filter asks for ('all': every mode a cohort has). */
function modesOf(filter: ResultFilter): TrainingMode[] {
  const mode = filter.mode ?? 'usi';
  return mode === 'all' ? ['usi', 'baseline', 'teacher'] : [mode];
}

/**
 * A benchmark's rows: one per wanted mode its cohort has, each with that mode's top-1 over seeds,
 * placed at this benchmark's speed (its own for the measured mode, its twin's for the other).
 */
function expand<R extends ChartRecord>(records: readonly R[], cohorts: Map<string, Cohort>, modes: TrainingMode[]) {
  const out: Array<{ record: R; mode: TrainingMode; cohort: Cohort | null; speedSource: SpeedSource }> = [];
  for (const record of records) {
    const cohort = record.cohortKey !== null ? cohorts.get(record.cohortKey) ?? null : record.pairKey !== null ? cohorts.get(record.pairKey) ?? null : null;
    for (const mode of modes) {
      // A benchmark of an untrained model has no cohort: it shows as itself, without top-1.
      const has = cohort ? cohort.modes[mode] !== undefined : record.measuredMode === mode || (record.measuredMode === null && mode === 'usi');
      if (!has) continue;
      out.push({ record, mode, cohort, speedSource: record.measuredMode === mode || record.measuredMode === null ? 'measured' : 'twin' });
    }
  }
  return out;
}

function chartRowOf(r: ChartRecord, mode: TrainingMode, cohort: Cohort | null, speedSource: SpeedSource): ChartRow {
  const stats = cohort?.modes[mode];
  const gain = mode === 'usi' ? cohort?.gain ?? null : null;
  return {
    benchmarkId: r.benchmarkId,
    model: r.model,
    family: r.family,
    params: r.benchParams ?? r.modelParams,
    gmacs: r.benchGmacs ?? r.modelGmacs,
    mode: r.measuredMode === null ? null : mode,
    top1: stats?.top1.mean ?? null,
    top1Ci95: stats?.top1.ci95 ?? null,
    nSeeds: stats?.top1.n ?? 0,
    usiGain: gain?.gain ?? null,
    usiGainCi95: gain?.gainCi95 ?? null,
    usiGainSignificant: gain?.significant ?? null,
    imagesPerSec: r.imagesPerSec,
    imagesPerSecCi95: r.imagesPerSec !== null && r.rme !== null ? (r.imagesPerSec * r.rme) / 100 : null,
    speedSource,
    latencyP50: r.latencyP50,
    nightlyId: r.nightlyId,
    date: r.date,
    dataset: r.dataset,
    device: r.device,
    runtime: r.runtime,
    backend: r.backend,
    precision: r.precision,
    batchSize: r.batchSize,
    resolution: r.resolution,
    profile: r.profile,
  };
}

/**
 * The rows for a table or chart: one per benchmark result and training mode, the mode's top-1 a
 * mean over the cohort's seeds, joined with its model; the front is computed on the means.
 */
export function resultRows(db: Db, filter: ResultFilter = {}): ResultRow[] {
  const raw = resultQuery(db, RESULT_COLUMNS, filter);
  const { cohorts, runs } = cohortsOf(db, filter.dataset);
  let rows: ResultRow[] = expand(raw, cohorts, modesOf(filter)).map(({ record: r, mode, cohort, speedSource }) => {
    const stats = cohort?.modes[mode];
    const gain = cohort?.gain ?? null;
    const seedRuns = stats ? stats.runIds.map((id) => runs.get(id)!) : [];
    const first = seedRuns[0];
    // Object.assign onto the chart fields, not a spread into a literal: with this many keys per row
    // the spread made this map several times slower (it cost more than the query).
    return Object.assign(chartRowOf(r, mode, cohort, speedSource), {
      trainingRunId: first?.id ?? r.trainingRunId,
      top1Sd: stats?.top1.sd ?? null,
      seeds: seedRuns.map((x) => x.seed).sort((a, b) => a - b),
      top5: stats?.top5?.mean ?? null,
      baselineTop1: gain ? gain.baselineTop1 : null,
      usiGainN: mode === 'usi' && gain ? gain.n : null,
      stepMsMean: r.stepMsMean,
      latencyP90: r.latencyP90,
      latencyP99: r.latencyP99,
      rme: r.rme,
      noisy: r.noisy,
      status: r.status,
      error: r.error,
      recipeHash: first?.recipeHash ?? null,
      teacherModel: first?.teacherModel ?? null,
      epochs: first?.epochs ?? null,
      gitCommit: r.protocol.gitCommit,
      onFrontier: false,
      protocol: r.protocol,
    });
  });
  if (!filter.allNights) rows = latestPerProtocol(rows);
  return markFrontier(rows);
}

/** What the chart draws of a result: its point, error bars, gain and hover fields, nothing the chart does not show. */
export type ChartRow = ProtocolGroup &
  Pick<
    ResultRow,
    | 'benchmarkId' | 'model' | 'family' | 'params' | 'gmacs' | 'mode' | 'top1' | 'top1Ci95' | 'nSeeds' | 'usiGain' | 'usiGainCi95'
    | 'usiGainSignificant' | 'imagesPerSec' | 'imagesPerSecCi95' | 'speedSource' | 'latencyP50' | 'nightlyId' | 'date'
  >;

/**
 * The chart's rows: exactly the successful results resultRows(db, filter) returns (same
 * conditions, same newest-per-protocol rule), with only the chart's fields and no front (the
 * chart computes it over the points it shows). A fraction of resultRows' cost.
 */
export function chartRows(db: Db, filter: Omit<ResultFilter, 'allNights' | 'includeFailed'> = {}): ChartRow[] {
  const { cohorts } = cohortsOf(db, filter.dataset);
  const records = selectResults(db, CHART_COLUMNS, filter);
  return latestPerProtocol(expand(records, cohorts, modesOf(filter)).map(({ record, mode, cohort, speedSource }) => chartRowOf(record, mode, cohort, speedSource)));
}

/** Only the rows on their group's Pareto front. */
export function frontierRows(db: Db, filter: ResultFilter = {}): ResultRow[] {
  return resultRows(db, filter).filter((r) => r.onFrontier);
}

export interface TrainingHistoryPoint {
  trainingRunId: number;
  nightlyId: number | null;
  date: string;
  dataset: string;
  mode: TrainingMode;
  status: 'ok' | 'failed';
  top1: number | null;
  top5: number | null;
  epochs: number;
  recipeHash: string;
  codeVersion: string;
}

/**
 * One model across nights: its training runs (oldest first) and every benchmark of it (all nights,
 * failed ones included, so a regression or a break shows).
 */
export function modelHistory(
  db: Db,
  model: string,
  filter: Omit<ResultFilter, 'model' | 'allNights'> = {},
): { training: TrainingHistoryPoint[]; benchmarks: ResultRow[] } {
  const training = db
    .select({
      trainingRunId: trainingRuns.id,
      nightlyId: trainingRuns.nightlyId,
      date: trainingRuns.createdAt,
      dataset: trainingRuns.dataset,
      mode: trainingRuns.mode,
      status: trainingRuns.status,
      top1: trainingRuns.top1,
      top5: trainingRuns.top5,
      epochs: trainingRuns.epochs,
      recipeHash: trainingRuns.recipeHash,
      codeVersion: trainingRuns.codeVersion,
    })
    .from(trainingRuns)
    .where(and(eq(trainingRuns.model, model), filter.dataset ? eq(trainingRuns.dataset, filter.dataset) : undefined))
    .orderBy(asc(trainingRuns.createdAt), asc(trainingRuns.id))
    .all();
  // each benchmark once, as the weights it timed (not again as a twin's placement)
  const benchmarks = resultRows(db, { includeFailed: true, mode: 'all', ...filter, model, allNights: true }).filter((r) => r.speedSource === 'measured');
  return { training, benchmarks };
}

export interface FilterValues {
  datasets: string[];
  profiles: string[];
  devices: string[];
  runtimes: string[];
  backends: string[];
  precisions: string[];
  batchSizes: number[];
  resolutions: number[];
  models: string[];
  families: Family[];
}

function distinct<T extends string | number>(values: Array<T | null>): T[] {
  const set = [...new Set(values.filter((v): v is T => v !== null))];
  return set.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));
}

/** The distinct values each filter can take, from the stored benchmark results. */
export function filterValues(db: Db): FilterValues {
  const rows = db
    .select({ ...GROUP_COLUMNS, model: benchmarkResults.model, family: models.family })
    .from(benchmarkResults)
    .innerJoin(models, eq(models.name, benchmarkResults.model))
    .leftJoin(trainingRuns, eq(trainingRuns.id, benchmarkResults.trainingRunId))
    .leftJoin(recipes, eq(recipes.hash, trainingRuns.recipeHash))
    .all();
  return {
    datasets: distinct(rows.map((r) => r.dataset)),
    profiles: distinct(rows.map((r) => r.profile)),
    devices: distinct(rows.map((r) => r.device)),
    runtimes: distinct(rows.map((r) => r.runtime)),
    backends: distinct(rows.map((r) => r.backend)),
    precisions: distinct(rows.map((r) => r.precision)),
    batchSizes: distinct(rows.map((r) => r.batchSize)),
    resolutions: distinct(rows.map((r) => r.resolution)),
    models: distinct(rows.map((r) => r.model)),
    families: distinct(rows.map((r) => r.family)),
  };
}

export interface NightlySummaryRow {
  id: number;
  startedAt: string;
  endedAt: string | null;
  status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  gitCommit: string;
  host: string;
  preset: string | null;
  jobs: { total: number; succeeded: number; failed: number; skipped: number };
  /** Set for a nightly submitted to Slurm: its plan, submission and batch job ids. */
  slurm: SlurmNightly | null;
}

/** Recent nightly runs, newest first, with their job counts. */
export function listNightlies(db: Db, limit = 50): NightlySummaryRow[] {
  const runs = db.select().from(nightlyRuns).orderBy(desc(nightlyRuns.id)).limit(limit).all();
  return runs.map((r) => {
    const js = db.select({ status: jobs.status }).from(jobs).where(eq(jobs.nightlyId, r.id)).all();
    const count = (s: string) => js.filter((j) => j.status === s).length;
    return {
      id: r.id,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      status: r.status,
      gitCommit: r.gitCommit,
      host: r.host,
      preset: r.preset,
      jobs: { total: js.length, succeeded: count('succeeded'), failed: count('failed'), skipped: count('skipped') },
      slurm: SlurmNightlySchema.safeParse(r.summary?.slurm).data ?? null,
    };
  });
}

/** The jobs of one nightly, in the order they were planned, each with where its result was made (null: here, or no result this night). */
export function nightlyJobs(db: Db, nightlyId: number) {
  const where = new Map<string, Allocation | null>();
  for (const t of [trainingRuns, benchmarkResults] as const) {
    for (const r of db.select({ key: t.jobKey, allocation: t.allocation }).from(t).where(eq(t.nightlyId, nightlyId)).all()) where.set(r.key, r.allocation);
  }
  return db
    .select()
    .from(jobs)
    .where(eq(jobs.nightlyId, nightlyId))
    .orderBy(asc(jobs.id))
    .all()
    .map((j) => ({ ...j, allocation: where.get(j.key) ?? null }));
}

/** SQLite's data_version: changes whenever another connection commits, so a reader knows its cache is stale. */
export function dataVersion(db: Db): number {
  return db.$client.pragma('data_version', { simple: true }) as number;
}

/** The protocol of the newest successful USI result: the view the home page opens on. */
export function newestUsiProtocol(db: Db): StoredProtocol | undefined {
  return db
    .select(GROUP_COLUMNS)
    .from(benchmarkResults)
    .innerJoin(trainingRuns, eq(trainingRuns.id, benchmarkResults.trainingRunId))
    .leftJoin(recipes, eq(recipes.hash, trainingRuns.recipeHash))
    .where(eq(trainingRuns.mode, 'usi'))
    .orderBy(desc(benchmarkResults.createdAt), desc(benchmarkResults.id))
    .limit(1)
    .get();
}

/** Every protocol the database holds results for, so the selectors can move together. */
export function protocolCombinations(db: Db) {
  return db
    .selectDistinct(GROUP_COLUMNS)
    .from(benchmarkResults)
    .innerJoin(trainingRuns, eq(trainingRuns.id, benchmarkResults.trainingRunId))
    .leftJoin(recipes, eq(recipes.hash, trainingRuns.recipeHash))
    .all();
}
/** A protocol results were stored under (a trained model's, so its dataset is known). */
export type StoredProtocol = ReturnType<typeof protocolCombinations>[number];

export type ModelRow = typeof models.$inferSelect;

export function modelRow(db: Db, name: string): ModelRow | undefined {
  return db.select().from(models).where(eq(models.name, name)).get();
}

/** A training run as the model page shows it, per-epoch curve included. */
const TRAINING_SUMMARY_COLUMNS = {
  id: trainingRuns.id,
  mode: trainingRuns.mode,
  dataset: trainingRuns.dataset,
  status: trainingRuns.status,
  error: trainingRuns.error,
  top1: trainingRuns.top1,
  top5: trainingRuns.top5,
  best: trainingRuns.best,
  epochs: trainingRuns.epochs,
  batchSize: trainingRuns.batchSize,
  resolution: trainingRuns.resolution,
  seed: trainingRuns.seed,
  recipeHash: trainingRuns.recipeHash,
  teacherModel: trainingRuns.teacherModel,
  wallSeconds: trainingRuns.wallSeconds,
  backend: trainingRuns.backend,
  codeVersion: trainingRuns.codeVersion,
  allocation: trainingRuns.allocation,
  nightlyId: trainingRuns.nightlyId,
  createdAt: trainingRuns.createdAt,
  curve: trainingRuns.curve,
};

function trainingSummaries(db: Db, name: string) {
  return db.select(TRAINING_SUMMARY_COLUMNS).from(trainingRuns).where(eq(trainingRuns.model, name)).orderBy(asc(trainingRuns.createdAt), asc(trainingRuns.id)).all();
}
export type TrainingSummary = ReturnType<typeof trainingSummaries>[number];

/** The newest training run of each (dataset, mode: usi, baseline or teacher): the curves a reader compares today. */
export function latestTrainingRuns(db: Db, name: string): TrainingSummary[] {
  const newest = new Map<string, TrainingSummary>();
  for (const r of trainingSummaries(db, name)) newest.set(`${r.dataset}\u0000${r.mode}`, r);
  return [...newest.values()].sort((a, b) => a.dataset.localeCompare(b.dataset) || a.mode.localeCompare(b.mode));
}
