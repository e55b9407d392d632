import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../../db/queries.js';
import { parseSort, sortRows } from './sort.js';

function row(id: number, model: string, top1: number | null, ips: number | null): ResultRow {
  return { benchmarkId: id, model, top1, imagesPerSec: ips } as ResultRow;
}

describe('parseSort', () => {
  it('defaults to fastest first', () => {
    expect(parseSort(undefined, undefined)).toEqual({ spec: { key: 'imagesPerSec', dir: 'desc' }, notices: [] });
  });
  it('sorts text columns ascending unless told otherwise', () => {
    expect(parseSort('model', undefined).spec).toEqual({ key: 'model', dir: 'asc' });
    expect(parseSort('model', 'desc').spec).toEqual({ key: 'model', dir: 'desc' });
  });
  it('reports unknown columns and directions instead of failing', () => {
    const { spec, notices } = parseSort('__proto__', 'sideways');
    expect(spec).toEqual({ key: 'imagesPerSec', dir: 'desc' });
    expect(notices).toHaveLength(2);
    expect(notices[0]).toContain('__proto__');
  });
});

describe('sortRows', () => {
  const rows = [row(1, 'b', 0.9, 100), row(2, 'a', null, 300), row(3, 'c', 0.95, null), row(4, 'd', 0.9, 200)];
  it('orders numbers in either direction with missing values last', () => {
    expect(sortRows(rows, { key: 'top1', dir: 'desc' }).map((r) => r.model)).toEqual(['c', 'b', 'd', 'a']);
    expect(sortRows(rows, { key: 'top1', dir: 'asc' }).map((r) => r.model)).toEqual(['b', 'd', 'c', 'a']);
    expect(sortRows(rows, { key: 'imagesPerSec', dir: 'asc' }).map((r) => r.model)).toEqual(['b', 'd', 'a', 'c']);
  });
  it('orders text and leaves the input untouched', () => {
    expect(sortRows(rows, { key: 'model', dir: 'asc' }).map((r) => r.model)).toEqual(['a', 'b', 'c', 'd']);
    expect(rows.map((r) => r.model)).toEqual(['b', 'a', 'c', 'd']);
  });
});
