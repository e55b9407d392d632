import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../common/rng.js';
import { ChannelScale, Affine, ClassToken, HardSigmoid, HardSwish, PositionEmbedding, SelectToken, SelfAttention } from '../../training/models/layers.js';
import { createModel, getModelEntry, listModels } from '../../training/models/index.js';
import * as ort from 'onnxruntime-node';
import { modelToGraph, modelToOnnx } from './export.js';
import { toHalfBits } from './fp16.js';
import { onnxParity } from './parity.js';

type T = tf.SymbolicTensor;
const TOL = 1e-4;

/** Gives biases, norms and scales non-trivial values, so that a swapped or ignored one shows. */
function perturbVectors(model: tf.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (!ws.length) continue;
    const next = ws.map((w, i) => {
      if (w.rank !== 1) return w.clone();
      const leaf = layer.weights[i].originalName.split('/').pop()!;
      const positive = /variance|gamma|alpha/.test(leaf);
      const vals = Float32Array.from({ length: w.size }, () => (positive ? rng.uniform(0.5, 1.5) : rng.normal(0, 0.2)));
      return tf.tensor1d(vals);
    });
    layer.setWeights(next);
    tf.dispose(next);
  }
}

function convNet(): tf.LayersModel {
  // 15×15: odd sizes make 'same' padding asymmetric, which is where exporters go wrong.
  const input = tf.input({ shape: [15, 15, 3] });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6' }).apply(input) as T;
  x = tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(x) as T;
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'swish' }).apply(x) as T;
  let y = new HardSwish({}).apply(dw) as T;
  // squeeze-excitation
  let s = tf.layers.globalAveragePooling2d({}).apply(y) as T;
  s = tf.layers.dense({ units: 4, activation: 'relu' }).apply(s) as T;
  s = tf.layers.dense({ units: 16 }).apply(s) as T;
  s = new HardSigmoid({}).apply(s) as T;
  y = new ChannelScale({}).apply([y, s]) as T;
  const sep = tf.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'gelu' }).apply(y) as T;
  const dil = tf.layers.conv2d({ filters: 8, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'hardSigmoid' }).apply(y) as T;
  x = tf.layers.add({}).apply([sep, dil, x]) as T;
  const gate = tf.layers.activation({ activation: 'sigmoid' }).apply(x) as T;
  x = tf.layers.multiply({}).apply([x, gate]) as T;
  const mp = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as T;
  const ap = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as T;
  x = tf.layers.concatenate({ axis: -1 }).apply([mp, ap]) as T; // 4×4×16
  x = tf.layers.zeroPadding2d({ padding: [[1, 0], [2, 1]] }).apply(x) as T; // 5×7
  x = tf.layers.conv2d({ filters: 6, kernelSize: [2, 3], padding: 'valid', activation: 'elu' }).apply(x) as T; // 4×5
  x = tf.layers.dense({ units: 5, activation: 'tanh' }).apply(x) as T; // dense over channels of an image
  const ln = tf.layers.layerNormalization({ epsilon: 1e-6 }).apply(x) as T;
  const gmp = tf.layers.globalMaxPooling2d({}).apply(ln) as T;
  const flat = tf.layers.flatten({}).apply(x) as T;
  x = tf.layers.concatenate({}).apply([gmp, flat]) as T;
  x = tf.layers.dropout({ rate: 0.5 }).apply(x) as T;
  const out = tf.layers.dense({ units: 10 }).apply(x) as T;
  return tf.model({ inputs: input, outputs: out });
}

function transformerNet(): tf.LayersModel {
  const d = 16;
  const input = tf.input({ shape: [16, 16, 3] });
  let x = tf.layers.conv2d({ filters: d, kernelSize: 4, strides: 4 }).apply(input) as T;
  x = tf.layers.reshape({ targetShape: [16, d] }).apply(x) as T;
  x = new ClassToken({ seed: 1 }).apply(x) as T;
  x = new PositionEmbedding({ seed: 2 }).apply(x) as T;
  let h = tf.layers.layerNormalization({ epsilon: 1e-6 }).apply(x) as T;
  h = tf.layers.dense({ units: 3 * d }).apply(h) as T;
  h = new SelfAttention({ numHeads: 2 }).apply(h) as T;
  h = tf.layers.dense({ units: d }).apply(h) as T;
  h = new Affine({ center: false, initScale: 0.5 }).apply(h) as T;
  x = tf.layers.add({}).apply([x, h]) as T;
  h = tf.layers.layerNormalization({ epsilon: 1e-6 }).apply(x) as T;
  h = tf.layers.dense({ units: 2 * d, activation: 'gelu' }).apply(h) as T;
  h = tf.layers.dense({ units: d }).apply(h) as T;
  x = tf.layers.add({}).apply([x, h]) as T;
  const cls = new SelectToken({ index: 0 }).apply(x) as T;
  const avg = tf.layers.globalAveragePooling1d({}).apply(x) as T;
  x = tf.layers.concatenate({}).apply([cls, avg]) as T;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10 }).apply(x) as T });
}

function mlpNet(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 3] });
  let x = tf.layers.conv2d({ filters: 12, kernelSize: 4, strides: 4 }).apply(input) as T;
  x = tf.layers.reshape({ targetShape: [16, 12] }).apply(x) as T;
  let h = new Affine({}).apply(x) as T;
  h = tf.layers.permute({ dims: [2, 1] }).apply(h) as T; // token mixing over the 16 patches
  h = tf.layers.dense({ units: 16, activation: 'gelu' }).apply(h) as T;
  h = tf.layers.permute({ dims: [2, 1] }).apply(h) as T;
  x = tf.layers.add({}).apply([x, h]) as T;
  x = tf.layers.leakyReLU({ alpha: 0.1 }).apply(x) as T;
  const probs = tf.layers.dense({ units: 12, activation: 'softmax' }).apply(x) as T;
  x = tf.layers.multiply({}).apply([x, probs]) as T;
  x = tf.layers.flatten({}).apply(x) as T;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10 }).apply(x) as T });
}

type Op = (x: T) => T;
const L = tf.layers;
/** One layer (or a short chain) whose output is the model output, so any mistake shows in full. */
const imageOps: Array<[string, Op]> = [
  ['conv same s2', (x) => L.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same' }).apply(x) as T],
  ['conv dilated', (x) => L.conv2d({ filters: 6, kernelSize: 3, dilationRate: 2, padding: 'same' }).apply(x) as T],
  ['conv valid 2x3', (x) => L.conv2d({ filters: 6, kernelSize: [2, 3], padding: 'valid' }).apply(x) as T],
  ['depthwise ×2 s2', (x) => L.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 2, padding: 'same' }).apply(x) as T],
  ['separable', (x) => L.separableConv2d({ filters: 5, kernelSize: 3, padding: 'same' }).apply(x) as T],
  ['dense on image', (x) => L.dense({ units: 5 }).apply(x) as T],
  ['batch norm', (x) => L.batchNormalization({ epsilon: 1e-5 }).apply(x) as T],
  ['layer norm', (x) => L.layerNormalization({ epsilon: 1e-6 }).apply(x) as T],
  ['max pool', (x) => L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as T],
  ['avg pool same', (x) => L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as T],
  ['avg pool valid', (x) => L.averagePooling2d({ poolSize: 2, padding: 'valid' }).apply(x) as T],
  ['global avg pool', (x) => L.globalAveragePooling2d({}).apply(x) as T],
  ['global max pool', (x) => L.globalMaxPooling2d({}).apply(x) as T],
  ['zero padding', (x) => L.zeroPadding2d({ padding: [[1, 0], [2, 1]] }).apply(x) as T],
  ['flatten', (x) => L.flatten({}).apply(x) as T],
  ['reshape', (x) => L.reshape({ targetShape: [49, 4] }).apply(x) as T],
  ['permute', (x) => L.permute({ dims: [3, 1, 2] }).apply(x) as T],
  ['concat channels', (x) => L.concatenate({}).apply([x, L.conv2d({ filters: 2, kernelSize: 1 }).apply(x) as T]) as T],
  ['hard swish', (x) => new HardSwish({}).apply(x) as T],
  ['hard sigmoid', (x) => new HardSigmoid({}).apply(x) as T],
  ['affine', (x) => new Affine({ initScale: 0.7 }).apply(x) as T],
  ['channel scale', (x) => new ChannelScale({}).apply([x, L.dense({ units: 4 }).apply(L.globalAveragePooling2d({}).apply(x)) as T]) as T],
  ...['relu', 'relu6', 'swish', 'gelu', 'gelu_new', 'sigmoid', 'hardSigmoid', 'tanh', 'elu', 'selu', 'softplus', 'softsign', 'mish', 'softmax'].map(
    (a): [string, Op] => [`activation ${a}`, (x) => L.activation({ activation: a as 'relu' }).apply(x) as T],
  ),
];
const tokenOps: Array<[string, Op]> = [
  ['dense on tokens', (x) => L.dense({ units: 5 }).apply(x) as T],
  ['class token', (x) => new ClassToken({ seed: 3, stddev: 1 }).apply(x) as T],
  ['position embedding', (x) => new PositionEmbedding({ seed: 3, stddev: 1 }).apply(x) as T],
  ['select token', (x) => new SelectToken({ index: 2 }).apply(x) as T],
  ['self-attention', (x) => new SelfAttention({ numHeads: 2 }).apply(L.dense({ units: 12 }).apply(x)) as T],
  ['global avg pool 1d', (x) => L.globalAveragePooling1d({}).apply(x) as T],
  ['layer scale', (x) => new Affine({ center: false, initScale: 0.3 }).apply(x) as T],
];

/** The smallest resolution ≥ 32 the model accepts, to keep the reference backend quick. */
function testResolution(name: string): number {
  const entry = getModelEntry(name);
  for (let r = 32; r <= 256; r += 1) if (!entry.checkResolution?.(r)) return r;
  throw new Error(`no usable resolution for ${name}`);
}

describe('ONNX export matches tfjs', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  // After a 1×1 conv the exporter holds the image in NCHW; straight from the input, in NHWC.
  const imageOp = new Map(imageOps);
  it.each(imageOps.flatMap(([n]) => [`${n}, NCHW`, `${n}, NHWC`]))('single op: %s', async (label) => {
      const [n, layout] = label.split(', ');
      const op = imageOp.get(n)!;
      const afterConv = layout === 'NCHW';
      const input = tf.input({ shape: [7, 7, 4] });
      const x = afterConv ? (L.conv2d({ filters: 4, kernelSize: 1 }).apply(input) as T) : input;
      const model = tf.model({ inputs: input, outputs: op(x) });
      perturbVectors(model, 9);
      const r = await onnxParity(model);
      expect(r.maxAbs).toBeGreaterThan(1e-2);
      expect(r.maxAbsDiff).toBeLessThanOrEqual(TOL);
  });

  const tokenOp = new Map(tokenOps);
  it.each(tokenOps.map(([n]) => n))('single token op: %s', async (n) => {
    const op = tokenOp.get(n)!;
    const input = tf.input({ shape: [5, 6] });
    const model = tf.model({ inputs: input, outputs: op(input) });
    perturbVectors(model, 9);
    const r = await onnxParity(model);
    expect(r.maxAbs).toBeGreaterThan(1e-2);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(TOL);
  });

  it.each([
    ['conv/mobile ops', convNet],
    ['transformer ops', transformerNet],
    ['mlp ops', mlpNet],
  ])('%s', async (_label, build) => {
    const model = build();
    perturbVectors(model, 3);
    const before = tf.memory().numTensors;
    const r = await onnxParity(model);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.maxAbs).toBeGreaterThan(1e-3); // a dead output would hide errors
    expect(r.maxAbsDiff).toBeLessThanOrEqual(TOL);
  });

  // Every roster model that is small at 32 px; the ImageNet-size variants share their converters.
  const roster = listModels().filter((n) => getModelEntry(n).defaultResolution <= 64);
  it.each(roster)('roster model %s', async (name) => {
    const res = testResolution(name);
    const model = createModel(name, { numClasses: 10, inputShape: [res, res, 3], seed: 5 });
    perturbVectors(model, 4);
    const r = await onnxParity(model);
    expect(r.outputShape).toEqual([2, 10]);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(TOL);
    model.dispose();
  });

  it('folds every batch norm of a ResNet into its conv and keeps one input transpose', () => {
    const model = createModel('resnet8_s', { numClasses: 10, inputShape: [16, 16, 3], seed: 5 });
    const ops = modelToGraph(model).nodes.map((n) => n.opType);
    const count = (op: string): number => ops.filter((o) => o === op).length;
    expect(count('Conv')).toBe(model.layers.filter((l) => l.getClassName() === 'Conv2D').length);
    expect(count('Mul')).toBe(0);
    expect(count('Transpose')).toBe(1);
    model.dispose();
  });

  it('names an unsupported layer', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const out = tf.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(input) as T;
    const model = tf.model({ inputs: input, outputs: out });
    expect(() => modelToOnnx(model)).toThrow(/layer 'up' of class UpSampling2D/);
  });
});

describe('fp16 export', () => {
  it('rounds floats to IEEE half bits', () => {
    const cases: Array<[number, number]> = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65520, 0x7c00], // rounds up to infinity
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -26, 0x0000],
      [1 + 2 ** -11, 0x3c00], // halfway: ties to even
      [1 + 3 * 2 ** -11, 0x3c02],
      [Infinity, 0x7c00],
    ];
    for (const [x, bits] of cases) expect(toHalfBits(x)).toBe(bits);
    expect(toHalfBits(NaN) & 0x7c00).toBe(0x7c00);
    expect(toHalfBits(NaN) & 0x3ff).not.toBe(0);
  });

  it('computes what the fp32 model computes, to half precision', async () => {
    await tf.setBackend('cpu');
    const model = createModel('resnet8_s', { numClasses: 10, inputShape: [16, 16, 3], seed: 5 });
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 11);
    const y = model.predict(x) as tf.Tensor;
    const expected = await y.data();
    const session = await ort.InferenceSession.create(modelToOnnx(model, { precision: 'fp16' }));
    const out = await session.run({ input: new ort.Tensor('float32', (await x.data()) as Float32Array, [2, 16, 16, 3]) });
    const got = out.output.data as Float32Array;
    expect(out.output.type).toBe('float32');
    const scale = Math.max(...Array.from(expected, Math.abs));
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
    expect(maxDiff / scale).toBeLessThan(2e-2);
    expect(maxDiff).toBeGreaterThan(0); // it really computed in half precision
    await session.release();
    tf.dispose([x, y]);
    model.dispose();
  });
});
