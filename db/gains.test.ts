import { describe, expect, it } from 'vitest';
import { computeCohorts, computeGains, type GainInputRun } from './gains.js';

let nextId = 1;
function run(model: string, mode: GainInputRun['mode'], top1: number | null, createdAt: string, extra: Partial<GainInputRun> = {}): GainInputRun {
  return { id: nextId++, model, dataset: 'mnist', mode, pairKey: `p-${model}`, cohortKey: null, recipeHash: `r-${mode}`, status: 'ok', top1, createdAt, ...extra };
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

  it('averages a cohort over seeds and gives the gain its paired interval', () => {
    // seeds a, b, c: usi .92 .93 .945, baseline .90 .90 .92 → differences .02 .03 .025 (db/intervals.test.ts)
    const seeded = (mode: GainInputRun['mode'], top1: number, seed: string) => run('s', mode, top1, '2025-02-01', { pairKey: `p-${seed}`, cohortKey: 'c-s' });
    const runs = [seeded('usi', 0.92, 'a'), seeded('baseline', 0.9, 'a'), seeded('usi', 0.93, 'b'), seeded('baseline', 0.9, 'b'), seeded('usi', 0.945, 'c'), seeded('baseline', 0.92, 'c')];
    const [g] = computeGains(runs);
    expect(g.n).toBe(3);
    expect(g.gain).toBeCloseTo(0.025, 12);
    expect(g.gainCi95).toBeCloseTo(0.012421, 5);
    expect(g.significant).toBe(true);
    expect(g.usiTop1).toBeCloseTo((0.92 + 0.93 + 0.945) / 3, 12);
    const cohort = computeCohorts(runs).get('c-s')!;
    expect(cohort.modes.usi!.top1.n).toBe(3);
    expect(cohort.modes.baseline!.top1.mean).toBeCloseTo((0.9 + 0.9 + 0.92) / 3, 12);
    // an unpaired extra seed counts in its mode's mean, not in the gain
    const extra = computeCohorts([...runs, seeded('usi', 0.8, 'd')]).get('c-s')!;
    expect(extra.modes.usi!.top1.n).toBe(4);
    expect(extra.gain!.n).toBe(3);
  });
});
