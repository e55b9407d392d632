import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../common/engine.js';
import reference from './fixtures/layers.json' with { type: 'json' };
import { createModel } from './index.js';
import { Affine, ChannelScale, ClassToken, HardSigmoid, HardSwish, LayerNorm, PositionEmbedding, SelectToken, SelfAttention } from './layers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function maxDiff(a: tf.Tensor, b: number[] | number[][] | number[][][]): number {
  const expected = tf.tensor(b);
  const d = tf.max(tf.abs(tf.sub(a, expected))).dataSync()[0];
  expected.dispose();
  return d;
}

describe('custom layers against PyTorch (fixtures/layers.json)', () => {
  it('hard-swish and hard-sigmoid match torch.nn.functional', () => {
    const x = tf.tensor(reference.hard_swish.x);
    expect(maxDiff(new HardSwish().apply(x) as tf.Tensor, reference.hard_swish.y)).toBeLessThan(1e-6);
    expect(maxDiff(new HardSigmoid().apply(x) as tf.Tensor, reference.hard_sigmoid.y)).toBeLessThan(1e-6);
  });

  it('SelfAttention matches timm-layout multi-head attention', () => {
    const qkv = tf.tensor(reference.attention.qkv);
    const y = new SelfAttention({ numHeads: reference.attention.heads }).apply(qkv) as tf.Tensor;
    expect(y.shape).toEqual([2, 5, 8]);
    expect(maxDiff(y, reference.attention.y)).toBeLessThan(1e-5);
  });

  it('SelfAttention refuses channels that do not split into 3 × heads', () => {
    expect(() => new SelfAttention({ numHeads: 6 }).apply(tf.input({ shape: [4, 3 * 256] }))).toThrow(/not 3 × 6 heads/);
  });
});

describe('custom layers by hand', () => {
  it('LayerNorm equals tfjs LayerNormalization (same weights), values and gradients', () => {
    const x = tf.randomNormal([2, 3, 4, 6], 1, 3, 'float32', 5);
    const ours = new LayerNorm({ epsilon: 1e-5 });
    const theirs = tf.layers.layerNormalization({ axis: -1, epsilon: 1e-5 });
    ours.apply(x);
    theirs.apply(x);
    const w = [tf.randomNormal([6], 1, 0.5, 'float32', 6), tf.randomNormal([6], 0, 0.5, 'float32', 7)];
    ours.setWeights(w);
    theirs.setWeights(w);
    expect(ours.getWeights().map((t) => t.shape)).toEqual(theirs.getWeights().map((t) => t.shape));
    const probe = tf.randomNormal([2, 3, 4, 6], 0, 1, 'float32', 8);
    const lossOf = (layer: tf.layers.Layer) => (t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, probe));
    expect(maxDiff(ours.apply(x) as tf.Tensor, (theirs.apply(x) as tf.Tensor).arraySync() as number[][][])).toBeLessThan(1e-5);
    expect(maxDiff(tf.grad(lossOf(ours))(x), tf.grad(lossOf(theirs))(x).arraySync() as number[][][])).toBeLessThan(1e-4);
  });

  it('ChannelScale multiplies each channel of every pixel by its gate', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
    const s = tf.tensor2d([[10, -1]]);
    const y = new ChannelScale().apply([x, s]) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([10, -2, 30, -4, 50, -6, 70, -8]);
  });

  it('Affine is alpha·x + beta per channel; LayerScale (center false) has no beta', () => {
    const aff = new Affine({ initScale: 1, center: true });
    const x = tf.tensor3d([[[1, 2], [3, 4]]]);
    aff.apply(x);
    aff.setWeights([tf.tensor1d([2, -1]), tf.tensor1d([0.5, 1])]);
    expect(Array.from((aff.apply(x) as tf.Tensor).dataSync())).toEqual([2.5, -1, 6.5, -3]);
    const ls = new Affine({ initScale: 0.1, center: false });
    expect(Array.from((ls.apply(x) as tf.Tensor).dataSync()).map((v) => +v.toFixed(6))).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(ls.trainableWeights.length).toBe(1);
  });

  it('ClassToken prepends the token, PositionEmbedding adds, SelectToken takes it back', () => {
    const x = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    const cls = new ClassToken({ seed: 1 });
    const withCls = cls.apply(x) as tf.Tensor;
    expect(withCls.shape).toEqual([2, 3, 2]);
    const token = Array.from(cls.getWeights()[0].dataSync());
    expect(Array.from(withCls.dataSync())).toEqual([...token, 1, 2, 3, 4, ...token, 5, 6, 7, 8].map((v) => Math.fround(v)));
    expect(Array.from((new SelectToken({ index: 0 }).apply(withCls) as tf.Tensor).dataSync())).toEqual([...token, ...token]);
    const pos = new PositionEmbedding({ seed: 2 });
    const y = pos.apply(x) as tf.Tensor;
    const p = Array.from(pos.getWeights()[0].dataSync());
    expect(pos.getWeights()[0].shape).toEqual([1, 2, 2]);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((v, i) => Math.fround(v + p[i % 4])));
  });
});

describe('save → load round trip', () => {
  // One model per family plus the ones with the other custom layers; weights randomised first so
  // that constant-initialised parameters (Affine, norms) are really carried over.
  for (const name of ['resnet8_s', 'convnext_s', 'mobilenetv3_s', 'efficientnet_s', 'vit_tiny_s', 'levit_s', 'mixer_s', 'resmlp_s']) {
    it(`${name} loads back from model.json with identical outputs`, async () => {
      const m = createModel(name, { numClasses: 5, inputShape: [16, 16, 3], seed: 3 });
      m.setWeights(m.getWeights().map((w, i) => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i)));
      let saved: tf.io.ModelArtifacts | null = null;
      await m.save(tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      // Through JSON text, as model.json on disk would be.
      const artifacts = saved! as tf.io.ModelArtifacts;
      const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
      const loaded = await tf.loadLayersModel(tf.io.fromMemory({ ...artifacts, modelTopology: topology }));
      const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 9);
      const a = m.predict(x) as tf.Tensor;
      const b = loaded.predict(x) as tf.Tensor;
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      expect(loaded.layers.map((l) => l.getClassName())).toEqual(m.layers.map((l) => l.getClassName()));
      tf.dispose([x, a, b]);
      m.dispose();
      loaded.dispose();
    });
  }
});
