/**
 * A GPU backend in Node (webgpu through Dawn) cannot read tensors back synchronously: dataSync,
 * arraySync and bufferSync throw there (tfjs reaches for OffscreenCanvas). The whole USI loop —
 * augmentation, teacher stage, KD step, evaluation, checkpoints — must therefore use async reads
 * only. This runs it on wasm with the synchronous reads made to throw, as they would on a GPU.
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../common/engine.js';
import { trainModel } from './train.js';

const SYNC_READS = ['dataSync', 'arraySync', 'bufferSync'] as const;
const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
const saved = SYNC_READS.map((m) => proto[m]);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-gpusafe-'));

afterAll(() => {
  SYNC_READS.forEach((m, i) => (proto[m] = saved[i]));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the training loop on a backend without synchronous reads', () => {
  it('trains a teacher and a KD student with async reads only', async () => {
    await initBackend('wasm');
    for (const m of SYNC_READS) {
      proto[m] = () => {
        throw new Error(`${m} called: a GPU backend in Node cannot read synchronously`);
      };
    }
    const result = await trainModel({
      model: 'resnet8_s',
      dataset: 'mnist',
      teacher: 'auto',
      teacherModel: 'resnet8_s',
      teacherEpochs: 1,
      epochs: 1,
      batchSize: 64,
      seed: 0,
      trainLimit: 128,
      testLimit: 64,
      outDir: path.join(tmp, 'run'),
      cacheDir: path.join(tmp, 'cache'),
      backend: 'wasm',
      quiet: true,
    });
    expect(result.teacher?.model).toBe('resnet8_s');
    expect(result.curve).toHaveLength(1);
    expect(Number.isFinite(result.curve[0].loss)).toBe(true);
  });
});
