/**
 * npm run bench:accuracy: is the training stack subtly wrong? One CNN and one transformer trained
 * with the baseline recipe (no teacher) and the plain profile, in usibench (trainModel, as
 * `usibench train --teacher none --profile plain` runs it) and in PyTorch
 * (bench/scripts/accuracy_torch.py: its own models, optimiser, EMA, batching and evaluation), on
 * the same MNIST subset, several seeds each. The PyTorch side gets from here only what must be
 * equal: the images and labels, the normalisation, the learning rate of every step and the EMA
 * decay. Prints each side's top-1 mean ± 95 % t interval and the difference of the means with its
 * Welch 95 % interval (independent seeds, unequal variances); usibench is "within" when that
 * interval contains 0. Prints figures; asserts nothing.
 *   --models resnet_ref,vit_tiny_s  --seeds 3  --train-limit 4096  --test-limit 1000  --epochs 3
 *   --batch 64  --backend native  --threads 2 (PyTorch's)  --work DIR (resumable runs)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { meanInterval, welchInterval, type MeanInterval } from '../../db/intervals.js';
import { openDataset } from '../../training/data/index.js';
import { emaDecayFor } from '../../training/recipe/ema.js';
import { baselineRecipe } from '../../training/recipe/recipe.js';
import { lrAt, planSchedule } from '../../training/recipe/schedule.js';
import { readResult, trainModel } from '../../training/train.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const RESOLUTION = 28;
const { values: raw } = parseArgs({
  options: {
    models: { type: 'string', default: 'resnet_ref,vit_tiny_s' },
    seeds: { type: 'string', default: '3' },
    'train-limit': { type: 'string', default: '4096' },
    'test-limit': { type: 'string', default: '1000' },
    epochs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '64' },
    backend: { type: 'string', default: 'native' },
    threads: { type: 'string', default: '2' },
    work: { type: 'string', default: '/tmp/usibench-accuracy' },
  },
});
const whole = (min: number) => z.coerce.number().int().min(min);
const parsed = z
  .object({ models: z.array(z.string().min(1)).min(1), seeds: whole(2), trainLimit: whole(2), testLimit: whole(1), epochs: whole(1), batch: whole(2), threads: whole(1) })
  .safeParse({
    models: raw.models.split(',').map((m) => m.trim()).filter(Boolean), seeds: raw.seeds, trainLimit: raw['train-limit'], testLimit: raw['test-limit'],
    epochs: raw.epochs, batch: raw.batch, threads: raw.threads,
  });
if (!parsed.success) {
  const issue = parsed.error.issues[0];
  console.error(`bench:accuracy: --${String(issue.path[0])}: ${issue.message} (an interval needs --seeds 2 or more)`);
  process.exit(2);
}
const opts = parsed.data;
const seeds = Array.from({ length: opts.seeds }, (_, i) => i);
const recipe = { profile: 'plain' as const };
const budget = `n${opts.trainLimit}-e${opts.epochs}-b${opts.batch}-t${opts.testLimit}`;
const started = Date.now();

/** The exact subset usibench trains and tests on, as the files the PyTorch peer reads, with what the two sides must share. */
async function exportData(dir: string): Promise<number> {
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
  const totalSteps = Math.floor(ds.info.trainSize / opts.batch) * opts.epochs;
  const plan = planSchedule(r, totalSteps);
  const meta = {
    resolution: RESOLUTION, channels: ds.info.channels, mean: ds.info.mean, std: ds.info.std, epochs: opts.epochs, batchSize: opts.batch,
    weightDecay: r.weightDecay, beta1: r.beta1, beta2: r.beta2, eps: r.eps, emaDecay: emaDecayFor(r, totalSteps),
    lrs: Array.from({ length: totalSteps }, (_, s) => lrAt(plan, s)),
  };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
  return totalSteps;
}

interface TorchRow {
  model: string;
  seed: number;
  params: number;
  steps: number;
  top1: number;
}

const dataDir = path.join(raw.work, budget, 'data');
const totalSteps = await exportData(dataDir);
const ours = new Map<string, number[]>();
const oursParams = new Map<string, number | null>();
for (const model of opts.models) {
  for (const seed of seeds) {
    const outDir = path.join(raw.work, budget, `${model}-seed${seed}`);
    const r =
      readResult(outDir) ??
      (await trainModel({
        model, dataset: 'mnist', teacher: 'none', epochs: opts.epochs, batchSize: opts.batch, resolution: RESOLUTION, seed, outDir,
        trainLimit: opts.trainLimit, testLimit: opts.testLimit, recipe, quiet: true, backend: raw.backend as 'native',
      }));
    ours.set(model, [...(ours.get(model) ?? []), r.top1]);
    oursParams.set(model, r.modelFacts.params ?? null);
    process.stderr.write(`usibench ${model} seed ${seed}: top-1 ${(100 * r.top1).toFixed(1)} % in ${r.wallSeconds.toFixed(0)} s\n`);
  }
}

const peer = spawnSync(PYTHON, [path.join(here, 'accuracy_torch.py'), '--data', dataDir, '--models', opts.models.join(','), '--seeds', seeds.join(','), '--threads', String(opts.threads)], {
  encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24,
});
const lastLine = peer.stdout?.trim().split('\n').pop() ?? '';
let torch: { version: string; rows: TorchRow[] } | null = null;
if (peer.status !== 0 || !lastLine.startsWith('{')) console.log(`PyTorch peer failed (exit ${peer.status}); only usibench's figures follow`);
else {
  const out = JSON.parse(lastLine) as { version: string; rows: TorchRow[] } | { skipped: string };
  if ('skipped' in out) console.log(`PyTorch peer skipped: ${out.skipped}`);
  else torch = out;
}

const pct = (m: MeanInterval | null) => (m === null ? '—' : `${(100 * m.mean).toFixed(2)} ± ${m.ci95 === null ? '?' : (100 * m.ci95).toFixed(2)} (n=${m.n})`);
console.log(`\nbench:accuracy: MNIST, ${opts.trainLimit} training / ${opts.testLimit} test images, ${opts.epochs} epochs (${totalSteps} steps), batch ${opts.batch}, baseline recipe, profile plain;`);
console.log(`usibench backend ${raw.backend}; PyTorch ${torch?.version ?? 'n/a'} at ${opts.threads} threads. Top-1 % mean ± 95 % t interval over seeds ${seeds.join(', ')};`);
console.log('difference = usibench − PyTorch with its Welch 95 % interval; "within" when that interval contains 0.\n');
console.log('| model | params ours / torch | usibench | PyTorch | difference | within? |');
console.log('| --- | ---: | ---: | ---: | ---: | --- |');
for (const model of opts.models) {
  const a = ours.get(model)!;
  const rows = torch?.rows.filter((r) => r.model === model) ?? [];
  const b = rows.map((r) => r.top1);
  const w = welchInterval(a, b);
  const diff = w === null ? '—' : `${(100 * w.difference).toFixed(2)} ± ${(100 * w.ci95).toFixed(2)}`;
  const within = w === null ? '—' : Math.abs(w.difference) <= w.ci95 ? 'yes' : 'NO';
  console.log(`| ${model} | ${oursParams.get(model) ?? '?'} / ${rows[0]?.params ?? '?'} | ${pct(meanInterval(a))} | ${pct(meanInterval(b))} | ${diff} | ${within} |`);
}
console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (this process); wall ${((Date.now() - started) / 1000).toFixed(0)} s`);
