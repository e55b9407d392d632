/**
 * Development probe for the native backend: resnet_ref (32x32x3, batch 64) training and inference
 * images/s on a chosen backend, and with --profile the kernels that take the time in one training
 * step. The record for the project is `npm run bench:engine`; this is for optimising kernels.
 *   npx tsx bench/scripts/native/train-speed.mts [--backend native] [--threads N] [--steps 5] [--profile]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import '../../../common/engine.js';
import { nativeAddon, registerNativeBackend } from '@usibench/engine';
import { createModel } from '../../../training/models/index.js';

const { values: opt } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    threads: { type: 'string' },
    steps: { type: 'string', default: '5' },
    batch: { type: 'string', default: '64' },
    model: { type: 'string', default: 'resnet_ref' },
    profile: { type: 'boolean', default: false },
  },
});
if (opt.threads) process.env.USIBENCH_NATIVE_THREADS = opt.threads;
const reg = await registerNativeBackend();
if (opt.backend === 'native' && !reg.available) throw new Error(reg.reason ?? 'native backend unavailable');
await tf.setBackend(opt.backend!);
await tf.ready();

const batch = Number(opt.batch), steps = Number(opt.steps);
const model = createModel(opt.model!, { numClasses: 10, inputShape: [32, 32, 3], seed: 1 });
const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 2);
const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 3), 10);
const sgd = tf.train.momentum(0.01, 0.9);
const trainStep = () => {
  const loss = sgd.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor), true);
  loss!.dataSync();
  loss!.dispose();
};
const inferStep = () => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());

function time(label: string, fn: () => void) {
  fn();
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) fn();
  const s = (performance.now() - t0) / 1000 / steps;
  const leaked = tf.memory().numTensors - before;
  console.log(`${opt.backend} ${label}: ${(batch / s).toFixed(1)} img/s (${(s * 1000).toFixed(1)} ms/step, threads ${reg.threads}${leaked ? `, LEAKED ${leaked} tensors` : ''})`);
}
time('train', trainStep);
time('infer', inferStep);

if (opt.profile && nativeAddon()) {
  // Time spent inside each addon entry point over one training step (the rest is tfjs and JS).
  const addon = nativeAddon() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const spent = new Map<string, { ms: number; n: number }>();
  const originals = { ...addon };
  for (const key of Object.keys(addon)) {
    const fn = addon[key];
    addon[key] = (...a: unknown[]) => {
      const t = performance.now();
      try {
        return fn(...a);
      } finally {
        const e = spent.get(key) ?? { ms: 0, n: 0 };
        e.ms += performance.now() - t;
        e.n++;
        spent.set(key, e);
      }
    };
  }
  const t0 = performance.now();
  trainStep();
  const stepMs = performance.now() - t0;
  let inside = 0;
  for (const [k, e] of [...spent].sort((p, q) => q[1].ms - p[1].ms)) {
    inside += e.ms;
    console.log(`addon.${k.padEnd(26)} ${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(4)}x`);
  }
  console.log(`step ${stepMs.toFixed(1)} ms, inside the addon ${inside.toFixed(1)} ms, elsewhere ${(stepMs - inside).toFixed(1)} ms`);
  Object.assign(addon, originals);
}

if (opt.profile) {
  const prof = await tf.profile(trainStep);
  const by = new Map<string, { ms: number; n: number }>();
  let total = 0;
  for (const k of prof.kernels) {
    const ms = Number(k.kernelTimeMs) || 0;
    const e = by.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += ms;
    e.n++;
    total += ms;
    by.set(k.name, e);
  }
  console.log(`kernel time in one step: ${total.toFixed(1)} ms over ${prof.kernels.length} kernels`);
  for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
    console.log(`${name.padEnd(36)} ${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(4)}x ${((100 * e.ms) / total).toFixed(1).padStart(5)}%`);
  }
}
