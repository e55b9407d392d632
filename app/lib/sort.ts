/**
 * The table's sort, kept in the URL (sort=<column>&dir=asc|desc) so the downloads, which take the
 * same query, come out in the order the table shows.
 */
import type { ResultRow } from '../../db/queries.js';

export const SORT_KEYS = ['model', 'family', 'mode', 'top1', 'usiGain', 'imagesPerSec', 'latencyP50', 'params', 'gmacs', 'date'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

export interface SortSpec {
  key: SortKey;
  dir: SortDir;
}

/** The default: fastest first, as on the chart's x axis read from the right. */
export const DEFAULT_SORT: SortSpec = { key: 'imagesPerSec', dir: 'desc' };

type Raw = string | string[] | undefined;
const first = (v: Raw): string | undefined => (Array.isArray(v) ? v[0] : v);

export function parseSort(sort: Raw, dir: Raw): { spec: SortSpec; notices: string[] } {
  const notices: string[] = [];
  const s = first(sort);
  const d = first(dir);
  let key = DEFAULT_SORT.key;
  if (s !== undefined && s !== '') {
    if ((SORT_KEYS as readonly string[]).includes(s)) key = s as SortKey;
    else notices.push(`Cannot sort by “${s.slice(0, 40)}”; sorting by images/s (columns: ${SORT_KEYS.join(', ')}).`);
  }
  let direction: SortDir = key === 'model' || key === 'family' || key === 'mode' ? 'asc' : 'desc';
  if (d !== undefined && d !== '') {
    if (d === 'asc' || d === 'desc') direction = d;
    else notices.push(`Sort direction “${d.slice(0, 40)}” is not asc or desc; using ${direction}.`);
  }
  return { spec: { key, dir: direction }, notices };
}

/** Sorted copy; missing values (null) go last in either direction; ties keep model order. */
export function sortRows(rows: readonly ResultRow[], spec: SortSpec): ResultRow[] {
  const sign = spec.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = a[spec.key];
    const vb = b[spec.key];
    if (va === null && vb === null) return a.model.localeCompare(b.model);
    if (va === null) return 1;
    if (vb === null) return -1;
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return c !== 0 ? sign * c : a.model.localeCompare(b.model) || a.benchmarkId - b.benchmarkId;
  });
}
