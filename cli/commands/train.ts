/**
 * `usibench train`: one backbone on one dataset with the USI recipe. Progress goes to stderr; the
 * final table (or the training run record as JSON) to stdout.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../../common/errors.js';
import { numberFlag, parseFlags, wholeNumberFlag } from '../../common/validate.js';
import type { BackendName } from '../../common/engine.js';
import { PROFILE_NAMES, RECIPE_PROFILES } from '../../training/recipe/profiles.js';
import type { Recipe } from '../../training/recipe/recipe.js';
import type { TrainingRun } from '../../db/record.js';
import { MIN_TRAIN_BATCH, trainModel, type TrainOptions } from '../../training/train.js';


const TrainFlagsSchema = z.object({
  model: z.string(),
  dataset: z.string(),
  teacher: z.string().trim().min(1, { error: "must be 'auto', 'none' or a tfjs model directory" }),
  epochs: wholeNumberFlag(1),
  batchSize: wholeNumberFlag(MIN_TRAIN_BATCH),
  resolution: wholeNumberFlag(8).optional(),
  seed: wholeNumberFlag(0),
  out: z.string().optional(),
  trainLimit: wholeNumberFlag(1).optional(),
  testLimit: wholeNumberFlag(1).optional(),
  backend: z.string().optional(),
  teacherModel: z.string().optional(),
  teacherEpochs: wholeNumberFlag(1).optional(),
  alphaKd: numberFlag().optional(),
  temperature: numberFlag().optional(),
  kdOnly: z.boolean().optional(),
  profile: z.enum(PROFILE_NAMES, { error: `must be one of ${PROFILE_NAMES.join(', ')}` }).optional(),
  cacheDir: z.string().optional(),
  json: z.boolean().optional(),
});
type TrainFlags = z.input<typeof TrainFlagsSchema>;

/** Flags -> TrainOptions, every value checked (the trainer checks ranges again for API callers). */
export function trainOptionsFromFlags(raw: TrainFlags): TrainOptions {
  const flags = parseFlags(TrainFlagsSchema, raw);
  const recipe: Partial<Recipe> = {};
  if (flags.profile !== undefined) recipe.profile = flags.profile;
  if (flags.alphaKd !== undefined) recipe.alphaKd = flags.alphaKd;
  if (flags.temperature !== undefined) recipe.temperature = flags.temperature;
  if (flags.kdOnly) recipe.kdOnly = true;
  if (flags.teacher === 'none' && (flags.kdOnly || (flags.alphaKd ?? 0) > 0)) {
    throw new UsageError('--teacher none trains without KD; drop --kd-only/--alpha-kd, or give a teacher');
  }
  const mode = flags.teacher === 'none' || flags.alphaKd === 0 ? 'baseline' : 'usi';
  const safeDataset = flags.dataset.replace(/[^a-zA-Z0-9._-]+/g, '_');
  return {
    model: flags.model,
    dataset: flags.dataset,
    teacher: flags.teacher,
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    resolution: flags.resolution,
    seed: flags.seed,
    outDir: flags.out ?? path.join('runs', `${flags.model}-${safeDataset}-${mode}-seed${flags.seed}`),
    trainLimit: flags.trainLimit,
    testLimit: flags.testLimit,
    recipe,
    backend: flags.backend as BackendName | 'auto' | undefined, // initBackend refuses unknown names
    teacherModel: flags.teacherModel,
    teacherEpochs: flags.teacherEpochs,
    cacheDir: flags.cacheDir,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

export function formatTrainResult(r: TrainingRun): string {
  const lines = [
    `${r.model} (${r.modelFacts.family}, ${(r.modelFacts.params ?? 0).toLocaleString('en-US')} params) on ${r.dataset} at ${r.resolution}px, ${r.epochs} epochs, batch ${r.batchSize}, seed ${r.seed}`,
    `teacher: ${r.teacher ? `${r.teacher.model} (top-1 ${pct(r.teacher.top1)}) ${r.teacher.dir}` : 'none (baseline, alphaKd 0)'}`,
    `recipe ${r.recipeHash.slice(0, 12)} (profile ${String(r.recipe.profile)})  backend ${r.backend}  ${(r.wallSeconds / 60).toFixed(1)} min`,
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
    .option('--profile <name>', `recipe profile, the same for every backbone: ${PROFILE_NAMES.map((p) => `'${p}' ${RECIPE_PROFILES[p].description}`).join('; ')} (default 'usi')`)
    .option('--cache-dir <dir>', 'where datasets and teachers are cached (default $USIBENCH_CACHE or ~/.cache/usibench)')
    .option('--json', 'print the training run record as JSON instead of the table')
    .action(async (flags: TrainFlags) => {
      const result = await trainModel(trainOptionsFromFlags(flags));
      process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatTrainResult(result));
    });
}
