/**
 * `usibench nightly --executor slurm`: submits the planned jobs that have no finished result to
 * Slurm (scripts.ts says how they are grouped and chained) and returns their ids; with `--wait`
 * it follows them, importing each result as it lands, until they have all ended. A resubmission
 * submits only what is missing or failed, and a job killed by Slurm resumes from its checkpoint
 * in its out dir. A submission while jobs of the same plan are still queued or running is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitCommit, hostName } from '../../common/environment.js';
import { UsageError } from '../../common/errors.js';
import { createProgress } from '../../common/progress.js';
import { closeDb, openDb, resolveDbPath } from '../../db/index.js';
import { jobs as jobsTable } from '../../db/schema.js';
import { cacheRoot } from '../../training/data/download.js';
import { codeVersion as currentCodeVersion } from '../code-version.js';
import type { NightlyConfig } from '../config.js';
import type { JobStatus, NightlySummary } from '../nightly.js';
import { checkRoster } from '../nightly.js';
import { planJobs, type PlannedJob } from '../plan.js';
import { resultText } from '../store.js';
import { eq } from 'drizzle-orm';
import { expandIds, queuedJobs, sbatch } from './commands.js';
import { importSubmission, type ImportSummary } from './import.js';
import { batchJobs, describeBatch, jobName, renderScript, type BatchKind, type ScriptSetup, type SlurmOptions } from './scripts.js';
import {
  isFinished,
  jobResult,
  planIdOf,
  readPlanFile,
  readSubmissions,
  slurmDirOf,
  writePlanFile,
  writeSubmission,
  type PlanFile,
  type Submission,
} from './submission.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'usibench.js');
const KINDS: BatchKind[] = ['teacher', 'train', 'bench', 'import'];

export interface SubmitOptions {
  config: NightlyConfig;
  preset: string | null;
  dbFile?: string;
  slurm: SlurmOptions;
  /** Follow the jobs and import their results here, instead of a final import job. */
  wait?: boolean;
  codeVersion?: string;
  progress?: boolean;
  /** How often `wait` asks squeue and reads result files. */
  pollMs?: number;
  /** Where the submission's report goes (stdout in the CLI). */
  print?: (text: string) => void;
}

export interface SubmitResult {
  planId: string;
  slurmDir: string;
  /** Null when every planned job had a result: nothing was submitted. */
  submission: Submission | null;
  /** With `wait`: the nightly as the import left it. */
  summary: NightlySummary | null;
  import: ImportSummary | null;
}

/** The plan's jobs still in Slurm's queue, by squeue's ids; the submission is refused while there are any. */
function queuedOfPlan(planId: string) {
  return queuedJobs(KINDS.map((k) => jobName(planId, k)));
}

export async function submitNightly(opts: SubmitOptions): Promise<SubmitResult> {
  const print = opts.print ?? (() => {});
  checkRoster(opts.config);
  const config = { ...opts.config, workDir: path.resolve(opts.config.workDir) };
  const codeVersion = opts.codeVersion ?? currentCodeVersion();
  const plan = planJobs(config, codeVersion);
  const planId = planIdOf(plan, config.workDir);
  const slurmDir = slurmDirOf(config.workDir, planId);
  const dbFile = resolveDbPath(opts.dbFile);

  const queued = queuedOfPlan(planId);
  if (queued.length > 0) {
    throw new UsageError(
      `nightly ${planId} already has Slurm jobs queued or running: ${queued.map((q) => `${q.id} (${q.state.toLowerCase()})`).join(', ')}; wait for them (squeue --me) or scancel them, then submit again`,
    );
  }
  const todo = plan.filter((j) => !isFinished(jobResult(config.workDir, j.key)));
  const planFile: PlanFile = { planId, preset: opts.preset, codeVersion, gitCommit: gitCommit(), config: config as unknown as Record<string, unknown> };
  fs.mkdirSync(path.join(slurmDir, 'out'), { recursive: true });
  const planPath = writePlanFile(slurmDir, planFile);
  const earlier = readSubmissions(slurmDir);
  if (todo.length === 0) {
    print(`nothing to submit: all ${plan.length} jobs of nightly ${planId} have results in ${config.workDir}\n`);
    return { planId, slurmDir, submission: null, summary: null, import: null };
  }

  const number = (earlier.at(-1)?.number ?? 0) + 1;
  const setup: ScriptSetup = {
    planId,
    submission: number,
    workDir: config.workDir,
    slurmDir,
    cacheDir: cacheRoot({}),
    node: process.execPath,
    cli: CLI,
    dbFile: opts.wait ? null : dbFile,
    options: opts.slurm,
  };
  const batches = batchJobs(todo, !opts.wait, opts.slurm);
  const submission: Submission = { planId, number, submittedAt: new Date().toISOString(), host: hostName(), pid: process.pid, jobIds: {}, batches: [] };
  const ids: string[] = [];
  const scriptDir = path.join(slurmDir, `submission-${number}`);
  fs.mkdirSync(scriptDir, { recursive: true });
  try {
    for (const [i, batch] of batches.entries()) {
      const script = path.join(scriptDir, `${String(i).padStart(2, '0')}-${batch.kind}.sh`);
      fs.writeFileSync(script, renderScript(batch, ids, setup), { mode: 0o755 });
      const id = sbatch(script);
      ids.push(id);
      batch.keys.forEach((key, task) => (submission.jobIds[key] = batch.array ? `${id}_${task}` : id));
      submission.batches.push({ kind: batch.kind, id, script, keys: batch.keys });
    }
  } finally {
    // Even a submission cut short by an sbatch error is recorded: its jobs run, and the next
    // submission must find them (and the import must know them).
    if (submission.batches.length) writeSubmission(slurmDir, submission);
  }
  const width = Math.max(...batches.map((b) => describeBatch(b).length));
  const lines = batches.map((b, i) => {
    const id = b.array ? `${ids[i]}_[0-${b.keys.length - 1}]` : ids[i];
    const extra = [b.after ? `after ${b.after.type.replace('after', '')} ${b.after.refs.map((r) => (r.task === null ? ids[r.batch] : `${ids[r.batch]}_${r.task}`)).join(',')}` : '', b.exclusive ? 'exclusive' : ''].filter(Boolean).join(', ');
    return `  ${describeBatch(b).padEnd(width)}  ${id}${extra ? `  (${extra})` : ''}`;
  });
  print(
    [
      `submitted nightly ${planId} to Slurm, submission ${number}: ${todo.length} of ${plan.length} jobs (${plan.length - todo.length} already done)`,
      ...lines,
      `scripts:  ${scriptDir}`,
      `logs:     ${path.join(config.workDir, 'logs', `slurm-${planId}`)}`,
      opts.wait ? '' : `the last job imports the results into ${dbFile}; or import now: usibench nightly --import --plan ${planPath} --db ${dbFile}`,
      '',
    ].filter((l, i, a) => l !== '' || i === a.length - 1).join('\n'),
  );
  if (!opts.wait) return { planId, slurmDir, submission, summary: null, import: null };
  const followed = await follow(dbFile, planPath, submission, opts);
  return { planId, slurmDir, submission, ...followed };
}

/** Slurm ids still queued or running among the plan's jobs, one per job or array task. */
function stillQueuedIds(planId: string): Set<string> {
  const ids = new Set<string>();
  for (const q of queuedOfPlan(planId)) {
    for (const id of expandIds(q.id)) ids.add(id);
  }
  return ids;
}

/** Whether a submitted job's Slurm id is among the queued ones (an array id stands for all its tasks). */
function queuedTest(queued: Set<string>) {
  return (slurmId: string) => queued.has(slurmId) || [...queued].some((q) => q.startsWith(`${slurmId}_`));
}

/** Imports the results of a submission once, asking squeue what is still queued. */
export function importOnce(dbFile: string, planPath: string, submission?: Submission): ImportSummary {
  const { plan, config, jobs } = readPlanFile(planPath);
  const s = submission ?? readSubmissions(path.dirname(planPath)).at(-1);
  if (!s) throw new UsageError(`nightly ${plan.planId} has no Slurm submission in ${path.dirname(planPath)}; submit it with --executor slurm first`);
  const db = openDb(dbFile);
  try {
    return importSubmission(db, { plan, jobs, workDir: config.workDir, submission: s, stillQueued: queuedTest(stillQueuedIds(plan.planId)) });
  } finally {
    closeDb(db);
  }
}

/** The plan file of a config (for `nightly --import` by config rather than by plan file). */
export function planPathOf(config: NightlyConfig, codeVersion = currentCodeVersion()): string {
  const workDir = path.resolve(config.workDir);
  const planId = planIdOf(planJobs({ ...config, workDir }, codeVersion), workDir);
  const file = path.join(slurmDirOf(workDir, planId), 'plan.json');
  if (!fs.existsSync(file)) throw new UsageError(`no Slurm submission of this nightly (plan ${planId}) in ${workDir}; submit it with --executor slurm first, or pass --plan FILE`);
  return file;
}

async function follow(dbFile: string, planPath: string, submission: Submission, opts: SubmitOptions): Promise<{ summary: NightlySummary; import: ImportSummary }> {
  const { jobs } = readPlanFile(planPath);
  const t0 = Date.parse(submission.submittedAt);
  const bar = opts.progress ? createProgress('nightly (slurm)', jobs.length, 'jobs | done {done} queued {queued} failed {failed} skipped {skipped}') : null;
  let last: ImportSummary;
  let imported = 0;
  try {
    for (;;) {
      last = importOnce(dbFile, planPath, submission);
      // Report what this follower imported over all its passes, not the last pass alone.
      imported += last.imported;
      last = { ...last, imported, alreadyImported: last.alreadyImported - (imported - last.imported) };
      const settledCount = jobs.length - last.pending;
      bar?.update(settledCount, { done: settledCount - last.failed - last.skipped, queued: last.pending, failed: last.failed, skipped: last.skipped });
      if (last.settled) break;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 2000));
    }
  } finally {
    bar?.stop();
  }
  return { summary: summaryOf(dbFile, jobs, last.nightlyId, path.resolve(opts.config.workDir), t0), import: last };
}

/** The nightly's summary (the local nightly's shape, so formatSummary prints it) from its rows. */
function summaryOf(dbFile: string, plan: PlannedJob[], nightlyId: number, workDir: string, t0: number): NightlySummary {
  const db = openDb(dbFile);
  try {
    const rows = new Map(db.select().from(jobsTable).where(eq(jobsTable.nightlyId, nightlyId)).all().map((r) => [r.key, r]));
    const counts: Record<JobStatus, number> = { succeeded: 0, failed: 0, skipped: 0 };
    const jobSummaries = plan.map((job) => {
      const r = rows.get(job.key)!;
      const status: JobStatus = r.status === 'succeeded' || r.status === 'skipped' ? r.status : 'failed';
      counts[status]++;
      const seconds = r.startedAt && r.endedAt ? (Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000 : 0;
      return { key: job.key, kind: job.kind, label: job.label, status, seconds, result: status === 'failed' ? '' : resultText(db, job), error: r.error, logFile: r.logPath };
    });
    const endedAt = new Date();
    return {
      nightlyId,
      status: counts.failed > 0 ? 'failed' : 'succeeded',
      startedAt: new Date(t0).toISOString(),
      endedAt: endedAt.toISOString(),
      wallSeconds: (endedAt.getTime() - t0) / 1000,
      expectedSeconds: null,
      db: dbFile,
      workDir,
      site: `usibench serve --db ${dbFile}`,
      counts,
      jobs: jobSummaries,
    };
  } finally {
    closeDb(db);
  }
}
