/**
 * The teacher stage. USI needs a teacher in the dataset's label space, so for a new dataset one is
 * trained here first: a larger roster backbone, the same recipe without KD (alphaKd 0), cached on
 * disk under a key of everything that shaped it, and reused by every later run. A user's own tfjs
 * model directory can stand in, after its class count and input shape are checked.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../common/errors.js';
import type { BackendName } from '../common/engine.js';
import type { Dataset, DatasetInfo } from './data/index.js';
import { cacheRoot } from './data/download.js';
import { evaluate, normalizeImages } from './evaluate.js';
import { loadModelDir, MODEL_JSON, WEIGHTS_BIN } from './model-io.js';
import { foldBatchNorm } from './models/fold-bn.js';
import { getModelEntry } from './models/index.js';
import { baselineRecipe, canonicalJson, recipeHash, type Recipe } from './recipe/recipe.js';
import type { TrainingRun } from '../db/record.js';
import { readResult, trainModel } from './train.js';

/** A teacher ready for the step loop: BN folded, inference mode, its own input normalisation. */
export interface Teacher {
  /** Identity of the exact weights (sha256 of the model files), recorded in checkpoints. */
  id: string;
  dir: string;
  model: string;
  top1: number;
  /** Logits for NHWC images in [0,1] (the student's augmented batch, before normalisation). */
  logits(images: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

/**
 * The default teacher for a resolution: a bigger residual net than the students. The paper's
 * teacher is a strong CNN (TResNet-L); the small-image ResNet-26 plays that role at 28–64 px.
 */
export function defaultTeacherModel(resolution: number): string {
  return resolution <= 64 ? 'resnet26_s' : 'resnet50';
}

export interface EnsureTeacherOptions {
  dataset: string;
  /** A roster model; default defaultTeacherModel(resolution). */
  model?: string;
  resolution: number;
  epochs: number;
  batchSize: number;
  seed: number;
  trainLimit?: number;
  testLimit?: number;
  cacheDir?: string;
  /** The run's global recipe overrides; the teacher uses them with alphaKd 0. */
  recipe?: Partial<Recipe>;
  backend?: BackendName | 'auto';
  quiet?: boolean;
}

/** A teacher in the cache: its key and the training run that made it (its weights are run.modelDir). */
export interface CachedTeacher {
  key: string;
  run: TrainingRun;
}

/** Cache key: everything that shapes the teacher's weights. */
export function teacherKey(opts: EnsureTeacherOptions): { key: string; model: string; recipeHash: string } {
  const model = opts.model ?? defaultTeacherModel(opts.resolution);
  const hash = recipeHash(baselineRecipe(opts.recipe));
  const parts = {
    dataset: opts.dataset, model, recipeHash: hash, epochs: opts.epochs, batchSize: opts.batchSize, seed: opts.seed,
    resolution: opts.resolution, trainLimit: opts.trainLimit ?? null, testLimit: opts.testLimit ?? null,
  };
  const digest = createHash('sha256').update(canonicalJson(parts)).digest('hex').slice(0, 16);
  const safeDataset = opts.dataset.replace(/[^a-zA-Z0-9._-]+/g, '_').slice(0, 40);
  return { key: `${model}-${safeDataset}-${opts.resolution}px-${digest}`, model, recipeHash: hash };
}

/** Trains the teacher unless the cache already holds it; an interrupted teacher run resumes. */
export async function ensureTeacher(opts: EnsureTeacherOptions): Promise<CachedTeacher> {
  const { key, model, recipeHash: hash } = teacherKey(opts);
  getModelEntry(model); // unknown teacher model -> UsageError before any work
  const outDir = path.join(cacheRoot({ cacheDir: opts.cacheDir }), 'teachers', key);
  let result = readResult(outDir);
  if (!result) {
    result = await trainModel({
      model, dataset: opts.dataset, teacher: 'none', epochs: opts.epochs, batchSize: opts.batchSize, resolution: opts.resolution,
      seed: opts.seed, outDir, trainLimit: opts.trainLimit, testLimit: opts.testLimit, recipe: opts.recipe,
      quiet: opts.quiet, backend: opts.backend, cacheDir: opts.cacheDir,
    });
  }
  if (result.recipeHash !== hash) throw new Error(`teacher cache ${outDir} has recipe ${result.recipeHash}, expected ${hash}`);
  return { key, run: result };
}

function filesDigest(dir: string): string {
  const h = createHash('sha256');
  for (const name of [MODEL_JSON, WEIGHTS_BIN]) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) h.update(fs.readFileSync(file));
  }
  return `sha256:${h.digest('hex')}`;
}

/** Refuses a teacher whose output classes or input shape do not fit the run. */
export function checkTeacherShape(dir: string, model: tf.LayersModel, info: DatasetInfo, resolution: number): void {
  const out = model.outputs[0].shape;
  const classes = out[out.length - 1];
  if (out.length !== 2 || classes !== info.numClasses) {
    throw new UsageError(
      `teacher ${dir} outputs ${out.length === 2 ? `${classes} classes` : `shape [${out.join(', ')}]`} but ${info.name} has ${info.numClasses}; ` +
        'give a teacher trained on this dataset, or --teacher auto',
    );
  }
  const inp = model.inputs[0].shape;
  const want = [resolution, resolution, info.channels];
  if (inp.length !== 4 || inp.slice(1).some((d, i) => d !== want[i])) {
    throw new UsageError(
      `teacher ${dir} takes input [${inp.slice(1).join(', ')}] but this run feeds [${want.join(', ')}] (resolution ${resolution}, ${info.channels} channel(s)); ` +
        `give a teacher for that input, or pass --resolution ${inp[1] ?? '?'}`,
    );
  }
}

export interface TeacherContext {
  datasetSpec: string;
  info: DatasetInfo;
  dataset: Dataset;
  resolution: number;
  batchSize: number;
  seed: number;
  epochs: number;
  model?: string;
  trainLimit?: number;
  testLimit?: number;
  cacheDir?: string;
  recipe?: Partial<Recipe>;
  backend?: BackendName | 'auto';
  quiet?: boolean;
}

/** 'auto' -> the cached (or newly trained) default teacher; else a tfjs model directory. */
export async function resolveTeacher(spec: string, ctx: TeacherContext): Promise<Teacher> {
  let dir: string;
  let top1: number | null = null;
  let modelName: string | null = null;
  if (spec === 'auto') {
    const cached = await ensureTeacher({
      dataset: ctx.datasetSpec, model: ctx.model, resolution: ctx.resolution, epochs: ctx.epochs, batchSize: ctx.batchSize,
      seed: ctx.seed, trainLimit: ctx.trainLimit, testLimit: ctx.testLimit, cacheDir: ctx.cacheDir, recipe: ctx.recipe,
      backend: ctx.backend, quiet: ctx.quiet,
    });
    dir = cached.run.modelDir!;
    top1 = cached.run.top1!;
    modelName = cached.run.model;
  } else {
    dir = path.resolve(spec);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new UsageError(`teacher '${spec}' is not a directory; give a tfjs model directory, 'auto' or 'none'`);
    }
  }
  const { model: loaded, meta } = await loadModelDir(dir);
  try {
    checkTeacherShape(dir, loaded, ctx.info, ctx.resolution);
  } catch (err) {
    loaded.dispose();
    throw err;
  }
  // the teacher only runs inference: folding its BN into the convs saves a pass per layer
  const folded = foldBatchNorm(loaded);
  if (folded !== loaded) loaded.dispose();
  // a teacher trained elsewhere keeps its own normalisation; without a record, the dataset's
  const mean = meta?.mean ?? ctx.info.mean;
  const std = meta?.std ?? ctx.info.std;
  if (mean.length !== ctx.info.channels || std.length !== ctx.info.channels) {
    folded.dispose();
    throw new UsageError(`teacher ${dir} normalises ${mean.length} channel(s) but ${ctx.info.name} has ${ctx.info.channels}`);
  }
  // a user's teacher is measured here on this run's test split, never taken on trust
  top1 ??= (await evaluate(folded, ctx.dataset, { batchSize: Math.max(ctx.batchSize, 64), mean, std })).top1;
  return {
    id: filesDigest(dir),
    dir,
    model: modelName ?? meta?.model ?? path.basename(dir),
    top1,
    logits: (images) => tf.tidy(() => folded.predictOnBatch(normalizeImages(images, mean, std)) as tf.Tensor2D),
    dispose: () => folded.dispose(),
  };
}
