/**
 * Between the pipeline and the database: stores a job's output (one transaction, together with the
 * job row's 'succeeded'), finds a job's earlier finished result, and reads back what dependents
 * need — from the database, so a job skipped as already done feeds its dependents the same way.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { finishedBenchmark, finishedTrainingRun, recordBenchmark, recordTeacher, recordTrainingRun, teacherByJobKey } from '../db/record.js';
import { datasets, jobs } from '../db/schema.js';
import type { PlannedJob } from './plan.js';
import type { DepInfo, JobOutput } from './runner.js';

/**
 * Stores a finished job's result and sets its job row's status, in one transaction. A benchmark
 * that ran but failed (export or runtime error) is stored as a failed result and fails its job.
 */
export function storeOutput(db: Db, job: PlannedJob, jobRowId: number, output: JobOutput, nightlyId: number, codeVersion: string): { status: 'succeeded' | 'failed'; error: string | null } {
  return db.transaction((tx) => {
    const txDb = tx as unknown as Db;
    const stamp = { jobKey: job.key, nightlyId, allocation: output.allocation };
    if (output.kind === 'bench') {
      if (job.inputs.kind !== 'bench') throw new Error(`job ${job.key} is ${job.inputs.kind} but returned a benchmark`);
      const run = finishedTrainingRun(txDb, job.inputs.trainKey);
      if (!run) throw new Error(`the training run measured by ${job.label} is not in the database`);
      recordBenchmark(txDb, output.bench, { ...stamp, trainingRunId: run.id });
    } else {
      if (job.inputs.kind !== output.kind) throw new Error(`job ${job.key} is ${job.inputs.kind} but returned a ${output.kind} result`);
      const teacherKey = job.inputs.kind === 'train' ? job.inputs.teacherKey : null;
      const teacher = teacherKey ? teacherByJobKey(txDb, teacherKey) : undefined;
      if (teacherKey && !teacher) throw new Error(`teacher ${teacherKey} of ${job.label} is not in the database`);
      const mode = job.inputs.kind === 'train' ? job.inputs.mode : 'teacher';
      const runId = recordTrainingRun(txDb, output.run, { ...stamp, pairKey: job.pairKey ?? job.key, cohortKey: job.cohortKey ?? job.pairKey ?? job.key, mode, teacherId: teacher?.id ?? null, codeVersion });
      if (output.kind === 'teacher') {
        recordTeacher(txDb, { jobKey: job.key, model: output.run.model, dataset: output.run.dataset, dir: output.run.modelDir, top1: output.run.top1, trainingRunId: runId });
      }
    }
    const failed = output.kind === 'bench' && output.bench.status !== 'ok';
    const outcome = { status: failed ? ('failed' as const) : ('succeeded' as const), error: failed && output.kind === 'bench' ? (output.bench.error ?? 'benchmark failed') : null };
    tx.update(jobs).set({ status: outcome.status, endedAt: new Date().toISOString(), error: outcome.error }).where(eq(jobs.id, jobRowId)).run();
    return outcome;
  });
}

/** Whether a job's exact inputs already have a finished result in the database (any night). */
export function alreadyDone(db: Db, job: PlannedJob): boolean {
  if (job.kind === 'teacher') {
    const t = teacherByJobKey(db, job.key);
    return t !== undefined && finishedTrainingRun(db, job.key) !== undefined;
  }
  if (job.kind === 'train') return finishedTrainingRun(db, job.key) !== undefined;
  return finishedBenchmark(db, job.key) !== undefined;
}

/** What dependents of a finished job need, read from the database; undefined if it has no result. */
export function depInfo(db: Db, job: PlannedJob): DepInfo | undefined {
  if (job.kind === 'bench') return undefined;
  const run = finishedTrainingRun(db, job.key);
  if (!run?.modelDir || run.top1 === null) return undefined;
  const ds = db.select().from(datasets).where(eq(datasets.name, run.dataset)).get();
  if (!ds) return undefined;
  return { model: run.model, modelDir: run.modelDir, top1: run.top1, resolution: run.resolution, numClasses: ds.numClasses, channels: ds.channels };
}

/** A short text for the summary: top-1 for training, img/s for a benchmark. */
export function resultText(db: Db, job: PlannedJob): string {
  if (job.kind === 'bench') {
    const b = finishedBenchmark(db, job.key);
    return b?.imagesPerSec != null ? `${b.imagesPerSec.toFixed(1)} img/s` : '';
  }
  const run = finishedTrainingRun(db, job.key);
  return run?.top1 != null ? `top-1 ${(run.top1 * 100).toFixed(2)}%` : '';
}

