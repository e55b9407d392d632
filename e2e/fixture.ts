/**
 * Fixture databases for the site's end-to-end tests and its load benchmark, written through db/'s
 * own writers so they have exactly the shape a nightly leaves behind. Every number is chosen by
 * hand (see FRONT below) so the tests can state what the chart must show.
 */
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import { closeDb, openDb, type Db } from '../db/index.js';
import { recordBenchmark, recordTrainingRun, type Benchmark, type BenchmarkStamp, type ModelFacts, type TrainingRun, type TrainingStamp } from '../db/record.js';
import { benchmarkResults, jobs, nightlyRuns, trainingRuns, type ProtocolJson } from '../db/schema.js';
import type { Family } from '../training/models/registry.js';

const MNIST = { name: 'mnist', numClasses: 10, channels: 1, resolution: 28, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };
export const DEVICE = 'Test Xeon (2 cores)';
export const NIGHTS = ['2025-06-01T02:00:00.000Z', '2025-06-02T02:00:00.000Z'] as const;

/** A model name with characters that must survive URLs, HTML and CSV. */
export const SPECIAL_MODEL = 'vit/s+16 "β" & <x>';

interface Seed {
  family: Family;
  params: number;
  gmacs: number;
  /** Top-1, the mean over `seeds` where there are several. */
  usi: number;
  baseline: number;
  /**
   * Top-1 at each seed, for a backbone trained as a multi-seed nightly trains it: both modes at
   * every seed, only the USI run at the first seed benchmarked (its baselines sit at that speed).
   * Without it: one seed, and every run benchmarked.
   */
  seeds?: { usi: readonly number[]; baseline: readonly number[] };
  /** tfjs/wasm images/s on night 1 and night 2. */
  tfjs: [number, number];
  /** onnxruntime/cpu images/s (night 2 only), null: not benchmarked there. */
  ort: number | null;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The backbone over two seeds whose USI and baseline runs overlap: its paired differences
 * (+0.004, +0.008) average +0.6 points, but two pairs give an interval that contains 0, so its gain
 * is not significant. Spreads small enough to leave the other arrows room for their heads; off
 * every front (levit_s is faster and more accurate in both modes).
 */
export const OVERLAPPING_MODEL = 'regnet_s';
const OVERLAPPING = { usi: [0.975, 0.977], baseline: [0.971, 0.969] } as const;

export const SEEDS: Record<string, Seed> = {
  resnet_m: { family: 'cnn', params: 1_200_000, gmacs: 0.09, usi: 0.988, baseline: 0.984, tfjs: [410, 400], ort: 2100 },
  resnet_s: { family: 'cnn', params: 600_000, gmacs: 0.04, usi: 0.982, baseline: 0.975, tfjs: [880, 900], ort: 3900 },
  levit_s: { family: 'transformer', params: 900_000, gmacs: 0.05, usi: 0.985, baseline: 0.979, tfjs: [1500, 1200], ort: 4200 },
  vit_tiny: { family: 'transformer', params: 700_000, gmacs: 0.06, usi: 0.978, baseline: 0.96, tfjs: [600, 600], ort: null },
  mobilenet_v3: { family: 'mobile', params: 300_000, gmacs: 0.01, usi: 0.975, baseline: 0.962, tfjs: [2400, 2500], ort: 9000 },
  tiny_mobile: { family: 'mobile', params: 90_000, gmacs: 0.004, usi: 0.955, baseline: 0.94, tfjs: [4100, 4000], ort: 15000 },
  mixer_s: { family: 'mlp', params: 500_000, gmacs: 0.03, usi: 0.97, baseline: 0.95, tfjs: [800, 800], ort: null },
  [SPECIAL_MODEL]: { family: 'transformer', params: 800_000, gmacs: 0.07, usi: 0.96, baseline: 0.955, tfjs: [300, 300], ort: null },
  [OVERLAPPING_MODEL]: { family: 'cnn', params: 650_000, gmacs: 0.05, usi: mean(OVERLAPPING.usi), baseline: mean(OVERLAPPING.baseline), seeds: OVERLAPPING, tfjs: [700, 700], ort: null },
};

/**
 * The USI Pareto front of the default view (tfjs/wasm, newest night), worked out by hand:
 * resnet_m has the best top-1; levit_s is faster than everything more accurate; mobilenet_v3 and
 * tiny_mobile are the fast end. resnet_s (.982@900) loses to levit_s (.985@1200), vit_tiny and
 * mixer_s to levit_s and mobilenet_v3, the special model and regnet_s to levit_s.
 */
export const FRONT_TFJS_USI = ['resnet_m', 'levit_s', 'mobilenet_v3', 'tiny_mobile'];
/** onnxruntime/cpu, USI: resnet_m .988@2100, levit_s .985@4200, mobilenet_v3 .975@9000, tiny_mobile .955@15000 beat resnet_s .982@3900. */
export const FRONT_ORT_USI = ['resnet_m', 'levit_s', 'mobilenet_v3', 'tiny_mobile'];

/** levit_s drops from 1500 to 1200 images/s between the nights: a 20% speed regression. */
export const REGRESSED_MODEL = 'levit_s';

/**
 * A regression is a lasting change of level (db/regression.ts needs three measurements on each
 * side of it), so levit_s is re-benchmarked by hand (`usibench bench`, no nightly) between the two
 * nights: five times more at night 1's level, then five times at night 2's. Each entry: hours
 * after night 1, images/s. The first slow one follows a 1500 exactly, so its change reads -20.0%.
 */
const REBENCHES: readonly (readonly [hours: number, imagesPerSec: number])[] = [
  [2, 1490], [4, 1510], [6, 1495], [8, 1505], [10, 1500],
  [12, 1200], [14, 1190], [16, 1210], [18, 1195], [20, 1205],
];

function protocol(runtime: string, backend: string, batchSize: number, date: string): ProtocolJson {
  return {
    runtime,
    backend,
    device: DEVICE,
    cpuModel: 'Test Xeon',
    cores: 2,
    gpu: null,
    precision: 'fp32',
    batchSize,
    resolution: 28,
    threads: 2,
    versions: { node: '20.20.2', '@tensorflow/tfjs-core': '4.22.0' },
    gitCommit: 'f1x7ure',
    date,
  };
}

function modelFacts(name: string, s: Seed): ModelFacts {
  return { name, family: s.family, params: s.params, gmacs: s.gmacs, gmacsResolution: 28, defaultResolution: 28 };
}

const ENVIRONMENT = { host: 'ci-host', cpuModel: 'Test Xeon', cores: 2, gpu: null, os: 'Linux', versions: { node: '20.0.0' } };

function training(name: string, s: Seed, mode: 'usi' | 'baseline', nightlyId: number, epochs = 4, seed = 0): [TrainingRun, TrainingStamp] {
  const top1 = s.seeds ? s.seeds[mode][seed] : mode === 'usi' ? s.usi : s.baseline;
  const curve = Array.from({ length: epochs }, (_, i) => {
    const t = (i + 1) / epochs;
    return { epoch: i + 1, loss: 2.3 * Math.exp(-2.5 * t) + 0.1, lr: 2e-3 * 0.5 * (1 + Math.cos(Math.PI * t)) + 1e-6, top1: top1 - 0.2 * (1 - t) ** 2, top1Ema: top1 - 0.25 * (1 - t) ** 2 - 0.002 };
  });
  const run: TrainingRun = {
    model: name,
    dataset: MNIST.name,
    recipeHash: 'usi-recipe-0001',
    seed,
    epochs,
    batchSize: 64,
    resolution: 28,
    trainLimit: 2000,
    testLimit: 500,
    curve,
    top1Raw: top1,
    top5Raw: Math.min(1, top1 + 0.01),
    top1Ema: top1 - 0.002,
    top5Ema: Math.min(1, top1 + 0.008),
    best: 'raw',
    top1,
    top5: Math.min(1, top1 + 0.01),
    wallSeconds: 30 + s.params / 20_000,
    modelDir: `runs/${name}-${mode}-${seed}`,
    backend: 'wasm',
    teacher: mode === 'usi' ? { dir: 'runs/teacher', model: 'resnet_m', top1: 0.995 } : null,
    modelFacts: modelFacts(name, s),
    datasetFacts: MNIST,
    recipe: { alphaKd: mode === 'usi' ? 5 : 0, lr: 2e-3, weightDecay: 2e-2 },
    environment: ENVIRONMENT,
  };
  // as the nightly keys them: a pair per seed (USI and baseline), a cohort over the seeds
  return [run, { jobKey: `train:${name}:${mode}:${seed}`, pairKey: `pair:${name}:${seed}`, cohortKey: `cohort:${name}`, mode, teacherId: null, codeVersion: 'f1x7ure', nightlyId }];
}

function bench(name: string, s: Seed, runId: number, runtime: string, backend: string, ips: number, nightlyId: number | null, date: string): [Benchmark, BenchmarkStamp] {
  const batch = 32;
  const stepMs = (1000 * batch) / ips;
  const latency = stepMs / batch;
  const record: Benchmark = {
    model: name,
    runtime,
    backend,
    device: DEVICE,
    precision: 'fp32',
    batchSize: batch,
    resolution: 28,
    params: s.params,
    gmacs: s.gmacs,
    imagesPerSec: ips,
    stepMsMean: stepMs, stepMsMedian: stepMs, stepMsP90: stepMs * 1.05, stepMsP99: stepMs * 1.1, stepMsSd: stepMs * 0.02, rme: 1.2, samples: 40,
    stepMsSamples: null,
    latencyP50: latency + 0.3, latencyP90: latency + 0.4, latencyP99: latency + 0.6, latencyMean: latency + 0.32, latencySd: null, latencyRme: null, latencySamples: null,
    noisy: false,
    status: 'ok',
    error: null,
    protocol: protocol(runtime, backend, batch, date),
    modelFacts: modelFacts(name, s),
    environment: ENVIRONMENT,
  };
  // a nightly-less re-run is its own job (its inputs differ by the time it was asked for)
  const jobKey = `bench:${name}:${runtime}:${runId}` + (nightlyId === null ? `@${date}` : '');
  return [record, { jobKey, trainingRunId: runId, nightlyId }];
}

function addNightly(db: Db, startedAt: string, status: 'succeeded' | 'failed'): number {
  const ended = new Date(Date.parse(startedAt) + 47 * 60_000).toISOString();
  return db
    .insert(nightlyRuns)
    .values({ startedAt, endedAt: ended, status, gitCommit: 'f1x7ure', host: 'ci-host', pid: 4242, preset: 'quick', config: { preset: 'quick' } })
    .returning({ id: nightlyRuns.id })
    .get().id;
}

function addJob(db: Db, nightlyId: number, kind: 'train' | 'bench', label: string, status: 'succeeded' | 'failed', at: string, error: string | null = null): void {
  db.insert(jobs).values({ nightlyId, kind, key: `${kind}:${label}`, label, status, error, startedAt: at, endedAt: at, inputs: {} }).run();
}

/** Sets the stored times to the fixture's night (the writers stamp "now"). */
function stamp(db: Db, trainingIds: number[], benchIds: number[], at: string): void {
  for (const id of trainingIds) db.update(trainingRuns).set({ createdAt: at }).where(eq(trainingRuns.id, id)).run();
  for (const id of benchIds) db.update(benchmarkResults).set({ createdAt: at }).where(eq(benchmarkResults.id, id)).run();
}

function fresh(file: string): Db {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  return openDb(file);
}

/** The e2e fixture: 9 models in 4 families, USI and baseline, two nights, tfjs and onnxruntime; one model over two seeds. */
export function createFixtureDb(file: string): void {
  const db = fresh(file);
  try {
    NIGHTS.forEach((night, n) => {
      const nightlyId = addNightly(db, night, n === 0 ? 'failed' : 'succeeded');
      const tIds: number[] = [];
      const bIds: number[] = [];
      for (const [name, s] of Object.entries(SEEDS)) {
        if (s.seeds) {
          const ids = addSeeded(db, name, s, s.seeds, nightlyId, n);
          tIds.push(...ids.training);
          bIds.push(...ids.bench);
          continue;
        }
        for (const mode of ['usi', 'baseline'] as const) {
          const runId = recordTrainingRun(db, ...training(name, s, mode, nightlyId));
          tIds.push(runId);
          addJob(db, nightlyId, 'train', `${name} ${mode}`, 'succeeded', night);
          bIds.push(recordBenchmark(db, ...bench(name, s, runId, 'tfjs', 'wasm', s.tfjs[n], nightlyId, night)));
          addJob(db, nightlyId, 'bench', `${name} ${mode} tfjs`, 'succeeded', night);
          if (n === 1 && s.ort !== null) {
            // The baseline runs at the same speed as its USI twin: same graph, other weights.
            bIds.push(recordBenchmark(db, ...bench(name, s, runId, 'onnxruntime', 'cpu', s.ort, nightlyId, night)));
            addJob(db, nightlyId, 'bench', `${name} ${mode} onnxruntime`, 'succeeded', night);
          }
        }
      }
      if (n === 0) addJob(db, nightlyId, 'bench', 'vit_tiny usi onnxruntime', 'failed', night, 'onnx export failed: unsupported op');
      stamp(db, tIds, bIds, night);
      if (n === 0) rebenchRegressed(db, tIds, night);
    });
  } finally {
    closeDb(db);
  }
}

/**
 * A multi-seed backbone's night (see Seed.seeds): both modes at each seed, the USI run at the
 * first seed benchmarked on tfjs. Returns the ids of what it stored.
 */
function addSeeded(db: Db, name: string, s: Seed, seeds: NonNullable<Seed['seeds']>, nightlyId: number, n: number): { training: number[]; bench: number[] } {
  const night = NIGHTS[n];
  const ids = { training: [] as number[], bench: [] as number[] };
  seeds.usi.forEach((_, seed) => {
    for (const mode of ['usi', 'baseline'] as const) {
      const runId = recordTrainingRun(db, ...training(name, s, mode, nightlyId, 4, seed));
      ids.training.push(runId);
      addJob(db, nightlyId, 'train', `${name} ${mode} seed ${seed}`, 'succeeded', night);
      if (mode !== 'usi' || seed !== 0) continue;
      ids.bench.push(recordBenchmark(db, ...bench(name, s, runId, 'tfjs', 'wasm', s.tfjs[n], nightlyId, night)));
      addJob(db, nightlyId, 'bench', `${name} tfjs`, 'succeeded', night);
    }
  });
  return ids;
}

/** REBENCHES of the regressed model's tfjs speed, for both of night 1's training runs (USI and baseline). */
function rebenchRegressed(db: Db, nightTrainingIds: readonly number[], night: string): void {
  const s = SEEDS[REGRESSED_MODEL];
  const runs = db.select({ id: trainingRuns.id }).from(trainingRuns).where(eq(trainingRuns.model, REGRESSED_MODEL)).all();
  for (const { id } of runs.filter((r) => nightTrainingIds.includes(r.id))) {
    for (const [hours, ips] of REBENCHES) {
      const at = new Date(Date.parse(night) + hours * 3_600_000).toISOString();
      stamp(db, [], [recordBenchmark(db, ...bench(REGRESSED_MODEL, s, id, 'tfjs', 'wasm', ips, null, at))], at);
    }
  }
}

/** A database with the schema and no results: the site must show its empty state. */
export function createEmptyDb(file: string): void {
  closeDb(fresh(file));
}

/**
 * The load benchmark's database: `models` backbones × USI and baseline, one benchmark each, all
 * under one protocol, so the "both" view plots every row (2 × models points plus the gain arrows).
 */
export function createLoadDb(file: string, models = 1000): number {
  const db = fresh(file);
  const families: Family[] = ['cnn', 'mobile', 'transformer', 'mlp'];
  let rows = 0;
  try {
    const nightlyId = addNightly(db, NIGHTS[1], 'succeeded');
    db.$client.transaction(() => {
      for (let i = 0; i < models; i++) {
        // Spread over 2.5 decades of speed, accuracy falling with speed plus a deterministic wobble.
        const ips = 100 * 10 ** ((2.5 * i) / models);
        const usi = 0.99 - 0.08 * (i / models) - 0.01 * ((i * 7919) % 13) / 13;
        const s: Seed = { family: families[i % 4], params: 100_000 + i * 1000, gmacs: 0.01 + i / 1e4, usi, baseline: usi - 0.01 - 0.005 * (i % 3), tfjs: [ips, ips], ort: null };
        const name = `model_${String(i).padStart(4, '0')}`;
        // as the nightly does: the USI run is benchmarked, its baseline is placed at that speed
        for (const mode of ['usi', 'baseline'] as const) {
          const runId = recordTrainingRun(db, ...training(name, s, mode, nightlyId, 2));
          if (mode === 'usi') recordBenchmark(db, ...bench(name, s, runId, 'tfjs', 'wasm', ips, nightlyId, NIGHTS[1]));
          rows++;
        }
      }
    })();
  } finally {
    closeDb(db);
  }
  return rows;
}
