import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isUsageError } from '../../common/errors.js';
import { openDataset } from './index.js';
import { embeddedMnistDir, FASHION_SYSTEM_DIR } from './mnist.js';
import { tempDir } from './test-support.js';
import type { Batch, Dataset } from './types.js';

async function collect(ds: Dataset, split: 'train' | 'test', batchSize: number, opts: { shuffle?: boolean; seed?: number; dropLast?: boolean } = {}): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of ds.batches(split, { batchSize, ...opts })) out.push(b);
  return out;
}

async function usageMessage(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(isUsageError(err), `expected a UsageError, got ${String(err)}`).toBe(true);
  return (err as Error).message;
}

describe('mnist (embedded)', () => {
  it('reads the real IDX files: sizes, first labels, normalisation', async () => {
    const ds = await openDataset('mnist');
    expect(ds.info).toMatchObject({ name: 'mnist', numClasses: 10, resolution: 28, channels: 1, hflip: false, trainSize: 60000, testSize: 10000 });
    // mean/std published for MNIST (torchvision examples): 0.1307, 0.3081
    expect(ds.info.mean[0]).toBeCloseTo(0.1307, 4);
    expect(ds.info.std[0]).toBeCloseTo(0.3081, 4);
    const first = await ds.batches('train', { batchSize: 12 })[Symbol.asyncIterator]().next();
    const b = first.value as Batch;
    expect(b.size).toBe(12);
    expect(b.images.length).toBe(12 * 28 * 28);
    expect(Array.from(b.labels)).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4, 3, 5]);
    const test = await ds.batches('test', { batchSize: 10 })[Symbol.asyncIterator]().next();
    expect(Array.from((test.value as Batch).labels)).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    // pixel (row 14, col 14) of the first training image, read from the raw file: 16-byte header
    const raw = fs.readFileSync(path.join(embeddedMnistDir(), 'train-images-idx3-ubyte'));
    expect(b.images[14 * 28 + 14]).toBeCloseTo(raw[16 + 14 * 28 + 14] / 255, 6);
  });

  it('resizes 28 -> 32, takes a fixed balanced subset, shuffles by seed, keeps/drops the last batch', async () => {
    const ds = await openDataset('mnist', { resolution: 32, trainLimit: 95, testLimit: 20 });
    expect(ds.info.resolution).toBe(32);
    expect(ds.info.trainSize).toBe(95);
    const batches = await collect(ds, 'train', 20);
    expect(batches.map((b) => b.size)).toEqual([20, 20, 20, 20, 15]);
    expect(batches[0].images.length).toBe(20 * 32 * 32);
    const counts = new Array(10).fill(0);
    for (const b of batches) for (const l of b.labels) counts[l]++;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    let lo = Infinity;
    let hi = -Infinity;
    for (const b of batches) for (const v of b.images) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi).toBeGreaterThan(0.9);

    const dropped = await collect(ds, 'train', 20, { dropLast: true });
    expect(dropped.length).toBe(4);
    const labelsOf = (bs: Batch[]) => bs.flatMap((b) => Array.from(b.labels));
    const s1 = labelsOf(await collect(ds, 'train', 32, { shuffle: true, seed: 7 }));
    const s2 = labelsOf(await collect(ds, 'train', 32, { shuffle: true, seed: 7 }));
    const s3 = labelsOf(await collect(ds, 'train', 32, { shuffle: true, seed: 8 }));
    expect(s1).toEqual(s2);
    expect(s1).not.toEqual(s3);
    // same subset whatever the seed: the multiset of labels is the unshuffled one
    expect([...s1].sort()).toEqual([...labelsOf(batches)].sort());
  });

  it('rejects bad input with a UsageError naming the problem', async () => {
    expect(await usageMessage(openDataset('mnsit'))).toMatch(/unknown dataset 'mnsit'.*mnist, fashion-mnist, cifar10, imagefolder/);
    expect(await usageMessage(openDataset('mnist', { dataDir: '/nonexistent/mnist' }))).toMatch(/\/nonexistent\/mnist does not exist/);
    expect(await usageMessage(openDataset('mnist', { trainLimit: 0 }))).toMatch(/trainLimit must be a positive/);
    expect(await usageMessage(openDataset('mnist', { resolution: 3 }))).toMatch(/resolution must be/);

    const dir = tempDir('corrupt-idx');
    const src = embeddedMnistDir();
    for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
    const images = path.join(dir, 't10k-images-idx3-ubyte');
    fs.truncateSync(images, 1000);
    expect(await usageMessage(openDataset('mnist', { dataDir: dir }))).toMatch(/t10k-images-idx3-ubyte is not a valid IDX file \(header says 10000×28×28/);
    fs.writeFileSync(`${images}.gz`, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    fs.rmSync(images);
    expect(await usageMessage(openDataset('mnist', { dataDir: dir }))).toMatch(/t10k-images-idx3-ubyte\.gz is a corrupt gzip file/);
    fs.writeFileSync(`${images}.gz`, zlib.gzipSync(fs.readFileSync(path.join(src, 't10k-labels-idx1-ubyte'))));
    expect(await usageMessage(openDataset('mnist', { dataDir: dir }))).toMatch(/rank-1 array, not N×H×W images/);
    fs.rmSync(`${images}.gz`);
    expect(await usageMessage(openDataset('mnist', { dataDir: dir }))).toMatch(/lacks t10k-images-idx3-ubyte\[\.gz\]/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('converts lazily: the iterator does no work before it is pulled', async () => {
    const ds = await openDataset('mnist', { trainLimit: 50 });
    const it = ds.batches('train', { batchSize: 0 })[Symbol.asyncIterator]();
    // the batch-size check runs on the first pull, proving the generator body had not started
    expect(await usageMessage(it.next())).toMatch(/batch size must be a positive whole number/);
  });
});

describe.skipIf(!fs.existsSync(FASHION_SYSTEM_DIR))('fashion-mnist from Debian', () => {
  it('reads the gzipped IDX files in /usr/share/datasets/fashion-mnist', async () => {
    const ds = await openDataset('fashion-mnist', { cacheDir: tempDir('unused-cache') });
    expect(ds.info).toMatchObject({ name: 'fashion-mnist', numClasses: 10, resolution: 28, channels: 1, hflip: true, trainSize: 60000, testSize: 10000 });
    expect(ds.info.classNames[9]).toBe('Ankle boot');
    expect(ds.info.mean[0]).toBeCloseTo(0.286, 3);
    expect(ds.info.std[0]).toBeCloseTo(0.353, 3);
    const train = (await ds.batches('train', { batchSize: 10 })[Symbol.asyncIterator]().next()).value as Batch;
    expect(Array.from(train.labels)).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    const test = (await ds.batches('test', { batchSize: 10 })[Symbol.asyncIterator]().next()).value as Batch;
    expect(Array.from(test.labels)).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
  });
});
if (!fs.existsSync(FASHION_SYSTEM_DIR)) console.warn(`skipping fashion-mnist: ${FASHION_SYSTEM_DIR} is absent (apt-get install dataset-fashion-mnist)`);
