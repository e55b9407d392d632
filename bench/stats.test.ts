import { Bench } from 'tinybench';
import { describe, expect, it } from 'vitest';
import fixture from './fixtures/stats_fixture.json' with { type: 'json' };
import { isNoisy, median, quantileSorted, summarize, tCritical95 } from './stats.js';

describe('statistics of timing samples', () => {
  it('median of unsorted values: the middle one, or the mean of the middle two; the input is left as it was', () => {
    const xs = [3, 1, 2];
    expect(median(xs)).toBe(2);
    expect(xs).toEqual([3, 1, 2]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('matches hand-computed values on 1..10', () => {
    const s = summarize([10, 3, 1, 2, 5, 4, 6, 7, 9, 8]);
    expect(s.mean).toBe(5.5);
    expect(s.median).toBe(5.5);
    expect(s.p90).toBeCloseTo(9.1, 12); // position 8.1 between 9 and 10
    expect(s.p99).toBeCloseTo(9.91, 12);
    expect(s.sd).toBeCloseTo(Math.sqrt(82.5 / 9), 12);
    // t(0.975, 9) = 2.2621571628 from the tables
    expect(s.rme).toBeCloseTo((100 * 2.2621571628 * Math.sqrt(82.5 / 9)) / Math.sqrt(10) / 5.5, 6);
    expect(s.samples).toBe(10);
  });

  it('matches numpy on a skewed sample', () => {
    const s = summarize(fixture.samples);
    expect(s.mean).toBeCloseTo(fixture.mean, 10);
    expect(s.median).toBeCloseTo(fixture.median, 10);
    expect(s.p90).toBeCloseTo(fixture.p90, 10);
    expect(s.p99).toBeCloseTo(fixture.p99, 10);
    expect(s.sd).toBeCloseTo(fixture.sd, 10);
  });

  it('gives the tabulated Student-t critical values', () => {
    const table: Array<[number, number]> = [
      [1, 12.7062047362],
      [2, 4.3026527297],
      [4, 2.7764451052],
      [9, 2.2621571628],
      [29, 2.0452296421],
      [120, 1.9799304051],
    ];
    for (const [df, t] of table) expect(tCritical95(df)).toBeCloseTo(t, 6);
  });

  it('agrees with tinybench on the same samples', async () => {
    // tinybench may call the task once to see whether it is async, so record what it was fed.
    let i = 0;
    const fed: number[] = [];
    const bench = new Bench({ time: 0, iterations: fixture.samples.length, warmup: false });
    bench.add('fixed', () => {
      const d = fixture.samples[i++ % fixture.samples.length];
      fed.push(d);
      return { overriddenDuration: d };
    });
    await bench.run();
    const result = bench.tasks[0].result;
    if (result.state !== 'completed') throw new Error(`tinybench state ${result.state}`);
    const s = summarize(fed.slice(fed.length - result.latency.samplesCount));
    expect(result.latency.samplesCount).toBe(s.samples);
    expect(s.mean).toBeCloseTo(result.latency.mean, 9);
    expect(s.sd).toBeCloseTo(result.latency.sd, 9);
    expect(s.median).toBeCloseTo(result.latency.p50, 9);
    expect(s.p99).toBeCloseTo(result.latency.p99, 9);
    expect(s.rme).toBeCloseTo(result.latency.rme, 6);
  });

  it('flags noisy results above the threshold and handles degenerate input', () => {
    expect(isNoisy({ rme: 5.01 })).toBe(true);
    expect(isNoisy({ rme: 4.99 })).toBe(false);
    expect(isNoisy({ rme: NaN })).toBe(true);
    const one = summarize([3]);
    expect(one.sd).toBe(0);
    expect(one.rme).toBe(Infinity);
    expect(isNoisy(one)).toBe(true);
    expect(() => summarize([])).toThrow();
    expect(quantileSorted([1, 2], 0.5)).toBe(1.5);
  });
});
