/**
 * Forward values and gradients of every layer type the roster uses, on wasm (with the added
 * kernels and the engine's gradients) against tfjs's pure-JS cpu backend with tfjs-core's
 * gradients as shipped. Where a shipped gradient cannot take the case (a broadcast matmul or
 * squared difference, keepDims batch-norm statistics: tfjs throws a shape error), the cpu runs
 * `cpu`, the same function with the broadcast written out, whose shipped gradients are right.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../test/random.js';
import { initBackend } from './backends.js';
import { registerUsibenchKernels } from './register.js';

registerUsibenchKernels(tf);

type Case = {
  name: string;
  /** Shapes of the differentiable inputs. */
  shapes: number[][];
  f: (...xs: tf.Tensor[]) => tf.Tensor;
  /** The same function for the cpu reference, where f's shipped gradient throws. */
  cpu?: (...xs: tf.Tensor[]) => tf.Tensor;
};

const TOL = 1e-3;

function data(shapes: number[][], seed: number): Float32Array[] {
  const rng = new SeededRandom(seed);
  return shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal(0, 1)));
}

interface Outcome {
  y: Float32Array;
  grads: Float32Array[];
}

async function evaluate(backend: 'wasm' | 'cpu', c: Case, values: Float32Array[]): Promise<Outcome> {
  await tf.setBackend(backend);
  const xs = c.shapes.map((s, i) => tf.tensor(values[i], s));
  const f = backend === 'cpu' && c.cpu ? c.cpu : c.f;
  const y = tf.tidy(() => f(...xs));
  // A fixed random projection makes every output element matter to the loss, unlike sum().
  const proj = tf.tensor(data([y.shape], 99)[0], y.shape);
  const grads = tf.grads((...ins: tf.Tensor[]) => tf.sum(tf.mul(f(...ins), proj)))(xs);
  const out = { y: y.dataSync().slice() as Float32Array, grads: grads.map((g) => g.dataSync().slice() as Float32Array) };
  tf.dispose([...xs, y, proj, ...grads]);
  return out;
}

function relErr(a: Float32Array, ref: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return diff / Math.max(scale, 1e-6);
}

const conv = (s: number, pad: 'same' | 'valid'): Case['f'] => (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, pad);
const dw = (s: number, pad: 'same' | 'valid'): Case['f'] => (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, pad);

function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}

function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

function geluErf(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

function attention(x: tf.Tensor, wq: tf.Tensor, wk: tf.Tensor): tf.Tensor {
  // [B, T, D] tokens, two heads of D/2: q k^T / sqrt(d), softmax, times v (= x).
  const [b, t, d] = x.shape;
  const heads = (m: tf.Tensor) => tf.transpose(tf.reshape(m, [b, t, 2, d / 2]), [0, 2, 1, 3]);
  const q = heads(tf.matMul(tf.reshape(x, [b * t, d]), wq));
  const k = heads(tf.matMul(tf.reshape(x, [b * t, d]), wk));
  const v = heads(x);
  const att = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(d / 2)));
  return tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [b, t, d]);
}

const CASES: Case[] = [
  { name: 'conv 3x3 s1 same', shapes: [[2, 9, 9, 3], [3, 3, 3, 5]], f: conv(1, 'same') },
  { name: 'conv 3x3 s2 same, odd size', shapes: [[2, 9, 9, 4], [3, 3, 4, 6]], f: conv(2, 'same') },
  { name: 'conv 3x3 s2 same, even size', shapes: [[2, 8, 8, 4], [3, 3, 4, 6]], f: conv(2, 'same') },
  { name: 'conv 5x5 s2 valid, rows left over', shapes: [[2, 10, 11, 3], [5, 5, 3, 4]], f: conv(2, 'valid') },
  { name: 'conv 1x1 s1', shapes: [[3, 6, 6, 8], [1, 1, 8, 4]], f: conv(1, 'valid') },
  { name: 'conv 1x1 s2 (shortcut)', shapes: [[2, 7, 7, 4], [1, 1, 4, 8]], f: conv(2, 'same') },
  { name: 'conv 3x3 s1 valid, batch 1', shapes: [[1, 7, 5, 2], [3, 3, 2, 3]], f: conv(1, 'valid') },
  { name: 'conv 7x7 s2 same (stem)', shapes: [[1, 15, 15, 3], [7, 7, 3, 4]], f: conv(2, 'same') },
  { name: 'conv 4x4 s4 (patchify)', shapes: [[2, 16, 16, 3], [4, 4, 3, 8]], f: conv(4, 'valid') },
  { name: 'depthwise 3x3 s1 same', shapes: [[2, 8, 8, 6], [3, 3, 6, 1]], f: dw(1, 'same') },
  { name: 'depthwise 3x3 s2 same, odd', shapes: [[2, 9, 9, 5], [3, 3, 5, 1]], f: dw(2, 'same') },
  { name: 'depthwise 5x5 s2 same', shapes: [[1, 12, 12, 4], [5, 5, 4, 1]], f: dw(2, 'same') },
  { name: 'depthwise 7x7 s1 same (ConvNeXt)', shapes: [[2, 8, 8, 8], [7, 7, 8, 1]], f: dw(1, 'same') },
  { name: 'depthwise 3x3 s1 valid, batch 1', shapes: [[1, 6, 7, 3], [3, 3, 3, 1]], f: dw(1, 'valid') },
  { name: 'depthwise multiplier 2', shapes: [[2, 6, 6, 3], [3, 3, 3, 2]], f: dw(2, 'same') },
  { name: 'depthwise 3x3 s2 valid, odd, batch 1', shapes: [[1, 9, 8, 5], [3, 3, 5, 1]], f: dw(2, 'valid') },
  { name: 'dense + bias', shapes: [[5, 7], [7, 3], [3]], f: (x, w, b) => tf.add(tf.matMul(x, w), b) },
  { name: 'fused dense + relu', shapes: [[5, 7], [7, 3], [3]], f: (x, w, b) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: 'relu' }) },
  { name: 'matmul a^T b', shapes: [[7, 5], [7, 3]], f: (a, b) => tf.matMul(a, b, true, false) },
  { name: 'matmul a b^T', shapes: [[5, 7], [3, 7]], f: (a, b) => tf.matMul(a, b, false, true) },
  { name: 'batched matmul small', shapes: [[3, 5, 7], [3, 7, 4]], f: (a, b) => tf.matMul(a, b) },
  { name: 'batched matmul large, transposed', shapes: [[2, 40, 48], [2, 40, 36]], f: (a, b) => tf.matMul(a, b, true, false) },
  // The SIMD batched kernel (simd/matmul.c): full 4x8 blocks and ragged edges (65 = 16*4 + 1
  // rows, 13 and 5 columns), a shared A, and attention's transposed B.
  { name: 'batched matmul, ragged edges (SIMD)', shapes: [[3, 65, 9], [3, 9, 13]], f: (a, b) => tf.matMul(a, b) },
  { name: 'one A times batched B (SIMD)', shapes: [[6, 7], [4, 7, 5]], f: (a, b) => tf.matMul(tf.reshape(a, [1, 6, 7]), b), cpu: (a, b) => tf.matMul(tf.broadcastTo(tf.reshape(a, [1, 6, 7]), [4, 6, 7]), b) },
  { name: 'batched a b^T, attention scores (SIMD)', shapes: [[2, 3, 10, 8], [2, 3, 10, 8]], f: (a, b) => tf.matMul(a, b, false, true) },
  // A weight gradient's x^T dy: A read transposed in place, K = 600 in two chunks (512 rows at 60 + 68 columns).
  { name: 'a^T b over two chunks of K (SIMD)', shapes: [[600, 60], [600, 68]], f: (a, b) => tf.matMul(a, b, true, false) },
  { name: 'batched times one matrix', shapes: [[3, 5, 7], [7, 4]], f: (a, b) => tf.matMul(a, tf.reshape(b, [1, 7, 4])), cpu: (a, b) => tf.matMul(a, tf.broadcastTo(tf.reshape(b, [1, 7, 4]), [3, 7, 4])) },
  { name: 'one matrix times batched', shapes: [[5, 7], [3, 7, 4]], f: (a, b) => tf.matMul(tf.reshape(a, [1, 5, 7]), b), cpu: (a, b) => tf.matMul(tf.broadcastTo(tf.reshape(a, [1, 5, 7]), [3, 5, 7]), b) },
  { name: 'attention (ViT)', shapes: [[2, 5, 8], [8, 8], [8, 8]], f: attention },
  {
    name: 'batch norm (training statistics)',
    shapes: [[4, 5, 5, 6], [6], [6]],
    f: (x, g, b) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, b, g, 1e-3);
    },
  },
  {
    name: 'batch norm, keepDims statistics',
    shapes: [[3, 4, 4, 5], [5]],
    f: (x, g) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2], true);
      return tf.batchNorm(x, mean, variance, tf.zeros([1, 1, 1, 5]), tf.reshape(g, [1, 1, 1, 5]), 1e-3);
    },
    cpu: (x, g) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, tf.zeros([5]), g, 1e-3);
    },
  },
  { name: 'layer norm', shapes: [[2, 5, 8], [8], [8]], f: layerNorm },
  { name: 'gelu (tanh)', shapes: [[4, 9]], f: geluTanh },
  { name: 'gelu (erf)', shapes: [[4, 9]], f: geluErf },
  { name: 'hard-swish', shapes: [[4, 9]], f: (x) => tf.div(tf.mul(x, tf.relu6(tf.add(x, 3))), 6) },
  { name: 'swish', shapes: [[4, 9]], f: (x) => tf.mul(x, tf.sigmoid(x)) },
  { name: 'relu, elu, leaky relu', shapes: [[4, 9]], f: (x) => tf.add(tf.add(tf.relu(x), tf.elu(x)), tf.leakyRelu(x, 0.1)) },
  {
    name: 'squeeze-excite',
    shapes: [[2, 5, 5, 6], [6, 3], [3, 6]],
    f: (x, w1, w2) => tf.mul(x, tf.reshape(tf.sigmoid(tf.matMul(tf.relu(tf.matMul(tf.mean(x, [1, 2]), w1)), w2)), [2, 1, 1, 6])),
  },
  { name: 'max pool 3x3 s2 same', shapes: [[2, 9, 9, 3]], f: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same') },
  { name: 'max pool 2x2 s2 valid', shapes: [[2, 8, 8, 3]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { name: 'max pool 3x3 s1 same, batch 1', shapes: [[1, 7, 6, 2]], f: (x) => tf.maxPool(x as tf.Tensor4D, 3, 1, 'same') },
  { name: 'avg pool 2x2 s2', shapes: [[2, 8, 8, 3]], f: (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { name: 'sum over leading axes, keepDims', shapes: [[3, 4, 5, 6]], f: (x) => tf.sum(x, [0, 1, 2], true) },
  { name: 'mean over middle axes', shapes: [[3, 4, 5, 6]], f: (x) => tf.mean(x, [1, 2]) },
  { name: 'sum over last axis, all axes', shapes: [[3, 4, 5]], f: (x) => tf.add(tf.sum(x, -1), tf.sum(x)) },
  { name: 'global average pool', shapes: [[2, 5, 5, 3]], f: (x) => tf.mean(x, [1, 2]) },
  { name: 'softmax cross-entropy', shapes: [[4, 10]], f: (x) => tf.losses.softmaxCrossEntropy(tf.oneHot([1, 3, 0, 9], 10), x) },
  { name: 'log softmax', shapes: [[4, 10]], f: (x) => tf.logSoftmax(x) },
  { name: 'gather (class token / embedding)', shapes: [[6, 4]], f: (x) => tf.gather(x, tf.tensor1d([0, 2, 2, 5], 'int32')) },
  { name: 'slice, concat, pad', shapes: [[2, 5, 4]], f: (x) => tf.concat([tf.slice(x, [0, 1, 0], [2, 3, 4]), tf.pad(x, [[0, 0], [1, 0], [0, 1]]).slice([0, 0, 0], [2, 2, 4])], 1) },
  { name: 'token-mixing transpose (MLP-Mixer)', shapes: [[2, 6, 4], [6, 6]], f: (x, w) => tf.transpose(tf.matMul(tf.reshape(tf.transpose(x, [0, 2, 1]), [8, 6]), w).reshape([2, 4, 6]), [0, 2, 1]) },
  { name: 'squared difference, broadcast', shapes: [[3, 4], [4]], f: (a, b) => tf.squaredDifference(a, b), cpu: (a, b) => tf.squaredDifference(a, tf.broadcastTo(b, [3, 4])) },
  { name: 'residual add, layer scale', shapes: [[2, 4, 4, 3], [3]], f: (x, g) => tf.add(x, tf.mul(tf.relu(x), g)) },
  // Conv gradients by GEMM (filter: per tap, in stride phases when the grid divides; input:
  // col2im when strided), at odd sizes, strides 2 and 3, both paddings, batch 1 and batches split
  // into several GEMM chunks.
  { name: 'conv 3x3 s1 same, batch 1, odd size', shapes: [[1, 7, 9, 5], [3, 3, 5, 6]], f: conv(1, 'same') },
  { name: 'conv 3x3 s2 same, batch 1', shapes: [[1, 10, 6, 3], [3, 3, 3, 5]], f: conv(2, 'same') },
  { name: 'conv 3x3 s2 valid, odd size', shapes: [[2, 11, 9, 3], [3, 3, 3, 4]], f: conv(2, 'valid') },
  { name: 'conv 3x3 s3 same, phases of 3', shapes: [[2, 9, 12, 2], [3, 3, 2, 3]], f: conv(3, 'same') },
  { name: 'conv 5x5 s1 same, wide shifts', shapes: [[2, 6, 7, 3], [5, 5, 3, 2]], f: conv(1, 'same') },
  { name: 'conv 1x1 s2 same, even size', shapes: [[3, 8, 6, 5], [1, 1, 5, 7]], f: conv(2, 'same') },
  { name: 'conv 3x3 s1 same, several batch chunks', shapes: [[40, 12, 12, 2], [3, 3, 2, 40]], f: conv(1, 'same') },
  { name: 'conv 3x3 s2 same, several batch chunks', shapes: [[40, 12, 12, 3], [3, 3, 3, 40]], f: conv(2, 'same') },
  // The direct SIMD kernels' full 4-position x 8-channel blocks beside partial ones (12 channels, rows of 6).
  { name: 'conv 3x3 s2 same, full and partial SIMD blocks', shapes: [[2, 11, 12, 12], [3, 3, 12, 16]], f: conv(2, 'same') },
  // 3x3 stride-1 convs with 8+ input channels run as Winograd F(4x4, 3x3) (winograd.ts): output
  // sizes that are not multiples of the 4x4 tile, channel counts that are not multiples of the
  // 4-wide vectors or 8-wide filter panels, several tile blocks, explicit and asymmetric padding,
  // bias with relu/relu6 fused. Their input gradients are stride-1 3x3 convs too, so go the same way.
  { name: 'winograd conv 3x3 same, edge tiles', shapes: [[2, 9, 7, 12], [3, 3, 12, 10]], f: conv(1, 'same') },
  { name: 'winograd conv 3x3 valid, batch 1, odd channels', shapes: [[1, 11, 10, 9], [3, 3, 9, 13]], f: conv(1, 'valid') },
  { name: 'winograd conv 3x3 same, several tile blocks', shapes: [[6, 16, 16, 32], [3, 3, 32, 24]], f: conv(1, 'same') },
  // 80 tiles where the filter gradient's blocks hold 75 at 48+48 channels: two blocks, the last mostly empty.
  { name: 'winograd filter gradient over several tile blocks', shapes: [[5, 16, 16, 48], [3, 3, 48, 48]], f: conv(1, 'same') },
  {
    name: 'winograd conv 3x3, explicit asymmetric padding',
    shapes: [[2, 6, 9, 8], [3, 3, 8, 5]],
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, [[0, 0], [2, 0], [0, 1], [0, 0]]),
  },
  {
    name: 'winograd fused conv + bias + relu',
    shapes: [[2, 8, 8, 8], [3, 3, 8, 16], [16]],
    f: (x, w, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' }),
  },
  {
    name: 'winograd fused conv + bias + relu6, valid',
    shapes: [[3, 7, 10, 11], [3, 3, 11, 6], [6]],
    f: (x, w, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'valid', bias: tf.mul(b, 3), activation: 'relu6' }),
  },
  // Strided convs with bias and relu/relu6 fused (XNNPACK forward; gradients by simd/conv_grad.c).
  {
    name: 'strided fused conv + bias + relu',
    shapes: [[2, 10, 9, 6], [3, 3, 6, 12], [12]],
    f: (x, w, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias: b, activation: 'relu' }),
  },
  {
    name: 'strided fused conv + bias + relu6, valid, stride 3 by 2',
    shapes: [[2, 11, 12, 5], [3, 2, 5, 9], [9]],
    f: (x, w, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: [3, 2], pad: 'valid', bias: tf.mul(b, 3), activation: 'relu6' }),
  },
  // Batch norm as a 1x1 depthwise conv: per-channel, scalar and missing statistics.
  // (tfjs-core cannot backprop a batch norm without a scale or an offset.)
  {
    name: 'batch norm, inference statistics',
    shapes: [[2, 3, 3, 4], [4], [4], [4]],
    f: (x, m, o, g) => tf.batchNorm(x, m, tf.add(tf.square(m), 0.5), o, g, 1e-3),
  },
  {
    name: 'batch norm, one-element statistics, rank 2',
    shapes: [[5, 3], [1], [1]],
    f: (x, g, o) => tf.batchNorm(x, tf.tensor1d([0.3]), tf.tensor1d([0.7]), o, g, 1e-3),
  },
  // Tile by doubling copies: broadcasts over leading and middle axes, a real tile of a non-1 axis.
  { name: 'broadcast over middle axes (tile)', shapes: [[3, 1, 1, 4]], f: (x) => tf.broadcastTo(x, [3, 5, 6, 4]) },
  { name: 'tile of every axis', shapes: [[2, 3, 2]], f: (x) => tf.tile(x, [3, 2, 5]) },
  // Repeats of the last axis by the SIMD kernel (simd/tile.c): blocks of 1 (a mean over the
  // channels broadcast back), 2, 4 and 3 (general), widths that leave partial vectors, and a
  // middle axis repeated after it.
  { name: 'tile last axis, block 1', shapes: [[4, 5, 6, 1]], f: (x) => tf.broadcastTo(x, [4, 5, 6, 7]) },
  { name: 'tile last axis, block 2', shapes: [[6, 2]], f: (x) => tf.tile(x, [1, 5]) },
  { name: 'tile last axis, block 4', shapes: [[3, 4]], f: (x) => tf.tile(x, [1, 3]) },
  { name: 'tile last axis, block 3, then a middle axis', shapes: [[5, 8, 3]], f: (x) => tf.tile(x, [1, 4, 3]) },
  { name: 'mean over leading axes, outer block', shapes: [[2, 3, 4, 5]], f: (x) => tf.mean(x, [1, 2], true) },
  { name: 'cast float32 to float32', shapes: [[4, 5]], f: (x) => tf.mul(tf.cast(x, 'float32'), x) },
];

describe('wasm forward and gradients match the cpu backend', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const values = data(c.shapes, 1000 + i);
    const ref = await evaluate('cpu', c, values);
    const got = await evaluate('wasm', c, values);
    expect(got.y.length).toBe(ref.y.length);
    expect(relErr(got.y, ref.y)).toBeLessThanOrEqual(TOL);
    got.grads.forEach((g, k) => {
      expect(g.length).toBe(ref.grads[k].length);
      expect(relErr(g, ref.grads[k]), `gradient of input ${k}`).toBeLessThanOrEqual(TOL);
    });
  });

  it('tiles int32 bit for bit, through the SIMD kernel and the copies', async () => {
    const values = Int32Array.from({ length: 5 * 3 * 2 }, (_, i) => (i * 2654435761) | 0);
    const run = async (backend: 'wasm' | 'cpu') => {
      await tf.setBackend(backend);
      return tf.tidy(() => Array.from(tf.tile(tf.tensor3d(values, [5, 3, 2], 'int32'), [2, 3, 40]).dataSync()));
    };
    expect(await run('wasm')).toEqual(await run('cpu'));
  });

  it('a tfjs-layers conv/batch-norm/dense model trains identically', async () => {
    const build = () => {
      const input = tf.input({ shape: [8, 8, 3] });
      let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
      h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
      h = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(h) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    };
    const xs = data([[3, 8, 8, 3]], 7)[0];
    const run = async (backend: 'wasm' | 'cpu') => {
      await tf.setBackend(backend);
      const model = build();
      const x = tf.tensor4d(xs, [3, 8, 8, 3]);
      const labels = tf.oneHot([0, 4, 2], 5);
      const { grads } = tf.variableGrads(() =>
        tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
      const out = model.trainableWeights.map((w) => grads[w.originalName]?.dataSync().slice() as Float32Array);
      tf.dispose([x, labels, ...Object.values(grads)]);
      model.dispose();
      return out;
    };
    const ref = await run('cpu');
    const got = await run('wasm');
    expect(got.length).toBe(ref.length);
    got.forEach((g, k) => expect(relErr(g, ref[k]), `weight ${k}`).toBeLessThanOrEqual(TOL));
  });
});
