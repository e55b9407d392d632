import type { Command } from 'commander';

/** Every subcommand, in the order `usibench --help` lists them. */
export const commands: Array<(program: Command) => void> = [];
