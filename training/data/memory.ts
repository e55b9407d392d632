/**
 * A dataset whose uint8 pixels fit in memory (MNIST, Fashion-MNIST, CIFAR-10: at most 180 MB).
 * Batches are converted to float (and resized) lazily, one at a time, so only the uint8 arrays
 * and the batch being consumed are ever resident.
 */
import { UsageError } from '../../common/errors.js';
import { balancedSubset, batchSlices, checkBatchOptions, checkLimit, epochOrder } from './order.js';
import { resizeBilinearInto } from './resize.js';
import type { Batch, BatchOptions, Dataset, DatasetInfo, OpenOptions, Split } from './types.js';

export interface SplitArrays {
  /** N×H×W×C, row-major, channels last. */
  images: Uint8Array;
  labels: Uint8Array;
}

export interface InMemorySource {
  name: string;
  classNames: string[];
  height: number;
  width: number;
  channels: 1 | 3;
  hflip: boolean;
  train: SplitArrays;
  test: SplitArrays;
}

/** Per-channel mean and std over a whole split, in [0,1] units. */
export function channelStats(images: Uint8Array, channels: number): { mean: number[]; std: number[] } {
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  for (let i = 0; i < images.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const v = images[i + c];
      sum[c] += v;
      sumSq[c] += v * v;
    }
  }
  const count = images.length / channels;
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sumSq, (s, c) => Math.sqrt(Math.max(s / count - mean[c] * mean[c], 0)));
  return { mean: mean.map((m) => m / 255), std: std.map((s) => s / 255) };
}

export function checkResolution(resolution: number | undefined): void {
  if (resolution === undefined) return;
  if (!Number.isInteger(resolution) || resolution < 8 || resolution > 1024) {
    throw new UsageError(`resolution must be a whole number of pixels between 8 and 1024, got ${resolution}`);
  }
}

export function inMemoryDataset(src: InMemorySource, opts: OpenOptions): Dataset {
  checkResolution(opts.resolution);
  checkLimit('trainLimit', opts.trainLimit);
  checkLimit('testLimit', opts.testLimit);
  if (src.height !== src.width && opts.resolution === undefined) {
    throw new UsageError(`${src.name} images are ${src.height}×${src.width}; pass a resolution to make them square`);
  }
  const resolution = opts.resolution ?? src.height;
  const numClasses = src.classNames.length;
  const subsets: Record<Split, Int32Array> = {
    train: balancedSubset(src.train.labels, numClasses, opts.trainLimit),
    test: balancedSubset(src.test.labels, numClasses, opts.testLimit),
  };
  // Normalisation comes from the full training split, so a subset run normalises like a full one.
  const { mean, std } = channelStats(src.train.images, src.channels);
  const info: DatasetInfo = {
    name: src.name,
    classNames: src.classNames,
    numClasses,
    resolution,
    channels: src.channels,
    mean,
    std,
    hflip: src.hflip,
    trainSize: subsets.train.length,
    testSize: subsets.test.length,
  };
  const pixelsIn = src.height * src.width * src.channels;
  const pixelsOut = resolution * resolution * src.channels;

  async function* batches(split: Split, opts: BatchOptions): AsyncGenerator<Batch> {
    checkBatchOptions(opts);
    const arrays = src[split];
    const members = subsets[split];
    for (const slice of batchSlices(epochOrder(members.length, opts), opts)) {
      const size = slice.length;
      const images = new Float32Array(size * pixelsOut);
      const labels = new Int32Array(size);
      for (let b = 0; b < size; b++) {
        const idx = members[slice[b]];
        labels[b] = arrays.labels[idx];
        resizeBilinearInto(arrays.images, idx * pixelsIn, src.height, src.width, src.channels, resolution, images, b * pixelsOut);
      }
      yield { images, labels, size };
    }
  }

  return { info, batches };
}
