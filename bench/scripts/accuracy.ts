/**
 * npm run bench:accuracy: is the training stack subtly wrong? One CNN (resnet8_s) and one
 * transformer (vit_tiny_s) trained with the baseline recipe (no teacher) and the plain profile (no
 * augmentation), in usibench (trainModel, as `usibench train --teacher none --profile plain` runs
 * it) and in PyTorch (bench/scripts/accuracy_torch.py: its own models, initialisation, optimiser,
 * EMA, batching and evaluation), on the same MNIST subset, several seeds each.
 *
 * The PyTorch side gets from here only what must be equal by construction: the exact training and
 * test images (openDataset at resolution 28: the class-balanced subset of --train-limit /
 * --test-limit, as usibench reads it) with their labels, the normalisation, the learning rate of
 * every optimiser step (planSchedule / lrAt) and the EMA decay (emaDecayFor); accuracy_torch.py's
 * header lists what it implements itself and the differences that remain.
 *
 * Prints each side's top-1 mean ± the half-width of its 95 % Student-t interval over seeds (t with
 * n − 1 df, db/intervals.ts meanInterval), and the difference of the means (usibench − PyTorch)
 * with its "combined" interval: the 95 % Welch interval of the difference of two independent means
 * (standard error sqrt(sd_u²/n_u + sd_t²/n_t), Welch–Satterthwaite df; seeds are not paired).
 * usibench's mean is "within" PyTorch's combined interval when that interval contains 0
 * (bench/scripts/parity.ts). Prints figures; asserts nothing.
 *   --models resnet8_s,vit_tiny_s  --seeds 3  --train-limit 4096  --test-limit 1000  --epochs 3
 *   --batch 64  --backend NAME (default: usibench train's, $USIBENCH_BACKEND or auto)
 *   --threads 2 (PyTorch's torch.set_num_threads)  --work DIR (keep runs there and resume them;
 *   default a temporary directory, removed at the end, so no result of an older build is reused)
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseFlags, wholeNumberFlag } from '../../common/validate.js';
import { BACKEND_ORDER, type BackendName } from '../../common/engine.js';
import { openDataset } from '../../training/data/index.js';
import { getModelEntry } from '../../training/models/index.js';
import { emaDecayFor } from '../../training/recipe/ema.js';
import { baselineRecipe } from '../../training/recipe/recipe.js';
import { lrAt, planSchedule } from '../../training/recipe/schedule.js';
import { readResult, trainModel } from '../../training/train.js';
import { parity, parityRow } from './parity.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const RESOLUTION = 28;

function usage(message: string): never {
  console.error(`bench:accuracy: ${message}`);
  process.exit(2);
}

let raw: Record<string, string | undefined>;
try {
  raw = parseArgs({
    options: {
      models: { type: 'string', default: 'resnet8_s,vit_tiny_s' },
      seeds: { type: 'string', default: '3' },
      'train-limit': { type: 'string', default: '4096' },
      'test-limit': { type: 'string', default: '1000' },
      epochs: { type: 'string', default: '3' },
      batch: { type: 'string', default: '64' },
      backend: { type: 'string' },
      threads: { type: 'string', default: '2' },
      work: { type: 'string' },
    },
  }).values;
} catch (err) {
  usage((err as Error).message.split('\n')[0]);
}
const Flags = z.object({
  models: z
    .string()
    .transform((s) => s.split(',').map((m) => m.trim()).filter(Boolean))
    .pipe(z.array(z.string()).min(1, { error: 'must name at least one model' })),
  seeds: wholeNumberFlag(2, 'a whole number ≥ 2 (an interval needs two seeds)'),
  trainLimit: wholeNumberFlag(2),
  testLimit: wholeNumberFlag(1),
  epochs: wholeNumberFlag(1),
  batch: wholeNumberFlag(2),
  threads: wholeNumberFlag(1),
  backend: z.enum(['auto', ...BACKEND_ORDER], { error: `must be one of auto, ${BACKEND_ORDER.join(', ')}` }).optional(),
});
let opts: z.infer<typeof Flags>;
try {
  opts = parseFlags(Flags, { ...raw, trainLimit: raw['train-limit'], testLimit: raw['test-limit'] });
  for (const m of opts.models) getModelEntry(m); // an unknown name fails now, not after an hour
} catch (err) {
  usage((err as Error).message);
}
const seeds = Array.from({ length: opts.seeds }, (_, i) => i);
const recipe = { profile: 'plain' as const };
const budget = `n${opts.trainLimit}-e${opts.epochs}-b${opts.batch}-t${opts.testLimit}`;
const work = raw.work ? path.join(raw.work, budget) : fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-accuracy-'));
const started = performance.now();

/** The exact subset usibench trains and tests on, as the files the PyTorch peer reads, with what the two sides must share. */
async function exportData(dir: string): Promise<{ totalSteps: number; emaDecay: number }> {
  const ds = await openDataset('mnist', { resolution: RESOLUTION, trainLimit: opts.trainLimit, testLimit: opts.testLimit });
  fs.mkdirSync(dir, { recursive: true });
  for (const split of ['train', 'test'] as const) {
    const xs = fs.openSync(path.join(dir, `${split}_x.f32`), 'w');
    const ys = fs.openSync(path.join(dir, `${split}_y.i32`), 'w');
    for await (const b of ds.batches(split, { batchSize: 256 })) {
      fs.writeSync(xs, new Uint8Array(b.images.buffer, b.images.byteOffset, b.images.byteLength));
      fs.writeSync(ys, new Uint8Array(b.labels.buffer, b.labels.byteOffset, b.labels.byteLength));
    }
    fs.closeSync(xs);
    fs.closeSync(ys);
  }
  const r = baselineRecipe(recipe);
  const totalSteps = Math.floor(ds.info.trainSize / opts.batch) * opts.epochs; // train.ts: drop-last batches
  const plan = planSchedule(r, totalSteps);
  const emaDecay = emaDecayFor(r, totalSteps);
  const meta = {
    resolution: RESOLUTION, channels: ds.info.channels, mean: ds.info.mean, std: ds.info.std, epochs: opts.epochs, batchSize: opts.batch,
    weightDecay: r.weightDecay, beta1: r.beta1, beta2: r.beta2, eps: r.eps, emaDecay,
    lrs: Array.from({ length: totalSteps }, (_, s) => lrAt(plan, s)),
  };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
  return { totalSteps, emaDecay };
}

interface TorchRow {
  model: string;
  seed: number;
  params: number;
  steps: number;
  top1: number;
  top1_raw: number;
  top1_ema: number;
  seconds: number;
}
interface TorchOut {
  version: string;
  threads: number;
  peak_rss_mib: number;
  rows: TorchRow[];
}

const dataDir = path.join(work, 'data');
const { totalSteps, emaDecay } = await exportData(dataDir);
const ours = new Map<string, number[]>();
const oursParams = new Map<string, number | null | undefined>();
let backendName = '?';
/** tf.memory().numTensors after each run (the backend exists once the first run has started it): flat when nothing leaks. */
const tensorsAfterRun: number[] = [];
const oursStarted = performance.now();
for (const model of opts.models) {
  for (const seed of seeds) {
    const outDir = path.join(work, `${model}-seed${seed}`);
    const finished = readResult(outDir); // a rerun with --work reuses finished runs
    const r =
      finished ??
      (await trainModel({
        model, dataset: 'mnist', teacher: 'none', epochs: opts.epochs, batchSize: opts.batch, resolution: RESOLUTION, seed, outDir,
        trainLimit: opts.trainLimit, testLimit: opts.testLimit, recipe, quiet: true, backend: opts.backend as BackendName | 'auto' | undefined,
      }));
    ours.set(model, [...(ours.get(model) ?? []), r.top1]);
    oursParams.set(model, r.modelFacts.params);
    backendName = r.backend;
    if (!finished) tensorsAfterRun.push(tf.memory().numTensors);
    process.stderr.write(
      `usibench ${model} seed ${seed}: top-1 ${(100 * r.top1).toFixed(1)} % (raw ${(100 * r.top1Raw).toFixed(1)}, EMA ${(100 * r.top1Ema).toFixed(1)}) in ${r.wallSeconds.toFixed(0)} s\n`,
    );
  }
}
const oursSeconds = (performance.now() - oursStarted) / 1000;

const peer = spawnSync(
  PYTHON,
  [path.join(here, 'accuracy_torch.py'), '--data', dataDir, '--models', opts.models.join(','), '--seeds', seeds.join(','), '--threads', String(opts.threads)],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
);
const lastLine = peer.stdout?.trim().split('\n').pop() ?? '';
let torch: TorchOut | null = null;
if (peer.status !== 0 || !lastLine.startsWith('{')) console.log(`PyTorch peer failed (exit ${peer.status}); only usibench's figures follow`);
else {
  const out = JSON.parse(lastLine) as TorchOut | { skipped: string };
  if ('skipped' in out) console.log(`PyTorch peer skipped: ${out.skipped}`);
  else torch = out;
}
const torchSeconds = torch ? torch.rows.reduce((s, r) => s + r.seconds, 0) : 0;

const pct = (v: number) => (100 * v).toFixed(1);
console.log(
  `\nbench:accuracy: MNIST ${RESOLUTION}×${RESOLUTION}, ${opts.trainLimit} training / ${opts.testLimit} test images (the class-balanced subset usibench reads), ` +
    `${opts.epochs} epoch${opts.epochs === 1 ? '' : 's'} = ${totalSteps} steps of batch ${opts.batch}, baseline recipe (no teacher), profile plain, EMA decay ${emaDecay.toFixed(5)}, seeds ${seeds.join(', ')}.`,
);
console.log(`usibench: backend ${backendName}. PyTorch ${torch?.version ?? 'n/a'}: torch.set_num_threads(${opts.threads}).`);
console.log('Top-1 % on the test subset, the better of raw and EMA weights (train.ts keptWeights), mean ± 95 % Student-t half-width over seeds (n);');
console.log('difference = usibench − PyTorch ± its "combined" interval: the 95 % Welch interval of the difference of the two means');
console.log('(se = sqrt(sd_u²/n_u + sd_t²/n_t), Welch–Satterthwaite df); "within" when that interval contains 0.\n');
console.log('| model | usibench mean ± ci (n) | PyTorch mean ± ci (n) | difference ± interval | within? |');
console.log('| --- | ---: | ---: | ---: | --- |');
for (const model of opts.models) {
  const theirs = torch?.rows.filter((r) => r.model === model).map((r) => r.top1) ?? [];
  console.log(parityRow(model, parity(ours.get(model)!, theirs)));
}
console.log('');
for (const model of opts.models) {
  const rows = torch?.rows.filter((r) => r.model === model) ?? [];
  console.log(
    `${model}: params usibench ${oursParams.get(model) ?? '?'} / PyTorch ${rows[0]?.params ?? '?'}; per seed usibench ${ours.get(model)!.map(pct).join(', ')}; ` +
      `PyTorch ${rows.map((r) => `${pct(r.top1)} (raw ${pct(r.top1_raw)}, EMA ${pct(r.top1_ema)})`).join(', ') || '—'}`,
  );
}
const rss = (process.resourceUsage().maxRSS / 1024).toFixed(0);
console.log(
  `\npeak RSS: usibench (this process) ${rss} MiB, PyTorch ${torch ? torch.peak_rss_mib.toFixed(0) : '?'} MiB. ` +
    `wall: usibench runs ${oursSeconds.toFixed(0)} s, PyTorch runs ${torchSeconds.toFixed(0)} s, total ${((performance.now() - started) / 1000).toFixed(0)} s. ` +
    `tf.memory().numTensors after each usibench run: ${tensorsAfterRun.join(', ')}. ${raw.work ? `Runs kept in ${work}.` : 'Runs removed (--work DIR keeps them).'}`,
);
if (!raw.work) fs.rmSync(work, { recursive: true, force: true });
