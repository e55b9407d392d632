/**
 * The job-runner seam: the pipeline hands a planned job to a runner and gets the job's output back
 * (or an error). The real runner runs each job in a child process (child-runner.ts); tests inject
 * fast fakes to exercise crashes, resumes and write errors without training anything.
 */
import type { BenchResult } from '../bench/index.js';
import type { CurvePoint } from '../db/schema.js';
import type { PlannedJob } from './plan.js';

export interface DatasetFactsOut {
  name: string;
  numClasses: number;
  channels: number;
  resolution: number;
  classNames: string[];
}

export interface EnvironmentOut {
  host: string;
  cpuModel: string;
  cores: number;
  gpu: string | null;
  os: string;
  versions: Record<string, string>;
}

/** The fields of training/train.ts TrainResult the pipeline stores. */
export interface TrainOut {
  model: string;
  family: 'cnn' | 'mobile' | 'transformer' | 'mlp';
  params: number;
  defaultResolution: number;
  dataset: DatasetFactsOut;
  resolution: number;
  recipeHash: string;
  recipe: Record<string, unknown>;
  seed: number;
  epochs: number;
  batchSize: number;
  top1Raw: number;
  top5Raw: number;
  top1Ema: number;
  top5Ema: number;
  best: 'raw' | 'ema';
  curve: CurvePoint[];
  wallSeconds: number;
  modelDir: string;
  backend: string;
  environment: EnvironmentOut;
}

/** A benchmark job stores the harness's result as it is. */
export type BenchOut = BenchResult;

export type JobOutput =
  | { kind: 'teacher'; teacherModel: string; dir: string; top1: number; train: TrainOut }
  | { kind: 'train'; train: TrainOut }
  | { kind: 'bench'; bench: BenchOut; resolution: number };

/** What a job needs from a finished dependency (read back from the database, so skipped deps work too). */
export type DepInfo =
  | { kind: 'teacher'; dir: string; model: string; top1: number }
  | { kind: 'train'; trainingRunId: number; modelDir: string; resolution: number; numClasses: number; channels: number };

export interface JobContext {
  /** The job's own log file; a runner appends everything the job prints here. */
  logFile: string;
  /** A directory that stays the same for the same job key, so an interrupted job resumes from its checkpoint there. */
  outDir: string;
  deps: Record<string, DepInfo>;
}

export interface JobRunner {
  run(job: PlannedJob, ctx: JobContext): Promise<JobOutput>;
  /** Stops every job in flight (SIGINT/SIGTERM of the nightly). */
  cancelAll?(): void;
}
