import { describe, expect, it } from 'vitest';
import { parseFilters, reconcile, selectionToQuery, shownFromUrl, type FilterOptions } from './filters.js';

const options: FilterOptions = {
  dataset: ['cifar10', 'mnist'],
  profile: ['light', 'usi'],
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
      profile: 'light',
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

  it('prefers the given defaults when they are available', () => {
    const { selection } = parseFilters({}, options, { dataset: 'mnist', batch: '1', runtime: 'gone' });
    expect(selection.dataset).toBe('mnist');
    expect(selection.batch).toBe('1');
    expect(selection.runtime).toBe('onnxruntime');
    expect(parseFilters({ dataset: 'bogus' }, options, { dataset: 'mnist' }).selection.dataset).toBe('mnist');
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

describe('reconcile', () => {
  const combo = (runtime: string, backend: string, batch: string) => ({
    dataset: 'mnist',
    profile: 'plain',
    device: 'cpu',
    runtime,
    backend,
    precision: 'fp32',
    batch,
    resolution: '28',
  });
  const combos = [combo('tfjs', 'wasm', '32'), combo('tfjs', 'wasm', '1'), combo('onnxruntime', 'cpu', '32'), combo('tfjs', 'cpu', '1')];
  const current = combo('tfjs', 'wasm', '1');

  it('keeps the other selectors when the new combination exists', () => {
    expect(reconcile(current, 'backend', 'cpu', combos)).toEqual(combo('tfjs', 'cpu', '1'));
  });

  it('moves the other selectors to a stored combination when it does not', () => {
    // onnxruntime only exists with the cpu backend at batch 32.
    expect(reconcile(current, 'runtime', 'onnxruntime', combos)).toEqual(combo('onnxruntime', 'cpu', '32'));
  });

  it('prefers keeping earlier selectors', () => {
    // batch 32 exists with tfjs/wasm and onnxruntime/cpu; keeping the runtime wins.
    expect(reconcile(current, 'batch', '32', combos)).toEqual(combo('tfjs', 'wasm', '32'));
  });

  it('sets the value alone when no stored combination has it', () => {
    expect(reconcile(current, 'precision', 'fp16', combos)).toEqual({ ...current, precision: 'fp16' });
  });
});

describe('shownFromUrl', () => {
  it('reads the variant as parseFilters does, so the browser and the server agree', () => {
    for (const q of ['', 'variant=both', 'variant=baseline', 'variant=usi', 'variant=teacher', 'variant=%3Cscript%3E', 'variant=both&variant=usi', 'variant=']) {
      const params = new URLSearchParams(q);
      expect(shownFromUrl(params.get('variant'))).toBe(parseFilters(params, options).variant);
    }
  });
});
