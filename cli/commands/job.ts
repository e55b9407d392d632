/**
 * `usibench job run KEY --work-dir DIR`: one planned job of a Slurm nightly, what each of its
 * batch scripts runs on a node (pipeline/slurm/task.ts). Exits non-zero when the job fails, so
 * Slurm's `afterok` holds back what depends on it.
 */
import type { Command } from 'commander';
import { runTask } from '../../pipeline/slurm/task.js';

export function register(program: Command): void {
  const job = program.command('job').description("Run one job of a nightly's plan by its key (what a Slurm task runs)");
  job
    .command('run <key>')
    .description('Run the planned job KEY from the plan in the work dir; writes its log, model files and one result file, never the database')
    .requiredOption('--work-dir <dir>', "the nightly's work dir, on a file system the nodes share")
    .action(async (key: string, flags: { workDir: string }) => {
      const outcome = await runTask(flags.workDir, key, (line) => process.stdout.write(`${line}\n`));
      if (outcome.error) {
        process.stderr.write(`usibench: ${outcome.job.label} failed: ${outcome.error}\n(log ${outcome.logFile})\n`);
        process.exitCode = 1;
      } else process.stdout.write(`${outcome.job.label}: done\n`);
      // tfjs and the runner may keep handles open; the result is on disk.
      process.exit();
    });
}
