/** Shared by the 224-px roster tests (split by family to keep each file short). */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { createModel, getModelEntry, listModels, trainableParams, type Family } from './index.js';

/**
 * Published parameter counts of the timm models with a 1000-class head, and that head's width:
 * with 10 classes the count drops by (width + 1) · 990.
 */
const TIMM: Record<string, [number, number]> = {
  resnet18: [11_689_512, 512],
  resnet50: [25_557_032, 2048],
  convnext_tiny: [28_589_128, 768],
  mobilenetv3_large_100: [5_483_032, 1280],
  efficientnet_b0: [5_288_548, 1280],
  deit_tiny_patch16_224: [5_717_416, 192],
  vit_small_patch16_224: [22_050_664, 384],
  mixer_s16_224: [18_528_264, 512],
  resmlp_12_224: [15_350_872, 384],
};

/** The 224-px models of some families match timm's counts and give [1, 10] logits at batch 1. */
export function expect224(families: Family[]): void {
  const big = listModels().filter((n) => getModelEntry(n).defaultResolution === 224 && families.includes(getModelEntry(n).family));
  expect(big.length).toBeGreaterThanOrEqual(4);
  for (const name of big) {
    const m = createModel(name, { numClasses: 10, inputShape: [224, 224, 3], seed: 0 });
    if (TIMM[name]) {
      const [count1000, width] = TIMM[name];
      expect(trainableParams(m), name).toBe(count1000 - (width + 1) * 990);
    }
    const y = tf.tidy(() => m.predict(tf.ones([1, 224, 224, 3])) as tf.Tensor);
    expect(y.shape, name).toEqual([1, 10]);
    y.dispose();
    m.dispose();
  }
  const checked = Object.keys(TIMM).filter((n) => families.includes(getModelEntry(n).family));
  expect(checked.length).toBeGreaterThanOrEqual(3);
}
