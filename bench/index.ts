/**
 * The benchmark: one model (a roster name or a saved tfjs model directory) at one batch size and
 * resolution, on tfjs or ONNX Runtime. Throughput is timed at the requested batch, latency at
 * batch 1. A failure at the requested batch (out of memory, a missing kernel) is returned as a
 * 'failed' result with its message — never retried at a smaller batch.
 */
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { cpuInfo } from '../common/environment.js';
import { UsageError, errorMessage } from '../common/errors.js';
import { initBackend } from '../engine/index.js';
import { loadModelDir } from '../training/model-io.js';
import { createModel, getModelEntry } from '../training/models/index.js';
import { countCost } from './cost.js';
import { timeInference, type TimingOptions } from './harness.js';
import { modelToOnnx, writeOnnx } from './onnx/export.js';
import { protocolRecord, type ProtocolRecord } from './protocol.js';
import { onnxRuntime } from './runtimes/onnxruntime.js';
import { tfjsRuntime } from './runtimes/tfjs.js';
import type { Runtime, RuntimeInfo } from './runtimes/types.js';
import { isNoisy, type SampleStats } from './stats.js';

export type { ProtocolRecord } from './protocol.js';
export { countCost } from './cost.js';

export interface BenchOptions {
  model: string; // roster name, or a tfjs model directory
  batchSize: number;
  resolution: number;
  channels?: number;
  numClasses?: number;
  runtime: 'tfjs' | 'onnxruntime';
  backend?: string;
  precision: 'fp32' | 'fp16';
  minTime: number;
  minIters: number;
  warmupTime: number; // seconds, count, seconds
}

export interface BenchResult {
  status: 'ok' | 'failed';
  error: string | null;
  model: string;
  params: number;
  gmacs: number;
  imagesPerSec: number | null; // throughput at batchSize
  throughput: { mean: number; median: number; p90: number; p99: number; sd: number; rme: number; samples: number } | null; // per-iteration ms at batchSize
  latency: { p50: number; p90: number; p99: number; mean: number; sd: number; rme: number; samples: number } | null; // ms at batch 1
  noisy: boolean;
  protocol: ProtocolRecord;
}

/** timm's benchmark.py default head: speed is reported for an ImageNet-size classifier. */
export const DEFAULT_NUM_CLASSES = 1000;

function positiveInt(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${what} must be a positive integer, got ${value}`);
}

export function validateOptions(opts: BenchOptions): void {
  positiveInt(opts.batchSize, 'batch size');
  positiveInt(opts.resolution, 'resolution');
  positiveInt(opts.minIters, 'minimum iterations');
  if (opts.channels !== undefined) positiveInt(opts.channels, 'channels');
  if (opts.numClasses !== undefined) positiveInt(opts.numClasses, 'number of classes');
  if (!(opts.minTime >= 0)) throw new UsageError(`minimum time must be ≥ 0 seconds, got ${opts.minTime}`);
  if (!(opts.warmupTime >= 0)) throw new UsageError(`warm-up time must be ≥ 0 seconds, got ${opts.warmupTime}`);
  if (opts.runtime !== 'tfjs' && opts.runtime !== 'onnxruntime')
    throw new UsageError(`unknown runtime '${opts.runtime}'; use tfjs or onnxruntime`);
  if (opts.precision !== 'fp32' && opts.precision !== 'fp16')
    throw new UsageError(`unknown precision '${opts.precision}'; use fp32 or fp16`);
  if (opts.runtime === 'tfjs' && opts.precision === 'fp16')
    throw new UsageError('the tfjs runtime computes in fp32 only; use --precision fp32, or --runtime onnxruntime for fp16');
}

function isModelDir(spec: string): boolean {
  return fs.existsSync(spec) && fs.statSync(spec).isDirectory();
}

/**
 * The model to benchmark: a fresh roster model at the requested resolution (speed does not depend
 * on the weights), or a saved one, whose input resolution is fixed.
 */
export async function loadBenchModel(opts: Pick<BenchOptions, 'model' | 'resolution' | 'channels' | 'numClasses'>): Promise<tf.LayersModel> {
  if (isModelDir(opts.model)) {
    const { model } = await loadModelDir(opts.model);
    const [h, w, c] = model.inputs[0].shape.slice(1);
    if (h !== opts.resolution || w !== opts.resolution) {
      model.dispose();
      throw new UsageError(`model ${opts.model} takes ${h}×${w} inputs, not ${opts.resolution}; use --resolution ${h}`);
    }
    if (opts.channels !== undefined && c !== opts.channels) {
      model.dispose();
      throw new UsageError(`model ${opts.model} takes ${c} channels, not ${opts.channels}`);
    }
    return model;
  }
  if (opts.model.includes('/') || opts.model.startsWith('.'))
    throw new UsageError(`model directory ${opts.model} does not exist; give a roster name or a saved tfjs model directory`);
  getModelEntry(opts.model); // unknown name → UsageError with suggestions
  return createModel(opts.model, {
    numClasses: opts.numClasses ?? DEFAULT_NUM_CLASSES,
    inputShape: [opts.resolution, opts.resolution, opts.channels ?? 3],
    seed: 0,
  });
}

function throughputStats(s: SampleStats): NonNullable<BenchResult['throughput']> {
  return { mean: s.mean, median: s.median, p90: s.p90, p99: s.p99, sd: s.sd, rme: s.rme, samples: s.samples };
}

function latencyStats(s: SampleStats): NonNullable<BenchResult['latency']> {
  return { p50: s.median, p90: s.p90, p99: s.p99, mean: s.mean, sd: s.sd, rme: s.rme, samples: s.samples };
}

async function timeAt(runtime: Runtime, batchSize: number, timing: TimingOptions): Promise<SampleStats> {
  const prepared = await runtime.prepare(batchSize);
  try {
    return (await timeInference(prepared, timing)).stats;
  } finally {
    await prepared.dispose();
  }
}

async function openRuntime(model: tf.LayersModel, opts: BenchOptions): Promise<Runtime> {
  if (opts.runtime === 'tfjs') return tfjsRuntime(model, opts.backend);
  const onnx = modelToOnnx(model, { precision: opts.precision });
  const inputShape = model.inputs[0].shape.slice(1) as number[];
  model.dispose(); // the tfjs copy was only needed to export it
  return onnxRuntime(onnx, inputShape, { provider: opts.backend });
}

/** Measures one model. Bad options throw UsageError; a failing measurement is a 'failed' result. */
export async function benchmarkModel(opts: BenchOptions): Promise<BenchResult> {
  validateOptions(opts);
  // tfjs builds (and for ONNX Runtime, exports) the model: weights need a backend, any will do.
  await initBackend((opts.runtime === 'tfjs' ? (opts.backend ?? 'auto') : 'cpu') as 'auto');
  const model = await loadBenchModel(opts);
  const cost = countCost(model);
  const base = { model: opts.model, params: cost.params, gmacs: cost.macs / 1e9 };
  const timing: TimingOptions = { minTime: opts.minTime, minIters: opts.minIters, warmupTime: opts.warmupTime };
  const run = { precision: opts.precision, batchSize: opts.batchSize, resolution: opts.resolution, timing };

  let runtime: Runtime | null = null;
  let info: RuntimeInfo | null = null;
  try {
    runtime = await openRuntime(model, opts);
    info = runtime.info;
    const thr = await timeAt(runtime, opts.batchSize, timing);
    const lat = await timeAt(runtime, 1, timing);
    return {
      status: 'ok',
      error: null,
      ...base,
      imagesPerSec: (opts.batchSize * 1000) / thr.mean,
      throughput: throughputStats(thr),
      latency: latencyStats(lat),
      noisy: isNoisy(thr) || isNoisy(lat),
      protocol: protocolRecord(info, run),
    };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return {
      status: 'failed',
      error: errorMessage(err),
      ...base,
      imagesPerSec: null,
      throughput: null,
      latency: null,
      noisy: false,
      protocol: protocolRecord(info ?? unopenedInfo(opts), run),
    };
  } finally {
    if (runtime) await runtime.dispose();
    else if (opts.runtime === 'tfjs') model.dispose();
  }
}

/** What is known of a runtime that failed to open (e.g. ONNX Runtime refusing an fp16 model). */
function unopenedInfo(opts: BenchOptions): RuntimeInfo {
  const backend = opts.runtime === 'onnxruntime' ? (opts.backend ?? 'cpu') : (opts.backend ?? tf.getBackend());
  const cpu = cpuInfo();
  const device = backend === 'cpu' || backend === 'wasm' ? `${cpu.model} (${cpu.cores} cores)` : `unknown (${backend} failed to start)`;
  return { runtime: opts.runtime, backend, device, gpu: null, threads: 0, versions: {} };
}

/** Exports a model to ONNX (opset 17, NHWC float32 input, batch-norm folded where possible). */
export async function exportOnnx(model: tf.LayersModel, file: string): Promise<void> {
  await writeOnnx(model, file);
}
