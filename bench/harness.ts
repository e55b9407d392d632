/**
 * Times a prepared model: an untimed warm-up that lasts until the iteration times settle, a
 * full garbage collection, then (with tinybench) at least `minTime`
 * seconds and at least `minIters` iterations, every iteration ending with the output read back.
 *
 * Every timed sample is kept: nothing is discarded, trimmed or retried.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Bench } from 'tinybench';
import { median, summarize, type SampleStats } from './stats.js';
import type { PreparedModel } from './runtimes/types.js';

export interface TimingOptions {
  /** Seconds of timed iterations, at least. */
  minTime: number;
  /** Timed iterations, at least. */
  minIters: number;
  /**
   * Seconds of untimed warm-up (compilation, wasm tier-up, allocator and cache warm-up), at least.
   * With a positive value the warm-up goes on until the iteration times settle (see `settle`), up
   * to `maxWarmupTime`; with 0 it is the single first call (a compile never lands in the samples).
   */
  warmupTime: number;
  /** Seconds the warm-up may run, at most; default max(3 · warmupTime, warmupTime + 1). */
  maxWarmupTime?: number;
}

/** When warm-up times count as settled: the median of the last `window` iterations within `tolerance` of the median of the `window` before. */
export const SETTLE = { window: 3, tolerance: 0.05 } as const;

export interface WarmupRecord {
  iterations: number;
  seconds: number;
  /** Whether the iteration times settled before the warm-up's time cap. */
  settled: boolean;
}

export interface Timing {
  /** Per-iteration milliseconds. */
  stats: SampleStats;
  samplesMs: number[];
  warmup: WarmupRecord;
  /** Whether a full garbage collection ran right before the timed iterations (V8's collector; see fullCollector). */
  gcBeforeTiming: boolean;
}

/** Whether the last `window` of these times agree with the `window` before them. */
export function settled(timesMs: readonly number[], window: number = SETTLE.window, tolerance: number = SETTLE.tolerance): boolean {
  if (timesMs.length < 2 * window) return false;
  const last = median(timesMs.slice(-window));
  const before = median(timesMs.slice(-2 * window, -window));
  return Math.abs(last / before - 1) <= tolerance;
}

/**
 * Runs the model untimed: at least once and at least `warmupTime` seconds, then until the times
 * settle or `maxWarmupTime` is spent. Iterations that start before the cap always finish.
 */
export async function warmUp(
  model: PreparedModel,
  opts: Pick<TimingOptions, 'warmupTime' | 'maxWarmupTime'>,
  now: () => number = () => performance.now(),
): Promise<WarmupRecord> {
  const minMs = opts.warmupTime * 1000;
  const maxMs = Math.max(minMs, (opts.maxWarmupTime ?? Math.max(3 * opts.warmupTime, opts.warmupTime + 1)) * 1000);
  const times: number[] = [];
  const start = now();
  for (;;) {
    const t = now();
    await model.infer();
    const end = now();
    times.push(end - t);
    const elapsed = end - start;
    if (minMs === 0) return { iterations: times.length, seconds: elapsed / 1000, settled: false };
    if (elapsed >= minMs && settled(times)) return { iterations: times.length, seconds: elapsed / 1000, settled: true };
    if (elapsed >= maxMs) return { iterations: times.length, seconds: elapsed / 1000, settled: false };
  }
}

/**
 * V8's full collector: the process's own `gc` when node runs with --expose-gc, otherwise the one
 * a fresh context gets once the flag is set at run time (so `usibench bench` needs no node flag).
 */
let contextCollector: (() => void) | undefined | null = null; // null: not looked up yet
function fullCollector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  // Once per process: each lookup sets a V8 flag and creates a context.
  if (contextCollector === null) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('gc');
      contextCollector = typeof gc === 'function' ? (gc as () => void) : undefined;
    } catch {
      contextCollector = undefined;
    }
  }
  return contextCollector;
}

/** Whether the harness can run a full collection before timing (recorded in the protocol). */
export const canCollectGarbage = (): boolean => fullCollector() !== undefined;

/** A full collection now, so that garbage from setting up and warming up is not collected inside the timed loop. */
function collectGarbage(): boolean {
  const gc = fullCollector();
  if (!gc) return false;
  gc();
  return true;
}

export async function timeInference(model: PreparedModel, opts: TimingOptions): Promise<Timing> {
  const warmup = await warmUp(model, opts);
  const gcBeforeTiming = collectGarbage();
  const bench = new Bench({
    time: opts.minTime * 1000,
    iterations: opts.minIters,
    warmup: false, // done above, until the times settle
    retainSamples: true,
    throws: true,
  });
  bench.add('infer', () => model.infer(), { async: true });
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state === 'errored') throw result.error;
  if (result.state !== 'completed') throw new Error(`benchmark did not complete (${result.state})`);
  const samplesMs = Array.from(result.latency.samples ?? []);
  if (samplesMs.length === 0) throw new Error('benchmark produced no samples');
  return { stats: summarize(samplesMs), samplesMs, warmup, gcBeforeTiming };
}
