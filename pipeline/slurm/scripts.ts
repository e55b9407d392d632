/**
 * The batch jobs of one Slurm submission, as data and as sbatch scripts. Pure: no I/O, so what is
 * asked of Slurm (dependencies, arrays, exclusive benchmarks, GPUs) can be checked as text.
 *
 * The jobs to run are grouped as Slurm would schedule them well: the teacher alone; the training
 * jobs as job arrays, one per set of dependencies (USI runs `afterok` on the teacher; baselines,
 * which need no teacher, in an array of their own that starts beside it, as the local scheduler
 * does); each benchmark on its own, `afterok` on its training task, with the node to itself
 * (`--exclusive`: a benchmark timed beside a training job measures the contention); and, unless
 * the submitter follows the jobs itself (`--wait`), a final import job `afterany` on all of them.
 */
import { z } from 'zod';
import type { PlannedJob } from '../plan.js';

export const SlurmOptionsSchema = z
  .object({
    partition: z.string().min(1).optional(),
    account: z.string().min(1).optional(),
    /** GPUs each teacher, training and benchmark job asks for (`--gres=gpu:N`); 0 asks for none. */
    gpusPerJob: z.number().int().nonnegative().default(0),
    /** CPUs each job asks for (`--cpus-per-task`). */
    cpusPerJob: z.number().int().positive().default(1),
    /** Each job's time limit; a job killed by it resumes from its checkpoint at the next submission. */
    time: z
      .string()
      .regex(/^(\d+-)?\d{1,3}:\d{2}:\d{2}$/, { error: (issue) => `must be HH:MM:SS or D-HH:MM:SS, got '${String(issue.input)}'` })
      .optional(),
    /** Further sbatch options for every job, as given (`--qos=high`, `--constraint=a100`). */
    sbatchArgs: z.array(z.string().regex(/^--?[A-Za-z]/, { error: (issue) => `must be an sbatch option such as --qos=high, got '${String(issue.input)}'` })).default([]),
  })
  .strict();
export type SlurmOptions = z.infer<typeof SlurmOptionsSchema>;

export type BatchKind = 'teacher' | 'train' | 'bench' | 'import';

/** A dependency on an earlier batch job of the same submission: the whole job, or one array task. */
export interface BatchRef {
  batch: number;
  task: number | null;
}

export interface BatchJob {
  kind: BatchKind;
  /** The planned jobs it runs: one per array task (array jobs), else one (none for the import). */
  keys: string[];
  labels: string[];
  array: boolean;
  exclusive: boolean;
  gpus: number;
  after: { type: 'afterok' | 'afterany'; refs: BatchRef[] } | null;
}

/** What every script of a submission shares: the paths the tasks use, all absolute. */
export interface ScriptSetup {
  planId: string;
  submission: number;
  workDir: string;
  /** The plan's own directory under the work dir (plan file, scripts, Slurm's output files). */
  slurmDir: string;
  /** The teacher and dataset cache, which the nodes must share. */
  cacheDir: string;
  /** The node binary and the usibench entry point the tasks run, as on the submitting host. */
  node: string;
  cli: string;
  /** The final import job's database; null when the submitter imports (`--wait`). */
  dbFile: string | null;
  options: SlurmOptions;
}

/**
 * The batch jobs for `todo` (the planned jobs without a finished result), in submission order:
 * every dependency refers to a batch job before it. Jobs of the plan missing from `todo` are
 * done, so nothing waits for them.
 */
export function batchJobs(todo: readonly PlannedJob[], withImport: boolean, options: SlurmOptions): BatchJob[] {
  const out: BatchJob[] = [];
  const where = new Map<string, BatchRef>();
  const gpus = options.gpusPerJob;
  const single = (job: PlannedJob, kind: BatchKind, exclusive: boolean) => {
    const refs = job.deps.map((k) => where.get(k)).filter((r): r is BatchRef => r !== undefined);
    where.set(job.key, { batch: out.length, task: null });
    out.push({ kind, keys: [job.key], labels: [job.label], array: false, exclusive, gpus, after: refs.length ? { type: 'afterok', refs } : null });
  };
  for (const job of todo.filter((j) => j.kind === 'teacher')) single(job, 'teacher', job.exclusive);
  // One array per set of dependencies on jobs of this submission, in plan order.
  const groups = new Map<string, PlannedJob[]>();
  for (const job of todo.filter((j) => j.kind === 'train')) {
    const sig = job.deps.filter((k) => where.has(k)).join(',');
    groups.set(sig, [...(groups.get(sig) ?? []), job]);
  }
  for (const [sig, jobs] of groups) {
    const refs = sig ? sig.split(',').map((k) => where.get(k)!) : [];
    const batch = out.length;
    jobs.forEach((job, task) => where.set(job.key, { batch, task }));
    out.push({ kind: 'train', keys: jobs.map((j) => j.key), labels: jobs.map((j) => j.label), array: true, exclusive: false, gpus, after: refs.length ? { type: 'afterok', refs } : null });
  }
  for (const job of todo.filter((j) => j.kind === 'bench')) single(job, 'bench', job.exclusive);
  if (withImport && out.length > 0) {
    out.push({ kind: 'import', keys: [], labels: [], array: false, exclusive: false, gpus: 0, after: { type: 'afterany', refs: out.map((_, batch) => ({ batch, task: null })) } });
  }
  return out;
}

/** A word for bash, quoted only when it needs to be. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function jobName(planId: string, kind: BatchKind): string {
  return `usibench-${planId}-${kind}`;
}

/** `afterok:12:13_0`, given the Slurm ids of the batch jobs before it. */
export function dependencyText(after: NonNullable<BatchJob['after']>, ids: readonly string[]): string {
  return `${after.type}:${after.refs.map((r) => (r.task === null ? ids[r.batch] : `${ids[r.batch]}_${r.task}`)).join(':')}`;
}

/** The sbatch script of `job`; `ids` holds the Slurm ids of the batch jobs submitted before it. */
export function renderScript(job: BatchJob, ids: readonly string[], setup: ScriptSetup): string {
  const o = setup.options;
  const sb = (opt: string) => `#SBATCH ${opt}`;
  const outFile = `${setup.slurmDir}/out/%x-${job.array ? '%A_%a' : '%j'}.out`;
  const lines = [
    '#!/bin/bash',
    sb(`--job-name=${jobName(setup.planId, job.kind)}`),
    sb(`--output=${outFile}`),
    ...(job.array ? [sb(`--array=0-${job.keys.length - 1}`)] : []),
    sb(`--cpus-per-task=${o.cpusPerJob}`),
    ...(job.gpus > 0 ? [sb(`--gres=gpu:${job.gpus}`)] : []),
    ...(job.exclusive ? [sb('--exclusive')] : []),
    ...(o.partition ? [sb(`--partition=${o.partition}`)] : []),
    ...(o.account ? [sb(`--account=${o.account}`)] : []),
    ...(o.time ? [sb(`--time=${o.time}`)] : []),
    // A job whose dependency failed can never start: have Slurm cancel it rather than hold it.
    ...(job.after ? [sb(`--dependency=${dependencyText(job.after, ids)}`), sb('--kill-on-invalid-dep=yes')] : []),
    ...o.sbatchArgs.map(sb),
    `# usibench nightly ${setup.planId}, submission ${setup.submission}: ${describeBatch(job)}`,
    ...job.keys.map((key, i) => `#   ${job.array ? `task ${i}: ` : ''}${job.labels[i]} (${key})`),
    'set -euo pipefail',
    `export USIBENCH_CACHE=${shellQuote(setup.cacheDir)}`,
  ];
  const cli = [setup.node, setup.cli].map(shellQuote).join(' ');
  if (job.kind === 'import') {
    lines.push(`exec ${cli} nightly --import --plan ${shellQuote(`${setup.slurmDir}/plan.json`)} --db ${shellQuote(setup.dbFile ?? '')}`);
  } else if (job.array) {
    lines.push(`KEYS=(${job.keys.join(' ')})`);
    lines.push(`exec ${cli} job run "\${KEYS[$SLURM_ARRAY_TASK_ID]}" --work-dir ${shellQuote(setup.workDir)}`);
  } else {
    lines.push(`exec ${cli} job run ${job.keys[0]} --work-dir ${shellQuote(setup.workDir)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function describeBatch(job: BatchJob): string {
  if (job.kind === 'import') return 'import the results into the database';
  if (job.array) return `${job.keys.length} training job(s), one per array task`;
  return job.labels[0];
}
