/**
 * The `usibench` command line. Each subcommand lives in its own file under cli/commands and
 * exports `register(program)`; this file only wires them together and turns errors into one
 * clear line and a non-zero exit.
 */
import { Command } from 'commander';
import { errorMessage, isUsageError } from '../common/errors.js';
import { commands } from './commands/index.js';

const program = new Command()
  .name('usibench')
  .description(
    'Speed–accuracy benchmarking of image-classification backbones trained with one unified ' +
      'knowledge-distillation recipe (USI). Train a roster, measure throughput, keep every number ' +
      'with its protocol in SQLite, and browse the Pareto front.',
  )
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (str, write) => write(str) });

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (isUsageError(err)) {
    process.stderr.write(`usibench: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  if (process.env.USIBENCH_DEBUG) throw err;
  process.stderr.write(`usibench: ${errorMessage(err)}\n(set USIBENCH_DEBUG=1 for the stack trace)\n`);
  process.exit(1);
}
