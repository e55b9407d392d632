/**
 * Between the pipeline and the database: stores a job's output (one transaction, together with the
 * job row's 'succeeded'), finds a job's earlier finished result, and reads back what dependents
 * need — from the database, so a job skipped as already done feeds its dependents the same way.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { finishedBenchmark, finishedTrainingRun, recordBenchmark, recordTeacher, recordTrainingRun, teacherByJobKey, type TrainingRecord } from '../db/record.js';
import { datasets, jobs, teachers } from '../db/schema.js';
import type { PlannedJob } from './plan.js';
import type { DepInfo, JobOutput, TrainOut } from './runner.js';

function trainingRecord(job: PlannedJob, t: TrainOut, nightlyId: number, mode: TrainingRecord['mode'], teacher: { id: number; model: string } | null, codeVersion: string): TrainingRecord {
  const inputs = job.inputs.kind === 'bench' ? null : job.inputs;
  return {
    jobKey: job.key,
    pairKey: job.pairKey ?? job.key,
    model: { name: t.model, family: t.family, params: t.params, defaultResolution: t.defaultResolution },
    dataset: t.dataset,
    recipeHash: t.recipeHash,
    recipe: t.recipe,
    mode,
    teacherId: teacher?.id ?? null,
    teacherModel: teacher?.model ?? null,
    seed: t.seed,
    epochs: t.epochs,
    batchSize: t.batchSize,
    resolution: t.resolution,
    trainLimit: inputs?.trainLimit ?? null,
    testLimit: inputs?.testLimit ?? null,
    status: 'ok',
    error: null,
    curve: t.curve,
    top1Raw: t.top1Raw,
    top5Raw: t.top5Raw,
    top1Ema: t.top1Ema,
    top5Ema: t.top5Ema,
    best: t.best,
    wallSeconds: t.wallSeconds,
    modelDir: t.modelDir,
    backend: t.backend,
    codeVersion,
    nightlyId,
    environment: t.environment,
  };
}

/**
 * Stores a finished job's result and sets its job row's status, in one transaction. A benchmark
 * that ran but failed (export or runtime error) is stored as a failed result and fails its job.
 */
export function storeOutput(db: Db, job: PlannedJob, jobRowId: number, output: JobOutput, nightlyId: number, codeVersion: string): { status: 'succeeded' | 'failed'; error: string | null } {
  return db.transaction((tx) => {
    const txDb = tx as unknown as Db;
    if (output.kind === 'teacher') {
      const runId = recordTrainingRun(txDb, trainingRecord(job, output.train, nightlyId, 'teacher', null, codeVersion));
      recordTeacher(txDb, { jobKey: job.key, model: output.teacherModel, dataset: output.train.dataset.name, dir: output.dir, top1: output.top1, trainingRunId: runId });
    } else if (output.kind === 'train') {
      if (job.inputs.kind !== 'train') throw new Error(`job ${job.key} is ${job.inputs.kind} but returned a training result`);
      const teacherKey = job.inputs.teacherKey;
      const teacher = teacherKey ? teacherByJobKey(txDb, teacherKey) : undefined;
      if (teacherKey && !teacher) throw new Error(`teacher ${teacherKey} of ${job.label} is not in the database`);
      recordTrainingRun(txDb, trainingRecord(job, output.train, nightlyId, job.inputs.mode, teacher ? { id: teacher.id, model: teacher.model } : null, codeVersion));
    } else {
      if (job.inputs.kind !== 'bench') throw new Error(`job ${job.key} is ${job.inputs.kind} but returned a benchmark`);
      const run = finishedTrainingRun(txDb, job.inputs.trainKey);
      if (!run) throw new Error(`the training run measured by ${job.label} is not in the database`);
      const b = output.bench;
      const model = txDb.query.models.findFirst({ where: (m, { eq: e }) => e(m.name, run.model) }).sync();
      recordBenchmark(txDb, {
        jobKey: job.key,
        model: {
          name: run.model,
          family: model?.family ?? 'cnn',
          params: b.params,
          gmacs: b.gmacs,
          gmacsResolution: output.resolution,
          defaultResolution: model?.defaultResolution ?? output.resolution,
        },
        trainingRunId: run.id,
        runtime: b.protocol.runtime,
        backend: b.protocol.backend,
        device: b.protocol.device,
        precision: b.protocol.precision,
        batchSize: b.protocol.batchSize,
        resolution: b.protocol.resolution,
        params: b.params,
        gmacs: b.gmacs,
        imagesPerSec: b.imagesPerSec,
        throughput: b.throughput,
        latency: b.latency,
        noisy: b.noisy,
        status: b.status,
        error: b.error,
        protocol: b.protocol,
        nightlyId,
        environment: {
          host: '',
          cpuModel: b.protocol.cpuModel,
          cores: b.protocol.cores,
          gpu: b.protocol.gpu,
          os: process.platform,
          versions: b.protocol.versions,
        },
      });
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
  if (job.kind === 'teacher') {
    const t = db.select().from(teachers).where(eq(teachers.jobKey, job.key)).get();
    return t ? { kind: 'teacher', dir: t.dir, model: t.model, top1: t.top1 } : undefined;
  }
  if (job.kind === 'train') {
    const run = finishedTrainingRun(db, job.key);
    if (!run || !run.modelDir) return undefined;
    const ds = db.select().from(datasets).where(eq(datasets.name, run.dataset)).get();
    if (!ds) return undefined;
    return { kind: 'train', trainingRunId: run.id, modelDir: run.modelDir, resolution: run.resolution, numClasses: ds.numClasses, channels: ds.channels };
  }
  return undefined;
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

