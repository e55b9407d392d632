import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../common/rng.js';
import { openDataset } from '../data/index.js';
import { fixtureImages } from '../data/test-support.js';
import type { AugmentConfig } from './config.js';
import { sampleCropBox } from './crop.js';
import { augmentBatch, USI_AUGMENT } from './index.js';

const NONE: AugmentConfig = { randomResizedCrop: null, hflip: false, randAugment: null, mix: null };
let mnist: { x: tf.Tensor4D; y: Int32Array };
let colour: { x: tf.Tensor4D; y: Int32Array };

beforeAll(async () => {
  await tf.setBackend('cpu');
  const ds = await openDataset('mnist', { trainLimit: 16, resolution: 24 });
  const b = (await ds.batches('train', { batchSize: 16 })[Symbol.asyncIterator]().next()).value!;
  mnist = { x: tf.tensor4d(b.images, [16, 24, 24, 1]), y: b.labels };
  const cds = await openDataset(`imagefolder:${fixtureImages.imagenette}`, { resolution: 24, testLimit: 16 });
  const cb = (await cds.batches('test', { batchSize: 16 })[Symbol.asyncIterator]().next()).value!;
  colour = { x: tf.tensor4d(cb.images, [16, 24, 24, 3]), y: cb.labels };
});
afterAll(() => tf.dispose([mnist.x, colour.x]));

describe('augmentBatch with the USI setting', () => {
  it.each([['greyscale', () => mnist], ['colour', () => colour]] as const)('%s: shape kept, values in [0,1], target rows sum to 1, reproducible by seed', (_n, get) => {
    const { x, y } = get();
    const run = (seed: number) => {
      const out = augmentBatch(x, y, 10, USI_AUGMENT, new Rng(seed));
      const r = { images: out.images.arraySync() as number[][][][], flat: out.images.dataSync().slice(), targets: out.targets.arraySync() as number[][], shape: out.images.shape };
      tf.dispose([out.images, out.targets]);
      return r;
    };
    const a = run(1);
    expect(a.shape).toEqual(x.shape);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of a.flat) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    for (const row of a.targets) {
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
    }
    expect(Array.from(run(1).flat)).toEqual(Array.from(a.flat));
    expect(run(1).targets).toEqual(a.targets);
    expect(Array.from(run(2).flat)).not.toEqual(Array.from(a.flat));
    // the input was changed (not returned as is)
    expect(Array.from(a.flat)).not.toEqual(Array.from(x.dataSync()));
  });

  it('keeps tf.memory().numTensors flat over repeated calls', () => {
    const rng = new Rng(3);
    const step = () => {
      const out = augmentBatch(colour.x, colour.y, 10, USI_AUGMENT, rng);
      tf.dispose([out.images, out.targets]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 8; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** Image i is the constant (i+1)/(n+1), so a pixel says which image it came from. */
function constantBatch(n: number, side: number): tf.Tensor4D {
  const data = new Float32Array(n * side * side);
  for (let i = 0; i < n; i++) data.fill((i + 1) / (n + 1), i * side * side, (i + 1) * side * side);
  return tf.tensor4d(data, [n, side, side, 1]);
}

describe('mixup and cutmix', () => {
  const n = 6;
  const side = 20;
  const labels = Int32Array.from([0, 1, 2, 3, 4, 5]);

  it('cutmix pastes a box from the flipped batch whose area is exactly 1 - λ of the targets', () => {
    const x = constantBatch(n, side);
    const cfg: AugmentConfig = { ...NONE, mix: { mixupAlpha: 0, cutmixAlpha: 1, switchProb: 0.5, prob: 1 } };
    let mixed = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const out = augmentBatch(x, labels, n, cfg, new Rng(seed));
      const px = out.images.dataSync();
      const t = out.targets.arraySync() as number[][];
      tf.dispose([out.images, out.targets]);
      const lam = t[0][labels[0]];
      if (lam < 1) mixed++;
      for (let i = 0; i < n; i++) {
        const partner = n - 1 - i;
        expect(t[i][labels[i]]).toBeCloseTo(lam, 6);
        expect(t[i][labels[partner]]).toBeCloseTo(1 - lam, 6);
        let pasted = 0;
        const rows = new Set<number>();
        const cols = new Set<number>();
        for (let p = 0; p < side * side; p++) {
          const v = px[i * side * side + p];
          if (Math.abs(v - (partner + 1) / (n + 1)) < 1e-6) {
            pasted++;
            rows.add(Math.floor(p / side));
            cols.add(p % side);
          } else expect(v).toBeCloseTo((i + 1) / (n + 1), 6);
        }
        expect(pasted / (side * side)).toBeCloseTo(1 - lam, 6);
        expect(pasted).toBe(rows.size * cols.size); // a rectangle
      }
    }
    expect(mixed).toBeGreaterThan(6);
    x.dispose();
  });

  it('mixup blends each image with its partner by the λ of its targets', () => {
    const x = constantBatch(n, side);
    const cfg: AugmentConfig = { ...NONE, mix: { mixupAlpha: 0.8, cutmixAlpha: 0, switchProb: 0.5, prob: 1 } };
    const out = augmentBatch(x, labels, n, cfg, new Rng(5));
    const px = out.images.dataSync();
    const t = out.targets.arraySync() as number[][];
    tf.dispose([out.images, out.targets, x]);
    const lam = t[0][0];
    expect(lam).toBeGreaterThan(0);
    expect(lam).toBeLessThan(1);
    for (let i = 0; i < n; i++) {
      const want = (lam * (i + 1) + (1 - lam) * (n - i)) / (n + 1);
      expect(px[i * side * side + 7]).toBeCloseTo(want, 5);
    }
  });

  it('switch probability picks cutmix about half the time (λ-corrected boxes give hard edges)', () => {
    const x = constantBatch(n, side);
    let cut = 0;
    const trials = 60;
    for (let seed = 0; seed < trials; seed++) {
      const out = augmentBatch(x, labels, n, { ...NONE, mix: USI_AUGMENT.mix }, new Rng(seed));
      const px = out.images.dataSync();
      tf.dispose([out.images, out.targets]);
      // a cutmix image holds only its own and its partner's values; a mixup image neither
      const own = (0 + 1) / (n + 1);
      const other = n / (n + 1);
      if (Array.from(px.subarray(0, side * side)).every((v) => Math.abs(v - own) < 1e-6 || Math.abs(v - other) < 1e-6)) cut++;
    }
    x.dispose();
    expect(cut).toBeGreaterThan(trials * 0.3);
    expect(cut).toBeLessThan(trials * 0.7);
  });
});

describe('crop and flip', () => {
  it('flip alone returns each image either unchanged or mirrored, both happening', () => {
    const out = augmentBatch(colour.x, colour.y, 10, { ...NONE, hflip: true }, new Rng(11));
    const got = out.images.arraySync() as number[][][][];
    const src = colour.x.arraySync() as number[][][][];
    tf.dispose([out.images, out.targets]);
    let flipped = 0;
    for (let i = 0; i < got.length; i++) {
      const mirrored = src[i].map((row) => [...row].reverse());
      const same = (a: number[][][], b: number[][][]) => a.every((r, y) => r.every((p, x) => p.every((v, c) => Math.abs(v - b[y][x][c]) < 1e-5)));
      const isFlip = same(got[i], mirrored);
      expect(isFlip || same(got[i], src[i])).toBe(true);
      if (isFlip) flipped++;
    }
    expect(flipped).toBeGreaterThan(2);
    expect(flipped).toBeLessThan(14);
  });

  it('random-resized-crop boxes lie inside the image with area and aspect in range', () => {
    const rng = new Rng(9);
    for (let k = 0; k < 500; k++) {
      const b = sampleCropBox(24, 32, [0.08, 1], [3 / 4, 4 / 3], rng);
      expect(b.top).toBeGreaterThanOrEqual(0);
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.top + b.height).toBeLessThanOrEqual(24);
      expect(b.left + b.width).toBeLessThanOrEqual(32);
      const area = (b.height * b.width) / (24 * 32);
      expect(area).toBeGreaterThan(0.04); // 0.08 less rounding on a small image
      expect(b.width / b.height).toBeGreaterThan(0.6);
      expect(b.width / b.height).toBeLessThan(1.6);
    }
    // impossible area (scale above 1 never fits): the fallback is the centre crop clamped to the ratio
    expect(sampleCropBox(10, 40, [2, 3], [3 / 4, 4 / 3], new Rng(1))).toEqual({ top: 0, left: 13, height: 10, width: 13 });
  });
});
