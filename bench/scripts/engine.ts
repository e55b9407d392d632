/**
 * npm run bench:engine: training and inference images/s of resnet_ref (32x32x3, 10 classes,
 * batch 64) on every backend that runs here, the aggregate over worker threads, and PyTorch 1.13
 * on the same architecture as a yardstick. Prints figures; asserts nothing.
 * The native backend is also measured on the main thread at 1 and 2 addon threads, each against
 * PyTorch with the same number of threads (issue #7's target: native train >= 0.8x).
 *   --train-iters N (3)  --infer-iters N (8)  --workers 1,2,16 (1, 2 and all cores)  --no-torch
 *   --cycles N (10): cycles of interleaved phases for the worker counts (bench/interleave.ts)
 *   --rounds N (3): interleaved rounds of native and PyTorch at 1 and 2 threads, medians printed
 *   --backends native,wasm (all that run here)
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuInfo } from '../../common/environment.js';
import { WorkerPool, availableBackends, initBackend, nativeAddon, type BackendName } from '../../common/engine.js';
import { median } from '../stats.js';
import { interleavedSchedule, interleavedScaling, type CountScaling } from '../interleave.js';
import { createModel } from '../../training/models/index.js';
import { resnetRefThroughput, type PhasedJob, type PhasedResult, type ThroughputJob, type ThroughputResult } from './engine-job.js';

const BATCH = 64;
const { values: opts } = parseArgs({
  options: {
    'train-iters': { type: 'string', default: '3' },
    'infer-iters': { type: 'string', default: '8' },
    cycles: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    workers: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    backends: { type: 'string' },
  },
});
const trainIters = Number(opts['train-iters']);
const inferIters = Number(opts['infer-iters']);
const cycles = Math.max(2, Number(opts.cycles));
const rounds = Math.max(1, Number(opts.rounds));
const PYTHON = '/usr/bin/python3';
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

// Worker counts are compared in interleaved phases of about a step each, in one pool (see
// bench/interleave.ts): the host's per-core speed drifts over seconds, and runs of one and of two
// workers taken ten seconds apart gave per-round ratios anywhere from 1.2x to 2.5x.
const aggregate = new Map<string, { train: CountScaling; infer: CountScaling }>();
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
    aggregate.set(`${backend}:${n}`, { train: t, infer: inf });
    const scale = t.scaling === undefined
      ? ''
      : `  (${t.scaling.toFixed(2)}x / ${inf.scaling!.toFixed(2)}x one worker; train per phase quartiles ${t.scalingQuartiles!.map((q) => q.toFixed(2)).join('-')})`;
    console.log(`  ${String(n).padStart(2)} worker(s)  train ${f1(t.imagesPerSec)} img/s   infer ${f1(inf.imagesPerSec)} img/s   peak RSS ${rssMiB()} MiB${scale}`);
  }
}

// native at 1 and 2 addon threads against PyTorch at the same thread count, in interleaved
// rounds (native 1, PyTorch 1, native 2, PyTorch 2, then again): run one after the other, the two
// fell in different spells of the host's speed and the ratio read 0.68x in one run, 1.12x in the next.
type Pair = { train: number; infer: number };
type TorchOut = { skipped?: string; params?: number; rows?: Array<Pair & { threads: number }>; version?: string };
const THREADS = [1, 2];
const nativeRuns = new Map<number, Pair[]>(THREADS.map((t) => [t, []]));
const torchRuns = new Map<number, Pair[]>(THREADS.map((t) => [t, []]));
let torchSkipped: string | null = opts['no-torch'] ? null : existsSync(PYTHON) ? null : `${PYTHON} not found`;
let torchAbout = '';
const runTorch = (threads: number): Pair | null => {
  const script = fileURLToPath(new URL('./engine_torch.py', import.meta.url));
  const r = spawnSync(PYTHON, [script, '--batch', String(BATCH), '--threads', String(threads), '--train-iters', String(trainIters), '--infer-iters', String(inferIters)], { encoding: 'utf8' });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let out: TorchOut;
  try {
    out = JSON.parse(last) as TorchOut;
  } catch {
    out = { skipped: `engine_torch.py failed: ${(r.stderr || last).trim().split('\n').pop()}` };
  }
  if (out.skipped || !out.rows?.length) {
    torchSkipped = out.skipped ?? 'engine_torch.py printed no rows';
    return null;
  }
  torchAbout = `torch ${out.version}, ${out.params?.toLocaleString('en')} params + BN statistics`;
  return out.rows[0];
};
const withTorch = () => !opts['no-torch'] && torchSkipped === null;
const addon = perBackend.has('native') ? nativeAddon() : null;
if (addon || withTorch()) {
  const configured = addon?.info().threads;
  if (addon) await initBackend('native');
  for (let r = 0; r < rounds; r++) {
    for (const t of THREADS) {
      if (addon) {
        addon.setThreads(t);
        const train = await resnetRefThroughput(job('train', trainIters));
        const infer = await resnetRefThroughput(job('infer', inferIters));
        nativeRuns.get(t)!.push({ train: train.imagesPerSec, infer: infer.imagesPerSec });
      }
      const torch = withTorch() ? runTorch(t) : null;
      if (torch) torchRuns.get(t)!.push(torch);
    }
  }
  if (addon) addon.setThreads(configured!);
  await tf.setBackend('cpu');
}
const medianOf = (runs: Pair[]): Pair => ({ train: median(runs.map((x) => x.train)), infer: median(runs.map((x) => x.infer)) });
const nativeByThreads = new Map(THREADS.filter((t) => nativeRuns.get(t)!.length).map((t) => [t, medianOf(nativeRuns.get(t)!)]));
const torchByThreads = new Map(THREADS.filter((t) => torchRuns.get(t)!.length === rounds).map((t) => [t, medianOf(torchRuns.get(t)!)]));
if (addon) {
  console.log(`\nnative by addon threads (main thread, median of ${rounds} rounds; USIBENCH_NATIVE_THREADS sets the default, here ${addon.info().threads}):`);
  for (const [t, m] of nativeByThreads) console.log(`  ${t} thread(s)  train ${f1(m.train)} img/s (${((BATCH * 1000) / m.train).toFixed(0)} ms/step)   infer ${f1(m.infer)} img/s`);
}
if (!opts['no-torch']) {
  console.log(`\nPyTorch (same architecture, ${PYTHON} bench/scripts/engine_torch.py, median of ${rounds} rounds interleaved with native's):`);
  if (torchSkipped) console.log(`  skipped: ${torchSkipped}`);
  else {
    console.log(`  ${torchAbout}`);
    for (const [t, m] of torchByThreads) console.log(`  ${t} thread(s)   train ${f1(m.train)} img/s   infer ${f1(m.infer)} img/s`);
  }
}

console.log('\nRatios:');
const wasm = perBackend.get('wasm');
const t1 = torchByThreads.get(1);
const t2 = torchByThreads.get(2);
if (wasm?.train && t1) console.log(`  wasm / PyTorch 1 thread:    train ${(wasm.train.imagesPerSec / t1.train).toFixed(2)}x   infer ${(wasm.infer.imagesPerSec / t1.infer).toFixed(2)}x`);
// Per round, then the median: each round's native and PyTorch runs were seconds apart.
const nativeRatios: Array<{ threads: number; train: number }> = [];
for (const t of THREADS) {
  const n = nativeRuns.get(t)!;
  const p = torchRuns.get(t)!;
  if (!n.length || p.length !== n.length) continue;
  const byRound = n.map((x, i) => x.train / p[i].train);
  const train = median(byRound);
  nativeRatios.push({ threads: t, train });
  const infer = median(n.map((x, i) => x.infer / p[i].infer));
  console.log(`  native ${t} thread(s) / PyTorch ${t} thread(s): train ${train.toFixed(2)}x   infer ${infer.toFixed(2)}x   (train by round ${byRound.map((r) => r.toFixed(2)).join(', ')})`);
}
const w2 = aggregate.get('wasm:2');
const wScale = w2?.train.scaling;
if (w2 && wScale !== undefined) console.log(`  wasm two workers / one:     train ${wScale.toFixed(2)}x   infer ${w2.infer.scaling!.toFixed(2)}x`);
if (w2 && t2) console.log(`  wasm two workers / PyTorch 2 threads: train ${(w2.train.imagesPerSec / t2.train).toFixed(2)}x   infer ${(w2.infer.imagesPerSec / t2.infer).toFixed(2)}x`);

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
