import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUsageError } from '../../common/errors.js';
import { decodeImage, openImageFolder } from './imagefolder.js';
import { openDataset } from './index.js';
import { fixtureImages, tempDir } from './test-support.js';
import type { Batch } from './types.js';

const { imagenette, cifar10: cifar } = fixtureImages;
let work: string;

async function usageMessage(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(isUsageError(err), `expected a UsageError, got ${String(err)}`).toBe(true);
  return (err as Error).message;
}

beforeAll(() => {
  work = tempDir('imagefolder');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('imagefolder on real images', () => {
  it('imagenette-mini: classes, sizes, 3 channels for the greyscale photos too, labels by sorted folder', async () => {
    const ds = await openDataset(`imagefolder:${imagenette}`, { resolution: 64 });
    const classes = fs.readdirSync(path.join(imagenette, 'train')).sort();
    expect(ds.info).toMatchObject({ numClasses: 10, classNames: classes, resolution: 64, channels: 3, trainSize: 50, testSize: 30, hflip: true });
    let greyFound = 0;
    let seen = 0;
    const counts = new Array(10).fill(0);
    for await (const b of ds.batches('test', { batchSize: 64 })) {
      expect(b.images.length).toBe(b.size * 64 * 64 * 3);
      for (let i = 0; i < b.size; i++) {
        counts[b.labels[i]]++;
        const img = b.images.subarray(i * 64 * 64 * 3, (i + 1) * 64 * 64 * 3);
        let grey = true;
        for (let p = 0; p < img.length && grey; p += 3) grey = img[p] === img[p + 1] && img[p] === img[p + 2];
        if (grey) greyFound++;
      }
      seen += b.size;
    }
    expect(seen).toBe(30);
    expect(counts).toEqual(new Array(10).fill(3));
    expect(greyFound).toBeGreaterThan(0); // the fixture's val split holds single-channel JPEGs
  });

  it('imagenette-mini: the pixels are the sharp cover-resize of the file, and the default resolution is the native one', async () => {
    const ds = await openImageFolder(imagenette, { testLimit: 10 });
    expect(ds.info.resolution).toBe(224);
    const b = (await ds.batches('test', { batchSize: 10 })[Symbol.asyncIterator]().next()).value as Batch;
    const firstClass = ds.info.classNames[0];
    const firstFile = path.join(imagenette, 'val', firstClass, fs.readdirSync(path.join(imagenette, 'val', firstClass)).sort()[0]);
    const ref = await sharp(firstFile).resize(224, 224).removeAlpha().toColourspace('srgb').raw().toBuffer();
    expect(b.labels[0]).toBe(0);
    let maxErr = 0;
    for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(b.images[i] * 255 - ref[i]));
    expect(maxErr).toBeLessThan(1e-3);
  });

  it('cifar10 jpegs: 32x32 native, balanced subset, seeded shuffle', async () => {
    const ds = await openDataset(`imagefolder:${cifar}`, { trainLimit: 50 });
    expect(ds.info.resolution).toBe(32);
    expect(ds.info.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    expect(ds.info.trainSize).toBe(50);
    const labels = async (seed: number) => {
      const out: number[] = [];
      for await (const b of ds.batches('train', { batchSize: 16, shuffle: true, seed })) out.push(...b.labels);
      return out;
    };
    const a = await labels(1);
    expect(a).toEqual(await labels(1));
    expect(a).not.toEqual(await labels(2));
    expect(new Array(10).fill(0).map((_, c) => a.filter((l) => l === c).length)).toEqual(new Array(10).fill(5));
  });

  it('streams: decodes at most a few batches ahead of the consumer', async () => {
    const ds = await openImageFolder(imagenette, { resolution: 32, prefetch: 1, concurrency: 2 });
    const it = ds.batches('train', { batchSize: 8 })[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setTimeout(r, 300)); // let any runaway read-ahead show itself
    // one consumed + (prefetch + 1) queued batches at most, out of 7
    expect(ds.decoded).toBeLessThanOrEqual(8 * 3);
    expect(ds.decoded).toBeGreaterThanOrEqual(8);
    await it.return?.(undefined);
  });
});

describe('imagefolder bad input', () => {
  it('missing path, missing split, empty class, unknown val class, unreadable image', async () => {
    expect(await usageMessage(openDataset('imagefolder:/nonexistent/folder'))).toMatch(/image folder \/nonexistent\/folder does not exist/);
    expect(await usageMessage(openDataset('imagefolder:'))).toMatch(/imagefolder needs a path/);

    const root = path.join(work, 'bad');
    const src = path.join(cifar, 'train', 'cat', '0000.jpg');
    for (const [split, cls] of [['train', 'cat'], ['train', 'dog'], ['val', 'cat']]) {
      fs.mkdirSync(path.join(root, split, cls), { recursive: true });
      fs.copyFileSync(src, path.join(root, split, cls, 'a.jpg'));
    }
    fs.rmSync(path.join(root, 'val'), { recursive: true });
    expect(await usageMessage(openDataset(`imagefolder:${root}`))).toMatch(/has neither val\/ nor test\//);
    fs.mkdirSync(path.join(root, 'val', 'cat'), { recursive: true });
    fs.copyFileSync(src, path.join(root, 'val', 'cat', 'a.jpg'));

    fs.mkdirSync(path.join(root, 'train', 'emu'));
    fs.writeFileSync(path.join(root, 'train', 'emu', 'notes.txt'), 'not an image');
    expect(await usageMessage(openDataset(`imagefolder:${root}`))).toMatch(/class folder .*train\/emu has no images/);
    fs.rmSync(path.join(root, 'train', 'emu'), { recursive: true });

    fs.mkdirSync(path.join(root, 'val', 'yak'));
    fs.copyFileSync(src, path.join(root, 'val', 'yak', 'a.jpg'));
    expect(await usageMessage(openDataset(`imagefolder:${root}`))).toMatch(/val\/yak has no counterpart in train/);
    fs.rmSync(path.join(root, 'val', 'yak'), { recursive: true });

    const broken = path.join(root, 'train', 'dog', 'broken.jpg');
    fs.writeFileSync(broken, fs.readFileSync(src).subarray(0, 200));
    const ds = await openDataset(`imagefolder:${root}`, { resolution: 32 });
    const drain = async () => {
      for await (const _ of ds.batches('train', { batchSize: 2 })) void _;
    };
    expect(await usageMessage(drain())).toMatch(/cannot decode image .*broken\.jpg/);
    await expect(decodeImage(src, 16)).resolves.toHaveLength(16 * 16 * 3);
  });
});
