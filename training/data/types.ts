/** The dataset contract shared by the trainer, the teacher stage and the pipeline (docs/INTERFACES.md). */

export interface DatasetInfo {
  /** 'mnist', 'fashion-mnist', 'cifar10', 'imagefolder:/path'. */
  name: string;
  classNames: string[];
  numClasses: number;
  /** The square side images come out at (native size unless asked). */
  resolution: number;
  channels: 1 | 3;
  /** Per channel, for images in [0,1]. */
  mean: number[];
  std: number[];
  /** Whether a horizontal flip preserves the label (false for digits). */
  hflip: boolean;
  /** After any subset limit. */
  trainSize: number;
  testSize: number;
}

export interface Batch {
  /** NHWC in [0,1], length size*res*res*ch. */
  images: Float32Array;
  labels: Int32Array;
  size: number;
}

export type Split = 'train' | 'test';

export interface BatchOptions {
  batchSize: number;
  shuffle?: boolean;
  seed?: number;
  dropLast?: boolean;
}

export interface Dataset {
  info: DatasetInfo;
  /**
   * Streams a split in batches; memory bounded by a few batches, never the whole split.
   * shuffle uses seed (same seed -> same order). The last partial batch is yielded unless dropLast.
   */
  batches(split: Split, opts: BatchOptions): AsyncIterable<Batch>;
}

export interface OpenOptions {
  resolution?: number;
  trainLimit?: number;
  testLimit?: number;
  /** Where downloads are cached (default ~/.cache/usibench, or env USIBENCH_CACHE). */
  cacheDir?: string;
  /** A directory that already holds the dataset's files (IDX, CIFAR-10 binary batches). */
  dataDir?: string;
  /** Base URL that replaces the public download locations (default env USIBENCH_DATA_MIRROR). */
  mirror?: string;
}
