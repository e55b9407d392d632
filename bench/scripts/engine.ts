/**
 * npm run bench:engine: training and inference images/s of resnet_ref (32x32x3, 10 classes,
 * batch 64) on every backend that runs here, the aggregate over worker threads, and PyTorch 1.13
 * on the same architecture as a yardstick. Prints figures; asserts nothing.
 *   --train-iters N (3)  --infer-iters N (8)  --workers 1,2,16 (1, 2 and all cores)  --no-torch
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuInfo } from '../../common/environment.js';
import { availableBackends, initBackend, type BackendName } from '../../engine/index.js';
import { WorkerPool } from '../../engine/workers.js';
import { createModel } from '../../training/models/index.js';
import { resnetRefThroughput, type ThroughputJob, type ThroughputResult } from './engine-job.js';

const BATCH = 64;
const { values: opts } = parseArgs({
  options: {
    'train-iters': { type: 'string', default: '3' },
    'infer-iters': { type: 'string', default: '8' },
    workers: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const trainIters = Number(opts['train-iters']);
const inferIters = Number(opts['infer-iters']);
const cores = cpuInfo().cores;
const workerCounts = opts.workers
  ? opts.workers.split(',').map(Number)
  : [...new Set([1, 2, cores])].filter((n) => n <= Math.max(cores, 2));

const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const f1 = (v: number) => v.toFixed(1).padStart(7);
const job = (mode: 'train' | 'infer', iters: number): ThroughputJob => ({ mode, batch: BATCH, warmup: 1, iters, seed: 1 });

{
  await tf.setBackend('cpu');
  const probe = createModel('resnet_ref', { numClasses: 10, inputShape: [32, 32, 3], seed: 1 });
  console.log(`resnet_ref: ${probe.countParams().toLocaleString('en')} params (incl. BN statistics), 32x32x3, 10 classes, batch ${BATCH}`);
  probe.dispose();
}
console.log(`machine: ${cpuInfo().model}, ${cores} cores, node ${process.versions.node}\n`);

const backends = await availableBackends();
const perBackend = new Map<BackendName, { train: ThroughputResult | null; infer: ThroughputResult }>();
console.log('One worker (main thread), per backend:');
for (const b of backends) {
  if (!b.available) {
    console.log(`  ${b.name.padEnd(10)} unavailable: ${b.reason}`);
    continue;
  }
  const info = await initBackend(b.name);
  // The pure-JS cpu backend takes minutes per training step: infer once, as the reference it is.
  const train = b.name === 'cpu' ? null : await resnetRefThroughput(job('train', trainIters));
  const infer = await resnetRefThroughput(job('infer', b.name === 'cpu' ? 1 : inferIters));
  perBackend.set(b.name, { train, infer });
  const trainText = train ? `train ${f1(train.imagesPerSec)} img/s (${train.msPerIter.toFixed(0)} ms/step)` : 'train  skipped (pure-JS reference, minutes a step)';
  console.log(`  ${b.name.padEnd(10)} ${trainText}   infer ${f1(infer.imagesPerSec)} img/s   peak RSS ${rssMiB()} MiB   [${info.device}, ${info.threads} thread(s)]`);
  if (train && train.numTensorsGrowth !== 0) console.log(`             WARNING: ${train.numTensorsGrowth} tensors leaked over ${train.iters} steps`);
}
await tf.setBackend('cpu');

const aggregate = new Map<string, { train: number; infer: number }>();
for (const backend of ['wasm', 'native'] as const) {
  if (!perBackend.has(backend)) continue;
  console.log(`\nAll cores: ${backend}, one worker thread per job (aggregate images/s):`);
  for (const n of workerCounts) {
    const pool = await WorkerPool.create({ size: n, backend });
    const url = new URL('./engine-job.ts', import.meta.url);
    const run = async (mode: 'train' | 'infer', iters: number) => {
      const rs = await Promise.all(Array.from({ length: n }, () => pool.run<ThroughputResult>(url, 'resnetRefThroughput', job(mode, iters))));
      return rs.reduce((s, r) => s + r.imagesPerSec, 0);
    };
    const train = await run('train', trainIters);
    const infer = await run('infer', inferIters);
    await pool.close();
    aggregate.set(`${backend}:${n}`, { train, infer });
    const one = aggregate.get(`${backend}:1`);
    const scale = one && n > 1 ? `  (${(train / one.train).toFixed(2)}x / ${(infer / one.infer).toFixed(2)}x one worker)` : '';
    console.log(`  ${String(n).padStart(2)} worker(s)  train ${f1(train)} img/s   infer ${f1(infer)} img/s   peak RSS ${rssMiB()} MiB${scale}`);
  }
}

type TorchRow = { threads: number; train: number; infer: number };
let torch: TorchRow[] = [];
if (!opts['no-torch']) {
  console.log('\nPyTorch (same architecture, /usr/bin/python3 bench/scripts/engine_torch.py):');
  const script = fileURLToPath(new URL('./engine_torch.py', import.meta.url));
  const py = '/usr/bin/python3';
  if (!existsSync(py)) {
    console.log(`  skipped: ${py} not found`);
  } else {
    const r = spawnSync(py, [script, '--batch', String(BATCH), '--threads', '1,2', '--train-iters', String(trainIters), '--infer-iters', String(inferIters)], { encoding: 'utf8' });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    let parsed: { skipped?: string; params?: number; rows?: TorchRow[]; version?: string } = {};
    try {
      parsed = JSON.parse(last);
    } catch {
      parsed = { skipped: `engine_torch.py failed: ${(r.stderr || last).trim().split('\n').pop()}` };
    }
    if (parsed.skipped) console.log(`  skipped: ${parsed.skipped}`);
    else {
      torch = parsed.rows ?? [];
      console.log(`  torch ${parsed.version}, ${parsed.params?.toLocaleString('en')} params + BN statistics`);
      for (const row of torch) console.log(`  ${row.threads} thread(s)   train ${f1(row.train)} img/s   infer ${f1(row.infer)} img/s`);
    }
  }
}

console.log('\nRatios:');
const wasm = perBackend.get('wasm');
const native = perBackend.get('native');
const t1 = torch.find((r) => r.threads === 1);
const t2 = torch.find((r) => r.threads === 2);
if (wasm?.train && t1) console.log(`  wasm / PyTorch 1 thread:    train ${(wasm.train.imagesPerSec / t1.train).toFixed(2)}x   infer ${(wasm.infer.imagesPerSec / t1.infer).toFixed(2)}x`);
if (native?.train && t1) console.log(`  native / PyTorch 1 thread:  train ${(native.train.imagesPerSec / t1.train).toFixed(2)}x   infer ${(native.infer.imagesPerSec / t1.infer).toFixed(2)}x`);
const w1 = aggregate.get('wasm:1');
const w2 = aggregate.get('wasm:2');
if (w1 && w2) console.log(`  wasm two workers / one:     train ${(w2.train / w1.train).toFixed(2)}x   infer ${(w2.infer / w1.infer).toFixed(2)}x`);
if (w2 && t2) console.log(`  wasm two workers / PyTorch 2 threads: train ${(w2.train / t2.train).toFixed(2)}x   infer ${(w2.infer / t2.infer).toFixed(2)}x`);

console.log('\nTargets (2-core machine): wasm train >= 28 img/s, >= 1.8x with two workers, infer >= 150 img/s');
if (wasm?.train) {
  const ok = (b: boolean) => (b ? 'met' : 'NOT met');
  console.log(`  train one worker ${wasm.train.imagesPerSec.toFixed(1)}: ${ok(wasm.train.imagesPerSec >= 28)}`);
  if (w1 && w2) console.log(`  two-worker scaling ${(w2.train / w1.train).toFixed(2)}x: ${ok(w2.train / w1.train >= 1.8)}`);
  console.log(`  infer one worker ${wasm.infer.imagesPerSec.toFixed(1)}: ${ok(wasm.infer.imagesPerSec >= 150)}`);
}
