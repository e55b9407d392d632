/**
 * Random-resized crop and horizontal flip in one `tf.image.cropAndResize` call: each image gets
 * its own box, and a flipped image gets its box with x1 and x2 swapped (cropAndResize then samples
 * right to left), so the whole batch is cropped, resized back and flipped by a single kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../common/rng.js';
import type { AugmentConfig } from './config.js';

export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** torchvision's RandomResizedCrop.get_params: 10 tries at a random area/aspect, then a centre crop. */
export function sampleCropBox(h: number, w: number, scale: [number, number], ratio: [number, number], rng: Rng): CropBox {
  const area = h * w;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logRatio[0], logRatio[1]));
    const cw = Math.round(Math.sqrt(targetArea * aspect));
    const ch = Math.round(Math.sqrt(targetArea / aspect));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
      return { top: rng.int(h - ch + 1), left: rng.int(w - cw + 1), height: ch, width: cw };
    }
  }
  const inRatio = w / h;
  let cw = w;
  let ch = h;
  if (inRatio < ratio[0]) ch = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) cw = Math.round(h * ratio[1]);
  return { top: Math.floor((h - ch) / 2), left: Math.floor((w - cw) / 2), height: ch, width: cw };
}

/** Crops (when configured) and flips (each image with p 0.5, when enabled); returns the input itself when neither applies. */
export function cropAndFlip(images: tf.Tensor4D, cfg: AugmentConfig, rng: Rng): tf.Tensor4D {
  if (!cfg.randomResizedCrop && !cfg.hflip) return images;
  const [n, h, w] = images.shape;
  const boxes = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const b = cfg.randomResizedCrop
      ? sampleCropBox(h, w, cfg.randomResizedCrop.scale, cfg.randomResizedCrop.ratio, rng)
      : { top: 0, left: 0, height: h, width: w };
    const flip = cfg.hflip && rng.next() < 0.5;
    // normalised so that pixel centres top..top+height-1 map onto the output's first..last rows
    const y1 = b.top / (h - 1);
    const y2 = (b.top + b.height - 1) / (h - 1);
    const x1 = b.left / (w - 1);
    const x2 = (b.left + b.width - 1) / (w - 1);
    boxes.set(flip ? [y1, x2, y2, x1] : [y1, x1, y2, x2], 4 * i);
  }
  return tf.tidy(() =>
    tf.image.cropAndResize(images, tf.tensor2d(boxes, [n, 4]), tf.range(0, n, 1, 'int32') as tf.Tensor1D, [h, w], 'bilinear'),
  );
}
