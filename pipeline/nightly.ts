/**
 * The nightly run: plan the job graph, take the database's lock, run every job whose inputs have
 * no finished result yet (in child processes, up to `jobs` at once, dependencies first,
 * benchmarks alone on a quiet machine), store each result in its own transaction, and summarise.
 * A failing job is recorded and the others go on; jobs that depend on it fail with its name.
 */
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { cpuInfo, currentEnvironment, gitCommit, hostName } from '../common/environment.js';
import { errorMessage } from '../common/errors.js';
import { createProgress, type Progress } from '../common/progress.js';
import { closeDb, openDb, resolveDbPath, type Db } from '../db/index.js';
import { environmentId } from '../db/record.js';
import { jobs as jobsTable, nightlyRuns } from '../db/schema.js';
import { getModelEntry } from '../training/models/index.js';
import { ChildProcessRunner } from './child-runner.js';
import { codeVersion as currentCodeVersion } from './code-version.js';
import type { NightlyConfig } from './config.js';
import { acquireNightlyLock, releaseNightlyLock } from './lock.js';
import { planJobs, type JobKind, type PlannedJob } from './plan.js';
import type { DepInfo, JobRunner } from './runner.js';
import { estimateWall, formatEstimate } from './estimate.js';
import { alreadyDone, depInfo, resultText, storeOutput } from './store.js';
import { jobLogFile, jobOutDir } from './work-dir.js';

export interface NightlyOptions {
  config: NightlyConfig;
  preset: string | null;
  dbFile?: string;
  /** Jobs at once (default: the machine's cores). */
  jobs?: number;
  /** Rerun jobs that already have a finished result. */
  force?: boolean;
  breakLock?: boolean;
  runner?: JobRunner;
  /** Identity of the code, part of every job key (default: code-version.ts's source hash). */
  codeVersion?: string;
  /** Draw the progress bar on stderr. */
  progress?: boolean;
  /** Stop in-flight jobs and mark the run interrupted on SIGINT/SIGTERM (the CLI turns this on). */
  handleSignals?: boolean;
  isAlive?: (pid: number) => boolean;
}

export type JobStatus = 'succeeded' | 'failed' | 'skipped';

export interface JobSummary {
  key: string;
  kind: JobKind;
  label: string;
  status: JobStatus;
  seconds: number;
  result: string;
  error: string | null;
  logFile: string | null;
}

export interface NightlySummary {
  nightlyId: number;
  status: 'succeeded' | 'failed' | 'interrupted';
  startedAt: string;
  endedAt: string;
  wallSeconds: number;
  /** What the start of the night expected from earlier nights' job times (null: nothing to go on). */
  expectedSeconds: number | null;
  db: string;
  workDir: string;
  site: string;
  counts: Record<JobStatus, number>;
  jobs: JobSummary[];
}

/** Unknown roster or teacher models fail before anything runs or is locked. */
export function checkRoster(config: NightlyConfig): void {
  for (const name of config.roster) getModelEntry(name);
  if (config.teacher.model) getModelEntry(config.teacher.model);
}

export async function runNightly(opts: NightlyOptions): Promise<NightlySummary> {
  const config = opts.config;
  checkRoster(config);
  const codeVersion = opts.codeVersion ?? currentCodeVersion();
  const plan = planJobs(config, codeVersion);
  const dbFile = resolveDbPath(opts.dbFile);
  const workDir = path.resolve(config.workDir);
  const concurrency = Math.max(1, opts.jobs ?? cpuInfo().cores);
  const runner = opts.runner ?? new ChildProcessRunner();
  const db = openDb(dbFile);
  const envId = environmentId(db, currentEnvironment());
  let nightlyId: number;
  try {
    nightlyId = acquireNightlyLock(db, dbFile, {
      pid: process.pid,
      host: hostName(),
      gitCommit: gitCommit(),
      preset: opts.preset,
      config: config as unknown as Record<string, unknown>,
      environmentId: envId,
      breakLock: opts.breakLock,
      isAlive: opts.isAlive,
    });
  } catch (err) {
    closeDb(db);
    throw err;
  }
  const estimate = estimateWall(db, plan, concurrency, (job) => !opts.force && alreadyDone(db, job));
  if (opts.progress) process.stderr.write(`${formatEstimate(estimate)}\n`);
  const startedAt = db.select({ s: nightlyRuns.startedAt }).from(nightlyRuns).where(eq(nightlyRuns.id, nightlyId)).get()!.s;
  const t0 = performance.now();
  const jobRowIds = new Map<string, number>();
  db.transaction((tx) => {
    for (const job of plan) {
      const row = tx.insert(jobsTable).values({ nightlyId, kind: job.kind, key: job.key, label: job.label, status: 'pending', inputs: job.inputs as unknown as Record<string, unknown> }).returning({ id: jobsTable.id }).get();
      jobRowIds.set(job.key, row.id);
    }
  });

  const summaries = new Map<string, JobSummary>();
  const running = new Map<string, Promise<void>>();
  let exclusiveRunning = false;
  let interrupted = false;
  const bar: Progress | null = opts.progress ? createProgress('nightly', plan.length, 'jobs | done {done} running {running} failed {failed} skipped {skipped}') : null;
  const counts = (): Record<JobStatus, number> => {
    const c = { succeeded: 0, failed: 0, skipped: 0 };
    for (const s of summaries.values()) c[s.status]++;
    return c;
  };
  const redraw = () => {
    const c = counts();
    bar?.update(summaries.size, { done: c.succeeded, running: running.size, failed: c.failed, skipped: c.skipped });
  };
  const finish = (job: PlannedJob, status: JobStatus, started: number, error: string | null, logFile: string | null) => {
    summaries.set(job.key, {
      key: job.key, kind: job.kind, label: job.label, status, seconds: (performance.now() - started) / 1000,
      result: status === 'failed' ? '' : resultText(db, job), error, logFile,
    });
    redraw();
  };
  const markJob = (job: PlannedJob, status: 'running' | 'failed' | 'skipped', error: string | null = null) => {
    try {
      const now = new Date().toISOString();
      db.update(jobsTable)
        .set(status === 'running' ? { status, startedAt: now } : { status, error, endedAt: now })
        .where(eq(jobsTable.id, jobRowIds.get(job.key)!))
        .run();
    } catch {
      // The job's own status row is bookkeeping; a full disk must not stop the run from going on.
    }
  };

  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    runner.cancelAll?.();
    process.stderr.write(`\nnightly: ${signal}, stopping the jobs in flight; rerun to resume\n`);
  };
  if (opts.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  const start = (job: PlannedJob) => {
    const t = performance.now();
    if (!opts.force && alreadyDone(db, job)) {
      markJob(job, 'skipped');
      finish(job, 'skipped', t, null, null);
      return;
    }
    const deps: Record<string, DepInfo> = {};
    for (const key of job.deps) {
      const info = depInfo(db, plan.find((j) => j.key === key)!);
      if (info) deps[key] = info;
    }
    const logFile = jobLogFile(path.join(workDir, 'logs', `nightly-${nightlyId}`), job);
    const outDir = jobOutDir(workDir, job.key);
    markJob(job, 'running');
    if (job.exclusive) exclusiveRunning = true;
    const p = runner
      .run(job, { logFile, outDir, deps })
      .then(
        (output) => {
          try {
            const outcome = storeOutput(db, job, jobRowIds.get(job.key)!, output, nightlyId, codeVersion);
            finish(job, outcome.status, t, outcome.error, logFile);
          } catch (err) {
            const msg = `result not stored: ${errorMessage(err)}`;
            markJob(job, 'failed', msg);
            finish(job, 'failed', t, msg, logFile);
          }
        },
        (err: unknown) => {
          const msg = interrupted ? `interrupted (${errorMessage(err)})` : errorMessage(err);
          markJob(job, 'failed', msg);
          finish(job, 'failed', t, msg, logFile);
        },
      )
      .finally(() => {
        running.delete(job.key);
        if (job.exclusive) exclusiveRunning = false;
        redraw();
      });
    running.set(job.key, p);
    redraw();
  };

  try {
    for (;;) {
      const waiting = plan.filter((j) => !summaries.has(j.key) && !running.has(j.key));
      if (waiting.length === 0 && running.size === 0) break;
      // A job whose dependency failed cannot run: fail it now, naming the cause.
      for (const job of waiting) {
        const failedDep = job.deps.map((k) => summaries.get(k)).find((s) => s?.status === 'failed');
        if (failedDep || interrupted) {
          const msg = interrupted ? 'not started: the nightly was interrupted' : `not run: ${failedDep!.label} failed`;
          markJob(job, 'failed', msg);
          finish(job, 'failed', performance.now(), msg, null);
        }
      }
      const ready = plan.filter((j) => !summaries.has(j.key) && !running.has(j.key) && j.deps.every((k) => summaries.get(k)?.status === 'succeeded' || summaries.get(k)?.status === 'skipped'));
      let started = false;
      if (!exclusiveRunning && !interrupted) {
        for (const job of ready) {
          if (running.size >= concurrency) break;
          if (job.exclusive) continue;
          start(job);
          started = true;
        }
        // Benchmarks run alone: timing beside a training job would measure the contention.
        const nextExclusive = ready.find((j) => j.exclusive && !summaries.has(j.key) && !running.has(j.key));
        if (running.size === 0 && nextExclusive) {
          start(nextExclusive);
          started = true;
        }
      }
      if (running.size > 0) await Promise.race(running.values());
      else if (!started && !plan.every((j) => summaries.has(j.key))) {
        // Unreachable with a well-formed plan (every dependency is in it); guard against a spin.
        throw new Error(`nightly scheduler stalled with ${plan.filter((j) => !summaries.has(j.key)).length} jobs unscheduled`);
      }
    }
  } finally {
    bar?.stop();
    if (opts.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  const c = counts();
  const endedAt = new Date().toISOString();
  const status: NightlySummary['status'] = interrupted ? 'interrupted' : c.failed > 0 ? 'failed' : 'succeeded';
  const summary: NightlySummary = {
    nightlyId,
    status,
    startedAt,
    endedAt,
    wallSeconds: (performance.now() - t0) / 1000,
    expectedSeconds: estimate.seconds,
    db: dbFile,
    workDir,
    site: `usibench serve --db ${dbFile}`,
    counts: c,
    jobs: plan.map((j) => summaries.get(j.key)!),
  };
  try {
    db.update(nightlyRuns)
      .set({ status, endedAt, summary: { counts: c, wallSeconds: summary.wallSeconds } })
      .where(eq(nightlyRuns.id, nightlyId))
      .run();
  } finally {
    releaseNightlyLock(db, nightlyId);
    closeDb(db);
  }
  return summary;
}

export type { Db };
