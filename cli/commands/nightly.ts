/**
 * `usibench nightly`: the whole flow (teacher, USI and baseline runs, ONNX export, benchmarks)
 * into the results database, idempotent and resumable, for cron or a systemd timer.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { parseFlags, wholeNumberFlag } from '../../common/validate.js';
import { overlay, readConfigFile, validateConfig } from '../../pipeline/config.js';
import { runNightly } from '../../pipeline/nightly.js';
import { PRESETS, parsePresetName } from '../../pipeline/presets.js';
import { formatSummary } from '../../pipeline/summary.js';

interface NightlyFlags {
  preset?: string;
  config?: string;
  db?: string;
  jobs?: string;
  force?: boolean;
  breakLock?: boolean;
  json?: boolean;
}

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
    .action(async (flags: NightlyFlags) => {
      const { jobs } = parseFlags(z.object({ jobs: wholeNumberFlag(1).optional() }), { jobs: flags.jobs });
      const presetName = flags.preset !== undefined ? parsePresetName(flags.preset) : flags.config ? null : 'quick';
      const base = presetName ? (PRESETS[presetName] as Record<string, unknown>) : {};
      const raw = flags.config ? overlay(base, readConfigFile(flags.config)) : base;
      const config = validateConfig(raw, flags.config ?? `preset ${presetName}`);
      const summary = await runNightly({ config, preset: presetName, dbFile: flags.db, jobs, force: flags.force, breakLock: flags.breakLock, progress: true, handleSignals: true });
      if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else process.stdout.write(formatSummary(summary));
      if (summary.status !== 'succeeded') process.exitCode = 1;
    });
}
