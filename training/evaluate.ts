/**
 * Top-1 / top-5 accuracy of a model on a dataset split, and the per-channel input normalisation
 * that training and evaluation share. Evaluation uses the whole image at the run's resolution
 * (the datasets here are already object-centred and small; the reference's 0.95 centre crop is
 * an ImageNet detail).
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './data/index.js';

/** (x - mean) / std per channel, for NHWC images in [0,1]. */
export function normalizeImages(images: tf.Tensor4D, mean: number[], std: number[]): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.sub(images, tf.tensor1d(mean)), tf.tensor1d(std)) as tf.Tensor4D);
}

export interface Accuracy {
  top1: number;
  top5: number;
  count: number;
}

/**
 * How many rows have their true class among the k best logits. Ties rank the lower class index
 * first, as argmax/topk do, so a constant output scores chance, not 100%.
 */
export function countHits(logits: Float32Array, labels: Int32Array, numClasses: number, k: number): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = i * numClasses;
    const label = labels[i];
    const truth = logits[row + label];
    let ahead = 0;
    for (let c = 0; c < numClasses; c++) {
      const v = logits[row + c];
      if (v > truth || (v === truth && c < label)) ahead++;
    }
    if (ahead < k) hits++;
  }
  return hits;
}

export async function evaluate(
  model: tf.LayersModel,
  dataset: Dataset,
  opts: { batchSize: number; mean: number[]; std: number[]; split?: 'train' | 'test' },
): Promise<Accuracy> {
  const { numClasses, resolution, channels } = dataset.info;
  let top1 = 0;
  let top5 = 0;
  let count = 0;
  for await (const batch of dataset.batches(opts.split ?? 'test', { batchSize: opts.batchSize, shuffle: false })) {
    const logits = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, resolution, resolution, channels]);
      return model.predictOnBatch(normalizeImages(x, opts.mean, opts.std)) as tf.Tensor2D;
    });
    const values = (await logits.data()) as Float32Array;
    logits.dispose();
    top1 += countHits(values, batch.labels, numClasses, 1);
    top5 += countHits(values, batch.labels, numClasses, 5);
    count += batch.size;
  }
  if (count === 0) throw new Error('evaluate: the split has no images');
  return { top1: top1 / count, top5: top5 / count, count };
}
