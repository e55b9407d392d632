/** CIFAR-10, binary release: from a directory of `*.bin` batches, or downloaded (md5-checked) and cached. */
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { writeDirAtomic } from '../../common/atomic.js';
import { UsageError } from '../../common/errors.js';
import { cacheRoot, downloadBase, downloadVerified } from './download.js';
import { inMemoryDataset, type SplitArrays } from './memory.js';
import type { Dataset, OpenOptions } from './types.js';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const PUBLIC_BASE = 'https://www.cs.toronto.edu/~kriz';
const ARCHIVE = 'cifar-10-binary.tar.gz';
/** Published on the CIFAR page (https://www.cs.toronto.edu/~kriz/cifar.html). */
export const CIFAR10_ARCHIVE_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILE = 'test_batch.bin';
const SIDE = 32;
const PIXELS = SIDE * SIDE * 3;
const RECORD = 1 + PIXELS;

/** Converts binary records (label byte, then the R, G and B planes) to HWC pixels and labels. */
export function parseCifarBatches(files: string[]): SplitArrays {
  const buffers = files.map((file) => {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; check the CIFAR-10 directory`);
    }
    if (buf.length === 0 || buf.length % RECORD !== 0) {
      throw new UsageError(`${file} is not a CIFAR-10 binary batch (${buf.length} bytes is not a whole number of ${RECORD}-byte records); replace it with an intact copy`);
    }
    return buf;
  });
  const count = buffers.reduce((n, b) => n + b.length / RECORD, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const [f, buf] of buffers.entries()) {
    for (let r = 0; r < buf.length; r += RECORD, n++) {
      const label = buf[r];
      if (label > 9) throw new UsageError(`${files[f]} has label ${label} in record ${r / RECORD}; the file is corrupt`);
      labels[n] = label;
      const out = n * PIXELS;
      for (let p = 0; p < SIDE * SIDE; p++) {
        images[out + 3 * p] = buf[r + 1 + p];
        images[out + 3 * p + 1] = buf[r + 1 + 1024 + p];
        images[out + 3 * p + 2] = buf[r + 1 + 2048 + p];
      }
    }
  }
  return { images, labels };
}

/** Accepts the `cifar-10-batches-bin` folder itself or the folder that contains it. */
function resolveBatchDir(dir: string): string {
  if (!fs.existsSync(dir)) throw new UsageError(`cifar10 data directory ${dir} does not exist; pass the folder holding the binary batches (cifar-10-batches-bin)`);
  const nested = path.join(dir, 'cifar-10-batches-bin');
  const batchDir = fs.existsSync(nested) ? nested : dir;
  const missing = [...TRAIN_FILES, TEST_FILE].filter((f) => !fs.existsSync(path.join(batchDir, f)));
  if (missing.length > 0) throw new UsageError(`cifar10 data directory ${batchDir} lacks ${missing.join(', ')}; it must hold the binary release (cifar-10-binary.tar.gz, extracted)`);
  return batchDir;
}

/** Extracts the batch files of the binary release into `destDir`, which appears only once complete. */
export async function extractCifarArchive(archive: string, destDir: string): Promise<void> {
  const wanted = new Set([...TRAIN_FILES, TEST_FILE, 'batches.meta.txt']);
  await writeDirAtomic(destDir, async (tmp) => {
    try {
      await tar.x({ file: archive, cwd: tmp, strip: 1, strict: true, filter: (p) => wanted.has(path.basename(p)) });
    } catch (err) {
      throw new UsageError(`cannot extract ${archive} (${(err as Error).message}); delete it and download it again`);
    }
    const missing = [...TRAIN_FILES, TEST_FILE].filter((f) => !fs.existsSync(path.join(tmp, f)));
    if (missing.length > 0) throw new UsageError(`${archive} lacks ${missing.join(', ')}; it is not the CIFAR-10 binary release`);
  });
}

/** Downloads and extracts the binary release into `<cache>/cifar10/cifar-10-batches-bin` unless it is there. */
export async function fetchCifar10(opts: OpenOptions, archiveMd5 = CIFAR10_ARCHIVE_MD5): Promise<string> {
  const root = path.join(cacheRoot(opts), 'cifar10');
  const batchDir = path.join(root, 'cifar-10-batches-bin');
  if (fs.existsSync(batchDir)) return batchDir;
  const archive = path.join(root, ARCHIVE);
  await downloadVerified(`${downloadBase(opts, 'cifar10', PUBLIC_BASE)}/${ARCHIVE}`, archive, { md5: archiveMd5 });
  try {
    await extractCifarArchive(archive, batchDir);
  } finally {
    // The extracted batches are all we read; keeping the 170 MB archive too would double the cache.
    fs.rmSync(archive, { force: true });
  }
  return batchDir;
}

export async function openCifar10(opts: OpenOptions): Promise<Dataset> {
  const batchDir = resolveBatchDir(opts.dataDir ? path.resolve(opts.dataDir) : await fetchCifar10(opts));
  const train = parseCifarBatches(TRAIN_FILES.map((f) => path.join(batchDir, f)));
  const test = parseCifarBatches([path.join(batchDir, TEST_FILE)]);
  return inMemoryDataset({ name: 'cifar10', classNames: CIFAR10_CLASSES, height: SIDE, width: SIDE, channels: 3, hflip: true, train, test }, opts);
}
