/**
 * A whole training step (forward in training mode, softmax cross-entropy, gradients of every
 * trainable weight) on the native backend against tfjs's cpu backend, for the smallest registered
 * model of every roster family, from identical weights and inputs. Then a few optimiser steps on
 * native keep tf.memory().numTensors flat.
 *
 * Tolerance: per weight, max |native - cpu| <= 1e-3 x max(|cpu|, 1e-2). Whole-net gradients chain
 * hundreds of float32 ops summed in a different order (and batch norm divides by small batch
 * variances), so this is looser than the per-kernel 1e-4; a wrong kernel is off by O(1).
 *
 * Skips, with a message, where the addon is not built.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../common/rng.js';
import { FAMILIES, createModel, getModelEntry, listModels } from '../models/index.js';
import { registerNativeBackend } from '@usibench/engine';
import { relErr } from '@usibench/engine/testing';
import '../../common/engine.js';

const reg = await registerNativeBackend();
// Importing the engine loads the wasm backend, which makes itself the default before it is ready;
// the models below are built on the cpu reference.
await tf.setBackend('cpu');
if (!reg.available) console.warn(`training/engine/native-train.test.ts: skipped, ${reg.reason}`);

const TOL = 1e-3;
const RES = 16;
const BATCH = 3;


/** The smallest small-image model of each family (by parameter count), as the roster stands. */
function smallestPerFamily(): string[] {
  const best = new Map<string, { name: string; params: number }>();
  for (const name of listModels()) {
    const e = getModelEntry(name);
    if (e.defaultResolution > 32 || e.checkResolution?.(RES)) continue;
    const m = createModel(name, { numClasses: 10, inputShape: [RES, RES, 3], seed: 1 });
    const params = m.countParams();
    m.dispose();
    const cur = best.get(e.family);
    if (!cur || params < cur.params) best.set(e.family, { name, params });
  }
  return [...best.values()].map((b) => b.name);
}

interface Step { loss: number; grads: Array<[string, Float32Array]> }

async function trainStep(backend: string, name: string, weights: Float32Array[] | null, x: Float32Array, y: Int32Array) {
  await tf.setBackend(backend);
  const model = createModel(name, { numClasses: 10, inputShape: [RES, RES, 3], seed: 5 });
  if (weights) model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
  const initial = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  const xs = tf.tensor4d(x, [BATCH, RES, RES, 3]);
  const labels = tf.oneHot(tf.tensor1d(y, 'int32'), 10);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(labels, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, vars);
  // In the model's weight order: variable names differ between the two builds (tfjs uniquifies them).
  const step: Step = {
    loss: value.dataSync()[0],
    grads: model.trainableWeights.map((w, i) => [w.originalName, grads[vars[i].name].dataSync().slice() as Float32Array]),
  };
  tf.dispose([value, xs, labels, ...Object.values(grads)]);
  model.dispose();
  return { step, initial };
}

describe.skipIf(!reg.available)('native backend: training steps of the roster', () => {
  const names = smallestPerFamily();

  it('covers every roster family that has a small-image model', () => {
    const families = new Set(names.map((n) => getModelEntry(n).family));
    expect([...families].sort()).toEqual([...FAMILIES].filter((f) => families.has(f)).sort());
    expect(names.length).toBeGreaterThanOrEqual(1);
  });

  for (const name of names) {
    it(`${name}: loss and every weight's gradient match the cpu backend`, async () => {
      const rng = new Rng(31);
      const x = Float32Array.from({ length: BATCH * RES * RES * 3 }, () => rng.normal());
      const y = Int32Array.from({ length: BATCH }, () => rng.int(10));
      const ref = await trainStep('cpu', name, null, x, y);
      const got = await trainStep('native', name, ref.initial, x, y);
      expect(Math.abs(got.step.loss - ref.step.loss) / Math.max(Math.abs(ref.step.loss), 1e-2)).toBeLessThanOrEqual(TOL);
      expect(got.step.grads.map(([k]) => k)).toEqual(ref.step.grads.map(([k]) => k));
      expect(ref.step.grads.length).toBeGreaterThan(0);
      ref.step.grads.forEach(([k, g], i) => {
        expect(relErr(got.step.grads[i][1], g), `${name} ${k}`).toBeLessThanOrEqual(TOL);
      });
    });
  }

  it('several SGD steps in a row (outputs recycled between steps) follow the cpu backend', async () => {
    // Conv-BN-ReLU blocks wide enough (4x16x16x64) that their outputs and gradients are pooled and
    // reused from one step to the next: a buffer recycled while still in use changes the losses.
    const rng = new Rng(71);
    const x = Float32Array.from({ length: 4 * 16 * 16 * 3 }, () => rng.normal());
    const y = Int32Array.from({ length: 4 }, () => rng.int(10));
    const run = async (backend: string, weights: Float32Array[] | null) => {
      await tf.setBackend(backend);
      const input = tf.input({ shape: [16, 16, 3] });
      let h: tf.SymbolicTensor = input;
      for (const filters of [64, 64]) {
        h = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: filters }) }).apply(h) as tf.SymbolicTensor;
        h = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }).apply(h) as tf.SymbolicTensor;
        h = tf.layers.activation({ activation: 'relu' }).apply(h) as tf.SymbolicTensor;
      }
      h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }).apply(h) as tf.SymbolicTensor });
      if (weights) model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
      const initial = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
      const xs = tf.tensor4d(x, [4, 16, 16, 3]);
      const labels = tf.oneHot(tf.tensor1d(y, 'int32'), 10);
      const opt = tf.train.sgd(0.05);
      const losses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
        losses.push(loss.dataSync()[0]);
        loss.dispose();
      }
      const final = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
      tf.dispose([xs, labels]);
      opt.dispose();
      model.dispose();
      return { initial, losses, final };
    };
    const ref = await run('cpu', null);
    const got = await run('native', ref.initial);
    got.losses.forEach((l, i) => expect(Math.abs(l - ref.losses[i]) / Math.max(Math.abs(ref.losses[i]), 1e-2), `loss ${i}`).toBeLessThanOrEqual(TOL));
    got.final.forEach((w, i) => expect(relErr(w, ref.final[i]), `weight ${i}`).toBeLessThanOrEqual(TOL));
  });

  it('optimiser steps on native keep the tensor count flat', async () => {
    await tf.setBackend('native');
    const model = createModel(names[0], { numClasses: 10, inputShape: [RES, RES, 3], seed: 2 });
    const xs = tf.randomNormal([BATCH, RES, RES, 3], 0, 1, 'float32', 3);
    const labels = tf.oneHot(tf.tensor1d([1, 4, 7], 'int32'), 10);
    const opt = tf.train.adam(1e-3);
    const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, true)?.dispose();
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, labels]);
    opt.dispose();
    model.dispose();
  });
});
