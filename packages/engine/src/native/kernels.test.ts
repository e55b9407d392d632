/**
 * The native backend's kernels against tfjs's cpu backend (an independent pure-JS implementation):
 * values and gradients over random shapes, strides, paddings, dilations, odd sizes, batch 1 and
 * channel counts that are not multiples of the vector width.
 *
 * Tolerance: max |native - cpu| <= 1e-4 x max(|cpu|, 1e-2) per output (float32 sums in another
 * order differ by ~1e-6 relative; an indexing bug differs by O(1)).
 *
 * Skips, with a message, where the addon is not built (no compiler/BLAS at install time).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relErr } from '../../test/compare.js';
import { SeededRandom } from '../../test/random.js';
import { registerUsibenchKernels } from '../register.js';
import { nativeKernelNames, registerNativeBackend } from './register.js';

registerUsibenchKernels(tf);

const reg = await registerNativeBackend();
if (!reg.available) console.warn(`native/kernels.test.ts: skipped, ${reg.reason}`);

const TOL = 1e-4;

function randn(rng: SeededRandom, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

type Raw = { data: Float32Array; shape: number[] };
const raw = (rng: SeededRandom, shape: number[]): Raw => ({ data: randn(rng, shape.reduce((a, b) => a * b, 1)), shape });

/**
 * Runs f on one backend with tensors made from the raw inputs; returns the output and the
 * gradients of sum(f(...) * probe) with respect to every input (probe: a fixed random tensor, so
 * dy is not uniform and transposed indexing shows).
 */
async function evalOn(backend: string, inputs: Raw[], f: (...t: tf.Tensor[]) => tf.Tensor, grads: boolean, probeSeed: number) {
  await tf.setBackend(backend);
  const ts = inputs.map((r) => tf.tensor(r.data, r.shape));
  const y = f(...ts);
  const out = { y: y.dataSync().slice(), shape: y.shape, g: [] as Float32Array[] };
  if (grads) {
    const probe = tf.tensor(randn(new SeededRandom(probeSeed), y.size), y.shape);
    const gs = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), probe)))(ts);
    out.g = gs.map((g) => g.dataSync().slice() as Float32Array);
    tf.dispose([probe, ...gs]);
  }
  tf.dispose([y, ...ts]);
  return out;
}

async function compare(label: string, inputs: Raw[], f: (...t: tf.Tensor[]) => tf.Tensor, grads = true) {
  const ref = await evalOn('cpu', inputs, f, grads, 99);
  const got = await evalOn('native', inputs, f, grads, 99);
  expect(got.shape, label).toEqual(ref.shape);
  expect(relErr(got.y, ref.y), `${label}: value`).toBeLessThanOrEqual(TOL);
  ref.g.forEach((g, i) => expect(relErr(got.g[i], g), `${label}: gradient ${i}`).toBeLessThanOrEqual(TOL));
}

const pick = <T>(rng: SeededRandom, xs: readonly T[]): T => xs[rng.int(xs.length)];

describe.skipIf(!reg.available)('native backend', () => {
  beforeAll(async () => {
    await tf.setBackend('native');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('registers every cpu kernel and overrides the heavy ones natively', () => {
    const names = new Set(tf.getKernelsForBackend('native').map((k) => k.kernelName));
    for (const k of tf.getKernelsForBackend('cpu')) expect(names.has(k.kernelName), k.kernelName).toBe(true);
    expect(nativeKernelNames()).toEqual(expect.arrayContaining([
      'BatchMatMul', 'Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNative',
      'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'FusedConv2D',
      'FusedDepthwiseConv2D', '_FusedMatMul',
    ]));
    expect(reg.threads).toBeGreaterThanOrEqual(1);
    expect(reg.blas).toBeTruthy();
  });

  it('the comparison catches a wrong kernel (guards the harness itself)', () => {
    const a = randn(new SeededRandom(1), 50);
    const b = a.slice();
    b[7] += 0.05;
    expect(relErr(a, a)).toBe(0);
    expect(relErr(b, a)).toBeGreaterThan(TOL);
  });

  it('conv2d: values and both gradients over random shapes, strides and paddings', async () => {
    const rng = new SeededRandom(7);
    const cases: Array<[number, number, number, number, number, number, number, number, 'same' | 'valid']> = [
      // n, h, w, cin, cout, fh, fw, stride, pad: fixed edge cases first, then random ones
      [1, 1, 1, 1, 1, 1, 1, 1, 'valid'],
      [1, 7, 5, 3, 5, 3, 3, 1, 'same'],
      [2, 8, 8, 17, 9, 1, 1, 1, 'valid'], // pointwise fast path
      [3, 9, 7, 5, 6, 1, 1, 2, 'same'], // strided 1x1 goes through im2col
      [2, 6, 6, 4, 3, 5, 5, 1, 'valid'],
      [1, 10, 11, 3, 4, 3, 2, 3, 'same'],
    ];
    for (let i = 0; i < 10; i++) {
      cases.push([pick(rng, [1, 2, 3]), 4 + rng.int(9), 4 + rng.int(9), pick(rng, [1, 3, 5, 17]), pick(rng, [1, 4, 7, 9]),
        pick(rng, [1, 2, 3, 5]), pick(rng, [1, 2, 3]), pick(rng, [1, 2, 3]), pick(rng, ['same', 'valid'] as const)]);
    }
    for (const [n, h, w, cin, cout, fh, fw, s, pad] of cases) {
      if (pad === 'valid' && (fh > h || fw > w)) continue;
      await compare(`conv2d ${[n, h, w, cin, cout, fh, fw, s, pad]}`, [raw(rng, [n, h, w, cin]), raw(rng, [fh, fw, cin, cout])],
        (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad));
    }
  });

  it('conv2d: dilations, explicit padding and non-square strides (forward)', async () => {
    const rng = new SeededRandom(8);
    const x = raw(rng, [2, 11, 9, 5]), f = raw(rng, [3, 3, 5, 6]);
    await compare('dilated', [x, f], (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 'NHWC', [2, 3]), false);
    await compare('explicit pad', [x, f], (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [2, 1], [[0, 0], [2, 1], [0, 2], [0, 0]]));
  });

  it('conv2d 3x3 stride 1 with 8+ channels (Winograd F(4x4,3x3)): values and both gradients', async () => {
    // Output sizes that are not multiples of the 4x4 tile, odd channel counts, padding 'valid',
    // explicit and asymmetric, batch 1, several tile blocks (1,856 tiles of 8+8 channels), and
    // a fused bias + relu; the input gradient of each is a Winograd convolution too.
    const rng = new SeededRandom(12);
    type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
    const cases: Array<[number[], number[], Pad]> = [
      [[1, 9, 7, 12], [3, 3, 12, 10], 'same'],
      [[2, 11, 10, 9], [3, 3, 9, 13], 'valid'],
      [[3, 6, 9, 8], [3, 3, 8, 8], [[0, 0], [2, 0], [0, 1], [0, 0]]],
      [[29, 32, 32, 8], [3, 3, 8, 8], 'same'],
    ];
    for (const [xs, fs, pad] of cases) {
      await compare(`winograd conv ${xs} * ${fs} ${JSON.stringify(pad)}`, [raw(rng, xs), raw(rng, fs)],
        (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, pad));
    }
    await compare('winograd fused bias + relu', [raw(rng, [2, 8, 8, 8]), raw(rng, [3, 3, 8, 16]), raw(rng, [16])], (x, f, b) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' }));
  }, 120_000);

  it('fused conv2d: bias and every activation, with gradients', async () => {
    const rng = new SeededRandom(9);
    const acts = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu'] as const;
    for (const act of acts) {
      const x = raw(rng, [2, 7, 6, 3]), f = raw(rng, [3, 3, 3, 5]), b = raw(rng, [5]);
      const inputs = act === 'prelu' ? [x, f, b, raw(rng, [5])] : [x, f, b];
      const grads = act !== 'prelu' && act !== 'leakyrelu'; // tfjs-core has no fused gradient for these two
      await compare(`fused ${act}`, inputs, (xx, ff, bb, aa) =>
        tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ff as tf.Tensor4D, strides: 2, pad: 'same', bias: bb, activation: act,
          preluActivationWeights: aa, leakyreluAlpha: 0.13 }), grads);
    }
  });

  it('depthwise conv2d: values and both gradients, channel multipliers 1-3', async () => {
    const rng = new SeededRandom(10);
    const cases: Array<[number, number, number, number, number, number, number, 'same' | 'valid']> = [
      [1, 5, 5, 1, 1, 3, 1, 'same'],
      [2, 9, 7, 17, 1, 3, 2, 'same'],
      [2, 8, 8, 6, 2, 5, 1, 'valid'],
    ];
    for (let i = 0; i < 8; i++) {
      cases.push([pick(rng, [1, 2, 3]), 4 + rng.int(8), 4 + rng.int(8), pick(rng, [1, 3, 8, 17]), pick(rng, [1, 1, 2, 3]),
        pick(rng, [1, 3, 5]), pick(rng, [1, 2]), pick(rng, ['same', 'valid'] as const)]);
    }
    for (const [n, h, w, c, m, k, s, pad] of cases) {
      if (pad === 'valid' && k > Math.min(h, w)) continue;
      await compare(`depthwise ${[n, h, w, c, m, k, s, pad]}`, [raw(rng, [n, h, w, c]), raw(rng, [k, k, c, m])],
        (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad));
    }
    const x = raw(rng, [2, 9, 9, 5]), f = raw(rng, [3, 3, 5, 2]);
    await compare('depthwise dilated', [x, f], (a, b) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 'NHWC', 2), false);
  });

  it('fused depthwise conv2d: bias + relu6 and relu', async () => {
    const rng = new SeededRandom(11);
    for (const act of ['relu6', 'relu'] as const) {
      await compare(`fused depthwise ${act}`, [raw(rng, [2, 7, 7, 6]), raw(rng, [3, 3, 6, 1]), raw(rng, [6])], (x, f, b) =>
        tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: act }));
    }
  });

  it('matMul: transposes, batch broadcasting, rank 2 to 4, with gradients', async () => {
    const rng = new SeededRandom(12);
    const cases: Array<[number[], number[], boolean, boolean, boolean?]> = [
      [[1, 1], [1, 1], false, false],
      [[5, 7], [7, 3], false, false],
      [[7, 5], [7, 3], true, false],
      [[5, 7], [3, 7], false, true],
      [[7, 5], [3, 7], true, true],
      [[4, 5, 9], [4, 9, 6], false, false],
      [[2, 3, 5, 9], [2, 3, 6, 9], false, true], // attention scores shape
      // broadcast batch dims: forward only, tfjs-core's BatchMatMul gradient does not reduce them
      [[1, 9, 5], [3, 9, 6], true, false, false],
      [[3, 17, 33], [33, 1], false, false, false], // forward only: same tfjs-core gradient limitation
    ];
    for (const [as, bs, ta, tb, grads] of cases) {
      await compare(`matMul ${as}x${bs} ${ta}${tb}`, [raw(rng, as), raw(rng, bs)], (a, b) => tf.matMul(a, b, ta, tb), grads ?? true);
    }
  });

  it('matMul broadcasts batch dims numpy-style (checked by hand: the cpu backend gets [2,1] x [3] wrong)', async () => {
    const rng = new SeededRandom(14);
    const A = raw(rng, [2, 1, 4, 3]), B = raw(rng, [3, 3, 5]);
    await tf.setBackend('native');
    const y = tf.tidy(() => tf.matMul(tf.tensor(A.data, A.shape), tf.tensor(B.data, B.shape)));
    expect(y.shape).toEqual([2, 3, 4, 5]);
    const got = y.dataSync();
    const want = new Float32Array(2 * 3 * 4 * 5);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let r = 0; r < 4; r++) for (let c = 0; c < 5; c++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += A.data[(i * 4 + r) * 3 + k] * B.data[(j * 3 + k) * 5 + c];
      want[((i * 3 + j) * 4 + r) * 5 + c] = s;
    }
    expect(relErr(got, want)).toBeLessThanOrEqual(TOL);
    y.dispose();
  });

  it('fused matMul: bias and activations, with gradients', async () => {
    const rng = new SeededRandom(13);
    for (const act of ['linear', 'relu', 'relu6', 'elu', 'sigmoid'] as const) {
      await compare(`fused matMul ${act}`, [raw(rng, [6, 9]), raw(rng, [9, 5]), raw(rng, [5])], (a, b, c) =>
        tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c, activation: act }));
    }
    await compare('fused matMul transposed, scalar bias', [raw(rng, [9, 6]), raw(rng, [5, 9]), raw(rng, [1])], (a, b, c) =>
      tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: true, transposeB: true, bias: c, activation: 'relu' }));
  });

  it('shapes large enough to split sgemm rows over threads (conv and transposed matmuls)', async () => {
    const rng = new SeededRandom(15);
    await compare('conv 4x24x24x16 -> 32', [raw(rng, [4, 24, 24, 16]), raw(rng, [3, 3, 16, 32])],
      (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'));
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const as = ta ? [203, 301] : [301, 203], bs = tb ? [117, 203] : [203, 117];
      await compare(`matMul 301x203x117 ${ta}${tb}`, [raw(rng, as), raw(rng, bs)], (a, b) => tf.matMul(a, b, ta, tb));
    }
    await compare('batched matMul 8x64x64x64', [raw(rng, [8, 64, 64]), raw(rng, [8, 64, 64])], (a, b) => tf.matMul(a, b, false, true));
  });

  it('binary ops with numpy broadcasting: values and gradients', async () => {
    const rng = new SeededRandom(20);
    const shapes: Array<[number[], number[]]> = [
      [[2, 3, 4, 5], [2, 3, 4, 5]], [[2, 3, 4, 5], [5]], [[2, 3, 4, 5], [1, 3, 1, 5]], [[4, 1], [1, 6]],
      [[3, 2], []], [[], [7]], [[3, 1, 5], [2, 1, 1, 1]], [[64, 3, 3, 17], [17]], [[1], [9, 1]],
    ];
    const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, boolean]> = [
      ['add', tf.add, true], ['sub', tf.sub, true], ['mul', tf.mul, true],
      ['div', (a, b) => tf.div(a, tf.add(tf.abs(b), 0.5)), true],
      ['maximum', tf.maximum, false], ['minimum', tf.minimum, false], ['squaredDifference', tf.squaredDifference, false],
    ];
    for (const [as, bs] of shapes) {
      for (const [name, f, grads] of ops) {
        await compare(`${name} ${JSON.stringify(as)} ${JSON.stringify(bs)}`, [raw(rng, as), raw(rng, bs)], f, grads);
      }
    }
    // squaredDifference's gradient: tfjs-core's fails on a broadcast second input, so same shapes only
    await compare('squaredDifference grad', [raw(rng, [3, 4, 5]), raw(rng, [3, 4, 5])], tf.squaredDifference);
    await compare('addN', [raw(rng, [4, 5, 6]), raw(rng, [4, 5, 6]), raw(rng, [4, 5, 6])], (a, b, c) => tf.addN([a, b, c]));
  });

  it('unary ops: values and gradients, inputs of odd length', async () => {
    const rng = new SeededRandom(21);
    const pos = (f: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor) => f(tf.add(tf.abs(x), 0.1));
    const ops: Array<[string, (x: tf.Tensor) => tf.Tensor]> = [
      ['relu', tf.relu], ['relu6', (x) => tf.relu6(tf.mul(x, 4))], ['square', tf.square], ['sqrt', pos(tf.sqrt)],
      ['rsqrt', pos(tf.rsqrt)], ['exp', tf.exp], ['log', pos(tf.log)], ['neg', tf.neg], ['sigmoid', tf.sigmoid],
      ['tanh', tf.tanh], ['elu', tf.elu], ['abs', tf.abs], ['reciprocal', pos(tf.reciprocal)], ['erf', tf.erf],
      ['leakyRelu', (x) => tf.leakyRelu(x, 0.07)], ['step', (x) => tf.step(x, 0.3)],
    ];
    for (const n of [1, 37, 20001]) {
      for (const [name, f] of ops) await compare(`${name} n=${n}`, [raw(rng, [n])], f, name !== 'step');
    }
  });

  it('reductions: sum, mean, max, min over leading, trailing, middle and scattered axes', async () => {
    const rng = new SeededRandom(22);
    const cases: Array<[number[], number | number[], boolean]> = [
      [[7], 0, false], [[5, 9], 1, false], [[5, 9], 0, true], [[4, 6, 5, 3], [0, 1, 2], false], [[4, 6, 5, 3], [1, 2], true],
      [[4, 6, 5, 3], 3, false], [[4, 6, 5, 3], [0, 2], false], [[2, 3, 4], [0, 1, 2], false], [[64, 8, 8, 17], [0, 1, 2], false],
    ];
    for (const [shape, axis, keep] of cases) {
      const x = raw(rng, shape);
      const tag = `${JSON.stringify(shape)} axis ${JSON.stringify(axis)}${keep ? ' keepDims' : ''}`;
      await compare(`sum ${tag}`, [x], (t) => tf.sum(t, axis, keep));
      await compare(`mean ${tag}`, [x], (t) => tf.mean(t, axis, keep));
      await compare(`max ${tag}`, [x], (t) => tf.max(t, axis, keep), false);
      await compare(`min ${tag}`, [x], (t) => tf.min(t, axis, keep), false);
    }
  });

  it('tile and batch norm (with offset and scale): values and gradients', async () => {
    const rng = new SeededRandom(23);
    await compare('tile', [raw(rng, [1, 1, 1, 5])], (x) => tf.tile(x, [3, 4, 2, 1]));
    await compare('tile inner', [raw(rng, [2, 3])], (x) => tf.tile(x, [2, 3]));
    for (const c of [1, 5, 17]) {
      const x = raw(rng, [3, 4, 5, c]);
      const v = { data: randn(rng, c).map((e) => Math.abs(e) + 0.5), shape: [c] };
      await compare(`batchNorm C=${c}`, [x, raw(rng, [c]), v, raw(rng, [c]), raw(rng, [c])], (xx, m, vv, o, s) =>
        tf.batchNorm(xx, m, vv, o, s, 1e-3));
    }
    const v = { data: randn(rng, 6).map((e) => Math.abs(e) + 0.5), shape: [6] };
    // forward only: tfjs-core cannot record the gradient of a batchNorm without scale on any backend
    await compare('batchNorm without scale', [raw(rng, [2, 3, 6]), raw(rng, [6]), v, raw(rng, [6])], (xx, m, vv, o) =>
      tf.batchNorm(xx, m, vv, o, undefined, 1e-3), false);
  });

  it('fused relu, relu6 and square gradients at the edges (0, 6, negative zero) and over 4-d shapes', async () => {
    const rng = new SeededRandom(24);
    const edges = { data: Float32Array.from([0, -0, 6, 6.000001, 5.999999, -1e-30, 1e-30, 3, -3, 7]), shape: [10] };
    for (const [name, f] of [['relu', tf.relu], ['relu6', tf.relu6], ['square', tf.square]] as const) {
      await compare(`${name} edges`, [edges], f);
      for (const shape of [[1, 1, 1, 1], [3, 5, 7, 17], [64, 8, 8, 3]]) {
        await compare(`${name} ${shape}`, [raw(rng, shape)], (x) => f(tf.mul(x, 4)));
      }
    }
    expect(nativeKernelNames()).toEqual(expect.arrayContaining(['UsibenchNativeReluGrad', 'UsibenchNativeRelu6Grad', 'UsibenchNativeSquareGrad']));
  });

  it('transpose over every permutation of ranks 1-4 and random rank-5 ones: values and gradients', async () => {
    const rng = new SeededRandom(25);
    const perms = (n: number): number[][] => (n === 0 ? [[]] : perms(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)])));
    for (const rank of [1, 2, 3, 4]) {
      const shape = Array.from({ length: rank }, () => 1 + rng.int(6));
      if (rank === 4) shape[0] = 1; // batch 1 and a size-1 dim that collapses
      for (const perm of perms(rank)) await compare(`transpose ${shape} ${perm}`, [raw(rng, shape)], (x) => tf.transpose(x, perm));
    }
    for (let i = 0; i < 6; i++) {
      const shape = Array.from({ length: 5 }, () => 1 + rng.int(5));
      const perm = perms(5)[rng.int(120)];
      await compare(`transpose ${shape} ${perm}`, [raw(rng, shape)], (x) => tf.transpose(x, perm));
    }
    await compare('transpose attention heads [2, 65, 3, 17] -> [0, 2, 1, 3]', [raw(rng, [2, 65, 3, 17])], (x) => tf.transpose(x, [0, 2, 1, 3]));
  });

  it('softmax over the last axis: values and gradients, odd widths, large logits', async () => {
    const rng = new SeededRandom(26);
    for (const shape of [[1], [7], [3, 1], [4, 10], [2, 3, 65, 65], [5, 1001]]) {
      await compare(`softmax ${shape}`, [raw(rng, shape)], (x) => tf.softmax(x));
    }
    const big = raw(rng, [6, 9]);
    big.data.forEach((v, i) => (big.data[i] = v * 50 + 1000));
    await compare('softmax large logits', [big], (x) => tf.softmax(x));
    await compare('logSoftmax', [raw(rng, [5, 11])], (x) => tf.logSoftmax(x));
  });

  it('split (SplitV) and concat along every axis: values and gradients', async () => {
    const rng = new SeededRandom(27);
    const shape = [3, 5, 7, 6];
    for (let axis = 0; axis < 4; axis++) {
      const n = shape[axis];
      const sizes = n === 6 ? [1, 3, 2] : n === 5 ? [2, -1] : n === 7 ? [3, 3, 1] : [1, 2];
      await compare(`split axis ${axis} ${sizes}`, [raw(rng, shape)], (x) => tf.concat(tf.split(x, sizes, axis).map((p, i) => tf.mul(p, i + 1)), axis));
      const other = shape.slice();
      other[axis] = 2;
      await compare(`concat axis ${axis}`, [raw(rng, shape), raw(rng, other), raw(rng, shape)], (a, b, c) => tf.concat([a, b, c], axis));
    }
    await compare('split in 3 equal parts (attention qkv)', [raw(rng, [2, 17, 3 * 19])], (x) => {
      const [q, k, v] = tf.split(x, 3, -1);
      return tf.add(tf.mul(q, k), tf.square(v));
    });
    await compare('unstack/stack through split/concat of batch 1', [raw(rng, [1, 4, 3])], (x) => tf.stack(tf.unstack(x, 1), 2));
  });

  it('recycles output storage but never storage that is still visible (read, sliced, or held twice)', async () => {
    const rng = new SeededRandom(61);
    const shape = [4, 16, 16, 20]; // 20480 values: large enough to be pooled
    const xs = [0, 1, 2, 3].map(() => tf.tensor(randn(rng, 20480), shape));
    const storage = (t: tf.Tensor) => (tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } } }).data.get(t.dataId).values;
    // Recycling happens: a disposed output's storage backs the next output of the same size (so
    // the checks below are not vacuous).
    const first = tf.relu(xs[0]);
    const buffer = storage(first).buffer;
    first.dispose();
    const second = tf.relu(xs[1]);
    expect(storage(second).buffer).toBe(buffer);
    second.dispose();
    // Read by dataSync, then disposed: the array the caller holds keeps its values.
    const read = tf.relu(xs[0]);
    const held = read.dataSync() as Float32Array;
    const heldCopy = held.slice();
    read.dispose();
    // Sliced (the cpu Slice kernel returns a view of its input's storage), then the input disposed.
    const whole = tf.relu(xs[1]);
    const part = tf.slice(whole, [1], [2]);
    const partWant = tf.relu(tf.slice(xs[1], [1], [2])).dataSync().slice();
    whole.dispose();
    // Handed to a second tensor (as any kernel may do with its input's array), then the first disposed.
    const orig = tf.relu(xs[2]);
    const twin = tf.engine().makeTensorFromTensorInfo((tf.backend() as unknown as tf.KernelBackend & { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(shape, 'float32', storage(orig)));
    const twinWant = storage(orig).slice();
    orig.dispose();
    // Many new outputs of the same size, each written with other values.
    const churn = Array.from({ length: 6 }, (_, i) => tf.mul(xs[3], i + 2));
    tf.dispose(churn);
    const more = Array.from({ length: 6 }, (_, i) => tf.add(xs[3], i + 7));
    expect(held).toEqual(heldCopy);
    expect(part.dataSync()).toEqual(partWant);
    expect(twin.dataSync()).toEqual(twinWant);
    tf.dispose([...more, part, twin, ...xs]);
  });

  it('rejects storage the addon cannot read instead of corrupting memory', async () => {
    const { nativeAddon } = await import('./register.js');
    const a = nativeAddon()!;
    expect(() => a.conv2d(new Float32Array(3), new Float32Array(9), null, new Float32Array(9), [1, 3, 3, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1], 0, 0))
      .toThrow(/too short/);
    expect(() => a.batchMatMul(new Float32Array(4), new Float32Array(4), new Float32Array(4), [1, 2, 2, 2, 0, 0], [1], [0]))
      .toThrow(/out of range/);
    expect(() => a.copyRows(new Float32Array(10), new Float32Array(10), [0, 5, 0, 5, 3, 5])).toThrow(/reach past/);
    expect(() => a.transpose(new Float32Array(6), [2, 3], [0, 0], new Float32Array(6))).toThrow(/permutation/);
    const f = (n: number) => new Float32Array(n);
    expect(() => a.batchNormTrain(f(6), f(6), 3, null, null, 1e-3, f(0), f(3))).toThrow(/mean is too short/);
    expect(() => a.batchNormTrain(f(7), f(7), 3, null, null, 1e-3, f(3), f(3))).toThrow(/multiple of channels/);
    expect(() => a.batchNormTrainGrad(f(6), f(6), f(6), 3, f(3), f(3), f(2), null, null, 1e-3, f(6))).toThrow(/scale is too short/);
    expect(() => a.batchNormTrainGrad(f(6), f(6), f(6), 3, f(3), f(3), null, null, f(1), 1e-3, f(6))).toThrow(/dvariance is too short/);
  });
});
