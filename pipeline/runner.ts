/**
 * The job-runner seam: the pipeline hands a planned job to a runner and gets the job's output back
 * (or an error). The real runner runs each job in a child process (child-runner.ts); tests inject
 * fast fakes to exercise crashes, resumes and write errors without training anything.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { describeIssues } from '../common/validate.js';
import { AllocationJsonSchema, BenchmarkSchema, TrainingRunSchema, type TrainingRun } from '../db/record.js';
import type { PlannedJob } from './plan.js';

/** What a job hands back: the trainer's or the harness's record as it is, and where the job ran. */
export const JobOutputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('teacher'), run: TrainingRunSchema, allocation: AllocationJsonSchema }).strict(),
  z.object({ kind: z.literal('train'), run: TrainingRunSchema, allocation: AllocationJsonSchema }).strict(),
  z.object({ kind: z.literal('bench'), bench: BenchmarkSchema, allocation: AllocationJsonSchema }).strict(),
]);
export type JobOutput = z.infer<typeof JobOutputSchema>;

/** When the job's process ran it: a Slurm nightly's importer has no other clock on its tasks. */
const ranAt = { startedAt: z.iso.datetime().optional(), endedAt: z.iso.datetime().optional() };

export const WorkerResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), output: JobOutputSchema, ...ranAt }),
  z.object({ ok: z.literal(false), error: z.string(), ...ranAt }),
]);
export type WorkerResult = z.infer<typeof WorkerResultSchema>;

/** A job's result file, validated: null when it is missing; an error naming the field when it is not a result. */
export function readWorkerResult(file: string): WorkerResult | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const parsed = WorkerResultSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is not a job result: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** What a job needs from a finished dependency (a teacher or a trained model), from its training run. */
export type DepInfo = Pick<TrainingRun, 'model' | 'modelDir' | 'top1' | 'resolution'> & { numClasses: number; channels: number };

/** A dependency's DepInfo straight from its training run record. */
export function depInfoOf(run: TrainingRun): DepInfo {
  return { model: run.model, modelDir: run.modelDir, top1: run.top1, resolution: run.resolution, numClasses: run.datasetFacts.numClasses, channels: run.datasetFacts.channels };
}

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
