import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SelfAttention } from '../training/models/layers.js';
import { createModel, getModelEntry, listModels } from '../training/models/index.js';
import { countCost } from './cost.js';

type T = tf.SymbolicTensor;
const L = tf.layers;

function single(shape: number[], op: (x: T) => T): tf.LayersModel {
  const input = tf.input({ shape });
  return tf.model({ inputs: input, outputs: op(input) });
}

describe('params and MACs', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('counts single layers as hand-computed', () => {
    // 3×3 conv 3→16, stride 2 'same' on 15×15 → 8×8: 3·3·3·16·64; params 3·3·3·16 + 16.
    expect(countCost(single([15, 15, 3], (x) => L.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same' }).apply(x) as T))).toEqual({
      macs: 3 * 3 * 3 * 16 * 64,
      params: 448,
    });
    // depthwise 5×5, multiplier 2, on 8×8×6 valid → 4×4×12: 25·12·16 MACs; params 25·12 + 12.
    expect(countCost(single([8, 8, 6], (x) => L.depthwiseConv2d({ kernelSize: 5, depthMultiplier: 2 }).apply(x) as T))).toEqual({
      macs: 25 * 12 * 16,
      params: 312,
    });
    // separable 3×3 8→10 on 4×4 same: depthwise 9·8·16 + pointwise 8·10·16.
    expect(countCost(single([4, 4, 8], (x) => L.separableConv2d({ filters: 10, kernelSize: 3, padding: 'same' }).apply(x) as T)).macs).toBe(
      9 * 8 * 16 + 8 * 10 * 16,
    );
    // dense over the tokens of a 7×12 sequence → 20: 7·12·20; params 12·20 + 20.
    expect(countCost(single([7, 12], (x) => L.dense({ units: 20 }).apply(x) as T))).toEqual({ macs: 7 * 12 * 20, params: 260 });
    // attention on 9 tokens of width 8 (input 24 = q|k|v), 2 heads of 4: 2·(9·9·4)·2.
    expect(countCost(single([9, 24], (x) => new SelfAttention({ numHeads: 2 }).apply(x) as T))).toEqual({ macs: 2 * 9 * 9 * 8, params: 0 });
    // BN and pooling: parameters (γ, β; not the moving statistics) but no MACs.
    expect(countCost(single([4, 4, 5], (x) => L.globalAveragePooling2d({}).apply(L.batchNormalization({}).apply(x)) as T))).toEqual({
      macs: 0,
      params: 10,
    });
  });

  it('counts resnet8_s at 32 px as hand-computed', () => {
    const model = createModel('resnet8_s', { numClasses: 10, inputShape: [32, 32, 3], seed: 0 });
    const macs =
      9 * 3 * 16 * 32 * 32 + // stem
      2 * 9 * 16 * 16 * 32 * 32 + // stage 1 block, identity shortcut
      9 * 16 * 32 * 16 * 16 + 9 * 32 * 32 * 16 * 16 + 16 * 32 * 16 * 16 + // stage 2 (stride 2) + 1×1 shortcut
      9 * 32 * 64 * 8 * 8 + 9 * 64 * 64 * 8 * 8 + 32 * 64 * 8 * 8 + // stage 3
      64 * 10; // head
    const convs = 9 * 3 * 16 + 2 * 9 * 16 * 16 + 9 * 16 * 32 + 9 * 32 * 32 + 16 * 32 + 9 * 32 * 64 + 9 * 64 * 64 + 32 * 64;
    const bns = 2 * (3 * 16 + 3 * 32 + 3 * 64);
    expect(countCost(model)).toEqual({ macs, params: convs + bns + 64 * 10 + 10 });
    model.dispose();
  });

  it('counts vit_tiny_s at 32 px as hand-computed (tokens, position table and attention)', () => {
    const model = createModel('vit_tiny_s', { numClasses: 10, inputShape: [32, 32, 3], seed: 0 });
    const t = 8 * 8 + 1; // 4×4 patches of a 32 px image, plus the class token
    const d = 64;
    const block = t * d * 3 * d + 2 * t * t * d + t * d * d + t * d * 2 * d + t * 2 * d * d; // qkv, attention, proj, MLP ×2
    const macs = 4 * 4 * 3 * d * 8 * 8 + 4 * block + d * 10;
    expect(countCost(model).macs).toBe(macs);
    model.dispose();
  });

  it('counts every roster model at its default resolution without an unknown layer', () => {
    for (const name of listModels('*_s').concat(['resnet_ref', 'deit_tiny_patch16_224'])) {
      const res = getModelEntry(name).defaultResolution;
      const model = createModel(name, { numClasses: 10, inputShape: [res, res, 3], seed: 0 });
      const cost = countCost(model);
      expect(cost.macs, name).toBeGreaterThan(0);
      model.dispose();
    }
  });
});
