import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUsageError } from '../../common/errors.js';
import { fetchCifar10 } from './cifar10.js';
import { openDataset } from './index.js';
import { FASHION_SYSTEM_DIR, fetchFashionMnist, openFashionMnist } from './mnist.js';
import { fixtureImages, tempDir } from './test-support.js';
import type { Batch } from './types.js';

/** URL path -> file served; everything else is a 404. */
const routes = new Map<string, string>();
let server: http.Server;
let base: string;
let work: string;

async function usageMessage(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(isUsageError(err), `expected a UsageError, got ${String(err)}`).toBe(true);
  return (err as Error).message;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

beforeAll(async () => {
  work = tempDir('download');
  server = http.createServer((req, res) => {
    const file = routes.get(req.url ?? '');
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(work, { recursive: true, force: true });
});

const FASHION = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

describe.skipIf(!fs.existsSync(FASHION_SYSTEM_DIR))('fashion-mnist download from a local mirror', () => {
  it('downloads, verifies, caches, and then loads from the cache without the network', async () => {
    for (const f of FASHION) routes.set(`/good/fashion-mnist/${f}.gz`, path.join(FASHION_SYSTEM_DIR, `${f}.gz`));
    const cacheDir = path.join(work, 'cache-good');
    const dir = await fetchFashionMnist({ cacheDir, mirror: `${base}/good` });
    expect(dir).toBe(path.join(cacheDir, 'fashion-mnist'));
    expect(filesUnder(dir)).toEqual(FASHION.map((f) => `${f}.gz`).sort());
    routes.clear(); // from here on, only the cache can serve the files
    const ds = await openFashionMnist({ cacheDir, mirror: `${base}/good` }, '/nonexistent/system-dir');
    expect(ds.info).toMatchObject({ name: 'fashion-mnist', trainSize: 60000, testSize: 10000 });
    const b = (await ds.batches('train', { batchSize: 5 })[Symbol.asyncIterator]().next()).value as Batch;
    expect(Array.from(b.labels)).toEqual([9, 0, 0, 3, 0]);
  });

  it('a wrong checksum names the file and both hashes, and leaves nothing in the cache', async () => {
    // the mirror serves the test images under the training images' name
    routes.set('/bad/fashion-mnist/train-images-idx3-ubyte.gz', path.join(FASHION_SYSTEM_DIR, 't10k-images-idx3-ubyte.gz'));
    const cacheDir = path.join(work, 'cache-bad');
    const actualMd5 = crypto.createHash('md5').update(fs.readFileSync(path.join(FASHION_SYSTEM_DIR, 't10k-images-idx3-ubyte.gz'))).digest('hex');
    const msg = await usageMessage(fetchFashionMnist({ cacheDir, mirror: `${base}/bad` }));
    expect(msg).toContain('checksum mismatch for train-images-idx3-ubyte.gz');
    expect(msg).toContain('expected md5 8d4fb7e6c68d591d4c3dfef9ec88bf0d');
    expect(msg).toContain(`got md5 ${actualMd5}`);
    expect(msg).toContain('sha256 of contents 5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b'); // what was actually served
    expect(filesUnder(path.join(cacheDir, 'fashion-mnist'))).toEqual([]); // no file, no temp file
  });

  it('honours USIBENCH_DATA_MIRROR and reports an HTTP error clearly', async () => {
    const cacheDir = path.join(work, 'cache-404');
    process.env.USIBENCH_DATA_MIRROR = `${base}/missing`;
    try {
      const msg = await usageMessage(fetchFashionMnist({ cacheDir }));
      expect(msg).toMatch(new RegExp(`download of ${base}/missing/fashion-mnist/train-images-idx3-ubyte.gz failed with HTTP 404`));
    } finally {
      delete process.env.USIBENCH_DATA_MIRROR;
    }
    expect(filesUnder(path.join(cacheDir, 'fashion-mnist'))).toEqual([]);
  });
});

describe('cifar10 binary release from a local mirror', () => {
  it('downloads the archive, checks its md5, extracts it, reads the records back as the images they came from', async () => {
    // a miniature binary release made from real CIFAR-10 images (the JPEG fixture)
    const jpegRoot = fixtureImages.cifar10;
    const classes = fs.readdirSync(path.join(jpegRoot, 'train')).sort();
    const pixelsOf = async (file: string) => sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer();
    const record = async (split: string, cls: number, n: number) => {
      const hwc = await pixelsOf(path.join(jpegRoot, split, classes[cls], `000${n}.jpg`));
      const rec = Buffer.alloc(3073);
      rec[0] = cls;
      for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) rec[1 + c * 1024 + p] = hwc[3 * p + c];
      return { rec, hwc };
    };
    const release = path.join(work, 'release');
    const bins = path.join(release, 'cifar-10-batches-bin');
    fs.mkdirSync(bins, { recursive: true });
    const expectedTrain: Array<{ cls: number; hwc: Buffer }> = [];
    for (let i = 1; i <= 5; i++) {
      const recs = [];
      for (const cls of [2 * i - 2, 2 * i - 1]) {
        const r = await record('train', cls, i % 3);
        recs.push(r.rec);
        expectedTrain.push({ cls, hwc: r.hwc });
      }
      fs.writeFileSync(path.join(bins, `data_batch_${i}.bin`), Buffer.concat(recs));
    }
    fs.writeFileSync(path.join(bins, 'test_batch.bin'), Buffer.concat([(await record('test', 7, 0)).rec, (await record('test', 3, 1)).rec]));
    fs.writeFileSync(path.join(bins, 'batches.meta.txt'), `${classes.join('\n')}\n`);
    const archive = path.join(work, 'cifar-10-binary.tar.gz');
    await tar.c({ gzip: true, file: archive, cwd: release }, ['cifar-10-batches-bin']);
    const md5 = crypto.createHash('md5').update(fs.readFileSync(archive)).digest('hex');
    routes.set('/c/cifar10/cifar-10-binary.tar.gz', archive);

    // the real release's md5 does not match this archive: refused, nothing kept
    const badCache = path.join(work, 'cifar-bad');
    const msg = await usageMessage(fetchCifar10({ cacheDir: badCache, mirror: `${base}/c` }));
    expect(msg).toContain(`checksum mismatch for cifar-10-binary.tar.gz from ${base}/c/cifar10/cifar-10-binary.tar.gz: expected md5 c32a1d4ab5d03f1284b67883e8d87530, got md5 ${md5}`);
    expect(filesUnder(path.join(badCache, 'cifar10'))).toEqual([]);

    const cacheDir = path.join(work, 'cifar-good');
    const batchDir = await fetchCifar10({ cacheDir, mirror: `${base}/c` }, md5);
    expect(filesUnder(path.join(cacheDir, 'cifar10'))).toEqual([
      'cifar-10-batches-bin',
      ...['batches.meta.txt', 'data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'].map((f) => `cifar-10-batches-bin/${f}`),
    ]);
    routes.clear();
    const ds = await openDataset('cifar10', { cacheDir });
    expect(ds.info).toMatchObject({ name: 'cifar10', trainSize: 10, testSize: 2, channels: 3, resolution: 32 });
    const batches: Batch[] = [];
    for await (const b of ds.batches('train', { batchSize: 4 })) batches.push(b);
    const images = batches.flatMap((b) => Array.from({ length: b.size }, (_, i) => ({ label: b.labels[i], px: b.images.subarray(i * 3072, (i + 1) * 3072) })));
    expect(images.map((x) => x.label)).toEqual(expectedTrain.map((x) => x.cls));
    for (const [i, x] of images.entries()) {
      for (const p of [0, 1, 2, 1000, 3071]) expect(x.px[p]).toBeCloseTo(expectedTrain[i].hwc[p] / 255, 6);
    }
    const test = (await ds.batches('test', { batchSize: 8 })[Symbol.asyncIterator]().next()).value as Batch;
    expect(Array.from(test.labels)).toEqual([7, 3]);

    // a directory given explicitly, with a damaged batch file
    fs.appendFileSync(path.join(batchDir, 'test_batch.bin'), Buffer.from([1, 2, 3]));
    expect(await usageMessage(openDataset('cifar10', { dataDir: path.dirname(batchDir) }))).toMatch(/test_batch\.bin is not a CIFAR-10 binary batch/);
    expect(await usageMessage(openDataset('cifar10', { dataDir: path.join(work, 'nope') }))).toMatch(/cifar10 data directory .*nope does not exist/);
  });
});
