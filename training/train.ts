/**
 * The trainer: one backbone, one dataset, the USI recipe, read top to bottom. Every recipe step is
 * visible in the step loop below: augment → normalise → teacher logits on exactly that batch →
 * loss → gradients → AdamW at the scheduled lr → EMA. Each epoch ends with evaluation of the raw
 * and EMA weights and a checkpoint; a rerun with the same out dir resumes from it.
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../common/atomic.js';
import { currentEnvironment } from '../common/environment.js';
import { z } from 'zod';
import { UsageError } from '../common/errors.js';
import { parseOrUsage, wholeNumber } from '../common/validate.js';
import { TrainingRunSchema, type TrainingRun } from '../db/record.js';
import { createProgress, type Progress } from '../common/progress.js';
import { Rng } from '../common/rng.js';
import { initBackend, type BackendName } from '../common/engine.js';
import { augmentBatch } from './augment/index.js';
import { loadCheckpoint, saveCheckpoint, type CurvePoint, type EvalPair } from './checkpoint.js';
import { openDataset } from './data/index.js';
import { evaluate, normalizeImages } from './evaluate.js';
import { saveModelDir } from './model-io.js';
import { createModel, getModelEntry, trainableParams } from './models/index.js';
import { AdamW } from './recipe/adamw.js';
import { Ema, emaDecayFor } from './recipe/ema.js';
import { usiLoss } from './recipe/kd-loss.js';
import { baselineRecipe, recipeHash, resolveRecipe, type Recipe } from './recipe/recipe.js';
import { lrAt, planSchedule } from './recipe/schedule.js';
import { resolveTeacher, type Teacher } from './teacher.js';

export interface TrainOptions {
  model: string;
  dataset: string;
  /** 'auto' trains (or reuses) a cached teacher; 'none' is the baseline (alphaKd 0); else a tfjs model dir. */
  teacher: 'auto' | 'none' | string;
  epochs: number;
  batchSize: number;
  resolution?: number;
  seed: number;
  outDir: string;
  trainLimit?: number;
  testLimit?: number;
  recipe?: Partial<Recipe>;
  quiet?: boolean;
  /** tfjs backend (@usibench/engine); default: env USIBENCH_BACKEND, else the best available. */
  backend?: BackendName | 'auto';
  /** For --teacher auto: the roster model to train as teacher (default: see teacher.ts) and its epochs (default 2 × epochs). */
  teacherModel?: string;
  teacherEpochs?: number;
  /** Where datasets and trained teachers are cached (default env USIBENCH_CACHE, else ~/.cache/usibench). */
  cacheDir?: string;
  /** Stop after this many epochs as if interrupted (a rerun resumes); for tests of resume. */
  stopAfterEpochs?: number;
  /** When given, the step loop appends each step's time split here (bench:train). */
  timings?: StepTiming[];
}

/**
 * Milliseconds one step of the loop spent in each phase: waiting for the batch, augmentation
 * (with normalisation), the teacher's forward pass, forward + backward + AdamW, the EMA update,
 * and the rest (reading the loss, yielding to the event loop, the progress bar). Accurate on the
 * CPU backends, whose kernels run synchronously; a GPU backend's queued work lands in later phases.
 */
export interface StepTiming {
  data: number;
  augment: number;
  teacher: number;
  step: number;
  ema: number;
  other: number;
}

export const RESULT_JSON = 'result.json';

/** Batch norm needs more than one image per batch: the one place this bound is written. */
export const MIN_TRAIN_BATCH = 2;

/** The trainer's checks on its options (API callers included; the CLI checks its flags first). */
const TrainOptionChecks = z.object({
  epochs: wholeNumber(1),
  batchSize: wholeNumber(MIN_TRAIN_BATCH),
  seed: wholeNumber(0),
  resolution: wholeNumber(8).optional(),
  trainLimit: wholeNumber(1).optional(),
  testLimit: wholeNumber(1).optional(),
  teacherEpochs: wholeNumber(1).optional(),
  outDir: z.string({ error: 'an output directory is needed (--out DIR)' }).min(1, { error: 'an output directory is needed (--out DIR)' }),
});

/** Independent 32-bit seeds for (run seed, epoch, stream), so each epoch's randomness is reproducible on resume. */
export function streamSeed(seed: number, epoch: number, stream: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35) ^ Math.imul(stream + 1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

function refuseOtherRun(outDir: string, ours: Record<string, unknown>, theirs: Record<string, unknown>, skip: string[]): void {
  const differs = Object.keys({ ...ours, ...theirs }).filter((k) => !skip.includes(k) && JSON.stringify(ours[k]) !== JSON.stringify(theirs[k]));
  if (differs.length === 0) return;
  const what = differs.map((k) => `${k} ${JSON.stringify(theirs[k])} → ${JSON.stringify(ours[k])}`).join(', ');
  throw new UsageError(`${outDir} holds a checkpoint of a different run (${what}); use another --out or delete ${outDir}`);
}

/** Copies the EMA weights into the model, runs fn, and puts the raw weights back. */
async function withEmaWeights<T>(weights: tf.Variable[], ema: Ema, fn: () => Promise<T>): Promise<T> {
  const raw = weights.map((w) => w.clone());
  weights.forEach((w, i) => w.assign(ema.shadow[i]));
  try {
    return await fn();
  } finally {
    weights.forEach((w, i) => w.assign(raw[i]));
    tf.dispose(raw);
  }
}

/** The weights a run keeps: EMA when it scores a higher top-1 than the raw weights, else raw. */
export function keptWeights(lastEval: EvalPair): { best: 'raw' | 'ema'; top1: number; top5: number } {
  const best = lastEval.ema.top1 > lastEval.raw.top1 ? 'ema' : 'raw';
  return { best, top1: lastEval[best].top1, top5: lastEval[best].top5 };
}

/** Times the loop's phases: start() as a step's batch arrives (the wait since the last end() is its data time). */
function phaseClock() {
  let last = performance.now();
  let current: StepTiming | null = null;
  return {
    start(): StepTiming {
      const now = performance.now();
      current = { data: now - last, augment: 0, teacher: 0, step: 0, ema: 0, other: 0 };
      last = now;
      return current;
    },
    mark(phase: Exclude<keyof StepTiming, 'data' | 'other'>): void {
      const now = performance.now();
      current![phase] += now - last;
      last = now;
    },
    end(split: StepTiming): StepTiming {
      const now = performance.now();
      split.other += now - last;
      last = now;
      return split;
    },
  };
}

export async function trainModel(opts: TrainOptions): Promise<TrainingRun> {
  parseOrUsage(TrainOptionChecks, opts, 'train options');
  // --teacher none is the baseline: the same recipe without KD
  const recipe = opts.teacher === 'none' ? baselineRecipe(opts.recipe) : resolveRecipe(opts.recipe);
  const hash = recipeHash(recipe);
  const entry = getModelEntry(opts.model); // bad names fail before any slow start-up
  if (opts.teacherModel) getModelEntry(opts.teacherModel);
  const resolution = opts.resolution ?? entry.defaultResolution;
  // resume only a checkpoint of exactly this run (recipe, model, data, schedule, seed, teacher);
  // everything but the teacher's identity is checked now, before the slow start-up
  const fingerprint: Record<string, unknown> = {
    recipeHash: hash, model: opts.model, dataset: opts.dataset, resolution, epochs: opts.epochs, batchSize: opts.batchSize,
    seed: opts.seed, trainLimit: opts.trainLimit ?? null, testLimit: opts.testLimit ?? null, teacher: null,
  };
  const ckpt = loadCheckpoint(opts.outDir);
  if (ckpt) refuseOtherRun(opts.outDir, fingerprint, ckpt.fingerprint, ['teacher']);
  const backend = await initBackend(opts.backend);
  const dataset = await openDataset(opts.dataset, { resolution, trainLimit: opts.trainLimit, testLimit: opts.testLimit, cacheDir: opts.cacheDir });
  const info = dataset.info;
  const stepsPerEpoch = Math.floor(info.trainSize / opts.batchSize);
  if (stepsPerEpoch < 1) {
    throw new UsageError(`batch size ${opts.batchSize} is larger than the ${info.trainSize} training images; lower --batch-size or raise --train-limit`);
  }
  const totalSteps = stepsPerEpoch * opts.epochs;
  const schedule = planSchedule(recipe, totalSteps);
  const evalBatch = Math.max(opts.batchSize, 64);

  const teacher: Teacher | null =
    recipe.alphaKd > 0
      ? await resolveTeacher(opts.teacher, {
          datasetSpec: opts.dataset,
          info,
          dataset,
          resolution,
          batchSize: opts.batchSize,
          seed: opts.seed,
          epochs: opts.teacherEpochs ?? 2 * opts.epochs,
          model: opts.teacherModel,
          trainLimit: opts.trainLimit,
          testLimit: opts.testLimit,
          cacheDir: opts.cacheDir,
          recipe: opts.recipe,
          backend: opts.backend,
          quiet: opts.quiet,
        })
      : null;

  const model = createModel(opts.model, { numClasses: info.numClasses, inputShape: [resolution, resolution, info.channels], seed: opts.seed });
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const allWeights = model.weights.map((w) => w.read() as tf.Variable); // incl. batch-norm moving stats
  const optimizer = new AdamW(trainable, recipe);
  const ema = new Ema(allWeights, emaDecayFor(recipe, totalSteps));
  // flips that change a label (digits) are the dataset's call, not the recipe's
  const augment = { ...recipe.augment, hflip: recipe.augment.hflip && info.hflip };

  fingerprint.teacher = teacher?.id ?? null;
  let curve: CurvePoint[] = [];
  let startEpoch = 0;
  let lastEval: EvalPair | null = null;
  let elapsedBefore = 0;
  if (ckpt) {
    refuseOtherRun(opts.outDir, fingerprint, ckpt.fingerprint, []);
    allWeights.forEach((w, i) => tf.tidy(() => w.assign(tf.tensor(ckpt.weights[i], w.shape, w.dtype))));
    optimizer.setState({ step: ckpt.optimizerStep, m: ckpt.adamM, v: ckpt.adamV });
    ema.setState(ckpt.ema);
    curve = ckpt.curve;
    startEpoch = ckpt.epoch;
    lastEval = ckpt.lastEval;
    elapsedBefore = ckpt.elapsedSeconds;
  }

  const started = performance.now();
  const stopAt = Math.min(opts.epochs, opts.stopAfterEpochs ?? opts.epochs);
  const label = teacher ? `train ${opts.model} (USI)` : `train ${opts.model} (no KD)`;
  const bar: Progress | null =
    opts.quiet || startEpoch >= stopAt ? null : createProgress(label, totalSteps, 'epoch {epoch} loss {loss} {ips} img/s');
  bar?.update(startEpoch * stepsPerEpoch, { epoch: `${startEpoch + 1}/${opts.epochs}`, loss: '-', ips: '-' });
  const shape: [number, number, number, number] = [opts.batchSize, resolution, resolution, info.channels];
  try {
    for (let epoch = startEpoch; epoch < stopAt; epoch++) {
      const augRng = new Rng(streamSeed(opts.seed, epoch, 0));
      const order = { batchSize: opts.batchSize, shuffle: true, seed: streamSeed(opts.seed, epoch, 1), dropLast: true };
      let lossSum = 0;
      let steps = 0;
      const epochStart = performance.now();
      const clock = opts.timings ? phaseClock() : null;
      for await (const batch of dataset.batches('train', order)) {
        const split = clock?.start();
        const step = epoch * stepsPerEpoch + steps;
        const lr = lrAt(schedule, step);
        const loss = tf.tidy(() => {
          const { images, targets } = augmentBatch(tf.tensor4d(batch.images, shape), batch.labels, info.numClasses, augment, augRng);
          const x = normalizeImages(images, info.mean, info.std);
          clock?.mark('augment');
          const teacherLogits = teacher ? teacher.logits(images) : null; // same crop, same mix, own normalisation
          clock?.mark('teacher');
          const { value, grads } = tf.variableGrads(
            () => usiLoss(model.apply(x, { training: true }) as tf.Tensor2D, targets, teacherLogits, recipe),
            trainable,
          );
          optimizer.step(trainable.map((v) => grads[v.name]), lr);
          clock?.mark('step');
          ema.update();
          clock?.mark('ema');
          return value;
        });
        lossSum += (await loss.data())[0];
        loss.dispose();
        steps++;
        const seconds = (performance.now() - epochStart) / 1000;
        // tf ops on CPU backends are synchronous: yield to the event loop so timers (the progress
        // bar's redraw in a log) and signals get their turn between steps
        await new Promise((resolve) => setImmediate(resolve));
        bar?.update(step + 1, { epoch: `${epoch + 1}/${opts.epochs}`, loss: (lossSum / steps).toFixed(4), ips: ((steps * opts.batchSize) / seconds).toFixed(1) });
        if (split) opts.timings!.push(clock!.end(split));
      }
      if (!Number.isFinite(lossSum)) throw new Error(`training diverged in epoch ${epoch + 1} (loss ${lossSum}); lower recipe.lr`);

      const evalOpts = { batchSize: evalBatch, mean: info.mean, std: info.std };
      const raw = await evaluate(model, dataset, evalOpts);
      const emaAcc = await withEmaWeights(allWeights, ema, () => evaluate(model, dataset, evalOpts));
      lastEval = { raw, ema: emaAcc };
      curve.push({ epoch: epoch + 1, loss: lossSum / steps, lr: lrAt(schedule, (epoch + 1) * stepsPerEpoch - 1), top1: raw.top1, top1Ema: emaAcc.top1 });
      const elapsedSeconds = elapsedBefore + (performance.now() - started) / 1000;
      const adam = await optimizer.getState();
      saveCheckpoint(opts.outDir, {
        fingerprint, epoch: epoch + 1, optimizerStep: adam.step, curve, lastEval, elapsedSeconds,
        weights: await Promise.all(allWeights.map((w) => w.data() as Promise<Float32Array>)), adamM: adam.m, adamV: adam.v, ema: await ema.getState(),
      });
    }
  } finally {
    bar?.stop();
  }

  const finished = curve.length === opts.epochs;
  if (!lastEval) throw new Error('no epoch was trained (stopAfterEpochs 0?)');
  const kept = keptWeights(lastEval);
  const modelDir = path.join(opts.outDir, 'model');
  const result: TrainingRun = {
    model: opts.model, dataset: opts.dataset, recipeHash: hash, seed: opts.seed, epochs: opts.epochs, batchSize: opts.batchSize, resolution,
    trainLimit: opts.trainLimit ?? null, testLimit: opts.testLimit ?? null, curve,
    top1Raw: lastEval.raw.top1, top5Raw: lastEval.raw.top5, top1Ema: lastEval.ema.top1, top5Ema: lastEval.ema.top5, ...kept,
    wallSeconds: elapsedBefore + (performance.now() - started) / 1000, modelDir, backend: backend.name,
    teacher: teacher ? { dir: teacher.dir, model: teacher.model, top1: teacher.top1 } : null,
    modelFacts: { name: opts.model, family: entry.family, description: entry.description, params: trainableParams(model), defaultResolution: entry.defaultResolution },
    datasetFacts: { name: opts.dataset, numClasses: info.numClasses, channels: info.channels, resolution, classNames: info.classNames },
    recipe: recipe as unknown as Record<string, unknown>,
    environment: currentEnvironment(),
  };
  if (finished) {
    if (kept.best === 'ema') allWeights.forEach((w, i) => w.assign(ema.shadow[i]));
    await saveModelDir(model, modelDir, {
      model: opts.model, dataset: opts.dataset, numClasses: info.numClasses, classNames: info.classNames, resolution,
      channels: info.channels, mean: info.mean, std: info.std, recipeHash: hash, top1: kept.top1,
    });
    writeFileAtomic(path.join(opts.outDir, RESULT_JSON), JSON.stringify(result, null, 2));
  }
  optimizer.dispose();
  ema.dispose();
  model.dispose();
  teacher?.dispose();
  return result;
}

/**
 * The result.json of a finished run in outDir, or null. A file this version cannot read (written
 * by an older usibench) also gives null: rerunning the finished run rewrites it from the checkpoint.
 */
export function readResult(outDir: string): TrainingRun | null {
  const file = path.join(outDir, RESULT_JSON);
  if (!fs.existsSync(file)) return null;
  const parsed = TrainingRunSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : null;
}
