import type { Command } from 'commander';
import { register as exportCmd } from './export.js';
import { register as nightlyCmd } from './nightly.js';
import { register as serveCmd } from './serve.js';
import { register as benchCmd } from './bench.js';
import { register as modelsCmd } from './models.js';
import { register as trainCmd } from './train.js';
import { register as jobCmd } from './job.js';

/** Every subcommand, in the order `usibench --help` lists them. */
export const commands: Array<(program: Command) => void> = [nightlyCmd, exportCmd, trainCmd, benchCmd, modelsCmd, serveCmd, jobCmd];
