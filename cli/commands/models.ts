/**
 * `usibench models [pattern] [--json]`: the roster, with each backbone's family, default
 * resolution and trainable-parameter count (built at its default resolution, 3 channels,
 * 10 classes, so counts are comparable across rows).
 */
import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import { initBackend } from '../../common/engine.js';
import { createModel, getModelEntry, listModels, trainableParams, type Family } from '../../training/models/index.js';

export const PARAMS_CHANNELS = 3;
export const PARAMS_CLASSES = 10;

export interface ModelRow {
  name: string;
  family: Family;
  defaultResolution: number;
  params: number;
  description: string;
}

/** The roster rows matching `pattern`; an empty match is a UsageError (a typo, most likely). */
export function modelRows(pattern = '*'): ModelRow[] {
  const names = listModels(pattern);
  if (names.length === 0) throw new UsageError(`no model matches '${pattern}'; run 'usibench models' to list the roster`);
  return names.map((name) => {
    const entry = getModelEntry(name);
    const r = entry.defaultResolution;
    const model = createModel(name, { numClasses: PARAMS_CLASSES, inputShape: [r, r, PARAMS_CHANNELS], seed: 0 });
    const params = trainableParams(model);
    model.dispose();
    return { name, family: entry.family, defaultResolution: r, params, description: entry.description };
  });
}

export function formatParams(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(1)} k`;
}

export function formatTable(rows: ModelRow[]): string {
  const header = ['model', 'family', 'res', `params (${PARAMS_CHANNELS}ch, ${PARAMS_CLASSES} cls)`, 'description'];
  const cells = rows.map((r) => [r.name, r.family, String(r.defaultResolution), formatParams(r.params), r.description]);
  const widths = header.slice(0, 4).map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i === 4 ? v : i === 2 || i === 3 ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

export function register(program: Command): void {
  program
    .command('models')
    .description('list the backbone roster (wildcards: * and ?), with family, default resolution and parameters')
    .argument('[pattern]', "wildcard pattern over model names, e.g. 'resnet*'", '*')
    .option('--json', 'print a JSON array instead of a table')
    .action(async (pattern: string, flags: { json?: boolean }) => {
      await initBackend();
      const rows = modelRows(pattern);
      process.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatTable(rows)}\n`);
    });
}
