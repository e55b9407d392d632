import { describe, expect, it } from 'vitest';
import { parseFilters, selectionToQuery, type FilterOptions } from './filters.js';

const options: FilterOptions = {
  dataset: ['cifar10', 'mnist'],
  device: ['Intel Xeon (2 cores)'],
  runtime: ['onnxruntime', 'tfjs'],
  backend: ['cpu', 'wasm'],
  precision: ['fp32'],
  batch: ['32', '1'],
  resolution: ['32'],
};

describe('parseFilters', () => {
  it('defaults every selector to the first available value', () => {
    const { selection, variant, notices } = parseFilters(new URLSearchParams(''), options);
    expect(selection).toEqual({
      dataset: 'cifar10',
      device: 'Intel Xeon (2 cores)',
      runtime: 'onnxruntime',
      backend: 'cpu',
      precision: 'fp32',
      batch: '32',
      resolution: '32',
    });
    expect(variant).toBe('usi');
    expect(notices).toEqual([]);
  });

  it('keeps valid values from the URL', () => {
    const { selection, notices } = parseFilters(new URLSearchParams('dataset=mnist&runtime=tfjs&batch=1&variant=both'), options);
    expect(selection.dataset).toBe('mnist');
    expect(selection.runtime).toBe('tfjs');
    expect(selection.batch).toBe('1');
    expect(notices).toEqual([]);
  });

  it('replaces unknown values with the default and says so', () => {
    const { selection, variant, notices } = parseFilters({ dataset: 'imagenet', batch: '-3', variant: 'teacher' }, options);
    expect(selection.dataset).toBe('cifar10');
    expect(selection.batch).toBe('32');
    expect(variant).toBe('usi');
    expect(notices).toHaveLength(3);
    expect(notices[0]).toContain('“imagenet”');
    expect(notices[0]).toContain('available: cifar10, mnist');
    expect(notices[2]).toContain('“teacher”');
  });

  it('cuts hostile values short in messages', () => {
    const { notices } = parseFilters({ device: '<script>'.repeat(50) }, options);
    expect(notices).toHaveLength(1);
    expect(notices[0].length).toBeLessThan(200);
  });

  it('uses the first of repeated values and reports the repetition', () => {
    const { selection, notices } = parseFilters(new URLSearchParams('dataset=mnist&dataset=cifar10'), options);
    expect(selection.dataset).toBe('mnist');
    expect(notices).toEqual(['Dataset was given more than once in the URL; using the first value.']);
    const fromRecord = parseFilters({ dataset: ['mnist', 'x'] }, options);
    expect(fromRecord.selection.dataset).toBe('mnist');
  });

  it('gives null for selectors the database has no values for', () => {
    const empty = Object.fromEntries(Object.keys(options).map((k) => [k, []])) as unknown as FilterOptions;
    const { selection, notices } = parseFilters({ dataset: 'mnist' }, empty);
    expect(selection.dataset).toBeNull();
    expect(notices[0]).toContain('holds no dataset values');
  });

  it('round-trips through the query string', () => {
    const parsed = parseFilters(new URLSearchParams('dataset=mnist&device=Intel+Xeon+%282+cores%29&variant=baseline'), options);
    const again = parseFilters(new URLSearchParams(selectionToQuery(parsed.selection, parsed.variant)), options);
    expect(again).toEqual(parsed);
    expect(selectionToQuery(parsed.selection, 'usi', { sort: 'top1' })).toContain('sort=top1');
  });
});
