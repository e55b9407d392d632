/**
 * npm run bench:train: the whole training job as `usibench train` runs it (trainModel: read and
 * decode images, the full USI augmentation, the teacher's forward pass, the step, EMA), for a fixed
 * number of steps on real images, one small model per family on each CPU backend; next to it, in
 * the same process, the step alone (forward + backward + AdamW on a batch already in memory) of
 * the same model and batch, and their ratio. Each (backend, model) runs in its own child process,
 * so the peak RSS printed is that job's. Prints figures; asserts nothing.
 *
 * Images: the CIFAR-10 JPEG tree (ImageFolder) at --data, else /tmp/datasets/cifar10 or
 * ../shared/datasets/cifar10 when present, else the embedded MNIST. The teacher is resnet26_s (the
 * default teacher at this resolution) with untrained weights: its cost per step is what matters.
 *   --steps N (8, plus one untimed warm-up step)  --batch N (64)  --models a,b  --backends native,wasm
 *   --threads 1,2 (native addon threads; one table per count)  --data DIR  --no-torch
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../../common/rng.js';
import { availableBackends, initBackend, type BackendName } from '../../common/engine.js';
import { openDataset } from '../../training/data/index.js';
import { saveModelDir } from '../../training/model-io.js';
import { createModel, trainableParams } from '../../training/models/index.js';
import { AdamW } from '../../training/recipe/adamw.js';
import { usiLoss } from '../../training/recipe/kd-loss.js';
import { resolveRecipe } from '../../training/recipe/recipe.js';
import { defaultTeacherModel } from '../../training/teacher.js';
import { trainModel, type StepTiming } from '../../training/train.js';
import { findCifarTree } from './cifar-tree.js';

const PHASES = ['data', 'augment', 'teacher', 'step', 'ema', 'other'] as const;
const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '8' },
    batch: { type: 'string', default: '64' },
    models: { type: 'string', default: 'resnet_ref,mobilenetv3_s,vit_tiny_s,mixer_s' },
    backends: { type: 'string' },
    threads: { type: 'string', default: '2' },
    data: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    one: { type: 'string' },
    teacher: { type: 'string' },
  },
});
const steps = Number(opts.steps);
const batch = Number(opts.batch);
if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(batch) || batch < 2) {
  console.error(`bench:train: --steps takes a whole number >= 1 and --batch one >= 2, got '${opts.steps}' and '${opts.batch}'`);
  process.exit(2);
}
const RES = 32;
const PYTHON = '/usr/bin/python3';
const here = path.dirname(fileURLToPath(import.meta.url));

/** The dataset spec: an ImageFolder CIFAR-10 tree when one is found, else the embedded MNIST. */
function datasetSpec(): string {
  const tree = findCifarTree(opts.data);
  if (tree) return `imagefolder:${tree}`;
  if (opts.data) {
    console.error(`bench:train: ${opts.data} has no train/ folder; give the root of an ImageFolder tree`);
    process.exit(2);
  }
  return 'mnist';
}

export interface JobResult {
  backend: string;
  model: string;
  params: number | null;
  threads: number;
  /** Whole job, steps after the warm-up: images / wall time of the step loop. */
  jobImagesPerSec: number;
  stepImagesPerSec: number;
  /** Mean ms per step and phase. */
  split: Record<(typeof PHASES)[number], number>;
  numTensorsGrowth: number;
  peakRssMiB: number;
  jobWallSeconds: number;
}

/** The step alone: forward + backward + AdamW of `model` on one batch already in memory (teacher logits given). */
function stepOnly(model: string, channels: number, numClasses: number, iters: number): number {
  const recipe = resolveRecipe({});
  const m = createModel(model, { numClasses, inputShape: [RES, RES, channels], seed: 1 });
  const trainable = m.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new AdamW(trainable, recipe);
  const rng = new Rng(3);
  const x = tf.tensor4d(Float32Array.from({ length: batch * RES * RES * channels }, () => rng.normal()), [batch, RES, RES, channels]);
  const targets = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, () => rng.int(numClasses)), 'int32'), numClasses).toFloat() as tf.Tensor2D;
  const teacherLogits = tf.randomNormal([batch, numClasses], 0, 1, 'float32', 5) as tf.Tensor2D;
  const once = () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => usiLoss(m.apply(x, { training: true }) as tf.Tensor2D, targets, teacherLogits, recipe), trainable);
      optimizer.step(trainable.map((v) => grads[v.name]), 1e-3);
      return value;
    });
    loss.dataSync();
    loss.dispose();
  };
  once();
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) once();
  const ms = (performance.now() - t0) / iters;
  tf.dispose([x, targets, teacherLogits]);
  optimizer.dispose();
  m.dispose();
  return (batch * 1000) / ms;
}

/** One (backend, model) job, in this process. */
async function runOne(backend: BackendName, model: string, threads: number, spec: string, teacherDir: string): Promise<JobResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-bench-train-'));
  try {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const timings: StepTiming[] = [];
    const t0 = performance.now();
    const result = await trainModel({
      model, dataset: spec, teacher: teacherDir, epochs: 1, batchSize: batch, resolution: RES, seed: 1, outDir: path.join(work, 'run'),
      trainLimit: (steps + 1) * batch, testLimit: batch, quiet: true, backend, cacheDir: work, timings,
    });
    const jobWallSeconds = (performance.now() - t0) / 1000;
    const growth = tf.memory().numTensors - before;
    const timed = timings.slice(1);
    const split = Object.fromEntries(PHASES.map((p) => [p, timed.reduce((acc, t) => acc + t[p], 0) / timed.length])) as JobResult['split'];
    const msPerStep = PHASES.reduce((acc, p) => acc + split[p], 0);
    const info = (await openDataset(spec, { resolution: RES, trainLimit: batch, testLimit: batch, cacheDir: work })).info;
    return {
      backend, model, params: result.modelFacts.params ?? null, threads, jobImagesPerSec: (batch * 1000) / msPerStep,
      stepImagesPerSec: stepOnly(model, info.channels, info.numClasses, steps), split, numTensorsGrowth: growth,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), jobWallSeconds,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** A resnet26_s teacher directory with untrained weights, in the dataset's label space. */
async function makeTeacher(spec: string, dir: string): Promise<void> {
  await tf.setBackend('cpu');
  const info = (await openDataset(spec, { resolution: RES, trainLimit: batch, testLimit: batch, cacheDir: dir })).info;
  const name = defaultTeacherModel(RES);
  const m = createModel(name, { numClasses: info.numClasses, inputShape: [RES, RES, info.channels], seed: 7 });
  await saveModelDir(m, path.join(dir, 'teacher'), {
    model: name, dataset: spec, numClasses: info.numClasses, classNames: info.classNames, resolution: RES, channels: info.channels,
    mean: info.mean, std: info.std, recipeHash: 'untrained', top1: 0,
  });
  m.dispose();
}

const pad = (v: string | number, n: number) => String(v).padStart(n);

async function main(): Promise<void> {
  const spec = datasetSpec();
  if (opts.one) {
    const [backend, model, threads] = opts.one.split(':');
    const r = await runOne(backend as BackendName, model, Number(threads), spec, opts.teacher!);
    console.log(`RESULT ${JSON.stringify(r)}`);
    return;
  }
  const backends = opts.backends
    ? (opts.backends.split(',') as BackendName[])
    : (await availableBackends()).filter((b) => b.available && (b.name === 'native' || b.name === 'wasm')).map((b) => b.name);
  const models = opts.models.split(',');
  const threadCounts = opts.threads.split(',').map(Number);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-bench-teacher-'));
  await makeTeacher(spec, work);
  console.log(`bench:train: ${spec}, ${RES} px, batch ${batch}, ${steps} timed steps (+1 warm-up) per job, USI recipe, teacher ${defaultTeacherModel(RES)} (untrained weights)`);
  console.log(`${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores; split = mean ms per step`);
  const results: JobResult[] = [];
  try {
    for (const threads of threadCounts) {
      console.log(`\n${threads} thread(s)`);
      console.log(`${'backend'.padEnd(7)} ${'model'.padEnd(14)} ${pad('params', 9)} ${pad('job img/s', 9)} ${pad('step img/s', 10)} ${pad('ratio', 5)}  ${PHASES.map((p) => pad(p, 7)).join(' ')} ${pad('tensors+', 8)} ${pad('peak RSS', 8)}`);
      for (const backend of backends) {
        for (const model of models) {
          const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--one', `${backend}:${model}:${threads}`,
            '--teacher', path.join(work, 'teacher'), '--steps', String(steps), '--batch', String(batch), ...(opts.data ? ['--data', opts.data] : [])], {
            encoding: 'utf8', env: { ...process.env, USIBENCH_NATIVE_THREADS: String(threads) }, maxBuffer: 1 << 26,
          });
          const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
          if (!line) {
            console.log(`${backend.padEnd(7)} ${model.padEnd(14)} failed: ${(child.stderr || child.stdout).trim().split('\n').slice(-3).join(' | ')}`);
            continue;
          }
          const r = JSON.parse(line.slice(7)) as JobResult;
          results.push(r);
          console.log(`${backend.padEnd(7)} ${model.padEnd(14)} ${pad(r.params?.toLocaleString('en') ?? '-', 9)} ${pad(r.jobImagesPerSec.toFixed(1), 9)} ${pad(r.stepImagesPerSec.toFixed(1), 10)} ${pad((r.jobImagesPerSec / r.stepImagesPerSec).toFixed(2), 5)}  ${PHASES.map((p) => pad(r.split[p].toFixed(1), 7)).join(' ')} ${pad(r.numTensorsGrowth, 8)} ${pad(`${r.peakRssMiB} MiB`, 8)}`);
        }
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (!opts['no-torch']) torchPeer(spec, models, threadCounts, results);
}

/** The PyTorch peer (train_torch.py) at the same thread counts: our whole job / PyTorch's, per family. */
function torchPeer(spec: string, models: string[], threadCounts: number[], results: JobResult[]): void {
  console.log('\nPyTorch peer (bench/scripts/train_torch.py): the same job, DataLoader with num_workers = threads');
  if (!spec.startsWith('imagefolder:')) return void console.log('  skipped: it reads an ImageFolder tree, and none was found (--data)');
  const r = spawnSync(PYTHON, [path.join(here, 'train_torch.py'), '--data', spec.slice('imagefolder:'.length), '--models', models.join(','),
    '--threads', threadCounts.join(','), '--batch', String(batch), '--steps', String(steps)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = r.stdout?.trim().split('\n').pop();
  if (r.status !== 0 || !line) return void console.log(`  skipped: ${PYTHON} failed (${(r.stderr || String(r.error)).trim().split('\n').slice(-2).join(' | ')})`);
  const out = JSON.parse(line) as { skipped?: string; version?: string; rows?: TorchRow[] };
  if (out.skipped) return void console.log(`  skipped: ${out.skipped}`);
  const teacherParams = teacherTrainableParams();
  console.log(`  torch ${out.version}; teacher resnet26_s params: ours ${teacherParams.toLocaleString('en')}, torch ${out.rows![0].teacher_params.toLocaleString('en')}`);
  console.log(`  ${'threads'.padEnd(7)} ${'model'.padEnd(14)} ${pad('params', 9)} ${pad('torch', 9)} ${pad('torch img/s', 11)} ${'ours / torch, per backend'}`);
  for (const row of out.rows!) {
    const ours = results.filter((x) => x.model === row.model && x.threads === row.threads);
    const params = ours[0]?.params ?? undefined;
    const ratios = ours.map((x) => `${x.backend} ${(x.jobImagesPerSec / row.job).toFixed(2)}`).join(', ');
    console.log(`  ${String(row.threads).padEnd(7)} ${row.model.padEnd(14)} ${pad(params?.toLocaleString('en') ?? '-', 9)} ${pad(row.params.toLocaleString('en'), 9)} ${pad(row.job.toFixed(1), 11)} ${ratios}${params !== undefined && params !== row.params ? '  (parameter counts differ!)' : ''}`);
  }
}

interface TorchRow { model: string; threads: number; params: number; teacher_params: number; job: number }

function teacherTrainableParams(): number {
  const m = createModel(defaultTeacherModel(RES), { numClasses: 10, inputShape: [RES, RES, 3], seed: 1 });
  const n = trainableParams(m);
  m.dispose();
  return n;
}

await main();
