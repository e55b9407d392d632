/**
 * Times a prepared model with tinybench: a time-based warm-up, then at least `minTime` seconds
 * and at least `minIters` iterations, every iteration ending with the output read back.
 */
import { Bench } from 'tinybench';
import { summarize, type SampleStats } from './stats.js';
import type { PreparedModel } from './runtimes/types.js';

export interface TimingOptions {
  /** Seconds of timed iterations, at least. */
  minTime: number;
  /** Timed iterations, at least. */
  minIters: number;
  /** Seconds of untimed warm-up (compilation, allocator and cache warm-up) before timing. */
  warmupTime: number;
}

export interface Timing {
  /** Per-iteration milliseconds. */
  stats: SampleStats;
  samplesMs: number[];
}

export async function timeInference(model: PreparedModel, opts: TimingOptions): Promise<Timing> {
  const bench = new Bench({
    time: opts.minTime * 1000,
    iterations: opts.minIters,
    warmup: opts.warmupTime > 0,
    warmupTime: opts.warmupTime * 1000,
    // One run at least, so a first-call compile never lands in the timed samples.
    warmupIterations: 1,
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
  return { stats: summarize(samplesMs), samplesMs };
}
