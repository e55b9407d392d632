import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../common/engine.js';
import { interleavedScaling, interleavedSchedule, type PhaseTiming } from './interleave.js';
import type { PhasedJob, PhasedResult } from './scripts/engine-job.js';

const t = (phase: number, ms: number): PhaseTiming => ({ phase, startedAt: 0, ms });

describe('interleaved worker-count phases', () => {
  it('cycles through the counts in ascending order, rotating the lone worker over the pool', () => {
    expect(interleavedSchedule([2, 1], 2, 3)).toEqual([[0], [0, 1], [1], [0, 1], [0], [0, 1]]);
    const s = interleavedSchedule([1, 2, 4], 4, 4);
    expect(s.filter((a) => a.length === 1).map((a) => a[0])).toEqual([0, 1, 2, 3]);
    expect(s.filter((a) => a.length === 2)).toEqual([[0, 1], [2, 3], [0, 1], [2, 3]]);
    for (const active of s) expect(new Set(active).size).toBe(active.length);
  });

  it('refuses a schedule without the one-worker baseline or larger than the pool', () => {
    expect(() => interleavedSchedule([2], 2, 2)).toThrow(/one-worker/);
    expect(() => interleavedSchedule([1, 4], 2, 2)).toThrow(/pool that large/);
  });

  it('compares each multi-worker phase with the mean of the one-worker phases around it (hand-computed)', () => {
    // Phases: 0 [0], 1 [0,1], 2 [1], 3 [0,1], 4 [0], 5 [0,1]; 100 images per worker per phase.
    const schedule = interleavedSchedule([1, 2], 2, 3);
    const w0 = [t(0, 1000), t(1, 1000), t(3, 2000), t(4, 500), t(5, 1000)];
    const w1 = [t(1, 1000), t(2, 1000), t(3, 2000), t(5, 1000)];
    // One worker: 100, 100, 200 img/s. Two: 200, 100, 200 img/s.
    // Ratios: phase 1 -> 200 / mean(100, 100) = 2; phase 3 -> 100 / mean(100, 200) = 2/3;
    // phase 5 -> 200 / 200 (only a one-worker phase before it) = 1.
    const [one, two] = interleavedScaling(schedule, [w0, w1], 100);
    expect(one).toEqual({ workers: 1, imagesPerSec: 100 });
    expect(two.workers).toBe(2);
    expect(two.imagesPerSec).toBeCloseTo(200, 12);
    expect(two.scaling).toBeCloseTo(1, 12);
    expect(two.scalingQuartiles![0]).toBeCloseTo((2 / 3 + 1) / 2, 12);
    expect(two.scalingQuartiles![1]).toBeCloseTo(1.5, 12);
  });

  it('fails loudly when a worker did not report a phase it was scheduled for', () => {
    const schedule = interleavedSchedule([1, 2], 2, 1);
    expect(() => interleavedScaling(schedule, [[t(0, 10), t(1, 10)], []], 1)).toThrow(/worker 1 reported no timing for phase 1/);
  });
});

describe('resnetRefPhases in a pool of two workers', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.create({ size: 2, backend: 'wasm' });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('times each worker in its phases only, one phase after the other, without leaking tensors', async () => {
    const schedule = interleavedSchedule([1, 2], 2, 2); // [0], [0,1], [1], [0,1]
    const counters = new SharedArrayBuffer(8);
    const url = new URL('./scripts/engine-job.ts', import.meta.url);
    const results = await Promise.all(
      [0, 1].map((worker) =>
        pool.run<PhasedResult>(url, 'resnetRefPhases', { mode: 'infer', batch: 2, seed: 1, warmup: 1, stepsPerPhase: 2, schedule, worker, counters } satisfies PhasedJob),
      ),
    );
    expect(results[0].timings.map((x) => x.phase)).toEqual([0, 1, 3]);
    expect(results[1].timings.map((x) => x.phase)).toEqual([1, 2, 3]);
    for (const r of results) expect(r.numTensorsGrowth).toBe(0);
    // A phase starts only once every timed part of the one before has ended.
    const all = results.flatMap((r) => r.timings);
    for (const later of all) {
      for (const earlier of all.filter((x) => x.phase < later.phase)) expect(earlier.startedAt + earlier.ms).toBeLessThanOrEqual(later.startedAt + 1e-6);
    }
    // Both barrier counters ran to the end: 2 workers x 4 phases arrivals, 6 timed parts.
    expect(Array.from(new Int32Array(counters))).toEqual([8, 6]);
    expect(interleavedScaling(schedule, results.map((r) => r.timings), 4).map((s) => s.workers)).toEqual([1, 2]);
  }, 60_000);
});
