import type { Command } from 'commander';
import { register as exportCmd } from './export.js';

/** Every subcommand, in the order `usibench --help` lists them. */
export const commands: Array<(program: Command) => void> = [exportCmd];
