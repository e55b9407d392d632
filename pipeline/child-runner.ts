/**
 * The real job runner: each job in a fresh Node process (worker-entry.js), so a crash, a memory
 * blow-up or a leaked tfjs tensor in one job cannot take the nightly or other jobs down, and each
 * job's output goes to its own log file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../common/atomic.js';
import { cpuInfo } from '../common/environment.js';
import type { PlannedJob } from './plan.js';
import type { JobContext, JobOutput, JobRunner } from './runner.js';
import type { WorkerJobFile, WorkerResult } from './worker.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker-entry.js');

/** The last non-blank lines of a log, clipped: enough to recognise the failure in a summary table. */
function logTail(file: string, lines = 3, maxChars = 300): string {
  try {
    const tail = fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean).slice(-lines).join(' | ');
    return tail.length > maxChars ? `…${tail.slice(-maxChars)}` : tail;
  } catch {
    return '';
  }
}

/**
 * A job's environment. Jobs that share the machine split its cores between their native addons
 * (USIBENCH_NATIVE_THREADS): two training jobs each computing on every core ran 4 threads on 2
 * cores. A benchmark runs alone and keeps them all; a thread count the user set is kept.
 */
export function jobEnv(base: NodeJS.ProcessEnv, job: Pick<PlannedJob, 'exclusive'>, parallelJobs: number, cores: number): NodeJS.ProcessEnv {
  if (job.exclusive || parallelJobs <= 1 || base.USIBENCH_NATIVE_THREADS) return base;
  return { ...base, USIBENCH_NATIVE_THREADS: String(Math.max(1, Math.floor(cores / parallelJobs))) };
}

export class ChildProcessRunner implements JobRunner {
  private readonly children = new Set<ChildProcess>();

  /** parallelJobs: how many jobs the scheduler runs at once (they share the cores). */
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly parallelJobs = 1,
  ) {}

  run(job: PlannedJob, ctx: JobContext): Promise<JobOutput> {
    fs.mkdirSync(ctx.outDir, { recursive: true });
    fs.mkdirSync(path.dirname(ctx.logFile), { recursive: true });
    const jobFile = path.join(ctx.outDir, 'job.json');
    const resultFile = path.join(ctx.outDir, 'job-result.json');
    fs.rmSync(resultFile, { force: true });
    const spec: WorkerJobFile = { job, ctx, resultFile };
    writeFileAtomic(jobFile, JSON.stringify(spec, null, 2));
    const log = fs.openSync(ctx.logFile, 'a');
    fs.writeSync(log, `\n=== ${new Date().toISOString()} ${job.label} (${job.key}) ===\n`);
    return new Promise<JobOutput>((resolve, reject) => {
      // Progress bars in a log file print a line every few seconds instead of redrawing.
      const child = spawn(process.execPath, [WORKER, jobFile], { stdio: ['ignore', log, log], env: { ...jobEnv(this.env, job, this.parallelJobs, cpuInfo().cores), FORCE_COLOR: '0', USIBENCH_NIGHTLY_PID: String(process.pid) } });
      this.children.add(child);
      child.on('error', (err) => {
        this.children.delete(child);
        fs.closeSync(log);
        reject(err);
      });
      child.on('exit', (code, signal) => {
        this.children.delete(child);
        fs.closeSync(log);
        let result: WorkerResult | null = null;
        try {
          result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as WorkerResult;
        } catch {
          result = null;
        }
        if (result?.ok) resolve(result.output);
        else if (result) reject(new Error(result.error));
        else reject(new Error(`job process ${signal ? `killed by ${signal}` : `exited with code ${code}`} without a result; log ${ctx.logFile}: ${logTail(ctx.logFile)}`));
      });
    });
  }

  cancelAll(): void {
    for (const child of this.children) child.kill('SIGTERM');
  }
}
