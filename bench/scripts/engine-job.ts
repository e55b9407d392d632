/**
 * The measurements `npm run bench:engine` runs, in the main thread or in pool workers: training
 * (forward + backward + SGD step) or inference images/s of resnet_ref on the current backend.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../common/rng.js';
import { currentBackendInfo } from '../../common/engine.js';
import { createModel } from '../../training/models/index.js';
import type { PhaseTiming } from '../interleave.js';

type Mode = 'train' | 'infer';

export interface ThroughputJob {
  mode: Mode;
  batch: number;
  warmup: number;
  iters: number;
  seed: number;
}

export interface ThroughputResult {
  backend: string;
  mode: Mode;
  imagesPerSec: number;
  msPerIter: number;
  iters: number;
  numTensorsGrowth: number;
}

/** One step of resnet_ref on a fixed random batch, and the disposal of everything it holds. */
function resnetRefStep(mode: Mode, batch: number, seed: number): { once: () => void; dispose: () => void } {
  const model = createModel('resnet_ref', { numClasses: 10, inputShape: [32, 32, 3], seed });
  const rng = new Rng(seed);
  const x = tf.tensor4d(Float32Array.from({ length: batch * 32 * 32 * 3 }, () => rng.normal()), [batch, 32, 32, 3]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, () => rng.int(10)), 'int32'), 10);
  const opt = tf.train.sgd(0.01);
  const once =
    mode === 'train'
      ? () => {
          const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
          loss!.dataSync();
          loss!.dispose();
        }
      : () => {
          const y = model.predictOnBatch(x) as tf.Tensor;
          y.dataSync();
          y.dispose();
        };
  const dispose = () => {
    tf.dispose([x, labels]);
    opt.dispose();
    model.dispose();
  };
  return { once, dispose };
}

export async function resnetRefThroughput(job: ThroughputJob): Promise<ThroughputResult> {
  const { once, dispose } = resnetRefStep(job.mode, job.batch, job.seed);
  for (let i = 0; i < job.warmup; i++) once();
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  for (let i = 0; i < job.iters; i++) once();
  const ms = (performance.now() - t0) / job.iters;
  const growth = tf.memory().numTensors - tensorsBefore;
  dispose();
  return { backend: currentBackendInfo().name, mode: job.mode, imagesPerSec: (job.batch * 1000) / ms, msPerIter: ms, iters: job.iters, numTensorsGrowth: growth };
}

/** One worker's part of an interleaved run (bench/interleave.ts); every worker of the pool gets one. */
export interface PhasedJob {
  mode: Mode;
  batch: number;
  seed: number;
  warmup: number;
  /** Timed steps an active worker runs in each of its phases. */
  stepsPerPhase: number;
  /** The active workers of each phase. */
  schedule: number[][];
  /** This worker's index in the pool. */
  worker: number;
  /** Two Int32 counters shared by the run's workers: arrivals at phase barriers, and timed parts finished. */
  counters: SharedArrayBuffer;
}

export interface PhasedResult {
  timings: PhaseTiming[];
  numTensorsGrowth: number;
}

/**
 * Runs the schedule's phases in step with the other workers. A worker that finishes its timed
 * steps before the phase's other active workers keeps computing, untimed, until they are done, so
 * that every timed step of a phase ran with all of that phase's workers computing.
 */
export async function resnetRefPhases(job: PhasedJob): Promise<PhasedResult> {
  const { once, dispose } = resnetRefStep(job.mode, job.batch, job.seed);
  for (let i = 0; i < job.warmup; i++) once();
  const counters = new Int32Array(job.counters);
  const parties = new Set(job.schedule.flat()).size;
  const waitUntil = (index: number, target: number) => {
    for (let seen = Atomics.load(counters, index); seen < target; seen = Atomics.load(counters, index)) Atomics.wait(counters, index, seen);
  };
  const tensorsBefore = tf.memory().numTensors;
  const timings: PhaseTiming[] = [];
  let finishedTarget = 0;
  for (let phase = 0; phase < job.schedule.length; phase++) {
    // Barrier: every worker arrives before any starts the phase.
    if (Atomics.add(counters, 0, 1) + 1 === parties * (phase + 1)) Atomics.notify(counters, 0);
    else waitUntil(0, parties * (phase + 1));
    const active = job.schedule[phase];
    finishedTarget += active.length;
    if (!active.includes(job.worker)) continue;
    const t0 = performance.now();
    for (let i = 0; i < job.stepsPerPhase; i++) once();
    timings.push({ phase, startedAt: performance.timeOrigin + t0, ms: performance.now() - t0 });
    Atomics.add(counters, 1, 1);
    while (Atomics.load(counters, 1) < finishedTarget) once();
  }
  const growth = tf.memory().numTensors - tensorsBefore;
  dispose();
  return { timings, numTensorsGrowth: growth };
}
