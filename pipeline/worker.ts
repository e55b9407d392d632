/**
 * One pipeline job in its own process: `node pipeline/worker-entry.js JOB.json`. The job file holds
 * the planned job, its context and where to put the output; the output is written atomically as
 * `{ ok: true, output }` or `{ ok: false, error }`, so the parent never reads half a result.
 * Everything the job prints goes to stdout/stderr, which the parent points at the job's log file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { benchmarkModel } from '../bench/index.js';
import { currentAllocation } from '../common/allocation.js';
import { writeFileAtomic } from '../common/atomic.js';
import { errorMessage } from '../common/errors.js';
import type { BackendName } from '../common/engine.js';
import { ensureTeacher } from '../training/teacher.js';
import { trainModel } from '../training/train.js';
import type { BenchInputs, PlannedJob, TeacherInputs, TrainInputs } from './plan.js';
import type { DepInfo, JobContext, JobOutput, WorkerResult } from './runner.js';

export interface WorkerJobFile {
  job: PlannedJob;
  ctx: JobContext;
  resultFile: string;
}

async function runTeacher(inputs: TeacherInputs): Promise<JobOutput> {
  const { run } = await ensureTeacher({
    dataset: inputs.dataset,
    model: inputs.model ?? undefined,
    resolution: inputs.resolution,
    epochs: inputs.epochs,
    batchSize: inputs.batchSize,
    seed: inputs.seed,
    trainLimit: inputs.trainLimit ?? undefined,
    testLimit: inputs.testLimit ?? undefined,
    recipe: inputs.recipe,
    backend: inputs.trainBackend as BackendName | 'auto',
    quiet: false,
  });
  return { kind: 'teacher', run, allocation: currentAllocation() };
}

async function runTrain(inputs: TrainInputs, ctx: JobContext): Promise<JobOutput> {
  let teacher = 'none';
  if (inputs.mode === 'usi') {
    const dep = inputs.teacherKey ? ctx.deps[inputs.teacherKey] : undefined;
    if (!dep) throw new Error('USI run without its teacher: the teacher job did not finish');
    teacher = dep.modelDir;
  }
  const run = await trainModel({
    model: inputs.model,
    dataset: inputs.dataset,
    teacher,
    epochs: inputs.epochs,
    batchSize: inputs.batchSize,
    resolution: inputs.resolution,
    seed: inputs.seed,
    outDir: ctx.outDir,
    trainLimit: inputs.trainLimit ?? undefined,
    testLimit: inputs.testLimit ?? undefined,
    recipe: inputs.recipe,
    backend: inputs.trainBackend as BackendName | 'auto',
  });
  return { kind: 'train', run, allocation: currentAllocation() };
}

async function runBench(inputs: BenchInputs, ctx: JobContext): Promise<JobOutput> {
  const dep: DepInfo | undefined = ctx.deps[inputs.trainKey];
  if (!dep) throw new Error('benchmark without its trained model: the training job did not finish');
  const bench = await benchmarkModel({
    model: dep.modelDir,
    batchSize: inputs.batchSize,
    resolution: dep.resolution,
    channels: dep.channels,
    numClasses: dep.numClasses,
    runtime: inputs.runtime,
    backend: inputs.backend ?? undefined,
    precision: inputs.precision,
    minTime: inputs.minTime,
    minIters: inputs.minIters,
    warmupTime: inputs.warmupTime,
  });
  return { kind: 'bench', bench, allocation: currentAllocation() };
}

export async function runWorkerJob(job: PlannedJob, ctx: JobContext): Promise<JobOutput> {
  switch (job.inputs.kind) {
    case 'teacher':
      return runTeacher(job.inputs);
    case 'train':
      return runTrain(job.inputs, ctx);
    case 'bench':
      return runBench(job.inputs, ctx);
  }
}

/**
 * If the nightly dies (even by SIGKILL) this job must not live on: the rerun would start the same
 * job in the same checkpoint directory beside it. An orphan is re-parented, so its ppid changes.
 * The check runs on its own thread because training keeps the main event loop busy for minutes.
 */
function watchParent(): void {
  // The runner names the parent: by the time this runs (after the heavy imports) it may already be gone.
  const parent = Number(process.env.USIBENCH_NIGHTLY_PID) || process.ppid;
  if (process.ppid !== parent) process.exit(137);
  const code = `
    const { workerData } = require('node:worker_threads');
    setInterval(() => { if (process.ppid !== workerData.parent) process.kill(workerData.self, 'SIGKILL'); }, 500);
  `;
  new Worker(code, { eval: true, workerData: { parent, self: process.pid } }).unref();
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: worker-entry.js JOB.json');
  const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as WorkerJobFile;
  watchParent();
  let result: WorkerResult;
  const startedAt = new Date().toISOString();
  try {
    result = { ok: true, output: await runWorkerJob(spec.job, spec.ctx), startedAt, endedAt: new Date().toISOString() };
  } catch (err) {
    process.stderr.write(`${err instanceof Error && err.stack ? err.stack : errorMessage(err)}\n`);
    result = { ok: false, error: errorMessage(err), startedAt, endedAt: new Date().toISOString() };
  }
  writeFileAtomic(spec.resultFile, JSON.stringify(result));
  // tfjs keeps handles open; the result is on disk, so leave now.
  process.exit(result.ok ? 0 : 1);
}

if (process.argv[1] && /worker(-entry)?\.(ts|js)$/.test(process.argv[1])) {
  await main();
}
