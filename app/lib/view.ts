/**
 * What the chart and table pages (and the export route) show for a URL: the selectors' options,
 * the chosen values, the rows. One function, so "exactly the rows shown" is the same set of rows
 * on the page and in a download.
 */
import { chartRows, dataVersion, filterValues, markFrontier, newestUsiProtocol, protocolCombinations, resultRows, type ResultFilter, type StoredProtocol, type ResultRow } from '../../db/queries.js';
import type { Db } from '../../db/index.js';
import { FILTER_KEYS, parseFilters, type Combination, type FilterOptions, type ParsedFilters, type RawParams, type Selection } from './filters.js';
import { siteDb, type SiteDb } from './data.js';
import { packPoints, rowsToPoints, type PackedPoints, type Variant } from './points.js';

type NoView = { kind: 'unavailable'; db: Extract<SiteDb, { ok: false }> } | { kind: 'empty'; path: string };
type Selected = { kind: 'ok'; path: string; options: FilterOptions; combos: Combination[] } & ParsedFilters;

export type ViewState = NoView | (Selected & { rows: ResultRow[] });

/** The chart page's view: both variants' points of the selection, whichever the URL shows. */
export type ChartViewState = NoView | (Selected & { points: PackedPoints; skipped: Record<Variant, number> });

function optionsOf(db: Db): FilterOptions {
  const v = filterValues(db);
  return {
    dataset: v.datasets,
    profile: v.profiles,
    device: v.devices,
    runtime: v.runtimes,
    backend: v.backends,
    precision: v.precisions,
    batch: v.batchSizes.map(String),
    resolution: v.resolutions.map(String),
  };
}

/** A protocol as the selectors hold it: numbers as the strings a URL carries. */
function selectionOf(p: StoredProtocol): Combination {
  // a stored protocol is a trained model's, so its recipe, and with it the profile, is known
  return { dataset: p.dataset, profile: p.profile ?? 'usi', device: p.device, runtime: p.runtime, backend: p.backend, precision: p.precision, batch: String(p.batchSize), resolution: String(p.resolution) };
}

function newestSelection(db: Db): Partial<Selection> {
  const p = newestUsiProtocol(db);
  return p ? selectionOf(p) : {};
}

function selectionFilter(selection: Selection): ResultFilter {
  const num = (v: string | null) => (v === null ? undefined : Number(v));
  return {
    dataset: selection.dataset ?? undefined,
    profile: selection.profile ?? undefined,
    device: selection.device ?? undefined,
    runtime: selection.runtime ?? undefined,
    backend: selection.backend ?? undefined,
    precision: selection.precision ?? undefined,
    batchSize: num(selection.batch),
    resolution: num(selection.resolution),
  };
}

/** The rows of one selection; the front is recomputed over exactly these rows, as the chart draws them. */
export function selectedRows(db: Db, selection: Selection, variant: ParsedFilters['variant']): ResultRow[] {
  const rows = resultRows(db, { ...selectionFilter(selection), mode: variant === 'both' ? 'all' : variant });
  const shown = variant === 'both' ? rows.filter((r) => r.mode === 'usi' || r.mode === 'baseline') : rows;
  return markFrontier(shown);
}

/**
 * What the pages read from the database, kept until it changes: the selectors' values, and the
 * chart's points per selection. The site only reads, and a nightly writes once a night; reading
 * them again on every request was most of a chart page's server time on a large database. SQLite's
 * data_version changes whenever another connection commits, so a nightly's results show on the
 * next request.
 */
interface ReadCache {
  db: Db;
  version: number;
  selectors?: { options: FilterOptions; newest: Partial<Selection>; combos: Combination[] };
  points: Map<string, { points: PackedPoints; skipped: Record<Variant, number> }>;
}
let readCache: ReadCache | null = null;
/** Selections whose points are kept; a visitor trying many combinations starts the set over. */
const MAX_CACHED_SELECTIONS = 32;

function cacheOf(db: Db): ReadCache {
  const version = dataVersion(db);
  if (readCache?.db !== db || readCache.version !== version) readCache = { db, version, points: new Map() };
  return readCache;
}

/** The selection the parameters ask for, with the database and the read cache it was answered from. */
function select(params: RawParams): NoView | (Selected & { db: Db; cache: ReadCache }) {
  const state = siteDb();
  if (!state.ok) return state.reason === 'uninitialised' ? { kind: 'empty', path: state.path } : { kind: 'unavailable', db: state };
  const cache = cacheOf(state.db);
  const { options, newest, combos } = (cache.selectors ??= { options: optionsOf(state.db), newest: newestSelection(state.db), combos: protocolCombinations(state.db).map(selectionOf) });
  if (FILTER_KEYS.every((k) => options[k].length === 0)) return { kind: 'empty', path: state.path };
  const parsed = parseFilters(params, options, newest);
  return { kind: 'ok', db: state.db, cache, path: state.path, options, combos, ...parsed };
}

export function loadView(params: RawParams): ViewState {
  const view = select(params);
  if (view.kind !== 'ok') return view;
  const { db, cache: _cache, ...rest } = view;
  return { ...rest, rows: selectedRows(db, view.selection, view.variant) };
}

/**
 * The chart page loads the USI and the baseline points of the selection whatever the URL's variant,
 * so switching between USI, baseline and both is answered in the browser (the URL still records it).
 */
export function loadChartView(params: RawParams): ChartViewState {
  const view = select(params);
  if (view.kind !== 'ok') return view;
  const { db, cache, ...rest } = view;
  const filter = { ...selectionFilter(view.selection), mode: 'all' as const };
  const key = JSON.stringify(filter);
  let entry = cache.points.get(key);
  if (!entry) {
    const { points, skipped } = rowsToPoints(chartRows(db, filter));
    entry = { points: packPoints(points), skipped };
    if (cache.points.size >= MAX_CACHED_SELECTIONS) cache.points.clear();
    cache.points.set(key, entry);
  }
  return { ...rest, ...entry };
}
