import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadModelDir, saveModelDir, type ModelMeta } from './model-io.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model directories', () => {
  it('save then load gives the same predictions, BN statistics included, and the meta back', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-mio-'));
    dirs.push(root);
    const input = tf.input({ shape: [4, 4, 1] });
    let x = tf.layers.conv2d({ filters: 3, kernelSize: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(x) as tf.SymbolicTensor });
    // non-default moving statistics, so a loader that drops non-trainable weights would differ
    const bn = model.layers[2];
    bn.setWeights(bn.getWeights().map((w, i) => tf.fill(w.shape, [1.5, 0.2, 0.3, 2.0][i])));
    const meta: ModelMeta = { model: 'toy', dataset: 'mnist', numClasses: 2, classNames: ['a', 'b'], resolution: 4, channels: 1, mean: [0.1], std: [0.3], recipeHash: 'h', top1: 0.5 };
    const dir = path.join(root, 'model');
    await saveModelDir(model, dir, meta);
    expect(fs.readdirSync(root)).toEqual(['model']);
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'usibench.json', 'weights.bin']);
    const { model: back, meta: metaBack } = await loadModelDir(dir);
    expect(metaBack).toEqual(meta);
    const probe = tf.randomUniform([3, 4, 4, 1], 0, 1, 'float32', 7);
    const a = (model.predict(probe) as tf.Tensor).dataSync();
    const b = (back.predict(probe) as tf.Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    model.dispose();
    back.dispose();
  });

  it('refuses a directory without model.json with a clear message', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'usibench-mio-'));
    dirs.push(root);
    await expect(loadModelDir(root)).rejects.toThrow(/not a tfjs model directory \(no model.json\)/);
  });
});
