/**
 * Any ImageFolder tree (`train/<class>/…`, `val/<class>/…` or `test/<class>/…`; JPEG, PNG, WebP),
 * streamed: opening lists file names only, and batches are decoded on demand with `sharp` (on a
 * worker thread, decoder.ts, so decoding overlaps the training step), a bounded number of images
 * at a time and at most `prefetch` batches ahead of the consumer, so an ImageNet-sized folder never
 * has to fit in memory.
 *
 * Policies:
 * - Channels: always 3. Greyscale images are expanded to RGB (as torchvision's
 *   `convert('RGB')` does), alpha is dropped; a mixed folder (ImageNet has ~2% greyscale photos)
 *   then gives one tensor layout, and models pretrained on RGB stay usable.
 * - Geometry: the shorter side is resized to the resolution and the centre square kept (sharp
 *   `fit: 'cover'`), so the aspect ratio is never distorted. EXIF orientation is applied first.
 * - Resolution: the one asked for, else the shorter side of the first training image.
 * - Normalisation: ImageNet's mean/std (timm's defaults), not estimated from the folder.
 * - Classes: the sub-folders of train/, sorted by code point, give the label indices (as in
 *   torchvision and timm); files are found recursively inside each class folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Sharp from 'sharp';

// Loaded on first use: only ImageFolder needs libvips, so MNIST/CIFAR runs (and bundles that
// leave sharp out) never load it.
let sharpModule: typeof Sharp | null = null;
async function loadSharp(): Promise<typeof Sharp> {
  sharpModule ??= (await import('sharp')).default;
  return sharpModule;
}
import { UsageError } from '../../common/errors.js';
import { checkResolution } from './memory.js';
import { decoder } from './decoder.js';
import { balancedSubset, batchSlices, checkBatchOptions, checkLimit, epochOrder } from './order.js';
import type { Batch, BatchOptions, Dataset, DatasetInfo, OpenOptions, Split } from './types.js';

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp']);
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

export interface ImageFolderOptions extends OpenOptions {
  /** Images decoded at once (sharp works on libuv's thread pool). */
  concurrency?: number;
  /** Batches decoded ahead of the one being consumed. */
  prefetch?: number;
  /** Decode on the main thread instead of the decoder thread (for A/B measurements; default: env
   *  USIBENCH_DECODE_THREAD=main, else the decoder thread). */
  mainThread?: boolean;
}

export interface ImageFolderDataset extends Dataset {
  /** Images decoded so far, over all splits: lets a test see that streaming stays bounded. */
  readonly decoded: number;
}

interface FileList {
  files: string[];
  labels: Uint8Array | Uint16Array;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function listImages(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listImages(p));
    else if (IMAGE_EXT.has(path.extname(e.name).toLowerCase())) out.push(p);
  }
  return out;
}

function classDirs(splitDir: string): string[] {
  return fs.readdirSync(splitDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

function listSplit(splitDir: string, classIndex: Map<string, number>): FileList {
  const files: string[] = [];
  const labels: number[] = [];
  for (const name of classDirs(splitDir)) {
    const label = classIndex.get(name);
    if (label === undefined) {
      throw new UsageError(`class folder ${path.join(splitDir, name)} has no counterpart in train/; every evaluation class must also be a training class`);
    }
    const images = listImages(path.join(splitDir, name));
    if (images.length === 0) {
      throw new UsageError(`class folder ${path.join(splitDir, name)} has no images (JPEG, PNG or WebP); add images or remove the folder`);
    }
    for (const f of images) {
      files.push(f);
      labels.push(label);
    }
  }
  return { files, labels: classIndex.size <= 256 ? Uint8Array.from(labels) : Uint16Array.from(labels) };
}

/** Decodes one image to `res`×`res`×3 uint8, resized per the policy above. */
export async function decodeImage(file: string, res: number): Promise<Buffer> {
  try {
    const { data, info } = await (await loadSharp())(file, { failOn: 'error' })
      .rotate()
      .resize(res, res, { fit: 'cover', position: 'centre' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== res * res * 3) throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}`);
    return data;
  } catch (err) {
    throw new UsageError(`cannot decode image ${file} (${(err as Error).message}); replace or remove the file`);
  }
}

/** NHWC floats in [0,1] of `files`, each decoded by decodeImage, at most the limiter's count at once. */
export async function decodeFiles(files: string[], res: number, limiter: Limiter): Promise<Float32Array> {
  const pixels = res * res * 3;
  const images = new Float32Array(files.length * pixels);
  await Promise.all(
    files.map((file, b) =>
      limiter.run(async () => {
        const data = await decodeImage(file, res);
        const off = b * pixels;
        for (let i = 0; i < pixels; i++) images[off + i] = data[i] / 255;
      }),
    ),
  );
  return images;
}

/** Runs async jobs with at most `limit` in flight (sharp queues everything it is given otherwise). */
export class Limiter {
  private active = 0;
  private waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await job();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export async function openImageFolder(rootArg: string, opts: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  checkResolution(opts.resolution);
  checkLimit('trainLimit', opts.trainLimit);
  checkLimit('testLimit', opts.testLimit);
  if (!rootArg) throw new UsageError("imagefolder needs a path: use 'imagefolder:/path/to/folder' (with train/ and val/ or test/ inside)");
  const root = path.resolve(rootArg);
  if (!isDir(root)) throw new UsageError(`image folder ${root} does not exist or is not a directory; check the path after 'imagefolder:'`);
  const trainDir = path.join(root, 'train');
  if (!isDir(trainDir)) throw new UsageError(`image folder ${root} has no train/ sub-folder; lay it out as train/<class>/*.jpg and val/<class>/*.jpg`);
  const testName = ['val', 'test'].find((n) => isDir(path.join(root, n)));
  if (!testName) throw new UsageError(`image folder ${root} has neither val/ nor test/; add one laid out like train/`);

  const classNames = classDirs(trainDir);
  if (classNames.length < 2) throw new UsageError(`${trainDir} has ${classNames.length} class folder(s); a classifier needs at least 2`);
  const classIndex = new Map(classNames.map((n, i) => [n, i]));
  const lists: Record<Split, FileList> = {
    train: listSplit(trainDir, classIndex),
    test: listSplit(path.join(root, testName), classIndex),
  };

  let resolution = opts.resolution;
  if (resolution === undefined) {
    const first = lists.train.files[0];
    const meta = await (await loadSharp())(first).metadata().catch((err: Error) => {
      throw new UsageError(`cannot read image ${first} (${err.message}); replace or remove the file`);
    });
    resolution = Math.min(meta.width ?? 0, meta.height ?? 0);
    checkResolution(resolution);
  }
  const res = resolution;
  const numClasses = classNames.length;
  const subsets: Record<Split, Int32Array> = {
    train: balancedSubset(lists.train.labels, numClasses, opts.trainLimit),
    test: balancedSubset(lists.test.labels, numClasses, opts.testLimit),
  };
  const info: DatasetInfo = {
    name: `imagefolder:${root}`,
    classNames,
    numClasses,
    resolution: res,
    channels: 3,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    hflip: true,
    trainSize: subsets.train.length,
    testSize: subsets.test.length,
  };
  const concurrency = opts.concurrency ?? Math.max(2, os.availableParallelism());
  const prefetch = opts.prefetch ?? 2;
  let decoded = 0;
  const mainLimiter = new Limiter(concurrency);
  const mainThread = opts.mainThread ?? process.env.USIBENCH_DECODE_THREAD === 'main';

  async function decodeBatch(split: Split, slice: Int32Array): Promise<Batch> {
    const list = lists[split];
    const members = subsets[split];
    const size = slice.length;
    const idx = Array.from(slice, (pos) => members[pos]);
    const files = idx.map((i) => list.files[i]);
    const images = mainThread ? await decodeFiles(files, res, mainLimiter) : await decoder().decode(files, res, concurrency);
    decoded += size;
    const labels = Int32Array.from(idx, (i) => list.labels[i]);
    return { images, labels, size };
  }

  async function* batches(split: Split, bopts: BatchOptions): AsyncGenerator<Batch> {
    checkBatchOptions(bopts);
    const slices = batchSlices(epochOrder(subsets[split].length, bopts), bopts);
    const pending: Array<Promise<Batch>> = [];
    const refill = () => {
      while (pending.length <= prefetch) {
        const next = slices.next();
        if (next.done) return;
        const job = decodeBatch(split, next.value);
        job.catch(() => undefined); // surfaced when awaited below; avoids an unhandled rejection if the consumer stops first
        pending.push(job);
      }
    };
    refill();
    while (pending.length > 0) {
      const batch = await pending.shift()!;
      refill();
      yield batch;
    }
  }

  return {
    info,
    batches,
    get decoded() {
      return decoded;
    },
  };
}
