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
import type { PlannedJob } from './plan.js';
import { readWorkerResult, type JobContext, type JobOutput, type JobRunner, type WorkerResult } from './runner.js';
import type { WorkerJobFile } from './worker.js';
import { RESULT_FILE } from './work-dir.js';

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

export class ChildProcessRunner implements JobRunner {
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  run(job: PlannedJob, ctx: JobContext): Promise<JobOutput> {
    fs.mkdirSync(ctx.outDir, { recursive: true });
    fs.mkdirSync(path.dirname(ctx.logFile), { recursive: true });
    const jobFile = path.join(ctx.outDir, 'job.json');
    const resultFile = path.join(ctx.outDir, RESULT_FILE);
    fs.rmSync(resultFile, { force: true });
    const spec: WorkerJobFile = { job, ctx, resultFile };
    writeFileAtomic(jobFile, JSON.stringify(spec, null, 2));
    const log = fs.openSync(ctx.logFile, 'a');
    fs.writeSync(log, `\n=== ${new Date().toISOString()} ${job.label} (${job.key}) ===\n`);
    return new Promise<JobOutput>((resolve, reject) => {
      // Progress bars in a log file print a line every few seconds instead of redrawing.
      const child = spawn(process.execPath, [WORKER, jobFile], { stdio: ['ignore', log, log], env: { ...this.env, FORCE_COLOR: '0', USIBENCH_NIGHTLY_PID: String(process.pid) } });
      this.children.add(child);
      child.on('error', (err) => {
        this.children.delete(child);
        fs.closeSync(log);
        reject(err);
      });
      child.on('exit', (code, signal) => {
        this.children.delete(child);
        fs.closeSync(log);
        let result: WorkerResult | null;
        try {
          result = readWorkerResult(resultFile);
        } catch (err) {
          return reject(err);
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
