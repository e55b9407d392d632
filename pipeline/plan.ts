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
  /** Training jobs only: shared by a USI run and its baseline at the same seed, to pair them for the gain. */
  pairKey?: string;
  /** Training jobs only: shared by a backbone's runs at every seed, both modes: the runs an interval is taken over. */
  cohortKey?: string;
}

export function hashInputs(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 24);
}

export function planJobs(config: NightlyConfig, codeVersion: string): PlannedJob[] {
  const recipe = { ...(config.recipe as Partial<Recipe>), profile: config.profile };
  const common = {
    dataset: config.dataset,
    resolution: config.resolution,
    trainLimit: config.trainLimit ?? null,
    testLimit: config.testLimit ?? null,
    recipe,
    trainBackend: config.trainBackend,
    codeVersion,
  };
  // One teacher per nightly, at the first seed: every student distils from the same weights.
  const teacherInputs: TeacherInputs = {
    kind: 'teacher',
    ...common,
    seed: config.seeds[0],
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
  const modes: Array<'usi' | 'baseline'> = config.baselines ? ['usi', 'baseline'] : ['usi'];
  const schedule = { epochs: config.train.epochs, batchSize: config.train.batchSize };
  for (const model of config.roster) {
    const cohortKey = `cohort-${hashInputs({ model, ...common, ...schedule })}`;
    for (const [s, seed] of config.seeds.entries()) {
      const pairKey = `pair-${hashInputs({ model, ...common, ...schedule, seed })}`;
      const seedLabel = config.seeds.length > 1 ? ` seed ${seed}` : '';
      for (const mode of modes) {
        const inputs: TrainInputs = {
          kind: 'train',
          model,
          mode,
          ...common,
          ...schedule,
          seed,
          recipeHash: mode === 'usi' ? usiHash : baseHash,
          teacherKey: mode === 'usi' ? teacher.key : null,
        };
        const train: PlannedJob = {
          key: `train-${hashInputs(inputs)}`,
          kind: 'train',
          label: `${mode === 'usi' ? 'USI' : 'baseline'} ${model}${seedLabel}`,
          deps: mode === 'usi' ? [teacher.key] : [],
          exclusive: false,
          inputs,
          pairKey,
          cohortKey,
        };
        jobs.push(train);
        // Speed depends on the graph, not the weights: one benchmark per backbone, of its USI run at
        // the first seed, stands for every run of the cohort (the baselines' points sit at it).
        if (mode !== 'usi' || s !== 0) continue;
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
  }
  return jobs;
}
