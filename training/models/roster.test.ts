import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { isUsageError } from '../../common/errors.js';
import { initBackend } from '../../common/engine.js';
import params from './fixtures/params.json' with { type: 'json' };
import { FAMILIES, createModel, getModelEntry, listModels, trainableParams } from './index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const SMALL = listModels().filter((n) => getModelEntry(n).defaultResolution <= 32);
const REFERENCE = params as Record<string, Record<string, number>>;

describe('roster listing', () => {
  it('offers every family in both a small-image and a 224-px size', () => {
    for (const family of FAMILIES) {
      const res = listModels().filter((n) => getModelEntry(n).family === family).map((n) => getModelEntry(n).defaultResolution);
      expect(res.some((r) => r <= 32), family).toBe(true);
      expect(res.includes(224), family).toBe(true);
    }
    expect(listModels()).toContain('resnet_ref');
    expect(listModels()).toContain('resnet26_s');
  });

  it('matches wildcards on whole names, case-insensitively', () => {
    expect(listModels('resnet*')).toEqual(['resnet18', 'resnet18_s', 'resnet26_s', 'resnet50', 'resnet8_s', 'resnet_ref']);
    expect(listModels('*_s')).toEqual(SMALL.filter((n) => n.endsWith('_s')));
    expect(listModels('VIT_TINY_?')).toEqual(['vit_tiny_s']);
    expect(listModels('vit')).toEqual([]);
  });

  it('refuses an unknown model with a UsageError that points at the list', () => {
    let err: unknown;
    try {
      createModel('resnet9000', { numClasses: 10, inputShape: [32, 32, 3] });
    } catch (e) {
      err = e;
    }
    expect(isUsageError(err)).toBe(true);
    expect((err as Error).message).toMatch(/unknown model 'resnet9000'.*usibench models/);
  });

  it('refuses a resolution the patch size does not divide, for ViT and the MLP nets', () => {
    for (const name of ['vit_tiny_s', 'mixer_s', 'resmlp_s', 'vit_small_patch16_224']) {
      expect(() => createModel(name, { numClasses: 10, inputShape: [30, 30, 3] }), name).toThrow(/cannot take resolution 30.*patch size/);
    }
    expect(getModelEntry('vit_small_patch16_224').checkResolution?.(224)).toBeNull();
    expect(getModelEntry('levit_s').checkResolution?.(8)).toMatch(/at least 16/);
  });
});

describe('small models', () => {
  // Trainable parameters against independent PyTorch definitions (fixtures/make_fixtures.py).
  for (const [key, shape] of [['28x28x1', [28, 28, 1]], ['32x32x3', [32, 32, 3]]] as const) {
    it(`have the parameter counts of the PyTorch reference at ${key}`, () => {
      const names = Object.keys(REFERENCE[key]);
      expect(names.length).toBeGreaterThanOrEqual(8);
      for (const name of names) {
        const m = createModel(name, { numClasses: 10, inputShape: [...shape], seed: 1 });
        expect(trainableParams(m), name).toBe(REFERENCE[key][name]);
        m.dispose();
      }
    });
  }

  it('hand-counted: resnet8_s at 32×32×3 (stem, three basic blocks, shortcuts, head)', () => {
    const conv = (k: number, i: number, o: number) => k * k * i * o + 2 * o; // + BN gamma/beta
    const block = (i: number, o: number) => conv(3, i, o) + conv(3, o, o) + (i === o ? 0 : conv(1, i, o));
    const expected = conv(3, 3, 16) + block(16, 16) + block(16, 32) + block(32, 64) + 64 * 10 + 10;
    const m = createModel('resnet8_s', { numClasses: 10, inputShape: [32, 32, 3] });
    expect(trainableParams(m)).toBe(expected);
    expect(expected).toBe(78042);
    m.dispose();
  });

  it('resnet_ref is the ~0.6 M-parameter reference net', () => {
    expect(REFERENCE['32x32x3'].resnet_ref).toBeGreaterThan(550_000);
    expect(REFERENCE['32x32x3'].resnet_ref).toBeLessThan(650_000);
  });

  it('give [N, classes] logits for 1- and 3-channel inputs, and stay small', () => {
    const before = tf.memory().numTensors;
    for (const name of SMALL) {
      for (const [res, ch, classes] of [[28, 1, 10], [32, 3, 7]]) {
        const m = createModel(name, { numClasses: classes, inputShape: [res, res, ch], seed: 2 });
        const y = tf.tidy(() => m.predict(tf.ones([2, res, res, ch])) as tf.Tensor);
        expect(y.shape, `${name} ${res}x${ch}`).toEqual([2, classes]);
        expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
        if (name !== 'resnet_ref' && name !== 'resnet18_s' && name !== 'resnet26_s') expect(trainableParams(m), name).toBeLessThan(400_000);
        y.dispose();
        m.dispose();
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('are seeded: same seed, same weights; another seed, other weights', () => {
    const weights = (seed: number) => {
      const m = createModel('vit_tiny_s', { numClasses: 10, inputShape: [28, 28, 1], seed });
      const w = m.getWeights().map((t) => Array.from(t.dataSync()));
      m.dispose();
      return w;
    };
    const a = weights(5);
    expect(weights(5)).toEqual(a);
    const c = weights(6);
    // Every randomly initialised tensor (not the constant-initialised norms and biases) differs.
    const random = a.map((w, i) => new Set(w).size > 1 && c[i].some((v, j) => v !== w[j]));
    expect(random.filter(Boolean).length).toBeGreaterThan(10);
  });
});
