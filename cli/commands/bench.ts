/**
 * `usibench bench`: measures one model's throughput and latency, or (--models) every roster model
 * matching a pattern, each in a fresh child process so one model's memory and JIT state do not
 * colour the next.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError, errorMessage } from '../../common/errors.js';
import { choiceFlag, numberFlag, parseFlags, wholeNumberFlag } from '../../common/validate.js';
import { createProgress } from '../../common/progress.js';
import { benchmarkModel, type BenchOptions } from '../../bench/index.js';
import type { Benchmark } from '../../db/record.js';
import { listModels } from '../../training/models/index.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'usibench.js');

const POSITIVE = 'a positive integer';
const BenchFlagsSchema = z.object({
  model: z.string().optional(),
  models: z.string().optional(),
  batchSize: wholeNumberFlag(1, POSITIVE),
  resolution: wholeNumberFlag(1, POSITIVE),
  runtime: choiceFlag(['tfjs', 'onnxruntime'] as const),
  backend: z.string().optional(),
  precision: choiceFlag(['fp32', 'fp16'] as const),
  minTime: numberFlag('a number of seconds ≥ 0', 0),
  minIters: wholeNumberFlag(1, POSITIVE),
  warmupTime: numberFlag('a number of seconds ≥ 0', 0),
  numClasses: wholeNumberFlag(1, POSITIVE).optional(),
  channels: wholeNumberFlag(1, POSITIVE).optional(),
  json: z.boolean().optional(),
});
type BenchFlags = z.input<typeof BenchFlagsSchema>;

export function parseBenchFlags(raw: BenchFlags, model: string): BenchOptions {
  const { models: _, json: __, ...flags } = parseFlags(BenchFlagsSchema, raw);
  return { ...flags, model };
}

const fmt = (x: number, digits = 2): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function formatResult(r: Benchmark): string {
  const p = r.protocol;
  const head = `${r.model}: ${fmt((r.params ?? 0) / 1e6)} M params, ${fmt(r.gmacs ?? 0, 3)} GMACs @ ${p.resolution} px`;
  const proto = `${p.runtime}/${p.backend} ${p.precision} on ${p.device}, ${p.threads} threads, commit ${p.gitCommit.slice(0, 12)}, ${p.date}`;
  if (r.status === 'failed' || r.stepMsMean == null || r.latencyP50 == null) return `${head}\n  FAILED at batch ${p.batchSize}: ${r.error}\n  ${proto}`;
  const n = (x: number | null | undefined, digits = 2) => fmt(x ?? Number.NaN, digits);
  return [
    head,
    `  throughput @ batch ${p.batchSize}: ${n(r.imagesPerSec, 1)} images/s  (batch ms: mean ${n(r.stepMsMean)}, median ${n(r.stepMsMedian)}, p90 ${n(r.stepMsP90)}, p99 ${n(r.stepMsP99)}, sd ${n(r.stepMsSd)}, ±${n(r.rme)}%, n=${r.samples})`,
    `  latency @ batch 1: p50 ${n(r.latencyP50)} ms, p90 ${n(r.latencyP90)} ms, p99 ${n(r.latencyP99)} ms  (mean ${n(r.latencyMean)}, sd ${n(r.latencySd)}, ±${n(r.latencyRme)}%, n=${r.latencySamples})`,
    r.noisy ? '  NOISY: margin of error above 5%; rerun with a longer --min-time on a quieter machine' : '',
    `  ${proto}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** The bench command's arguments for one model of a roster-wide run. */
function childArgs(flags: BenchFlags, model: string): string[] {
  const args = ['bench', '--model', model, '--json'];
  const pass: Array<[string, string | undefined]> = [
    ['--batch-size', flags.batchSize],
    ['--resolution', flags.resolution],
    ['--runtime', flags.runtime],
    ['--backend', flags.backend],
    ['--precision', flags.precision],
    ['--min-time', flags.minTime],
    ['--min-iters', flags.minIters],
    ['--warmup-time', flags.warmupTime],
    ['--num-classes', flags.numClasses],
    ['--channels', flags.channels],
  ];
  for (const [flag, value] of pass) if (value !== undefined) args.push(flag, value);
  return args;
}

/** Runs one model in a fresh process; a child that dies or refuses is reported, not fatal. */
function runChild(args: string[]): Promise<{ result: Benchmark | null; error: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve({ result: null, error: e.message }));
    child.on('close', (code, signal) => {
      if (code === 0) {
        try {
          return resolve({ result: JSON.parse(out) as Benchmark, error: null });
        } catch (e) {
          return resolve({ result: null, error: `unreadable output (${errorMessage(e)})` });
        }
      }
      const why = err.trim().split('\n').filter(Boolean).pop() ?? '';
      resolve({ result: null, error: signal ? `killed by ${signal} ${why}`.trim() : `exit ${code}: ${why}` });
    });
  });
}

async function benchRoster(flags: BenchFlags): Promise<void> {
  const names = listModels(flags.models);
  if (names.length === 0) throw new UsageError(`no roster model matches '${flags.models}'; run 'usibench models' to list the roster`);
  parseBenchFlags(flags, names[0]); // reject bad flags before spawning anything
  const progress = createProgress('bench', names.length, '{model}');
  const results: Array<Benchmark | { model: string; status: 'failed'; error: string }> = [];
  for (const [i, name] of names.entries()) {
    progress.update(i, { model: name });
    const { result, error } = await runChild(childArgs(flags, name));
    results.push(result ?? { model: name, status: 'failed', error: error ?? 'unknown error' });
  }
  progress.update(names.length, { model: 'done' });
  progress.stop();
  if (flags.json) process.stdout.write(`${JSON.stringify(results, null, 1)}\n`);
  else
    for (const r of results)
      process.stdout.write(`${'protocol' in r ? formatResult(r) : `${r.model}: FAILED (${r.error})`}\n`);
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('Measure inference throughput (images/s at a fixed batch) and batch-1 latency of a model, with its protocol')
    .option('--model <name|dir>', 'a roster model name or a saved tfjs model directory')
    .option('--models <pattern>', "every roster model matching a wildcard pattern (e.g. 'resnet*'), each in a fresh process")
    .option('--batch-size <n>', 'batch size for throughput', '64')
    .option('--resolution <px>', 'input resolution (square)', '224')
    .option('--runtime <name>', 'tfjs or onnxruntime', 'onnxruntime')
    .option('--backend <name>', 'tfjs backend (tensorflow, webgpu, native, wasm, cpu) or ONNX Runtime provider (cpu, cuda, tensorrt, webgpu)')
    .option('--precision <p>', 'fp32 or fp16', 'fp32')
    .option('--min-time <s>', 'timed seconds per measurement, at least', '2')
    .option('--min-iters <n>', 'timed iterations per measurement, at least', '10')
    .option('--warmup-time <s>', 'untimed warm-up seconds before each measurement, at least (it goes on until iteration times settle: up to 3x as long, or 1 s more if that is longer)', '1')
    .option('--num-classes <n>', 'classifier width of roster models (default 1000, as timm benchmarks)')
    .option('--channels <n>', 'input channels of roster models (default 3)')
    .option('--json', 'print one JSON object (an array with --models) on stdout')
    .action(async (flags: BenchFlags) => {
      if (flags.model && flags.models) throw new UsageError('give either --model or --models, not both');
      if (flags.models) return benchRoster(flags);
      if (!flags.model) throw new UsageError("give --model NAME|DIR (or --models 'pattern' for a roster-wide run)");
      const result = await benchmarkModel(parseBenchFlags(flags, flags.model));
      process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${formatResult(result)}\n`);
      if (result.status === 'failed' && !flags.json) process.exitCode = 1;
    });
}
