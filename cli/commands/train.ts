/**
 * `usibench train`: one backbone on one dataset with the USI recipe. Progress goes to stderr; the
 * final table (or the training run record as JSON) to stdout.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { UsageError } from '../../common/errors.js';
import type { BackendName } from '../../engine/index.js';
import type { Recipe } from '../../training/recipe/recipe.js';
import type { TrainingRun } from '../../db/record.js';
import { trainModel, type TrainOptions } from '../../training/train.js';

interface TrainFlags {
  model: string;
  dataset: string;
  teacher: string;
  epochs: string;
  batchSize: string;
  resolution?: string;
  seed: string;
  out?: string;
  trainLimit?: string;
  testLimit?: string;
  backend?: string;
  teacherModel?: string;
  teacherEpochs?: string;
  alphaKd?: string;
  temperature?: string;
  kdOnly?: boolean;
  cacheDir?: string;
  json?: boolean;
}

function wholeNumber(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag} must be a whole number ≥ ${min}, got '${value}'`);
  }
  return n;
}

function realNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got '${value}'`);
  return n;
}

/** Flags -> TrainOptions, every value checked (the trainer checks ranges again for API callers). */
export function trainOptionsFromFlags(flags: TrainFlags): TrainOptions {
  const recipe: Partial<Recipe> = {};
  const alphaKd = realNumber('--alpha-kd', flags.alphaKd);
  const temperature = realNumber('--temperature', flags.temperature);
  if (alphaKd !== undefined) recipe.alphaKd = alphaKd;
  if (temperature !== undefined) recipe.temperature = temperature;
  if (flags.kdOnly) recipe.kdOnly = true;
  const teacher = flags.teacher.trim();
  if (teacher === '') throw new UsageError("--teacher must be 'auto', 'none' or a tfjs model directory");
  if (teacher === 'none' && (flags.kdOnly || (alphaKd ?? 0) > 0)) {
    throw new UsageError('--teacher none trains without KD; drop --kd-only/--alpha-kd, or give a teacher');
  }
  const seed = wholeNumber('--seed', flags.seed, 0) ?? 0;
  const mode = teacher === 'none' || alphaKd === 0 ? 'baseline' : 'usi';
  const safeDataset = flags.dataset.replace(/[^a-zA-Z0-9._-]+/g, '_');
  return {
    model: flags.model,
    dataset: flags.dataset,
    teacher,
    epochs: wholeNumber('--epochs', flags.epochs, 1) ?? 1,
    batchSize: wholeNumber('--batch-size', flags.batchSize, 2) ?? 2,
    resolution: wholeNumber('--resolution', flags.resolution, 8),
    seed,
    outDir: flags.out ?? path.join('runs', `${flags.model}-${safeDataset}-${mode}-seed${seed}`),
    trainLimit: wholeNumber('--train-limit', flags.trainLimit, 1),
    testLimit: wholeNumber('--test-limit', flags.testLimit, 1),
    recipe,
    backend: flags.backend as BackendName | 'auto' | undefined, // initBackend refuses unknown names
    teacherModel: flags.teacherModel,
    teacherEpochs: wholeNumber('--teacher-epochs', flags.teacherEpochs, 1),
    cacheDir: flags.cacheDir,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

export function formatTrainResult(r: TrainingRun): string {
  const lines = [
    `${r.model} (${r.modelFacts.family}, ${(r.modelFacts.params ?? 0).toLocaleString('en-US')} params) on ${r.dataset} at ${r.resolution}px, ${r.epochs} epochs, batch ${r.batchSize}, seed ${r.seed}`,
    `teacher: ${r.teacher ? `${r.teacher.model} (top-1 ${pct(r.teacher.top1)}) ${r.teacher.dir}` : 'none (baseline, alphaKd 0)'}`,
    `recipe ${r.recipeHash.slice(0, 12)}  backend ${r.backend}  ${(r.wallSeconds / 60).toFixed(1)} min`,
    '',
    'weights  top-1    top-5',
    `raw      ${pct(r.top1Raw).padEnd(8)} ${pct(r.top5Raw)}${r.best === 'raw' ? '  (kept)' : ''}`,
    `EMA      ${pct(r.top1Ema).padEnd(8)} ${pct(r.top5Ema)}${r.best === 'ema' ? '  (kept)' : ''}`,
    '',
    'epoch  loss     lr        top-1    top-1 EMA',
    ...r.curve.map((c) => `${String(c.epoch).padEnd(6)} ${c.loss.toFixed(4).padEnd(8)} ${c.lr.toExponential(2).padEnd(9)} ${pct(c.top1).padEnd(8)} ${pct(c.top1Ema)}`),
    '',
    `model saved to ${r.modelDir}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('train')
    .description('Train one backbone with the USI recipe (KD from a teacher), with checkpoints and resume')
    .requiredOption('--model <name>', "a roster model (see 'usibench models')")
    .requiredOption('--dataset <spec>', 'mnist, fashion-mnist, cifar10 or imagefolder:<path>')
    .option('--teacher <auto|none|dir>', "'auto' trains/reuses a cached teacher, 'none' is the no-KD baseline, or a tfjs model directory", 'auto')
    .option('--epochs <n>', 'training epochs', '10')
    .option('--batch-size <n>', 'images per step', '64')
    .option('--resolution <px>', "input side in pixels (default: the model's)")
    .option('--seed <n>', 'seed for initialisation, order and augmentation', '0')
    .option('--out <dir>', 'run directory: checkpoints, result.json, model/ (default runs/<model>-<dataset>-<usi|baseline>-seed<seed>)')
    .option('--train-limit <n>', 'train on a fixed class-balanced subset of this many images')
    .option('--test-limit <n>', 'evaluate on a fixed class-balanced subset of this many images')
    .option('--backend <name>', 'tfjs backend: auto, tensorflow, webgpu, native, wasm, cpu (default $USIBENCH_BACKEND or auto)')
    .option('--teacher-model <name>', 'roster model trained as the teacher for --teacher auto (default resnet26_s at ≤64px)')
    .option('--teacher-epochs <n>', 'epochs of the teacher for --teacher auto (default 2 × --epochs)')
    .option('--alpha-kd <x>', 'recipe override: KD weight (default 5; 0 = baseline)')
    .option('--temperature <t>', 'recipe override: KD softmax temperature (default 1)')
    .option('--kd-only', 'recipe override: learn from the teacher only, no ground-truth term')
    .option('--cache-dir <dir>', 'where datasets and teachers are cached (default $USIBENCH_CACHE or ~/.cache/usibench)')
    .option('--json', 'print the training run record as JSON instead of the table')
    .action(async (flags: TrainFlags) => {
      const result = await trainModel(trainOptionsFromFlags(flags));
      process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatTrainResult(result));
    });
}
