import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { isUsageError } from '../common/errors.js';
import { cpuInfo } from '../common/environment.js';
import { saveModelDir } from '../training/model-io.js';
import { BenchmarkSchema } from '../db/record.js';
import { createModel } from '../training/models/index.js';
import { benchmarkModel, countCost, type BenchOptions } from './index.js';
import { protocolRecord } from './protocol.js';

const quick: BenchOptions = {
  model: 'resnet8_s',
  batchSize: 4,
  resolution: 16,
  numClasses: 10,
  runtime: 'onnxruntime',
  precision: 'fp32',
  minTime: 0.05,
  minIters: 3,
  warmupTime: 0.02,
};

async function usageError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isUsageError(err)) return err.message;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('protocol record', () => {
  it('carries runtime, device, run settings, versions, commit and date', () => {
    const date = new Date('2026-01-02T03:04:05.000Z');
    const rec = protocolRecord(
      { runtime: 'onnxruntime', backend: 'cuda', device: 'NVIDIA H100', gpu: 'NVIDIA H100', threads: 3, versions: { 'onnxruntime-node': '1.30.0' } },
      { precision: 'fp16', batchSize: 256, resolution: 224 },
      date,
    );
    expect(rec).toMatchObject({
      runtime: 'onnxruntime',
      backend: 'cuda',
      device: 'NVIDIA H100',
      gpu: 'NVIDIA H100',
      precision: 'fp16',
      batchSize: 256,
      resolution: 224,
      threads: 3,
      cpuModel: cpuInfo().model,
      cores: cpuInfo().cores,
      date: '2026-01-02T03:04:05.000Z',
    });
    expect(rec.gitCommit).toMatch(/^([0-9a-f]{40}(-dirty)?|unknown)$/);
    expect(rec.versions.node).toBe(process.versions.node);
    expect(rec.versions['onnxruntime-node']).toBe('1.30.0');
    expect(rec.settings).toEqual({}); // neither runtime settings nor a timing protocol given
    expect(rec.versions['@tensorflow/tfjs-core']).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('benchmarkModel', () => {
  it('measures a roster model on ONNX Runtime with consistent figures', async () => {
    const r = await benchmarkModel(quick);
    expect(r.status).toBe('ok');
    expect(r.error).toBeNull();
    const model = createModel('resnet8_s', { numClasses: 10, inputShape: [16, 16, 3], seed: 0 });
    expect({ params: r.params, gmacs: r.gmacs }).toEqual({ params: countCost(model).params, gmacs: countCost(model).macs / 1e9 });
    model.dispose();
    expect(r.samples).toBeGreaterThanOrEqual(3);
    expect(r.stepMsSamples).toHaveLength(r.samples!);
    expect(r.imagesPerSec).toBeCloseTo((4 * 1000) / r.stepMsMean!, 6);
    expect(r.stepMsMedian).toBeGreaterThan(0);
    expect(r.stepMsP90).toBeGreaterThanOrEqual(r.stepMsMedian!);
    expect(r.stepMsP99).toBeGreaterThanOrEqual(r.stepMsP90!);
    expect(r.latencySamples).toBeGreaterThanOrEqual(3);
    expect(r.noisy).toBe(r.rme! > 5 || r.latencyRme! > 5);
    // the record is one the importer accepts, and names its roster row
    expect(BenchmarkSchema.parse(JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(r.modelFacts).toMatchObject({ name: 'resnet8_s', family: 'cnn', params: r.params, gmacsResolution: 16 });
    expect(r.protocol).toMatchObject({ runtime: 'onnxruntime', backend: 'cpu', batchSize: 4, resolution: 16, precision: 'fp32', threads: cpuInfo().cores });
    // How it was measured: ONNX Runtime's thread pool settings (runtimes/onnxruntime.test.ts) and the timing protocol.
    expect(r.protocol.settings).toMatchObject({ intraOpNumThreads: String(cpuInfo().cores), allowSpinning: '0' });
    expect(r.protocol.settings).toMatchObject({ minTime: '0.05', minIters: '3', warmupTime: '0.02', gcBeforeTiming: 'yes' });
  });

  it('measures a saved model directory (custom layers included) at its own resolution', async () => {
    await tf.setBackend('cpu');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-bench-'));
    const model = createModel('mobilenetv3_s', { numClasses: 10, inputShape: [16, 16, 3], seed: 0 });
    const meta = { model: 'mobilenetv3_s', dataset: 'cifar10', numClasses: 10, classNames: [], resolution: 16, channels: 3, mean: [0, 0, 0], std: [1, 1, 1], recipeHash: 'x', top1: 0 };
    await saveModelDir(model, path.join(dir, 'm'), meta);
    const params = countCost(model).params;
    model.dispose();
    const r = await benchmarkModel({ ...quick, model: path.join(dir, 'm') });
    expect(r.status).toBe('ok');
    expect(r.params).toBe(params);
    expect(r.model).toBe('mobilenetv3_s'); // the saved model's roster name, from its meta
    expect(await usageError(benchmarkModel({ ...quick, model: path.join(dir, 'm'), resolution: 32 }))).toMatch(/takes 16×16 inputs, not 32; use --resolution 16/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps tfjs tensors flat while timing on tfjs', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const r = await benchmarkModel({ ...quick, runtime: 'tfjs', backend: 'cpu', batchSize: 2, minIters: 4 });
    expect(r.status).toBe('ok');
    expect(r.protocol).toMatchObject({ runtime: 'tfjs', backend: 'cpu', gpu: null });
    expect(r.samples).toBeGreaterThanOrEqual(4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('records a failure at the requested batch instead of retrying smaller', async () => {
    // 2^32 input values cannot be held: the measurement fails at this batch.
    const batchSize = Math.ceil(2 ** 32 / (16 * 16 * 3)) + 1;
    const r = await benchmarkModel({ ...quick, batchSize });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/length|alloc|memory/i);
    expect(r.imagesPerSec).toBeNull();
    expect(r.stepMsMean).toBeNull();
    expect(r.latencyP50).toBeNull();
    expect(r.protocol.batchSize).toBe(batchSize);
    expect(r.params).toBeGreaterThan(0);
  });

  it('runs fp16 on ONNX Runtime or fails with the reason, never a silent fp32 number', async () => {
    const r = await benchmarkModel({ ...quick, precision: 'fp16' });
    expect(r.protocol.precision).toBe('fp16');
    if (r.status === 'failed') expect(r.error).toBeTruthy();
    else expect(r.imagesPerSec).toBeGreaterThan(0);
  });

  it('rejects bad input with one clear line', async () => {
    expect(await usageError(benchmarkModel({ ...quick, batchSize: 0 }))).toMatch(/batchSize: must be a positive integer/);
    expect(await usageError(benchmarkModel({ ...quick, batchSize: -3 }))).toMatch(/batchSize/);
    expect(await usageError(benchmarkModel({ ...quick, model: 'resnet_nope' }))).toMatch(/unknown model 'resnet_nope'/);
    expect(await usageError(benchmarkModel({ ...quick, model: 'vit_tiny_s', resolution: 30 }))).toMatch(/cannot take resolution 30/);
    expect(await usageError(benchmarkModel({ ...quick, backend: 'cuda' }))).toMatch(/provider 'cuda' is not installed/);
    expect(await usageError(benchmarkModel({ ...quick, backend: 'tpu' }))).toMatch(/unknown ONNX Runtime provider 'tpu'/);
    expect(await usageError(benchmarkModel({ ...quick, runtime: 'tfjs', precision: 'fp16' }))).toMatch(/fp32 only/);
    expect(await usageError(benchmarkModel({ ...quick, model: './no/such/dir' }))).toMatch(/does not exist/);
    for (const msg of [await usageError(benchmarkModel({ ...quick, batchSize: 0 }))]) expect(msg).not.toContain('\n');
  });
});

describe('usibench bench (CLI)', () => {
  const bin = path.resolve(import.meta.dirname, '..', 'bin', 'usibench.js');
  const run = promisify(execFile);

  it('exits 2 with one line on bad input', async () => {
    const err = await run(process.execPath, [bin, 'bench', '--model', 'resnet8_s', '--batch-size', '0']).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr.trim().split('\n')).toEqual(["usibench: --batch-size must be a positive integer, got '0'"]);
  });

  it('runs a roster pattern in child processes and prints their JSON', async () => {
    const args = [bin, 'bench', '--models', 'resnet8_?', '--batch-size', '2', '--resolution', '16', '--num-classes', '10'];
    args.push('--min-time', '0.05', '--min-iters', '3', '--warmup-time', '0', '--json');
    const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 24 });
    const results = JSON.parse(stdout) as Array<{ model: string; status: string; protocol: { batchSize: number } }>;
    expect(results.map((r) => [r.model, r.status, r.protocol.batchSize])).toEqual([['resnet8_s', 'ok', 2]]);
  });
});
