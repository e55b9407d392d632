/**
 * `usibench nightly`: the whole flow (teacher, USI and baseline runs, ONNX export, benchmarks)
 * into the results database, idempotent and resumable, for cron or a systemd timer; here, or
 * submitted to a Slurm cluster (`--executor slurm`, pipeline/slurm/submit.ts).
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from '../../common/errors.js';
import { choiceFlag, parseFlags, wholeNumberFlag } from '../../common/validate.js';
import { overlay, readConfigFile, validateConfig } from '../../pipeline/config.js';
import { resolveDbPath } from '../../db/index.js';
import { runNightly } from '../../pipeline/nightly.js';
import { PRESETS, parsePresetName } from '../../pipeline/presets.js';
import { formatImport } from '../../pipeline/slurm/import.js';
import { SlurmOptionsSchema } from '../../pipeline/slurm/scripts.js';
import { importOnce, planPathOf, submitNightly } from '../../pipeline/slurm/submit.js';
import { formatSummary } from '../../pipeline/summary.js';

interface NightlyFlags {
  preset?: string;
  config?: string;
  db?: string;
  jobs?: string;
  force?: boolean;
  breakLock?: boolean;
  json?: boolean;
  executor?: string;
  partition?: string;
  account?: string;
  gpusPerJob?: string;
  cpusPerJob?: string;
  time?: string;
  sbatchArg?: string[];
  wait?: boolean;
  import?: boolean;
  plan?: string;
}

const SLURM_FLAGS = ['partition', 'account', 'gpusPerJob', 'cpusPerJob', 'time', 'sbatchArg', 'wait'] as const;

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command): void {
  program
    .command('nightly')
    .description('Run the nightly pipeline: teacher, USI + baseline training, ONNX export, benchmarks, all into the database')
    .option('--preset <name>', 'quick (minutes, embedded MNIST), cpu (CIFAR-10 overnight) or gpu (224 px ImageFolder); default quick without --config')
    .option('--config <file>', 'a JSON or YAML config; with --preset it overrides the preset field by field')
    .option('--db <file>', 'results database (default: $USIBENCH_DB or ./usibench.sqlite)')
    .option('--jobs <n>', 'jobs run in parallel (default: number of cores)')
    .option('--force', 'rerun jobs whose exact inputs already have a finished result')
    .option('--break-lock', "take over the database from a nightly on another host that is known dead")
    .option('--json', 'print the summary as one JSON object on stdout (progress stays on stderr)')
    .option('--executor <name>', 'local (default): run the jobs here; slurm: submit them to a Slurm cluster and return (see the README)')
    .option('--partition <name>', 'Slurm partition for every job (--executor slurm)')
    .option('--account <name>', 'Slurm account to charge (--executor slurm)')
    .option('--gpus-per-job <n>', 'GPUs each training and benchmark job asks for, as --gres=gpu:N (default 0)')
    .option('--cpus-per-job <n>', 'CPUs each job asks for (default 1)')
    .option('--time <limit>', 'time limit of each Slurm job, HH:MM:SS; a job killed by it resumes at the next submission')
    .option('--sbatch-arg <arg>', 'one more sbatch option for every job, e.g. --sbatch-arg=--qos=high (repeatable)', collect)
    .option('--wait', 'with --executor slurm: follow the jobs until they end, importing results as they arrive')
    .option('--import', "import a Slurm nightly's result files into the database (what its last job does)")
    .option('--plan <file>', 'with --import: the plan file of the submission (work dir/slurm/ID/plan.json) instead of --preset/--config')
    .action(async (flags: NightlyFlags) => {
      const { jobs, executor } = parseFlags(z.object({ jobs: wholeNumberFlag(1).optional(), executor: choiceFlag(['local', 'slurm'] as const).default('local') }), { jobs: flags.jobs, executor: flags.executor });
      if (flags.import) {
        if (flags.executor || flags.jobs || SLURM_FLAGS.some((f) => flags[f] !== undefined)) throw new UsageError('--import only reads result files into the database; drop --executor, --jobs and the Slurm options');
        const planPath = flags.plan ?? planPathOf(configOf(flags).config);
        const summary = importOnce(resolveDb(flags.db), planPath);
        process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : formatImport(summary));
        if (summary.settled && summary.status !== 'succeeded') process.exitCode = 1;
        return;
      }
      if (flags.plan) throw new UsageError('--plan goes with --import');
      const { config, presetName } = configOf(flags);
      if (executor === 'slurm') {
        if (flags.jobs) throw new UsageError('--jobs is for the local executor: on Slurm as many jobs run at once as the cluster gives');
        if (flags.force || flags.breakLock) throw new UsageError('--force and --break-lock are for the local executor; to redo a Slurm job, delete its result file (work dir/runs/KEY/job-result.json)');
        const slurm = parseFlags(
          SlurmOptionsSchema.extend({ gpusPerJob: wholeNumberFlag(0), cpusPerJob: wholeNumberFlag(1) }),
          { partition: flags.partition, account: flags.account, gpusPerJob: flags.gpusPerJob ?? '0', cpusPerJob: flags.cpusPerJob ?? '1', time: flags.time, sbatchArgs: flags.sbatchArg ?? [] },
        );
        const result = await submitNightly({ config, preset: presetName, dbFile: flags.db, slurm, wait: flags.wait, progress: !!flags.wait, print: flags.json ? undefined : (t) => process.stdout.write(t) });
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else if (result.summary) process.stdout.write(formatSummary(result.summary) + (result.import ? formatImport(result.import) : ''));
        if (result.summary && result.summary.status !== 'succeeded') process.exitCode = 1;
        return;
      }
      const slurmOnly = SLURM_FLAGS.filter((f) => flags[f] !== undefined);
      if (slurmOnly.length) throw new UsageError(`${slurmOnly.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} need --executor slurm`);
      const summary = await runNightly({ config, preset: presetName, dbFile: flags.db, jobs, force: flags.force, breakLock: flags.breakLock, progress: true, handleSignals: true });
      if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else process.stdout.write(formatSummary(summary));
      if (summary.status !== 'succeeded') process.exitCode = 1;
    });
}

/** The nightly's config: a preset, a file, or a preset overlaid by a file. */
function configOf(flags: NightlyFlags) {
  const presetName = flags.preset !== undefined ? parsePresetName(flags.preset) : flags.config ? null : 'quick';
  const base = presetName ? (PRESETS[presetName] as Record<string, unknown>) : {};
  const raw = flags.config ? overlay(base, readConfigFile(flags.config)) : base;
  return { presetName, config: validateConfig(raw, flags.config ?? `preset ${presetName}`) };
}

function resolveDb(file: string | undefined): string {
  return resolveDbPath(file);
}
