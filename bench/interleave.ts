/**
 * Worker-count scaling measured in short interleaved phases. On a shared virtual machine each
 * core's speed drifts by 20–40 % over seconds, independently of the other's, so a one-worker run
 * and a two-worker run taken ten seconds apart measure the host as much as the code (per-round
 * ratios of 1.2x to 2.5x for the same build). Instead, one pool of workers runs one long job in
 * which phases of about a step each alternate between worker counts; every phase is compared with
 * the one-worker phases on either side of it, a second or two away.
 *
 * Each phase lists the workers that compute in it; the others wait at the next barrier. Phases
 * with one worker rotate over the pool, so the lone worker is not always on the same core.
 */
import { median, quantileSorted } from './stats.js';

/** The active workers of each phase: `cycles` repeats of one phase per worker count, ascending. */
export function interleavedSchedule(counts: readonly number[], poolSize: number, cycles: number): number[][] {
  const sorted = [...new Set(counts)].sort((a, b) => a - b);
  if (sorted[0] !== 1) throw new Error('interleaved scaling needs the one-worker count as its baseline');
  if (sorted[sorted.length - 1] > poolSize) throw new Error(`a phase of ${sorted[sorted.length - 1]} workers needs a pool that large, not ${poolSize}`);
  const schedule: number[][] = [];
  for (let c = 0; c < cycles; c++) {
    for (const n of sorted) schedule.push(Array.from({ length: n }, (_, i) => (c * n + i) % poolSize));
  }
  return schedule;
}

/** What one worker measured: for each phase it computed in, its timed steps' duration. */
export interface PhaseTiming {
  phase: number;
  /** When the timed steps began, in ms since the epoch (comparable across worker threads). */
  startedAt: number;
  ms: number;
}

export interface CountScaling {
  workers: number;
  /** Median over phases of the summed images/s of the phase's workers. */
  imagesPerSec: number;
  /** Median over phases of that sum / the mean of the nearest one-worker phases before and after (absent for 1). */
  scaling?: number;
  /** Quartiles of those per-phase ratios, to show the spread the median came from. */
  scalingQuartiles?: [number, number];
}

/**
 * Per worker count, the aggregate images/s and the scaling against one worker. `timings[w]` is
 * worker w's list; each active worker ran `imagesPerPhase` images in each of its phases.
 */
export function interleavedScaling(schedule: readonly number[][], timings: readonly PhaseTiming[][], imagesPerPhase: number): CountScaling[] {
  const aggregate = schedule.map((active, phase) =>
    active.reduce((sum, w) => {
      const t = timings[w]?.find((x) => x.phase === phase);
      if (!t) throw new Error(`worker ${w} reported no timing for phase ${phase}`);
      return sum + (imagesPerPhase * 1000) / t.ms;
    }, 0),
  );
  const phasesOf = (n: number) => schedule.flatMap((active, phase) => (active.length === n ? [phase] : []));
  const ones = phasesOf(1);
  const counts = [...new Set(schedule.map((a) => a.length))].sort((a, b) => a - b);
  return counts.map((n) => {
    const phases = phasesOf(n);
    const row: CountScaling = { workers: n, imagesPerSec: median(phases.map((p) => aggregate[p])) };
    if (n === 1) return row;
    const ratios = phases.map((p) => {
      const before = ones.filter((o) => o < p).at(-1);
      const after = ones.find((o) => o > p);
      const near = [before, after].filter((o): o is number => o !== undefined);
      return aggregate[p] / (near.reduce((s, o) => s + aggregate[o], 0) / near.length);
    });
    ratios.sort((a, b) => a - b);
    return { ...row, scaling: quantileSorted(ratios, 0.5), scalingQuartiles: [quantileSorted(ratios, 0.25), quantileSorted(ratios, 0.75)] };
  });
}
