/**
 * What a Slurm nightly leaves in its work directory, for the tasks on the nodes and for the
 * importer: the plan (the validated config and the code version, from which every task derives the
 * same job graph), one record per submission (which Slurm job runs which planned job), and each
 * job's result file. Nothing here touches the database: SQLite is not safe on a network file
 * system, so the nodes share files and one process imports them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../common/atomic.js';
import { UsageError, errorMessage } from '../../common/errors.js';
import { describeIssues } from '../../common/validate.js';
import { validateConfig, type NightlyConfig } from '../config.js';
import { hashInputs, planJobs, type PlannedJob } from '../plan.js';
import { readWorkerResult, type WorkerResult } from '../runner.js';
import { jobResultFile } from '../work-dir.js';

/** The plan of a nightly: its id names the directory its Slurm files live in. */
export const PlanFileSchema = z
  .object({
    planId: z.string().min(1),
    preset: z.string().nullable(),
    codeVersion: z.string().min(1),
    /** The usibench commit that submitted it. */
    gitCommit: z.string(),
    /** The validated config, work dir absolute. */
    config: z.record(z.string(), z.unknown()),
  })
  .strict();
export type PlanFile = z.infer<typeof PlanFileSchema>;

export const SubmissionSchema = z
  .object({
    planId: z.string().min(1),
    /** 1 for the first submission of the plan, then 2, … */
    number: z.number().int().positive(),
    submittedAt: z.iso.datetime(),
    host: z.string(),
    pid: z.number().int(),
    /** The Slurm id that runs each submitted planned job: `12`, or `13_4` for an array task. Jobs absent were done. */
    jobIds: z.record(z.string(), z.string()),
    /** Each batch job submitted, in order, with its script. */
    batches: z.array(z.object({ kind: z.enum(['teacher', 'train', 'bench', 'import']), id: z.string(), script: z.string(), keys: z.array(z.string()) }).strict()),
  })
  .strict();
export type Submission = z.infer<typeof SubmissionSchema>;

/** The plan's id: its job keys and its work dir (two work dirs of one config are two nightlies). */
export function planIdOf(plan: readonly PlannedJob[], workDir: string): string {
  return hashInputs({ keys: plan.map((j) => j.key), workDir: path.resolve(workDir) }).slice(0, 12);
}

export function slurmDirOf(workDir: string, planId: string): string {
  return path.join(path.resolve(workDir), 'slurm', planId);
}

function readJson<S extends z.ZodType>(schema: S, file: string, what: string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${errorMessage(err)}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(`${file} is not a ${what}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function writePlanFile(slurmDir: string, plan: PlanFile): string {
  const file = path.join(slurmDir, 'plan.json');
  writeFileAtomic(file, `${JSON.stringify(plan, null, 2)}\n`);
  return file;
}

/** A plan file and the job graph it stands for, derived again from its config and code version. */
export function readPlanFile(file: string): { plan: PlanFile; config: NightlyConfig; jobs: PlannedJob[] } {
  const plan = readJson(PlanFileSchema, file, 'usibench plan file');
  const config = validateConfig(plan.config, file);
  const jobs = planJobs(config, plan.codeVersion);
  if (planIdOf(jobs, config.workDir) !== plan.planId) {
    throw new UsageError(`${file} does not plan the jobs of plan ${plan.planId} (edited by hand, or moved from another work dir?)`);
  }
  return { plan, config, jobs };
}

/** The names in a directory; none when it does not exist yet. */
function entries(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Every plan in a work dir, newest first. */
export function plansIn(workDir: string): string[] {
  const root = path.join(path.resolve(workDir), 'slurm');
  return entries(root)
    .map((n) => path.join(root, n, 'plan.json'))
    .filter((f) => fs.existsSync(f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
}

function submissionFile(slurmDir: string, n: number): string {
  return path.join(slurmDir, `submission-${n}.json`);
}

export function writeSubmission(slurmDir: string, s: Submission): void {
  writeFileAtomic(submissionFile(slurmDir, s.number), `${JSON.stringify(s, null, 2)}\n`);
}

/** The plan's submissions, oldest first. */
export function readSubmissions(slurmDir: string): Submission[] {
  return entries(slurmDir)
    .map((n) => n.match(/^submission-(\d+)\.json$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b)
    .map((n) => readJson(SubmissionSchema, submissionFile(slurmDir, n), 'usibench Slurm submission record'));
}

/** A job's result file, or null while it has none; a corrupt one reads as a failure naming the file. */
export function jobResult(workDir: string, key: string): WorkerResult | null {
  try {
    return readWorkerResult(jobResultFile(workDir, key));
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}

/** Whether a job has a finished result (a benchmark that ran but failed has not). */
export function isFinished(result: WorkerResult | null): boolean {
  return result !== null && result.ok && (result.output.kind !== 'bench' || result.output.bench.status === 'ok');
}
