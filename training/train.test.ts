/**
 * The trainer end to end on tiny data (MNIST subsets, the smallest ResNet at 16 px, wasm backend):
 * resume after an interruption is bit-exact, mismatched resumes and teachers are refused, the
 * teacher cache is reused, and no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingRunSchema } from '../db/record.js';
import { initBackend } from '../common/engine.js';
import { loadCheckpoint } from './checkpoint.js';
import { openDataset } from './data/index.js';
import { loadModelDir, saveModelDir } from './model-io.js';
import { createModel } from './models/index.js';
import { ensureTeacher, resolveTeacher } from './teacher.js';
import { trainModel, type TrainOptions } from './train.js';

let root: string;
beforeAll(async () => {
  await initBackend('wasm');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-train-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const base = (outDir: string): TrainOptions => ({
  model: 'resnet8_s', dataset: 'mnist', teacher: 'none', epochs: 2, batchSize: 16, resolution: 16, seed: 3,
  outDir, trainLimit: 48, testLimit: 20, quiet: true, backend: 'wasm', cacheDir: path.join(root, 'cache'),
});

describe('trainModel', () => {
  it('resumes after an interruption to the same final weights, EMA and curve as an uninterrupted run, leaking no tensor', async () => {
    const before = tf.memory().numTensors;
    const whole = await trainModel(base(path.join(root, 'whole')));
    expect(tf.memory().numTensors).toBe(before);

    const cutDir = path.join(root, 'cut');
    const partial = await trainModel({ ...base(cutDir), stopAfterEpochs: 1 });
    expect(partial.curve).toHaveLength(1);
    expect(fs.existsSync(path.join(cutDir, 'result.json'))).toBe(false);
    const resumed = await trainModel(base(cutDir));
    expect(tf.memory().numTensors).toBe(before);

    const a = loadCheckpoint(path.join(root, 'whole'))!;
    const b = loadCheckpoint(cutDir)!;
    expect(b.epoch).toBe(2);
    expect(b.optimizerStep).toBe(a.optimizerStep);
    expect(b.weights.map((w) => Array.from(w))).toEqual(a.weights.map((w) => Array.from(w)));
    expect(b.ema.map((w) => Array.from(w))).toEqual(a.ema.map((w) => Array.from(w)));
    expect(b.adamV.map((w) => Array.from(w))).toEqual(a.adamV.map((w) => Array.from(w)));
    expect(resumed.curve).toEqual(whole.curve);
    expect(fs.readFileSync(path.join(cutDir, 'model', 'weights.bin'))).toEqual(fs.readFileSync(path.join(root, 'whole', 'model', 'weights.bin')));

    // the result is complete and sane
    expect(whole.teacher).toBeNull();
    expect(whole.recipe.alphaKd).toBe(0);
    expect(whole.curve.map((c) => c.epoch)).toEqual([1, 2]);
    for (const acc of [whole.top1Raw, whole.top5Raw, whole.top1Ema, whole.top5Ema]) expect(acc).toBeGreaterThanOrEqual(0);
    expect(whole.top5Raw).toBeGreaterThanOrEqual(whole.top1Raw);
    expect(whole.modelFacts.params).toBeGreaterThan(10_000);
    expect(TrainingRunSchema.parse(JSON.parse(fs.readFileSync(path.join(root, 'whole', 'result.json'), 'utf8')))).toEqual(whole);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'whole', 'result.json'), 'utf8')).recipeHash).toBe(whole.recipeHash);
    // 48 images / batch 16 = 3 steps an epoch, 6 in all: warm-up ceil(6·5/310) = 1 step (step 0), no
    // cool-down (floor(6·10/310) = 0), cosine over steps 1..5; the curve records each epoch's last lr
    const cosine = (k: number) => 1e-6 + 0.5 * (2e-3 - 1e-6) * (1 + Math.cos((Math.PI * k) / 5));
    expect(whole.curve[0].lr).toBeCloseTo(cosine(1), 12);
    expect(whole.curve[1].lr).toBeCloseTo(cosine(4), 12);
  });

  it('refuses to resume a checkpoint of a different run', async () => {
    await expect(trainModel({ ...base(path.join(root, 'whole')), epochs: 3 })).rejects.toThrow(/holds a checkpoint of a different run \(epochs 2 → 3\)/);
    await expect(trainModel({ ...base(path.join(root, 'whole')), seed: 4 })).rejects.toThrow(/seed 3 → 4/);
  });

  it('refuses a teacher whose class count or input shape does not match the dataset', async () => {
    const wrongClasses = createModel('resnet8_s', { numClasses: 5, inputShape: [16, 16, 1], seed: 0 });
    const dir5 = path.join(root, 'teacher5');
    await saveModelDir(wrongClasses, dir5, { model: 'resnet8_s', dataset: 'other', numClasses: 5, classNames: [], resolution: 16, channels: 1, mean: [0.5], std: [0.5], recipeHash: '', top1: 0 });
    wrongClasses.dispose();
    await expect(trainModel({ ...base(path.join(root, 'bad1')), teacher: dir5 })).rejects.toThrow(
      /teacher .*teacher5 outputs 5 classes but mnist has 10; give a teacher trained on this dataset, or --teacher auto/,
    );
    const wrongShape = createModel('resnet8_s', { numClasses: 10, inputShape: [24, 24, 1], seed: 0 });
    const dir24 = path.join(root, 'teacher24');
    await saveModelDir(wrongShape, dir24, { model: 'resnet8_s', dataset: 'mnist', numClasses: 10, classNames: [], resolution: 24, channels: 1, mean: [0.5], std: [0.5], recipeHash: '', top1: 0 });
    wrongShape.dispose();
    await expect(trainModel({ ...base(path.join(root, 'bad2')), teacher: dir24 })).rejects.toThrow(/takes input \[24, 24, 1\] but this run feeds \[16, 16, 1\]/);
    await expect(trainModel({ ...base(path.join(root, 'bad3')), teacher: path.join(root, 'nope') })).rejects.toThrow(/is not a directory/);
  });

  it('trains a teacher once, caches it, and distils from it', async () => {
    const opts = { dataset: 'mnist', model: 'resnet8_s', resolution: 16, epochs: 1, batchSize: 16, seed: 3, trainLimit: 48, testLimit: 20, cacheDir: path.join(root, 'cache'), quiet: true };
    const first = await ensureTeacher(opts);
    const mtime = fs.statSync(path.join(first.run.modelDir, 'weights.bin')).mtimeMs;
    const again = await ensureTeacher(opts);
    expect(again).toEqual(first);
    expect(fs.statSync(path.join(first.run.modelDir, 'weights.bin')).mtimeMs).toBe(mtime);
    expect(first.run.modelDir.startsWith(path.join(root, 'cache', 'teachers'))).toBe(true);

    // the same weights given as a directory: folded, measured here, same logits as the saved model
    const info = { dataset: await openDataset('mnist', { resolution: 16, trainLimit: 48, testLimit: 20 }) };
    const byDir = await resolveTeacher(first.run.modelDir, {
      datasetSpec: 'mnist', info: info.dataset.info, dataset: info.dataset, resolution: 16, batchSize: 16, seed: 3, epochs: 1,
    });
    expect(Math.abs(byDir.top1 - first.run.top1)).toBeLessThanOrEqual(1 / 20);
    const { model: saved, meta } = await loadModelDir(first.run.modelDir);
    const images = tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const want = tf.tidy(() => (saved.predict(tf.div(tf.sub(images, meta!.mean[0]), meta!.std[0])) as tf.Tensor).dataSync());
    const got = tf.tidy(() => byDir.logits(images).dataSync());
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 3);
    tf.dispose([images]);
    saved.dispose();
    byDir.dispose();

    const before = tf.memory().numTensors;
    const usi = await trainModel({ ...base(path.join(root, 'usi')), teacher: 'auto', teacherModel: 'resnet8_s', teacherEpochs: 1, epochs: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(usi.teacher).toEqual({ dir: first.run.modelDir, model: 'resnet8_s', top1: first.run.top1 });
    expect(usi.recipe.alphaKd).toBe(5);
    expect(usi.recipeHash).not.toBe(first.run.recipeHash);
    // the teacher term acts: the same seed without KD ends at different weights
    await trainModel({ ...base(path.join(root, 'baseline1')), epochs: 1 });
    const kd = loadCheckpoint(path.join(root, 'usi'))!.weights;
    const plain = loadCheckpoint(path.join(root, 'baseline1'))!.weights;
    expect(kd.map((w) => Array.from(w))).not.toEqual(plain.map((w) => Array.from(w)));
  });
});
