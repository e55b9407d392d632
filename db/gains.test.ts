import { describe, expect, it } from 'vitest';
import { computeGains, type GainInputRun } from './gains.js';

let nextId = 1;
function run(model: string, mode: GainInputRun['mode'], top1: number | null, createdAt: string, extra: Partial<GainInputRun> = {}): GainInputRun {
  return { id: nextId++, model, dataset: 'mnist', mode, pairKey: `p-${model}`, recipeHash: `r-${mode}`, status: 'ok', top1, createdAt, ...extra };
}

describe('computeGains', () => {
  it('subtracts the paired baseline from the USI run, per backbone', () => {
    const gains = computeGains([run('b', 'usi', 0.91, '2025-01-01'), run('b', 'baseline', 0.88, '2025-01-01'), run('a', 'usi', 0.8, '2025-01-01'), run('a', 'baseline', 0.82, '2025-01-01')]);
    expect(gains.map((g) => g.model)).toEqual(['a', 'b']);
    expect(gains[0].gain).toBeCloseTo(-0.02, 12);
    expect(gains[1].gain).toBeCloseTo(0.03, 12);
    expect(gains[1].usiTop1).toBe(0.91);
    expect(gains[1].baselineTop1).toBe(0.88);
  });

  it('uses the newest finished run of each side and ignores failed runs and teachers', () => {
    const gains = computeGains([
      run('m', 'usi', 0.7, '2025-01-01'),
      run('m', 'usi', 0.75, '2025-01-02'),
      run('m', 'usi', 0.99, '2025-01-03', { status: 'failed' }),
      run('m', 'baseline', 0.6, '2025-01-02'),
      run('m', 'teacher', 0.99, '2025-01-04'),
    ]);
    expect(gains).toHaveLength(1);
    expect(gains[0].gain).toBeCloseTo(0.15, 12);
    expect(gains[0].createdAt).toBe('2025-01-02');
  });

  it('pairs only runs with the same pair key (same data, schedule and seed)', () => {
    const gains = computeGains([run('m', 'usi', 0.7, '2025-01-01', { pairKey: 'seed0' }), run('m', 'baseline', 0.6, '2025-01-01', { pairKey: 'seed1' })]);
    expect(gains).toEqual([]);
  });
});
