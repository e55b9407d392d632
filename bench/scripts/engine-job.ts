/**
 * The measurement `npm run bench:engine` runs, in the main thread or in pool workers: training
 * (forward + backward + SGD step) or inference images/s of resnet_ref on the current backend.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../common/rng.js';
import { currentBackendInfo } from '../../engine/index.js';
import { createModel } from '../../training/models/index.js';

export interface ThroughputJob {
  mode: 'train' | 'infer';
  batch: number;
  warmup: number;
  iters: number;
  seed: number;
}

export interface ThroughputResult {
  backend: string;
  mode: 'train' | 'infer';
  imagesPerSec: number;
  msPerIter: number;
  iters: number;
  numTensorsGrowth: number;
}

export async function resnetRefThroughput(job: ThroughputJob): Promise<ThroughputResult> {
  const model = createModel('resnet_ref', { numClasses: 10, inputShape: [32, 32, 3], seed: job.seed });
  const rng = new Rng(job.seed);
  const x = tf.tensor4d(Float32Array.from({ length: job.batch * 32 * 32 * 3 }, () => rng.normal()), [job.batch, 32, 32, 3]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: job.batch }, () => rng.int(10)), 'int32'), 10);
  const opt = tf.train.sgd(0.01);
  const once =
    job.mode === 'train'
      ? () => {
          const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
          loss!.dataSync();
          loss!.dispose();
        }
      : () => {
          const y = model.predictOnBatch(x) as tf.Tensor;
          y.dataSync();
          y.dispose();
        };
  for (let i = 0; i < job.warmup; i++) once();
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  for (let i = 0; i < job.iters; i++) once();
  const ms = (performance.now() - t0) / job.iters;
  const growth = tf.memory().numTensors - tensorsBefore;
  tf.dispose([x, labels]);
  opt.dispose();
  model.dispose();
  return { backend: currentBackendInfo().name, mode: job.mode, imagesPerSec: (job.batch * 1000) / ms, msPerIter: ms, iters: job.iters, numTensorsGrowth: growth };
}
