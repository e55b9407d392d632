/** Shared by the train-step tests of the roster (split by family to keep each file short). */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { createModel } from './index.js';

/** Adam on one repeated batch: a model whose gradients flow must fit it. */
export function lossesOnRepeatedBatch(name: string, steps: number): { losses: number[]; leaked: number } {
  const model = createModel(name, { numClasses: 10, inputShape: [20, 20, 1], seed: 7 });
  const x = tf.randomNormal([4, 20, 20, 1], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 3, 5, 9], 'int32'), 10));
  const optimizer = tf.train.adam(5e-3);
  const losses: number[] = [];
  let afterFirst = 0;
  for (let i = 0; i < steps; i++) {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    )!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
    if (i === 0) afterFirst = tf.memory().numTensors; // the optimizer's slots exist from here on
  }
  const leaked = tf.memory().numTensors - afterFirst;
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return { losses, leaked };
}

/** Trains each model a few steps; asserts the loss falls and no tensor is left behind. */
export function expectEachTrains(names: string[]): void {
  const before = tf.memory().numTensors;
  for (const name of names) {
    const { losses, leaked } = lossesOnRepeatedBatch(name, 6);
    expect(losses.every(Number.isFinite), name).toBe(true);
    const trace = `${name}: ${losses.map((l) => l.toFixed(3)).join(' ')}`;
    if (process.env.USIBENCH_VERBOSE) console.log(trace);
    expect(losses[losses.length - 1], trace).toBeLessThan(0.8 * losses[0]);
    expect(`${name} leaked ${leaked}`).toBe(`${name} leaked 0`);
  }
  expect(tf.memory().numTensors).toBe(before);
}
