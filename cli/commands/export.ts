/**
 * `usibench export`: the stored results as a table for a paper or a script.
 */
import type { Command } from 'commander';
import { writeFileAtomic } from '../../common/atomic.js';
import { z } from 'zod';
import { choiceFlag, parseFlags, wholeNumberFlag } from '../../common/validate.js';
import { closeDb, openDb } from '../../db/index.js';
import { EXPORT_FORMATS, formatRows, parseExportFormat } from '../../db/export/index.js';
import { resultRows, type ResultFilter } from '../../db/queries.js';

interface ExportFlags {
  format: string;
  frontierOnly?: boolean;
  dataset?: string;
  profile?: string;
  device?: string;
  runtime?: string;
  backend?: string;
  precision?: string;
  batch?: string;
  resolution?: string;
  training: string;
  allNights?: boolean;
  out?: string;
  db?: string;
}

const ExportFilterFlags = z.object({
  batch: wholeNumberFlag(1, 'a positive integer').optional(),
  resolution: wholeNumberFlag(1, 'a positive integer').optional(),
  training: choiceFlag(['usi', 'baseline', 'teacher', 'all'] as const),
});

export function register(program: Command): void {
  program
    .command('export')
    .description('Write the results table (CSV with timm column names, Markdown, LaTeX booktabs, JSON) to stdout or --out')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .option('--frontier-only', 'only the models on the speed/top-1 Pareto front of their protocol')
    .option('--dataset <name>', 'only results on this dataset (e.g. mnist, cifar10)')
    .option('--profile <name>', 'only results trained with this recipe profile (usi, light, plain)')
    .option('--device <name>', 'only results measured on this device (as stored)')
    .option('--runtime <name>', 'only this runtime: tfjs or onnxruntime')
    .option('--backend <name>', 'only this backend (wasm, cpu, tensorflow, …)')
    .option('--precision <p>', 'only this precision: fp32 or fp16')
    .option('--batch <n>', 'only this benchmark batch size')
    .option('--resolution <px>', 'only this input resolution')
    .option('--training <mode>', 'which training runs: usi, baseline, teacher or all', 'usi')
    .option('--all-nights', "every night's result instead of the newest per model and protocol")
    .option('--out <file>', 'write here (atomically) instead of stdout')
    .option('--db <file>', 'results database (default: $USIBENCH_DB or ./usibench.sqlite)')
    .action((flags: ExportFlags) => {
      const format = parseExportFormat(flags.format);
      const checked = parseFlags(ExportFilterFlags, { batch: flags.batch, resolution: flags.resolution, training: flags.training });
      const filter: ResultFilter = {
        dataset: flags.dataset,
        profile: flags.profile,
        device: flags.device,
        runtime: flags.runtime,
        backend: flags.backend,
        precision: flags.precision,
        batchSize: checked.batch,
        resolution: checked.resolution,
        mode: checked.training,
        allNights: flags.allNights,
      };
      const db = openDb(flags.db);
      try {
        let rows = resultRows(db, filter);
        if (flags.frontierOnly) rows = rows.filter((r) => r.onFrontier);
        if (rows.length === 0) process.stderr.write('usibench export: no results match these filters (run `usibench nightly` first, or loosen the filters)\n');
        const text = formatRows(rows, format);
        if (flags.out) {
          writeFileAtomic(flags.out, text);
          process.stderr.write(`wrote ${rows.length} rows to ${flags.out}\n`);
        } else {
          process.stdout.write(text);
        }
      } finally {
        closeDb(db);
      }
    });
}
