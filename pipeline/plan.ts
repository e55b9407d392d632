/**
 * Turns a config into the nightly's job graph. Each job's key is the hash of its exact inputs
 * (code version included), which is what makes a rerun skip finished work and a --force rerun
 * redo it. Pure: no I/O, so the graph can be tested as data.
 */
import { createHash } from 'node:crypto';
import { baselineRecipe, canonicalJson, recipeHash, resolveRecipe, type Recipe } from '../training/recipe/recipe.js';
import type { BenchTarget, NightlyConfig } from './config.js';

export type JobKind = 'teacher' | 'train' | 'bench';

export interface TeacherInputs {
  kind: 'teacher';
  dataset: string;
  model: string | null;
  resolution: number;
  epochs: number;
  batchSize: number;
  seed: number;
  trainLimit: number | null;
  testLimit: number | null;
  recipe: Partial<Recipe>;
  trainBackend: string;
  codeVersion: string;
}

export interface TrainInputs {
  kind: 'train';
  model: string;
  mode: 'usi' | 'baseline';
  dataset: string;
  resolution: number;
  epochs: number;
  batchSize: number;
  seed: number;
  trainLimit: number | null;
  testLimit: number | null;
  recipe: Partial<Recipe>;
  recipeHash: string;
  /** Key of the teacher job a USI run distils from; null for a baseline. */
  teacherKey: string | null;
  trainBackend: string;
  codeVersion: string;
}

export interface BenchInputs {
  kind: 'bench';
  model: string;
  /** Key of the training job whose weights are measured. */
  trainKey: string;
  runtime: BenchTarget['runtime'];
  backend: string | null;
  precision: BenchTarget['precision'];
  batchSize: number;
  minTime: number;
  minIters: number;
  warmupTime: number;
  codeVersion: string;
}

export type JobInputs = TeacherInputs | TrainInputs | BenchInputs;

export interface PlannedJob {
  key: string;
  kind: JobKind;
  label: string;
  deps: string[];
  /** Runs with nothing else running: a benchmark timed beside a training job measures the contention. */
  exclusive: boolean;
  inputs: JobInputs;
  /** Training jobs only: shared by a USI run and its baseline, to pair them for the gain. */
  pairKey?: string;
}

export function hashInputs(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 24);
}

export function planJobs(config: NightlyConfig, codeVersion: string): PlannedJob[] {
  const recipe = config.recipe as Partial<Recipe>;
  const common = {
    dataset: config.dataset,
    resolution: config.resolution,
    seed: config.seed,
    trainLimit: config.trainLimit ?? null,
    testLimit: config.testLimit ?? null,
    recipe,
    trainBackend: config.trainBackend,
    codeVersion,
  };
  const teacherInputs: TeacherInputs = {
    kind: 'teacher',
    ...common,
    model: config.teacher.model ?? null,
    epochs: config.teacher.epochs,
    batchSize: config.teacher.batchSize ?? config.train.batchSize,
    trainBackend: config.teacher.backend ?? config.trainBackend,
  };
  const teacher: PlannedJob = {
    key: `teacher-${hashInputs(teacherInputs)}`,
    kind: 'teacher',
    label: `teacher ${config.teacher.model ?? '(default)'}`,
    deps: [],
    exclusive: false,
    inputs: teacherInputs,
  };
  const jobs: PlannedJob[] = [teacher];
  const usiHash = recipeHash(resolveRecipe(recipe));
  const baseHash = recipeHash(baselineRecipe(recipe));
  for (const model of config.roster) {
    const modes: Array<'usi' | 'baseline'> = config.baselines ? ['usi', 'baseline'] : ['usi'];
    const pairKey = `pair-${hashInputs({ model, ...common, epochs: config.train.epochs, batchSize: config.train.batchSize })}`;
    for (const mode of modes) {
      const inputs: TrainInputs = {
        kind: 'train',
        model,
        mode,
        ...common,
        epochs: config.train.epochs,
        batchSize: config.train.batchSize,
        recipeHash: mode === 'usi' ? usiHash : baseHash,
        teacherKey: mode === 'usi' ? teacher.key : null,
      };
      const train: PlannedJob = {
        key: `train-${hashInputs(inputs)}`,
        kind: 'train',
        label: `${mode === 'usi' ? 'USI' : 'baseline'} ${model}`,
        deps: mode === 'usi' ? [teacher.key] : [],
        exclusive: false,
        inputs,
        pairKey,
      };
      jobs.push(train);
      // Benchmarks measure the distilled weights; a baseline has the same graph and so the same speed.
      if (mode !== 'usi') continue;
      for (const target of config.bench.targets) {
        const b: BenchInputs = {
          kind: 'bench',
          model,
          trainKey: train.key,
          runtime: target.runtime,
          backend: target.backend ?? null,
          precision: target.precision,
          batchSize: config.bench.batchSize,
          minTime: config.bench.minTime,
          minIters: config.bench.minIters,
          warmupTime: config.bench.warmupTime,
          codeVersion,
        };
        jobs.push({
          key: `bench-${hashInputs(b)}`,
          kind: 'bench',
          label: `bench ${model} ${target.runtime}${target.backend ? `/${target.backend}` : ''} ${target.precision}`,
          deps: [train.key],
          exclusive: true,
          inputs: b,
        });
      }
    }
  }
  return jobs;
}
