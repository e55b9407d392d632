/**
 * Batch augmentation for training, as USI applies it: random-resized crop + flip, RandAugment,
 * then mixup/cutmix with soft targets. Every random choice comes from the caller's Rng, drawn in
 * a fixed order, so the same rng state reproduces the same batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../common/rng.js';
import type { AugmentConfig } from './config.js';
import { cropAndFlip } from './crop.js';
import { applyMix, sampleMix } from './mix.js';
import { randAugment } from './randaugment.js';

export { USI_AUGMENT, type AugmentConfig } from './config.js';

/**
 * images NHWC in [0,1]; returns augmented images (same shape, in [0,1]) and soft targets
 * [N, numClasses] whose rows sum to 1. Caller owns (disposes) the outputs; `images` is not consumed.
 */
export function augmentBatch(images: tf.Tensor4D, labels: Int32Array, numClasses: number, cfg: AugmentConfig, rng: Rng): { images: tf.Tensor4D; targets: tf.Tensor2D } {
  const [n, h, w] = images.shape;
  if (labels.length !== n) throw new Error(`augmentBatch: ${labels.length} labels for ${n} images`);
  for (const l of labels) if (l < 0 || l >= numClasses) throw new Error(`augmentBatch: label ${l} outside 0..${numClasses - 1}`);
  const owned: tf.Tensor[] = [];
  try {
    let x = cropAndFlip(images, cfg, rng);
    if (x !== images) owned.push(x);
    if (cfg.randAugment && cfg.randAugment.numOps > 0) {
      x = randAugment(x, cfg.randAugment, rng);
      owned.push(x);
    }
    const mix = cfg.mix ? sampleMix(cfg.mix, h, w, rng) : { lam: 1, box: null };
    const out = applyMix(x, labels, numClasses, mix);
    const clipped = tf.tidy(() => tf.clipByValue(out.images, 0, 1) as tf.Tensor4D);
    out.images.dispose();
    return { images: clipped, targets: out.targets };
  } finally {
    for (const t of owned) t.dispose();
  }
}
