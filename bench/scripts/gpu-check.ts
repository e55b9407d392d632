/**
 * The GPU path, checked end to end on a machine with a real GPU: the engine must pick webgpu on
 * its own (a hardware adapter), agree numerically with the cpu backend, train with the USI recipe
 * (teacher stage + KD student) and benchmark at a fixed batch and resolution with the protocol
 * recorded. Prints one JSON line per stage so that a run's log is its record.
 *
 *   tsx bench/scripts/gpu-check.ts [--backend webgpu] [--stages parity,train,bench]
 *                                  [--train-limit 10000] [--bench-time 3] [--out DIR]
 *
 * On a machine where node_modules cannot travel, run its esbuild bundle (docs/GPU.md).
 * Another backend (--backend wasm) lets the script itself be tried on a CPU machine.
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { availableBackends, initBackend, type BackendName } from '../../common/engine.js';
import { createModel } from '../../training/models/index.js';
import { trainModel } from '../../training/train.js';
import { benchmarkModel } from '../index.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const outDir = flag('--out') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-gpu-'));
const backend = (flag('--backend') ?? 'webgpu') as BackendName;
const trainLimit = Number(flag('--train-limit') ?? 10000);
const benchTime = Number(flag('--bench-time') ?? 3);
const stages = new Set((flag('--stages') ?? 'parity,train,bench').split(','));

function log(stage: string, data: object): void {
  console.log(JSON.stringify({ stage, ...data }));
}
/** Progress on stderr, so a run cut short by its time limit shows where it was. */
function note(what: string): void {
  console.error(`[${new Date().toISOString()}] ${what}`);
}

/**
 * Logits of the same weights and input on the backend under test and on cpu. Each backend builds
 * its own copy from the same seed (initialisers and the input draw in JS, so the values agree):
 * moving tensors between backends would read the GPU synchronously, which Node cannot do.
 */
async function logitsOn(name: string, on: BackendName): Promise<Float32Array> {
  await initBackend(on);
  const model = createModel(name, { numClasses: 10, inputShape: [32, 32, 3], seed: 1 });
  const x = tf.randomNormal([8, 32, 32, 3], 0, 1, 'float32', 7);
  const y = model.predict(x) as tf.Tensor;
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  model.dispose();
  return values;
}

async function parityStage(): Promise<void> {
  for (const name of ['resnet_ref', 'vit_tiny_s', 'mixer_s', 'mobilenetv3_s', 'convnext_s']) {
    const under = await logitsOn(name, backend);
    const ref = await logitsOn(name, 'cpu');
    let maxAbs = 0;
    let maxRef = 0;
    for (let i = 0; i < ref.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(under[i] - ref[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
    }
    log('parity', { model: name, backend, maxAbsDiff: maxAbs, maxAbsLogit: maxRef });
  }
}

/** The USI recipe: a cached teacher (trained here), then a KD student, on embedded MNIST. */
async function trainStage(): Promise<void> {
  note(`train resnet_ref (teacher auto) on ${trainLimit} MNIST images`);
  const t0 = Date.now();
  const result = await trainModel({
    model: 'resnet_ref',
    dataset: 'mnist',
    teacher: 'auto',
    teacherEpochs: 2,
    epochs: 2,
    batchSize: 128,
    seed: 0,
    trainLimit,
    testLimit: Math.min(2000, trainLimit),
    outDir: path.join(outDir, 'train'),
    cacheDir: path.join(outDir, 'cache'),
    backend,
    quiet: true,
  });
  log('train', {
    model: result.model,
    backend: result.backend,
    teacher: result.teacher,
    top1Raw: result.top1Raw,
    top1Ema: result.top1Ema,
    curve: result.curve,
    wallSeconds: result.wallSeconds,
    totalSeconds: (Date.now() - t0) / 1000,
  });
}

/** Throughput at fixed batch × resolution, with the protocol record. */
async function benchStage(): Promise<void> {
  const cases = [
    ['resnet_ref', 256, 32],
    ['resnet50', 64, 224],
    ['vit_small_patch16_224', 64, 224],
  ] as const;
  for (const [model, batchSize, resolution] of cases) {
    note(`bench ${model} batch ${batchSize} at ${resolution} px`);
    const r = await benchmarkModel({
      model,
      batchSize,
      resolution,
      runtime: 'tfjs',
      backend,
      precision: 'fp32',
      minTime: benchTime,
      minIters: 10,
      warmupTime: benchTime / 2,
      numClasses: 1000,
    });
    log('bench', {
      model,
      status: r.status,
      error: r.error,
      imagesPerSec: r.imagesPerSec,
      latencyP50: r.latencyP50,
      rme: r.rme,
      gmacs: r.gmacs,
      protocol: r.protocol,
    });
  }
}

log('backends', { available: await availableBackends() });
const auto = await initBackend('auto');
log('auto', { backend: auto.name, device: auto.device, versions: auto.versions });
if (stages.has('parity')) await parityStage();
if (stages.has('train')) await trainStage();
if (stages.has('bench')) await benchStage();
