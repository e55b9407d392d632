import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createModel } from '../training/models/index.js';
import { settled, timeInference, warmUp } from './harness.js';
import { tfjsRuntime } from './runtimes/tfjs.js';
import type { PreparedModel } from './runtimes/types.js';

/** A model whose every call takes the next of `times` (ms, the last one repeating) on a fake clock. */
function scripted(times: number[]): { model: PreparedModel; now: () => number; calls: () => number } {
  let clock = 0;
  let calls = 0;
  return {
    model: {
      async infer() {
        clock += times[Math.min(calls, times.length - 1)];
        calls++;
      },
      async dispose() {},
    },
    now: () => clock,
    calls: () => calls,
  };
}

describe('settled', () => {
  it('compares the median of the last three times with the median of the three before', () => {
    expect(settled([10, 10, 10, 10, 10])).toBe(false); // fewer than two windows
    expect(settled([100, 10, 10, 10, 10, 10])).toBe(true); // medians 10 and 10
    expect(settled([30, 20, 20, 10, 10, 10])).toBe(false); // 20 → 10
    expect(settled([10, 10, 10, 10.4, 10.5, 9.9])).toBe(true); // 10 → 10.4: 4%
    expect(settled([10, 10, 10, 10.6, 10.6, 9.9])).toBe(false); // 10 → 10.6: 6%
    expect(settled([20, 10, 10, 10, 10.6, 10.6], 2, 0.1)).toBe(true); // window 2: 10 → 10.6 within 10%
  });
});

describe('warmUp', () => {
  it('runs exactly once with no warm-up time (the first-call compile never lands in the samples)', async () => {
    const s = scripted([500, 10]);
    const w = await warmUp(s.model, { warmupTime: 0 }, s.now);
    expect(w).toEqual({ iterations: 1, seconds: 0.5, settled: false });
  });

  it('stops at the minimum time once steady times have settled', async () => {
    const s = scripted([10]);
    const w = await warmUp(s.model, { warmupTime: 0.1 }, s.now);
    expect(w).toEqual({ iterations: 10, seconds: 0.1, settled: true });
  });

  it('goes on past the minimum time while the times are still falling', async () => {
    // Compilation and tier-up: 100, 80, 60, 40, 20 ms, then a steady 10 ms.
    const s = scripted([100, 80, 60, 40, 20, 10]);
    const w = await warmUp(s.model, { warmupTime: 0.1 }, s.now);
    // The minimum time is reached at iteration 2, but the windows' medians go 80→20, 60→10, 40→10,
    // 20→10, and only at iteration 10 is the last window (10 10 10) within 5% of the one before (20 10 10).
    expect(w).toEqual({ iterations: 10, seconds: 0.35, settled: true });
  });

  it('gives up at the cap when the times never settle, and says so', async () => {
    const s = scripted([...Array.from({ length: 1000 }, (_, i) => (i % 2 ? 10 : 30)), 10]);
    const w = await warmUp(s.model, { warmupTime: 0.1, maxWarmupTime: 0.5 }, s.now);
    expect(w.settled).toBe(false);
    expect(w.seconds).toBeGreaterThanOrEqual(0.5);
    expect(w.seconds).toBeLessThan(0.5 + 0.03); // the iteration that crosses the cap finishes, no more
  });

  it('caps by default at three times the minimum, or one second more where that is longer', async () => {
    const alternating = Array.from({ length: 10000 }, (_, i) => (i % 2 ? 10 : 30));
    const short = scripted(alternating);
    expect((await warmUp(short.model, { warmupTime: 0.2 }, short.now)).seconds).toBeCloseTo(1.2, 1);
    const long = scripted(alternating);
    expect((await warmUp(long.model, { warmupTime: 2 }, long.now)).seconds).toBeCloseTo(6, 1);
  });
});

describe('timeInference', () => {
  afterEach(() => {
    delete (globalThis as { gc?: unknown }).gc;
  });

  it('keeps every timed sample, after the warm-up', async () => {
    const calls: string[] = [];
    const model: PreparedModel = {
      async infer() {
        calls.push('infer');
      },
      async dispose() {},
    };
    const t = await timeInference(model, { minTime: 0, minIters: 7, warmupTime: 0 });
    expect(t.warmup.iterations).toBe(1);
    expect(t.samplesMs.length).toBe(t.stats.samples);
    expect(t.stats.samples).toBeGreaterThanOrEqual(7);
    expect(calls.length).toBe(t.warmup.iterations + t.stats.samples);
    expect(t.gcBeforeTiming).toBe(true); // vitest does not expose gc: the harness gets V8's collector itself
  });

  it('collects garbage once, between warm-up and timing, where gc is exposed', async () => {
    const order: string[] = [];
    (globalThis as { gc?: () => void }).gc = vi.fn(() => order.push('gc'));
    const model: PreparedModel = {
      async infer() {
        order.push('infer');
      },
      async dispose() {},
    };
    const t = await timeInference(model, { minTime: 0, minIters: 3, warmupTime: 0 });
    expect(t.gcBeforeTiming).toBe(true);
    expect(order.filter((o) => o === 'gc')).toHaveLength(1);
    expect(order.indexOf('gc')).toBe(t.warmup.iterations);
  });

  it('allocates no tfjs tensors in the timed loop: the count is the same after every iteration', async () => {
    await tf.setBackend('cpu');
    const model = createModel('resnet8_s', { numClasses: 10, inputShape: [16, 16, 3], seed: 0 });
    const runtime = await tfjsRuntime(model, 'cpu');
    const prepared = await runtime.prepare(2);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const watched: PreparedModel = {
      async infer() {
        await prepared.infer();
        counts.push(tf.memory().numTensors);
      },
      dispose: () => prepared.dispose(),
    };
    const t = await timeInference(watched, { minTime: 0, minIters: 5, warmupTime: 0.01 });
    expect(counts.length).toBe(t.warmup.iterations + t.stats.samples);
    expect(new Set(counts)).toEqual(new Set([before]));
    await prepared.dispose();
    expect(tf.memory().numTensors).toBe(before - 1); // only the prepared input was left
    await runtime.dispose();
  });
});
