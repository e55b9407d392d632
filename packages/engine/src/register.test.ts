/**
 * What registerUsibenchKernels(tf) changes in tfjs, and what it leaves alone: importing the
 * engine changes nothing; registering replaces wasm kernels and wraps gradients, never a cpu
 * kernel; and on the cpu backend, the reference the kernel tests compare against, every gradient
 * computes what tfjs-core's shipped one does, bit for bit (the shipped one runs).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../test/random.js';
import { initBackend, registerNativeBackend, registerUsibenchKernels } from './index.js';

const WRAPPED = [tf.Sum, tf.Mean, tf.FusedBatchNorm, tf.SquaredDifference, tf.BatchMatMul, tf.Relu, tf.Relu6, tf.Square];

const seed = 7;
const input = (rng: SeededRandom, shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);

/** One case per wrapped gradient, shaped as the shipped gradient takes it; gradients of every input. */
const CASES: Array<{ name: string; shapes: number[][]; f: (...xs: tf.Tensor[]) => tf.Tensor }> = [
  { name: 'sum', shapes: [[3, 4, 5]], f: (x) => tf.sum(x, [0, 2]) },
  { name: 'mean', shapes: [[3, 4, 5]], f: (x) => tf.mean(x, 1) },
  { name: 'batch norm', shapes: [[2, 3, 3, 4], [4], [4], [4], [4]], f: (x, m, v, o, s) => tf.batchNorm(x, m, tf.abs(v), o, s, 1e-3) },
  { name: 'squared difference', shapes: [[3, 4], [3, 4]], f: (a, b) => tf.squaredDifference(a, b) },
  { name: 'batched matmul', shapes: [[2, 3, 5], [2, 5, 4]], f: (a, b) => tf.matMul(a, b) },
  { name: 'relu, relu6, square', shapes: [[4, 9]], f: (x) => tf.add(tf.add(tf.relu(x), tf.relu6(tf.mul(x, 4))), tf.square(x)) },
];

function cpuGrads(rng: SeededRandom): Float32Array[][] {
  return CASES.map((c) => tf.tidy(() => {
    const xs = c.shapes.map((shape) => input(rng, shape));
    const probe = tf.tensor(Float32Array.from({ length: 200 }, (_, i) => Math.sin(i)));
    const loss = (...ins: tf.Tensor[]) => {
      const y = c.f(...ins);
      return tf.sum(tf.mul(y, tf.reshape(tf.slice(probe, 0, y.size), y.shape)));
    };
    return tf.grads(loss)(xs).map((g) => g.dataSync() as Float32Array);
  }));
}

await tf.setBackend('cpu');
const shippedGradients = new Map(WRAPPED.map((name) => [name, tf.getGradient(name)]));
const cpuKernels = new Map(tf.getKernelsForBackend('cpu').map((k) => [k.kernelName, k.kernelFunc]));
const wasmConv = tf.getKernel(tf.Conv2D, 'wasm')?.kernelFunc;
const shippedValues = cpuGrads(new SeededRandom(seed));

describe('registerUsibenchKernels', () => {
  it('importing the engine registered nothing, and choosing a backend before registering is refused', async () => {
    for (const name of WRAPPED) expect(tf.getGradient(name), name).toBe(shippedGradients.get(name));
    expect(tf.findBackendFactory('native')).toBeNull();
    await expect(initBackend('wasm')).rejects.toThrow(/registerUsibenchKernels\(tf\) before/);
  });

  it('refuses a tfjs other than the one the engine uses', () => {
    expect(() => registerUsibenchKernels({ ...tf, engine: () => ({}) } as unknown as typeof tf)).toThrow(/not the copy the engine uses/);
  });

  it('replaces wasm kernels and wraps gradients, and keeps every cpu kernel', async () => {
    registerUsibenchKernels(tf);
    registerUsibenchKernels(tf);
    await registerNativeBackend();
    expect(tf.getKernel(tf.Conv2D, 'wasm')?.kernelFunc).not.toBe(wasmConv);
    for (const name of WRAPPED) expect(tf.getGradient(name), name).not.toBe(shippedGradients.get(name));
    const now = tf.getKernelsForBackend('cpu');
    expect(now.length).toBe(cpuKernels.size);
    for (const k of now) expect(k.kernelFunc, k.kernelName).toBe(cpuKernels.get(k.kernelName));
  });

  it('on cpu, every gradient computes what the shipped one does, bit for bit', async () => {
    await initBackend('cpu');
    const again = cpuGrads(new SeededRandom(seed));
    again.forEach((grads, i) => grads.forEach((g, k) => expect(Array.from(g), `${CASES[i].name}, input ${k}`).toEqual(Array.from(shippedValues[i][k]))));
  });

  it('on cpu a broadcast squared difference fails as shipped tfjs does; on wasm the engine reduces it', async () => {
    const grad = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.squaredDifference(a, b)))([tf.ones([3, 4]), tf.zeros([4])])[1].dataSync());
    await initBackend('cpu');
    expect(grad).toThrow(/Error in gradient for op SquaredDifference/);
    await initBackend('wasm');
    // d/db sum((1 - b)^2) = -2 (1 - b) = -2 per row, summed over the 3 rows
    expect(Array.from(grad())).toEqual([-6, -6, -6, -6]);
  });
});
