// Development probe: per-kernel wall time of resnet_ref (or --model=NAME) training steps on the native
// backend at each thread count in one process, and the page faults and CPU time of one step.
//   npx tsx bench/scripts/native/step-profile.mts [--threads=1,2] [--steps=3] [--top=18] [--model=resnet_ref]
import * as tf from '@tensorflow/tfjs';
import { initBackend, nativeAddon } from '../../../common/engine.js';
import { createModel } from '../../../training/models/index.js';
const args = process.argv.slice(2);
const model_ = args.find((a) => a.startsWith('--model='))?.slice(8) ?? 'resnet_ref';
const steps = Number(args.find((a) => a.startsWith('--steps='))?.slice(8) ?? 3);
const threadList = (args.find((a) => a.startsWith('--threads='))?.slice(10) ?? '1,2').split(',').map(Number);
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 18);
// Through the engine, as training and bench:engine use it (its gradient fixes included).
await initBackend('native');
const spent = new Map<string, { ms: number; n: number }>();
for (const k of tf.getKernelsForBackend('native')) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'native');
  tf.registerKernel({ ...k, kernelFunc: (a) => { const t = performance.now(); try { return f(a); } finally { const e = spent.get(k.kernelName) ?? { ms: 0, n: 0 }; e.ms += performance.now() - t; e.n++; spent.set(k.kernelName, e); } } });
}
const batch = 64;
const model = createModel(model_, { numClasses: 10, inputShape: [32, 32, 3], seed: 1 });
const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 2);
const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 3), 10);
const sgd = tf.train.sgd(0.01);
const step = () => { const loss = sgd.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor), true); loss!.dataSync(); loss!.dispose(); };
const res: Array<{ step: number; k: Map<string, { ms: number; n: number }> }> = [];
for (const t of threadList) {
  nativeAddon()!.setThreads(t);
  step();
  const before = tf.memory().numTensors;
  spent.clear();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const ms = (performance.now() - t0) / steps;
  res.push({ step: ms, k: new Map([...spent].map(([n, e]) => [n, { ms: e.ms / steps, n: e.n / steps }])) });
  console.log(`threads ${t}: ${ms.toFixed(1)} ms/step = ${(batch * 1000 / ms).toFixed(1)} img/s; tensors growth ${tf.memory().numTensors - before}`);
}
const names = [...res[0].k].sort((a, b) => b[1].ms - a[1].ms).map(([n]) => n);
console.log(`${'kernel'.padEnd(30)} ${threadList.map((t) => `${t}thr ms`.padStart(9)).join(' ')}   calls`);
let shown = 0;
for (const n of names) {
  if (shown++ >= top) break;
  console.log(`${n.padEnd(30)} ${res.map((r) => (r.k.get(n)?.ms ?? 0).toFixed(1).padStart(9)).join(' ')}   ${res[0].k.get(n)!.n}`);
}
for (const [i, t] of threadList.entries()) {
  const inK = [...res[i].k.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`threads ${t}: in kernels ${inK.toFixed(1)} ms, outside kernels (tape, JS) ${(res[i].step - inK).toFixed(1)} ms`);
}
{
  const r0 = process.resourceUsage();
  const t0 = performance.now();
  step();
  const r1 = process.resourceUsage();
  console.log(`one step at ${nativeAddon()!.info().threads} threads: ${(performance.now() - t0).toFixed(1)} ms, minor page faults ${r1.minorPageFault - r0.minorPageFault}, user ${((r1.userCPUTime - r0.userCPUTime) / 1000).toFixed(0)} ms, sys ${((r1.systemCPUTime - r0.systemCPUTime) / 1000).toFixed(0)} ms`);
}
