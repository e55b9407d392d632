/**
 * A small, fully known results database for tests: two models per family with USI and baseline
 * runs on mnist, tfjs and onnxruntime benchmarks, one failed benchmark and an older night.
 * Every number is chosen by hand so expected fronts and gains can be worked out on paper.
 */
import type { Db } from '../index.js';
import type { Benchmark, BenchmarkStamp, ModelFacts, TrainingRun, TrainingStamp } from '../record.js';
import { recordBenchmark, recordTrainingRun } from '../record.js';
import type { ProtocolJson } from '../schema.js';

export const MNIST = { name: 'mnist', numClasses: 10, channels: 1, resolution: 28, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };

export const MODELS: Record<string, ModelFacts> = {
  resnet_a: { name: 'resnet_a', family: 'cnn', params: 600_000, gmacs: 0.04, gmacsResolution: 28, defaultResolution: 28 },
  mobile_b: { name: 'mobile_b', family: 'mobile', params: 120_000, gmacs: 0.005, gmacsResolution: 28, defaultResolution: 28 },
  vit_c: { name: 'vit_c', family: 'transformer', params: 300_000, gmacs: 0.02, gmacsResolution: 28, defaultResolution: 28 },
  mixer_d: { name: 'mixer_d', family: 'mlp', params: 250_000, gmacs: 0.015, gmacsResolution: 28, defaultResolution: 28 },
};

export function protocol(runtime: string, batchSize: number, date = '2025-01-02T03:04:05.000Z'): ProtocolJson {
  return {
    runtime,
    backend: runtime === 'tfjs' ? 'wasm' : 'cpu',
    device: 'Test CPU (2 cores)',
    cpuModel: 'Test CPU',
    cores: 2,
    gpu: null,
    precision: 'fp32',
    batchSize,
    resolution: 28,
    threads: runtime === 'tfjs' ? 1 : 2,
    versions: { node: '20.0.0' },
    gitCommit: 'abc1234',
    date,
  };
}

const ENVIRONMENT = { host: 'test', cpuModel: 'Test CPU', cores: 2, gpu: null, os: 'Linux', versions: { node: '20.0.0' } };

/** Splits overrides between a record and the stamp its job adds, by the stamp's keys. */
function split<R, S extends object>(record: R, stamp: S, extra: Partial<R & S>): [R, S] {
  const r = { ...record };
  const st = { ...stamp };
  for (const [k, v] of Object.entries(extra)) (k in stamp ? (st as Record<string, unknown>) : (r as Record<string, unknown>))[k] = v;
  return [r, st];
}

export function training(model: string, mode: 'usi' | 'baseline', top1: number, nightlyId: number | null, extra: Partial<TrainingRun & TrainingStamp> = {}): [TrainingRun, TrainingStamp] {
  const run: TrainingRun = {
    model,
    dataset: MNIST.name,
    recipeHash: mode === 'usi' ? 'recipe-usi' : 'recipe-base',
    seed: 0,
    epochs: 2,
    batchSize: 64,
    resolution: 28,
    trainLimit: 1000,
    testLimit: 200,
    curve: [
      { epoch: 1, loss: 1.5, lr: 0.001, top1: top1 - 0.1, top1Ema: top1 - 0.12 },
      { epoch: 2, loss: 0.9, lr: 0.0005, top1, top1Ema: top1 - 0.01 },
    ],
    top1Raw: top1,
    top5Raw: Math.min(1, top1 + 0.05),
    top1Ema: top1 - 0.01,
    top5Ema: Math.min(1, top1 + 0.04),
    best: 'raw',
    top1,
    top5: Math.min(1, top1 + 0.05),
    wallSeconds: 12.5,
    modelDir: `/tmp/${model}-${mode}`,
    backend: 'wasm',
    teacher: mode === 'usi' ? { dir: '/tmp/teacher', model: 'resnet_a', top1: 0.99 } : null,
    modelFacts: MODELS[model],
    datasetFacts: MNIST,
    recipe: { alphaKd: mode === 'usi' ? 5 : 0 },
    environment: ENVIRONMENT,
  };
  const stamp: TrainingStamp = { jobKey: `train:${model}:${mode}`, pairKey: `pair:${model}`, cohortKey: `cohort:${model}`, mode, teacherId: null, codeVersion: 'abc1234', nightlyId };
  return split(run, stamp, extra);
}

export function bench(model: string, trainingRunId: number, runtime: string, imagesPerSec: number | null, nightlyId: number | null, extra: Partial<Benchmark & BenchmarkStamp> = {}): [Benchmark, BenchmarkStamp] {
  const batch = 64;
  const ok = imagesPerSec !== null;
  const stepMs = ok ? (1000 * batch) / imagesPerSec : null;
  const record: Benchmark = {
    model,
    runtime,
    backend: runtime === 'tfjs' ? 'wasm' : 'cpu',
    device: 'Test CPU (2 cores)',
    precision: 'fp32',
    batchSize: batch,
    resolution: 28,
    params: MODELS[model].params ?? null,
    gmacs: MODELS[model].gmacs ?? null,
    imagesPerSec,
    stepMsMean: stepMs, stepMsMedian: stepMs, stepMsP90: ok ? 1 : null, stepMsP99: ok ? 2 : null, stepMsSd: ok ? 0.1 : null, rme: ok ? 1.5 : null, samples: ok ? 50 : null,
    stepMsSamples: null,
    latencyP50: ok ? 0.5 : null, latencyP90: ok ? 0.75 : null, latencyP99: ok ? 1.25 : null, latencyMean: ok ? 0.6 : null,
    latencySd: null, latencyRme: null, latencySamples: null,
    noisy: false,
    status: ok ? 'ok' : 'failed',
    error: ok ? null : 'onnx export failed: unsupported layer',
    protocol: protocol(runtime, batch),
    modelFacts: MODELS[model],
    environment: ENVIRONMENT,
  };
  return split<Benchmark, BenchmarkStamp>(record, { jobKey: `bench:${model}:${runtime}:${trainingRunId}`, trainingRunId, nightlyId }, extra);
}

/**
 * Seeds: USI top-1 resnet .98, mobile .95, vit .95, mixer .93; baselines .97, .93, .90 (no mixer
 * baseline). tfjs img/s: resnet 100, mobile 400, vit 200, mixer 400. onnxruntime: mobile fails.
 * The tfjs front is {resnet (best top-1), mobile (fastest, .95 beats mixer's .93), vit? no: vit
 * .95 at 200 is dominated by mobile .95 at 400}. So the front is resnet and mobile.
 */
export function seedResults(db: Db): Record<string, number> {
  const ids: Record<string, number> = {};
  const usi = { resnet_a: 0.98, mobile_b: 0.95, vit_c: 0.95, mixer_d: 0.93 };
  const base = { resnet_a: 0.97, mobile_b: 0.93, vit_c: 0.9 };
  const tfjsSpeed = { resnet_a: 100, mobile_b: 400, vit_c: 200, mixer_d: 400 };
  const ortSpeed = { resnet_a: 1500, mobile_b: null, vit_c: 900, mixer_d: 1200 };
  for (const [m, top1] of Object.entries(usi)) ids[`${m}:usi`] = recordTrainingRun(db, ...training(m, 'usi', top1, null));
  for (const [m, top1] of Object.entries(base)) ids[`${m}:baseline`] = recordTrainingRun(db, ...training(m, 'baseline', top1, null));
  for (const [m, ips] of Object.entries(tfjsSpeed)) recordBenchmark(db, ...bench(m, ids[`${m}:usi`], 'tfjs', ips, null));
  for (const [m, ips] of Object.entries(ortSpeed)) recordBenchmark(db, ...bench(m, ids[`${m}:usi`], 'onnxruntime', ips, null));
  return ids;
}
