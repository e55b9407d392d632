/**
 * Batch norm in training as one kernel pair (batchnorm-train.ts) on every backend that has
 * it, against tfjs-layers' own moments + batchNorm on the cpu backend: the layer's output,
 * gradients and moving statistics, and the kernel's gradients through its statistics outputs.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { relErr } from '../test/compare.js';
import { SeededRandom } from '../test/random.js';
import { initBackend } from './backends.js';
import { BN_TRAIN_KERNEL } from './batchnorm-train.js';
import { registerNativeBackend } from './native/register.js';
import { registerUsibenchKernels } from './register.js';

registerUsibenchKernels(tf);

const TOL = 1e-3;
const backends = ['wasm', ...((await registerNativeBackend()).available ? ['native'] : [])];


describe.each(backends)('batch norm training kernels on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend as 'wasm' | 'native');
  });

  /**
   * One BatchNormalization layer in training mode: output, the gradients of x, gamma and beta, and
   * the moving statistics it updates, on each backend from the same weights. On native and wasm
   * the layer runs the fused training kernel; on cpu tfjs-layers' moments + batchNorm.
   */
  async function bnLayerStep(backend: string, shape: number[], x: Float32Array, probe: Float32Array, weights: Float32Array[]) {
    await tf.setBackend(backend);
    const layer = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5 });
    layer.build(shape);
    layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
    const xs = tf.variable(tf.tensor(x, shape));
    const p = tf.tensor(probe, shape);
    const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    let y: tf.Tensor | null = null;
    let result: ReturnType<typeof tf.variableGrads> | null = null;
    const { kernelNames } = await tf.profile(() => {
      result = tf.variableGrads(() => {
        y = tf.keep(layer.apply(xs, { training: true }) as tf.Tensor);
        return tf.sum(tf.mul(y, p)) as tf.Scalar;
      }, [xs, gamma, beta]);
    });
    const { value, grads } = result!;
    const out = {
      fused: kernelNames.includes(BN_TRAIN_KERNEL),
      y: y!.dataSync().slice(),
      dx: grads[xs.name].dataSync().slice(),
      paramGrads: [grads[gamma.name].dataSync().slice(), grads[beta.name].dataSync().slice()],
      moving: layer.getWeights().slice(2).map((w) => w.dataSync().slice()),
    };
    tf.dispose([xs, p, y!, value, ...Object.values(grads)]);
    // (Layer.dispose refuses a layer that was only called on concrete tensors.)
    for (const w of layer.weights) w.dispose();
    return out;
  }

  it('batch norm in training: output, gradients of x, gamma and beta, and moving statistics match cpu', async () => {
    const rng = new SeededRandom(41);
    const shapes = [[1, 1, 1, 3], [1, 5, 3, 7], [2, 3, 3, 17], [4, 6, 5, 33], [7, 9], [3, 4, 130]];
    for (const shape of shapes) {
      const n = shape.reduce((a, b) => a * b, 1);
      const c = shape[shape.length - 1];
      // An offset and spread per channel, as activations have, so a mean or variance error shows.
      const x = Float32Array.from({ length: n }, (_, i) => rng.normal() * (1 + (i % c) * 0.3) + (i % c) - 2);
      const probe = Float32Array.from({ length: n }, () => rng.normal());
      const weights = [c, c, c, c].map((len, k) => Float32Array.from({ length: len }, () => (k === 3 ? 0.5 + rng.uniform() : rng.normal())));
      const ref = await bnLayerStep('cpu', shape, x, probe, weights);
      const got = await bnLayerStep(backend, shape, x, probe, weights);
      expect([ref.fused, got.fused], `${shape}: fused kernel on ${backend} only`).toEqual([false, true]);
      expect(relErr(got.y, ref.y), `${shape}: y`).toBeLessThanOrEqual(TOL);
      if (n === c) {
        // One value per channel: x - mean is 0, so dx is exactly 0 (by hand). tfjs-core's shipped
        // gradient, which the cpu reference keeps, leaves rounding there amplified by 1/sqrt(eps).
        expect(Math.max(...got.dx.map(Math.abs)), `${shape}: dx`).toBe(0);
        expect(Math.max(...ref.dx.map(Math.abs)), `${shape}: cpu dx`).toBeLessThan(1e-4);
      } else {
        expect(relErr(got.dx, ref.dx), `${shape}: dx`).toBeLessThanOrEqual(TOL);
      }
      got.paramGrads.forEach((g, i) => expect(relErr(g, ref.paramGrads[i]), `${shape}: ${['gamma', 'beta'][i]} grad`).toBeLessThanOrEqual(TOL));
      got.moving.forEach((m, i) => expect(relErr(m, ref.moving[i]), `${shape}: ${['moving mean', 'moving variance'][i]}`).toBeLessThanOrEqual(TOL));
    }
  });

  it('batch norm training kernel: gradients that reach the mean and variance outputs directly', async () => {
    // The layer only feeds the statistics to the moving averages (no gradient); the kernel still
    // takes dmean and dvariance, checked here against moments + batchNorm on cpu.
    const rng = new SeededRandom(43);
    for (const shape of [[2, 3, 4, 5], [1, 2, 2, 9]]) {
      const n = shape.reduce((a, b) => a * b, 1), c = shape[shape.length - 1];
      const x = Float32Array.from({ length: n }, () => rng.normal() * 2 + 1);
      const scale = Float32Array.from({ length: c }, () => rng.normal());
      const offset = Float32Array.from({ length: c }, () => rng.normal());
      const pm = Float32Array.from({ length: c }, () => rng.normal()), pv = Float32Array.from({ length: c }, () => rng.normal());
      const py = Float32Array.from({ length: n }, () => rng.normal());
      const loss = (y: tf.Tensor, m: tf.Tensor, v: tf.Tensor) =>
        tf.addN([tf.sum(tf.mul(y, tf.tensor(py, shape))), tf.sum(tf.mul(m, tf.tensor(pm))), tf.sum(tf.mul(v, tf.tensor(pv)))]);
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        const ts = [tf.tensor(x, shape), tf.tensor(scale), tf.tensor(offset)];
        const f = (xx: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
          if (backend !== 'cpu') {
            const [y, m, v] = tf.engine().runKernel(BN_TRAIN_KERNEL, { x: xx, scale: s, offset: o }, { varianceEpsilon: 1e-3 }) as unknown as tf.Tensor[];
            return loss(y, m, v);
          }
          const { mean, variance } = tf.moments(xx, [0, 1, 2]);
          return loss(tf.batchNorm(xx, mean, variance, o, s, 1e-3), mean, variance);
        };
        const value = f(ts[0], ts[1], ts[2]).dataSync()[0];
        const gs = tf.grads(f)(ts);
        const out = { value, g: gs.map((g) => g.dataSync().slice() as Float32Array) };
        tf.dispose([...ts, ...gs]);
        return out;
      };
      const ref = await run('cpu');
      const got = await run(backend);
      expect(Math.abs(got.value - ref.value) / Math.max(Math.abs(ref.value), 1e-2), `${shape}: loss`).toBeLessThanOrEqual(TOL);
      got.g.forEach((g, i) => expect(relErr(g, ref.g[i]), `${shape}: gradient ${['x', 'scale', 'offset'][i]}`).toBeLessThanOrEqual(TOL));
    }
  });

  it('are registered for this backend, and the layer uses them only in training', async () => {
    await tf.setBackend(backend);
    expect(tf.getKernel(BN_TRAIN_KERNEL, backend)).toBeDefined();
    const layer = tf.layers.batchNormalization({ axis: -1 });
    const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 5);
    const { kernelNames } = await tf.profile(() => tf.dispose(layer.apply(x, { training: false }) as tf.Tensor));
    expect(kernelNames).not.toContain(BN_TRAIN_KERNEL);
    x.dispose();
    for (const w of layer.weights) w.dispose();
  });
});
