/**
 * The benchmark: one model (a roster name or a saved tfjs model directory) at one batch size and
 * resolution, on tfjs or ONNX Runtime. Throughput is timed at the requested batch, latency at
 * batch 1. A failure at the requested batch (out of memory, a missing kernel) is returned as a
 * 'failed' result with its message — never retried at a smaller batch.
 */
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { cpuInfo } from '../common/environment.js';
import { z } from 'zod';
import { UsageError, errorMessage } from '../common/errors.js';
import { parseOrUsage, wholeNumber } from '../common/validate.js';
import { initBackend } from '../common/engine.js';
import { loadModelDir } from '../training/model-io.js';
import { createModel, findModelEntry, getModelEntry } from '../training/models/index.js';
import { countCost } from './cost.js';
import { timeInference, type Timing, type TimingOptions } from './harness.js';
import { modelToOnnx, writeOnnx } from './onnx/export.js';
import { protocolRecord, type ProtocolRecord } from './protocol.js';
import { onnxRuntime } from './runtimes/onnxruntime.js';
import { tfjsRuntime } from './runtimes/tfjs.js';
import type { Runtime, RuntimeInfo } from './runtimes/types.js';
import { isNoisy, type SampleStats } from './stats.js';
import { currentEnvironment } from '../common/environment.js';
import type { Benchmark, ModelFacts } from '../db/record.js';

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

/** timm's benchmark.py default head: speed is reported for an ImageNet-size classifier. */
export const DEFAULT_NUM_CLASSES = 1000;

const positive = () => wholeNumber(1, 'a positive integer');
const seconds = () => z.number().min(0, { error: (i) => `must be ≥ 0 seconds, got ${String(i.input)}` });

const BenchOptionChecks = z
  .object({
    batchSize: positive(),
    resolution: positive(),
    minIters: positive(),
    channels: positive().optional(),
    numClasses: positive().optional(),
    minTime: seconds(),
    warmupTime: seconds(),
    runtime: z.enum(['tfjs', 'onnxruntime'], { error: (i) => `unknown runtime '${String(i.input)}'; use tfjs or onnxruntime` }),
    precision: z.enum(['fp32', 'fp16'], { error: (i) => `unknown precision '${String(i.input)}'; use fp32 or fp16` }),
  })
  .refine((o) => !(o.runtime === 'tfjs' && o.precision === 'fp16'), {
    path: ['precision'],
    error: 'the tfjs runtime computes in fp32 only; use --precision fp32, or --runtime onnxruntime for fp16',
  });

export function validateOptions(opts: BenchOptions): void {
  parseOrUsage(BenchOptionChecks, opts, 'bench options');
}

function isModelDir(spec: string): boolean {
  return fs.existsSync(spec) && fs.statSync(spec).isDirectory();
}

/**
 * The model to benchmark: a fresh roster model at the requested resolution (speed does not depend
 * on the weights), or a saved one, whose input resolution is fixed.
 */
export async function loadBenchModel(opts: Pick<BenchOptions, 'model' | 'resolution' | 'channels' | 'numClasses'>): Promise<{ model: tf.LayersModel; name: string }> {
  if (isModelDir(opts.model)) {
    const { model, meta } = await loadModelDir(opts.model);
    const [h, w, c] = model.inputs[0].shape.slice(1);
    if (h !== opts.resolution || w !== opts.resolution) {
      model.dispose();
      throw new UsageError(`model ${opts.model} takes ${h}×${w} inputs, not ${opts.resolution}; use --resolution ${h}`);
    }
    if (opts.channels !== undefined && c !== opts.channels) {
      model.dispose();
      throw new UsageError(`model ${opts.model} takes ${c} channels, not ${opts.channels}`);
    }
    return { model, name: meta?.model ?? opts.model };
  }
  if (opts.model.includes('/') || opts.model.startsWith('.'))
    throw new UsageError(`model directory ${opts.model} does not exist; give a roster name or a saved tfjs model directory`);
  getModelEntry(opts.model); // unknown name → UsageError with suggestions
  const model = createModel(opts.model, {
    numClasses: opts.numClasses ?? DEFAULT_NUM_CLASSES,
    inputShape: [opts.resolution, opts.resolution, opts.channels ?? 3],
    seed: 0,
  });
  return { model, name: opts.model };
}

async function timeAt(runtime: Runtime, batchSize: number, timing: TimingOptions): Promise<Timing> {
  const prepared = await runtime.prepare(batchSize);
  try {
    return await timeInference(prepared, timing);
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

/** The throughput columns of a benchmark: per-iteration milliseconds at the requested batch. */
function stepColumns(s: SampleStats | null, samplesMs: number[] | null) {
  return {
    stepMsMean: s?.mean ?? null, stepMsMedian: s?.median ?? null, stepMsP90: s?.p90 ?? null, stepMsP99: s?.p99 ?? null,
    stepMsSd: s?.sd ?? null, rme: s?.rme ?? null, samples: s?.samples ?? null, stepMsSamples: samplesMs,
  };
}

/** The latency columns: milliseconds at batch 1. */
function latencyColumns(s: SampleStats | null) {
  return {
    latencyP50: s?.median ?? null, latencyP90: s?.p90 ?? null, latencyP99: s?.p99 ?? null, latencyMean: s?.mean ?? null,
    latencySd: s?.sd ?? null, latencyRme: s?.rme ?? null, latencySamples: s?.samples ?? null,
  };
}

/** The roster's row for the model measured (a saved model names its roster model in its meta), or null outside the roster. */
function modelFactsOf(name: string, cost: { params: number; macs: number }, resolution: number): ModelFacts | null {
  const entry = findModelEntry(name);
  if (!entry) return null;
  return { name: entry.name, family: entry.family, description: entry.description, params: cost.params, gmacs: cost.macs / 1e9, gmacsResolution: resolution, defaultResolution: entry.defaultResolution };
}

/** Measures one model. Bad options throw UsageError; a failing measurement is a 'failed' result. */
export async function benchmarkModel(opts: BenchOptions): Promise<Benchmark> {
  validateOptions(opts);
  // tfjs builds (and for ONNX Runtime, exports) the model: weights need a backend, any will do.
  await initBackend((opts.runtime === 'tfjs' ? (opts.backend ?? 'auto') : 'cpu') as 'auto');
  const { model, name } = await loadBenchModel(opts);
  const cost = countCost(model);
  const base = { model: name, params: cost.params, gmacs: cost.macs / 1e9, modelFacts: modelFactsOf(name, cost, opts.resolution) };
  const timing: TimingOptions = { minTime: opts.minTime, minIters: opts.minIters, warmupTime: opts.warmupTime };
  const run = { precision: opts.precision, batchSize: opts.batchSize, resolution: opts.resolution, timing };
  const measured = (info: RuntimeInfo) => ({
    ...base,
    runtime: info.runtime, backend: info.backend, device: info.device, precision: opts.precision, batchSize: opts.batchSize, resolution: opts.resolution,
    protocol: protocolRecord(info, run),
    environment: currentEnvironment(info.gpu),
  });

  let runtime: Runtime | null = null;
  let info: RuntimeInfo | null = null;
  try {
    runtime = await openRuntime(model, opts);
    info = runtime.info;
    const thr = await timeAt(runtime, opts.batchSize, timing);
    const lat = await timeAt(runtime, 1, timing);
    return {
      ...measured(info),
      status: 'ok',
      error: null,
      imagesPerSec: (opts.batchSize * 1000) / thr.stats.mean,
      ...stepColumns(thr.stats, thr.samplesMs),
      ...latencyColumns(lat.stats),
      noisy: isNoisy(thr.stats) || isNoisy(lat.stats),
    };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return {
      ...measured(info ?? unopenedInfo(opts)),
      status: 'failed',
      error: errorMessage(err),
      imagesPerSec: null,
      ...stepColumns(null, null),
      ...latencyColumns(null),
      noisy: false,
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
