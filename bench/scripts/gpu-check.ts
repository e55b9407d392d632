/**
 * The GPU path, checked end to end on a machine with a real GPU: the engine must pick webgpu on
 * its own (a hardware adapter), agree numerically with the cpu backend, train with the USI recipe
 * (teacher stage + KD student) and benchmark at a fixed batch and resolution with the protocol
 * recorded. Prints one JSON line per stage so a run's log is the record.
 *
 * Run: tsx bench/scripts/gpu-check.ts [--out DIR]   (or the esbuild bundle of it, where
 * node_modules cannot travel; see docs/GPU.md)
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { availableBackends, initBackend, type BackendName } from '../../engine/index.js';
import { benchmarkModel } from '../index.js';
import { createModel } from '../../training/models/index.js';
import { trainModel } from '../../training/train.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const outDir = flag('--out') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-gpu-'));
// The backend under test; another one (wasm) lets the script itself be tried on a CPU machine.
const backend = (flag('--backend') ?? 'webgpu') as BackendName;
const trainLimit = Number(flag('--train-limit') ?? 10000);
const log = (stage: string, data: unknown) => console.log(JSON.stringify({ stage, ...(data as object) }));

// 1. What the engine sees, and what 'auto' picks.
log('backends', { available: await availableBackends() });
const auto = await initBackend('auto');
log('auto', { backend: auto.name, device: auto.device, versions: auto.versions });

// 2. Numerical agreement of webgpu with the cpu reference on the same weights and input.
for (const name of ['resnet_ref', 'vit_tiny_s', 'mixer_s', 'mobilenetv3_s', 'convnext_s']) {
  await initBackend(backend);
  const model = createModel(name, { numClasses: 10, inputShape: [32, 32, 3], seed: 1 });
  const x = tf.randomNormal([8, 32, 32, 3], 0, 1, 'float32', 7);
  const logits = async () => {
    const y = model.predict(x) as tf.Tensor;
    const values = await y.data();
    y.dispose();
    return values;
  };
  const gpu = await logits();
  await initBackend('cpu');
  const cpu = await logits();
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < cpu.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(gpu[i] - cpu[i]));
    maxRef = Math.max(maxRef, Math.abs(cpu[i]));
  }
  log('parity', { model: name, backend, maxAbsDiff: maxAbs, maxAbsLogit: maxRef });
  model.dispose();
  x.dispose();
}

// 3. The USI recipe on the GPU: a cached teacher, then a KD student, on embedded MNIST.
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
  backend: result.backend.name,
  device: result.backend.device,
  teacher: result.teacher,
  top1Raw: result.top1Raw,
  top1Ema: result.top1Ema,
  curve: result.curve,
  wallSeconds: result.wallSeconds,
  totalSeconds: (Date.now() - t0) / 1000,
});

// 4. Throughput at fixed batch × resolution, protocol recorded.
for (const [model, batchSize, resolution] of [
  ['resnet_ref', 256, 32],
  ['resnet50', 64, 224],
  ['vit_small_patch16_224', 64, 224],
] as const) {
  const r = await benchmarkModel({
    model,
    batchSize,
    resolution,
    runtime: 'tfjs',
    backend,
    precision: 'fp32',
    minTime: 3,
    minIters: 10,
    warmupTime: 2,
    numClasses: 1000,
  });
  log('bench', {
    model,
    status: r.status,
    error: r.error,
    imagesPerSec: r.imagesPerSec,
    latencyP50: r.latency?.p50,
    rme: r.throughput?.rme,
    gmacs: r.gmacs,
    protocol: r.protocol,
  });
}
