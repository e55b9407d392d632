/**
 * One Slurm task: runs one planned job by its key (`usibench job run KEY --work-dir DIR`). It finds
 * the job in a plan of the work dir, takes what its dependencies produced from their result files,
 * and runs it like the local nightly does (its own process, its own log, one result file written
 * atomically, a checkpoint to resume from in its out dir). It never opens the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../common/atomic.js';
import { UsageError, errorMessage } from '../../common/errors.js';
import { loadCheckpoint } from '../../training/checkpoint.js';
import { ChildProcessRunner } from '../child-runner.js';
import type { PlannedJob } from '../plan.js';
import { depInfoOf, type DepInfo, type JobOutput, type WorkerResult } from '../runner.js';
import { jobLogFile, jobOutDir, jobResultFile } from '../work-dir.js';
import { jobResult, plansIn, readPlanFile } from './submission.js';

export interface TaskOutcome {
  job: PlannedJob;
  logFile: string;
  output: JobOutput | null;
  error: string | null;
}

/** The planned job with this key, from the newest plan of the work dir that holds it. */
export function findPlannedJob(workDir: string, key: string): { job: PlannedJob; planId: string } {
  const plans = plansIn(workDir);
  if (plans.length === 0) throw new UsageError(`no usibench plan in ${path.resolve(workDir)}/slurm; submit the nightly with --executor slurm first (and check the work dir is shared with this node)`);
  for (const file of plans) {
    const { plan, jobs } = readPlanFile(file);
    const job = jobs.find((j) => j.key === key);
    if (job) return { job, planId: plan.planId };
  }
  throw new UsageError(`no job ${key} in the plans of ${path.resolve(workDir)}/slurm (${plans.length} plan(s)); was the code changed since the submission?`);
}

/** What a dependency produced, from its result file. */
function depFromResult(workDir: string, key: string): DepInfo {
  const result = jobResult(workDir, key);
  if (!result) throw new Error(`dependency ${key} has no result file ${jobResultFile(workDir, key)}`);
  if (!result.ok) throw new Error(`dependency ${key} failed: ${result.error}`);
  if (result.output.kind === 'bench') throw new Error(`dependency ${key} is a benchmark, which nothing depends on`);
  return depInfoOf(result.output.run);
}

export async function runTask(workDir: string, key: string, log: (line: string) => void = () => {}): Promise<TaskOutcome> {
  const root = path.resolve(workDir);
  const { job, planId } = findPlannedJob(root, key);
  const logFile = jobLogFile(path.join(root, 'logs', `slurm-${planId}`), job);
  const outDir = jobOutDir(root, key);
  try {
    // A stale result of an earlier attempt must not stand for this one.
    fs.rmSync(jobResultFile(root, key), { force: true });
    const deps: Record<string, DepInfo> = {};
    for (const dep of job.deps) deps[dep] = depFromResult(root, dep);
    if (job.kind === 'train' && fs.existsSync(outDir)) {
      const epoch = loadCheckpoint(outDir)?.epoch;
      if (epoch) log(`${job.label}: resuming from its checkpoint after epoch ${epoch}`);
    }
    log(`${job.label} (${key}): log ${logFile}`);
    const output = await new ChildProcessRunner().run(job, { logFile, outDir, deps });
    const failed = output.kind === 'bench' && output.bench.status !== 'ok' ? (output.bench.error ?? 'benchmark failed') : null;
    return { job, logFile, output, error: failed };
  } catch (err) {
    // A job that failed before its process wrote a result (a missing dependency, a crash) still
    // leaves one, so the importer can say why rather than only that it is missing.
    const file = jobResultFile(root, key);
    const result: WorkerResult = { ok: false, error: errorMessage(err), endedAt: new Date().toISOString() };
    if (jobResult(root, key)?.ok !== false) writeFileAtomic(file, JSON.stringify(result));
    return { job, logFile, output: null, error: errorMessage(err) };
  }
}
