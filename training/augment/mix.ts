/**
 * Mixup and CutMix as timm's `Mixup` in mode 'batch': one λ per batch, image i mixed with image
 * N-1-i (the batch flipped), cutmix λ corrected to the pasted box's actual area, targets the
 * λ-weighted one-hots (no label smoothing: USI relies on the teacher instead).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../common/rng.js';
import type { AugmentConfig } from './config.js';

export interface MixParams {
  lam: number;
  /** The pasted region [yl, yh) × [xl, xh) for cutmix; null for mixup or no mixing. */
  box: { yl: number; yh: number; xl: number; xh: number } | null;
}

/** timm's rand_bbox + cutmix_bbox_and_lam (correct_lam=True, no margin, no min/max ratio). */
export function cutmixBox(h: number, w: number, lam: number, rng: Rng): MixParams {
  const ratio = Math.sqrt(1 - lam);
  const cutH = Math.floor(h * ratio);
  const cutW = Math.floor(w * ratio);
  const cy = rng.int(h);
  const cx = rng.int(w);
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  const box = {
    yl: clip(cy - Math.floor(cutH / 2), h),
    yh: clip(cy + Math.floor(cutH / 2), h),
    xl: clip(cx - Math.floor(cutW / 2), w),
    xh: clip(cx + Math.floor(cutW / 2), w),
  };
  return { lam: 1 - ((box.yh - box.yl) * (box.xh - box.xl)) / (h * w), box };
}

export function sampleMix(mix: NonNullable<AugmentConfig['mix']>, h: number, w: number, rng: Rng): MixParams {
  if (!(rng.next() < mix.prob)) return { lam: 1, box: null };
  let useCutmix: boolean;
  if (mix.mixupAlpha > 0 && mix.cutmixAlpha > 0) useCutmix = rng.next() < mix.switchProb;
  else if (mix.cutmixAlpha > 0) useCutmix = true;
  else if (mix.mixupAlpha > 0) useCutmix = false;
  else return { lam: 1, box: null };
  const alpha = useCutmix ? mix.cutmixAlpha : mix.mixupAlpha;
  const lam = rng.beta(alpha, alpha);
  return useCutmix ? cutmixBox(h, w, lam, rng) : { lam, box: null };
}

/** Mixes images and builds soft targets; the caller owns both results. */
export function applyMix(images: tf.Tensor4D, labels: Int32Array, numClasses: number, p: MixParams): { images: tf.Tensor4D; targets: tf.Tensor2D } {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat();
    if (p.lam === 1) return { images: tf.clone(images), targets: oneHot as tf.Tensor2D };
    const flipped = tf.reverse(images, 0);
    const targets = tf.add(tf.mul(oneHot, p.lam), tf.mul(tf.reverse(oneHot, 0), 1 - p.lam)) as tf.Tensor2D;
    if (!p.box) return { images: tf.add(tf.mul(images, p.lam), tf.mul(flipped, 1 - p.lam)) as tf.Tensor4D, targets };
    const [, h, w] = images.shape;
    const { yl, yh, xl, xh } = p.box;
    const mask = tf.pad(tf.ones([1, yh - yl, xh - xl, 1]), [[0, 0], [yl, h - yh], [xl, w - xh], [0, 0]]);
    return { images: tf.add(tf.mul(images, tf.sub(1, mask)), tf.mul(flipped, mask)) as tf.Tensor4D, targets };
  });
}
