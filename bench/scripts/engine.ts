/**
 * npm run bench:engine: training and inference images/s of resnet_ref (32x32x3, 10 classes,
 * batch 64) on every backend that runs here, the aggregate over worker threads, and PyTorch 1.13
 * on the same architecture as a yardstick. Prints figures; asserts nothing.
 * The native backend is also measured on the main thread at 1 and 2 addon threads, each against
 * PyTorch with the same number of threads (issue #7's target: native train >= 0.8x).
 *   --train-iters N (3)  --infer-iters N (8)  --workers 1,2,16 (1, 2 and all cores)  --no-torch
 *   --cycles N (10): cycles of interleaved phases for the worker counts (bench/interleave.ts)
 *   --backends native,wasm (all that run here)
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuInfo } from '../../common/environment.js';
import { availableBackends, initBackend, type BackendName } from '../../engine/index.js';
import { nativeAddon } from '../../engine/native-backend.js';
import { WorkerPool } from '../../engine/workers.js';
import { interleavedSchedule, interleavedScaling, type CountScaling } from '../interleave.js';
import { createModel } from '../../training/models/index.js';
import { resnetRefThroughput, type PhasedJob, type PhasedResult, type ThroughputJob, type ThroughputResult } from './engine-job.js';

const BATCH = 64;
const { values: opts } = parseArgs({
  options: {
    'train-iters': { type: 'string', default: '3' },
    'infer-iters': { type: 'string', default: '8' },
    cycles: { type: 'string', default: '10' },
    workers: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    backends: { type: 'string' },
  },
});
const trainIters = Number(opts['train-iters']);
const inferIters = Number(opts['infer-iters']);
const cycles = Math.max(2, Number(opts.cycles));
const cores = cpuInfo().cores;
// One worker is always measured: it is the baseline of the scaling.
const workerCounts = [...new Set([1, ...(opts.workers ? opts.workers.split(',').map(Number) : [2, cores].filter((n) => n <= Math.max(cores, 2)))])].sort((a, b) => a - b);
if (workerCounts.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error(`bench:engine: --workers takes whole numbers >= 1 separated by commas (e.g. 1,2,4), got '${opts.workers}'`);
  process.exit(2);
}

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

const only = opts.backends?.split(',').map((b) => b.trim());
const backends = (await availableBackends()).filter((b) => !only || only.includes(b.name));
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

// The native backend at a given number of addon threads (main thread): the like-for-like
// comparison with PyTorch at the same thread count.
const nativeByThreads = new Map<number, { train: ThroughputResult; infer: ThroughputResult }>();
if (perBackend.has('native')) {
  await initBackend('native');
  const addon = nativeAddon()!;
  const configured = addon.info().threads;
  console.log('\nnative by addon threads (main thread; USIBENCH_NATIVE_THREADS sets the default, here ' + configured + '):');
  for (const t of [1, 2]) {
    addon.setThreads(t);
    const train = await resnetRefThroughput(job('train', trainIters));
    const infer = await resnetRefThroughput(job('infer', inferIters));
    nativeByThreads.set(t, { train, infer });
    console.log(`  ${t} thread(s)  train ${f1(train.imagesPerSec)} img/s (${train.msPerIter.toFixed(0)} ms/step)   infer ${f1(infer.imagesPerSec)} img/s`);
  }
  addon.setThreads(configured);
  await tf.setBackend('cpu');
}

// Worker counts are compared in interleaved phases of about a step each, in one pool (see
// bench/interleave.ts): the host's per-core speed drifts over seconds, and runs of one and of two
// workers taken ten seconds apart gave per-round ratios anywhere from 1.2x to 2.5x.
const aggregate = new Map<string, CountScaling>();
for (const backend of ['wasm', 'native'] as const) {
  if (!perBackend.has(backend)) continue;
  const poolSize = Math.max(...workerCounts);
  const schedule = interleavedSchedule(workerCounts, poolSize, cycles);
  console.log(`\nAll cores: ${backend}, one worker thread per job, ${cycles} cycles of interleaved phases (${workerCounts.join(', ')} workers computing; aggregate images/s, medians):`);
  const pool = await WorkerPool.create({ size: poolSize, backend });
  const url = new URL('./engine-job.ts', import.meta.url);
  const measure = async (mode: 'train' | 'infer', stepsPerPhase: number) => {
    const counters = new SharedArrayBuffer(8);
    const results = await Promise.all(
      Array.from({ length: poolSize }, (_, worker) =>
        pool.run<PhasedResult>(url, 'resnetRefPhases', { mode, batch: BATCH, seed: 1, warmup: 1, stepsPerPhase, schedule, worker, counters } satisfies PhasedJob),
      ),
    );
    const leaked = results.reduce((sum, r) => sum + r.numTensorsGrowth, 0);
    if (leaked !== 0) console.log(`  WARNING: ${leaked} tensors leaked over the ${mode} phases`);
    return interleavedScaling(schedule, results.map((r) => r.timings), BATCH * stepsPerPhase);
  };
  const train = await measure('train', 1);
  // An inference batch takes a fifth of a training step: a few per phase keep phases comparable.
  const infer = await measure('infer', 4);
  await pool.close();
  for (const [i, t] of train.entries()) {
    const n = t.workers;
    const inf = infer[i];
    aggregate.set(`${backend}:${n}:train`, t);
    aggregate.set(`${backend}:${n}:infer`, inf);
    const scale = t.scaling === undefined
      ? ''
      : `  (${t.scaling.toFixed(2)}x / ${inf.scaling!.toFixed(2)}x one worker; train per phase quartiles ${t.scalingQuartiles!.map((q) => q.toFixed(2)).join('-')})`;
    console.log(`  ${String(n).padStart(2)} worker(s)  train ${f1(t.imagesPerSec)} img/s   infer ${f1(inf.imagesPerSec)} img/s   peak RSS ${rssMiB()} MiB${scale}`);
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
const t1 = torch.find((r) => r.threads === 1);
const t2 = torch.find((r) => r.threads === 2);
if (wasm?.train && t1) console.log(`  wasm / PyTorch 1 thread:    train ${(wasm.train.imagesPerSec / t1.train).toFixed(2)}x   infer ${(wasm.infer.imagesPerSec / t1.infer).toFixed(2)}x`);
const nativeRatios: Array<{ threads: number; train: number }> = [];
for (const row of torch) {
  const n = nativeByThreads.get(row.threads);
  if (!n) continue;
  const train = n.train.imagesPerSec / row.train;
  nativeRatios.push({ threads: row.threads, train });
  console.log(`  native ${row.threads} thread(s) / PyTorch ${row.threads} thread(s): train ${train.toFixed(2)}x   infer ${(n.infer.imagesPerSec / row.infer).toFixed(2)}x`);
}
const w2 = { train: aggregate.get('wasm:2:train'), infer: aggregate.get('wasm:2:infer') };
const wScale = w2.train?.scaling;
if (wScale !== undefined) console.log(`  wasm two workers / one:     train ${wScale.toFixed(2)}x   infer ${w2.infer!.scaling!.toFixed(2)}x`);
if (w2.train && w2.infer && t2) console.log(`  wasm two workers / PyTorch 2 threads: train ${(w2.train.imagesPerSec / t2.train).toFixed(2)}x   infer ${(w2.infer.imagesPerSec / t2.infer).toFixed(2)}x`);

const ok = (b: boolean) => (b ? 'met' : 'NOT met');
if (nativeRatios.length) {
  console.log('\nTarget (issue #7): native train >= 0.8x PyTorch with the same number of threads');
  for (const r of nativeRatios) console.log(`  ${r.threads} thread(s) ${r.train.toFixed(2)}x: ${ok(r.train >= 0.8)}`);
}

console.log('\nTargets (2-core machine): wasm train >= 28 img/s, >= 1.8x with two workers, infer >= 150 img/s');
if (wasm?.train) {
  console.log(`  train one worker ${wasm.train.imagesPerSec.toFixed(1)}: ${ok(wasm.train.imagesPerSec >= 28)}`);
  if (wScale !== undefined) console.log(`  two-worker scaling ${wScale.toFixed(2)}x: ${ok(wScale >= 1.8)}`);
  console.log(`  infer one worker ${wasm.infer.imagesPerSec.toFixed(1)}: ${ok(wasm.infer.imagesPerSec >= 150)}`);
}
