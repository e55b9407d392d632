/**
 * What a nightly run does, as one validated value: dataset, teacher, roster, training schedule,
 * benchmark protocol. Comes from a preset, a JSON/YAML file, or a preset overlaid by a file.
 * Errors name the bad field's path (`train.epochs: …`) so a user can find it in their file.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { UsageError, errorMessage } from '../common/errors.js';
import { parseOrUsage, wholeNumber } from '../common/validate.js';
import { PROFILE_NAMES } from '../training/recipe/profiles.js';
import { MIN_TRAIN_BATCH } from '../training/train.js';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const BenchTargetSchema = z
  .object({
    runtime: z.enum(['tfjs', 'onnxruntime']),
    /** tfjs backend (wasm, native, cpu, tensorflow, webgpu) or ONNX Runtime execution provider (cpu, cuda, tensorrt). */
    backend: z.string().min(1).optional(),
    precision: z.enum(['fp32', 'fp16']).default('fp32'),
  })
  .strict();

export const NightlyConfigSchema = z
  .object({
    /** 'mnist' | 'fashion-mnist' | 'cifar10' | 'imagefolder:<path>'. */
    dataset: z.string().min(1),
    /** Square input side every model trains and is measured at (one per nightly, so numbers compare). */
    resolution: positiveInt,
    trainLimit: positiveInt.optional(),
    testLimit: positiveInt.optional(),
    /**
     * Training seeds: a count (seeds 0..n-1) or a list. Every backbone's USI and baseline runs
     * train at each seed, so top-1 carries an interval and the gain a paired one; the teacher
     * trains once, at the first seed.
     */
    seeds: z
      .union([positiveInt, z.array(nonNegativeInt).min(1).refine((l) => new Set(l).size === l.length, 'seeds must differ')])
      .default(1)
      .transform((s) => (typeof s === 'number' ? Array.from({ length: s }, (_, i) => i) : s)),
    /** tfjs backend for training; default: the best available. */
    trainBackend: z.enum(['auto', 'tensorflow', 'webgpu', 'native', 'wasm', 'cpu']).default('auto'),
    teacher: z
      .object({
        /** Roster model trained as teacher (default: teacher.ts picks by resolution). */
        model: z.string().min(1).optional(),
        epochs: positiveInt,
        batchSize: positiveInt.optional(),
        /** tfjs backend for the teacher's training; default: trainBackend. */
        backend: z.enum(['auto', 'tensorflow', 'webgpu', 'native', 'wasm', 'cpu']).optional(),
      })
      .strict(),
    /** Roster model names (see `usibench models`). */
    roster: z.array(z.string().min(1)).min(1),
    /** Also train each backbone without KD, to measure the USI gain. */
    baselines: z.boolean().default(true),
    train: z.object({ epochs: positiveInt, batchSize: wholeNumber(MIN_TRAIN_BATCH, `a whole number ≥ ${MIN_TRAIN_BATCH} (batch norm needs at least ${MIN_TRAIN_BATCH} images a batch)`) }).strict(),
    /**
     * The recipe profile (training/recipe/profiles.ts) every backbone and the teacher train with:
     * `usi` is the reference; the presets for small images name theirs.
     */
    profile: z.enum(PROFILE_NAMES).default('usi'),
    /** Global recipe overrides (training/recipe/recipe.ts fields); the same for every backbone. */
    recipe: z
      .record(z.string(), z.unknown())
      .refine((r) => !('profile' in r), 'the profile is the top-level field `profile`, not a recipe override; move it there')
      .default({}),
    bench: z
      .object({
        batchSize: positiveInt,
        targets: z.array(BenchTargetSchema).min(1),
        minTime: z.number().positive().default(1),
        minIters: positiveInt.default(10),
        warmupTime: z.number().nonnegative().default(0.25),
      })
      .strict(),
    /** Checkpoints, trained models, job results and logs, the Slurm plan (default: ./usibench-work). */
    workDir: z.string().min(1).default('usibench-work'),
  })
  .strict();

export type NightlyConfig = z.infer<typeof NightlyConfigSchema>;
export type BenchTarget = z.infer<typeof BenchTargetSchema>;
export type NightlyConfigInput = z.input<typeof NightlyConfigSchema>;

export function validateConfig(value: unknown, source: string): NightlyConfig {
  return parseOrUsage(NightlyConfigSchema, value, `invalid nightly config ${source}`, "fix the file (see the README's config section)");
}

/** Reads a JSON (.json) or YAML (anything else) config file; the raw value is validated by the caller. */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config ${file}: ${errorMessage(err)}; check the --config path`);
  }
  let value: unknown;
  try {
    value = path.extname(file).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text, { prettyErrors: true });
  } catch (err) {
    throw new UsageError(`config ${file} is not valid ${path.extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${errorMessage(err).split('\n')[0]}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`config ${file} must hold a mapping of fields (dataset, roster, train, …), not ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/** Deep merge for config overlays: objects merge field by field, anything else (lists too) replaces. */
export function overlay(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
    out[k] = isObj(b) && isObj(v) ? overlay(b, v) : v;
  }
  return out;
}
