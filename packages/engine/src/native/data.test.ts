/**
 * The native backend's data-movement, comparison, indexing and image kernels (the ones
 * augmentation and the loss run: Slice, Reverse, PadV2, Range, ZerosLike/OnesLike, Cast, the
 * comparisons, Select, GatherV2, OneHot, Cumsum, UnsortedSegmentSum, Tile of int32/bool,
 * CropAndResize, Transform, Round/Floor/Ceil/ClipByValue/Pow) against tfjs's cpu backend.
 *
 * Integer, boolean and copying kernels must match exactly; float arithmetic within 1e-5 of the
 * largest reference value (the image kernels compute in double like the JS reference, so they
 * differ by float rounding only). Every case also asserts that the native kernel ran, not the cpu
 * one it falls back to for inputs it does not take.
 *
 * Skips, with a message, where the addon is not built.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { relErr } from '../../test/compare.js';
import { SeededRandom } from '../../test/random.js';
import { registerUsibenchKernels } from '../register.js';
import { takeCpuFallbacks } from './kernel.js';
import { registerNativeBackend } from './register.js';

registerUsibenchKernels(tf);

const reg = await registerNativeBackend();
if (!reg.available) console.warn(`native/data.test.ts: skipped, ${reg.reason}`);

const TOL = 1e-5;

interface Input { values: number[] | Float32Array | Int32Array | Uint8Array; shape: number[]; dtype: 'float32' | 'int32' | 'bool' }
interface Output { values: number[]; shape: number[]; dtype: string }

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
function floats(rng: SeededRandom, shape: number[]): Input {
  return { values: Float32Array.from({ length: size(shape) }, () => rng.normal()), shape, dtype: 'float32' };
}
function ints(rng: SeededRandom, shape: number[], lo: number, hi: number): Input {
  return { values: Int32Array.from({ length: size(shape) }, () => lo + rng.int(hi - lo)), shape, dtype: 'int32' };
}
function bools(rng: SeededRandom, shape: number[]): Input {
  return { values: Uint8Array.from({ length: size(shape) }, () => (rng.next() < 0.5 ? 1 : 0)), shape, dtype: 'bool' };
}
/** Floats on a grid of halves, with ties, zeros, negatives and repeats (comparisons, rounding). */
function grid(rng: SeededRandom, shape: number[]): Input {
  return { values: Float32Array.from({ length: size(shape) }, () => (rng.int(13) - 6) / 2), shape, dtype: 'float32' };
}

async function runOn(backend: string, inputs: Input[], f: (...t: tf.Tensor[]) => tf.Tensor): Promise<Output> {
  await tf.setBackend(backend);
  const ts = inputs.map((i) => tf.tensor(i.values as number[], i.shape, i.dtype));
  const y = f(...ts);
  const out = { values: Array.from(y.dataSync() as ArrayLike<number>), shape: y.shape, dtype: y.dtype };
  tf.dispose([y, ...ts]);
  return out;
}

/** f on cpu and on native: same shape and dtype, values exact (or within TOL), no cpu kernel run inside native. */
async function check(label: string, inputs: Input[], f: (...t: tf.Tensor[]) => tf.Tensor, exact = true, ref = 'cpu') {
  const want = await runOn(ref, inputs, f);
  takeCpuFallbacks();
  const got = await runOn('native', inputs, f);
  expect([...takeCpuFallbacks().keys()], `${label}: cpu kernels run by native ones`).toEqual([]);
  expect(got.shape, label).toEqual(want.shape);
  expect(got.dtype, label).toBe(want.dtype);
  if (exact) expect(got.values, label).toEqual(want.values);
  else expect(relErr(got.values, want.values), label).toBeLessThanOrEqual(TOL);
}

const pick = <T>(rng: SeededRandom, xs: readonly T[]): T => xs[rng.int(xs.length)];
const randShape = (rng: SeededRandom, rank: number) => Array.from({ length: rank }, () => 1 + rng.int(5));

describe.skipIf(!reg.available)('native backend: data, comparison, indexing and image kernels', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('every kernel checked here is the native backend\'s own, not the cpu one', () => {
    for (const name of ['Slice', 'Reverse', 'PadV2', 'Range', 'ZerosLike', 'OnesLike', 'Cast', 'Equal', 'NotEqual', 'Less', 'LessEqual',
      'Greater', 'GreaterEqual', 'LogicalAnd', 'LogicalOr', 'Select', 'GatherV2', 'OneHot', 'Cumsum', 'UnsortedSegmentSum', 'CropAndResize',
      'Transform', 'Round', 'Floor', 'Ceil', 'ClipByValue', 'Pow', 'Tile']) {
      expect(tf.getKernel(name, 'native')?.kernelFunc, name).not.toBe(tf.getKernel(name, 'cpu')?.kernelFunc);
    }
  });

  it('slice, reverse and pad over ranks 1-4, float32, int32 and bool', async () => {
    const rng = new SeededRandom(3);
    for (let t = 0; t < 24; t++) {
      const rank = 1 + (t % 4);
      const shape = randShape(rng, rank);
      const x = pick(rng, [floats(rng, shape), ints(rng, shape, -50, 50), bools(rng, shape)]);
      const begin = shape.map((d) => rng.int(d));
      const sz = shape.map((d, i) => 1 + rng.int(d - begin[i]));
      await check(`slice ${shape} ${begin} ${sz} ${x.dtype}`, [x], (a) => tf.slice(a, begin, sz));
      const axes = shape.map((_, i) => i).filter(() => rng.next() < 0.6);
      await check(`reverse ${shape} [${axes}] ${x.dtype}`, [x], (a) => tf.reverse(a, axes));
      if (x.dtype !== 'bool') {
        const pads = shape.map(() => [rng.int(3), rng.int(3)] as [number, number]);
        await check(`pad ${shape} ${JSON.stringify(pads)} ${x.dtype}`, [x], (a) => tf.pad(a, pads, x.dtype === 'int32' ? 7 : 0.25));
      }
    }
  });

  it('range (rising, falling, fractional, empty), zerosLike/onesLike and tile of int32 and bool', async () => {
    const ranges: Array<[number, number, number, 'float32' | 'int32']> = [
      [0, 10, 1, 'int32'], [0, 1024, 256, 'float32'], [5, -3, 1, 'float32'], [10, 0, -3, 'int32'], [0.5, 3.2, 0.1, 'float32'],
      [2, 2, 1, 'float32'], [0, 5, -1, 'int32'], [-1.5, 4, 0.75, 'int32'],
    ];
    for (const [start, stop, step, dtype] of ranges) await check(`range ${start} ${stop} ${step} ${dtype}`, [], () => tf.range(start, stop, step, dtype));
    const rng = new SeededRandom(5);
    for (const x of [floats(rng, [3, 4]), ints(rng, [2, 5], -3, 3), bools(rng, [7])]) {
      await check(`zerosLike ${x.dtype}`, [x], (a) => tf.zerosLike(a));
      await check(`onesLike ${x.dtype}`, [x], (a) => tf.onesLike(a));
    }
    for (const x of [ints(rng, [2, 1, 3], -9, 9), bools(rng, [3, 1]), bools(rng, [1, 2, 2, 1])]) {
      const reps = x.shape.map(() => 1 + rng.int(3));
      await check(`tile ${x.shape} x ${reps} ${x.dtype}`, [x], (a) => tf.tile(a, reps));
      await check(`broadcastTo ${x.shape} ${x.dtype}`, [x], (a) => tf.broadcastTo(a, [2, ...x.shape.map((d) => (d === 1 ? 3 : d))]));
    }
  });

  it('cast between float32, int32 and bool (truncation, negatives, NaN, large values)', async () => {
    const f: Input = { values: Float32Array.from([0, -0.5, 0.5, 1.99, -1.99, 255.7, NaN, -3e9, 3e9, 16777217, -0, 2.5]), shape: [12], dtype: 'float32' };
    // int32 values float32 holds exactly: the cpu backend relabels int32 storage as float32 without converting it
    const i: Input = { values: Int32Array.from([0, -1, 7, 2147483520, -2147483648, 16777216]), shape: [6], dtype: 'int32' };
    const b: Input = { values: Uint8Array.from([0, 1, 1, 0]), shape: [4], dtype: 'bool' };
    for (const x of [f, i, b]) for (const to of ['float32', 'int32', 'bool'] as const) await check(`cast ${x.dtype} -> ${to}`, [x], (a) => tf.cast(a, to));
  });

  it('comparisons and logical ops with broadcasting, ties and NaN', async () => {
    const rng = new SeededRandom(9);
    const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
      ['equal', tf.equal], ['notEqual', tf.notEqual], ['less', tf.less], ['lessEqual', tf.lessEqual], ['greater', tf.greater], ['greaterEqual', tf.greaterEqual],
    ];
    const shapes: Array<[number[], number[]]> = [[[4, 5], [4, 5]], [[3, 1, 4], [2, 1]], [[6], []], [[], [2, 3]], [[2, 3, 4, 5], [5]]];
    for (const [sa, sb] of shapes) {
      for (const [name, op] of ops) {
        const a = grid(rng, sa);
        if (a.values.length > 2) (a.values as Float32Array)[1] = NaN;
        await check(`${name} float ${sa} ${sb}`, [a, grid(rng, sb)], op);
        await check(`${name} int32 ${sa} ${sb}`, [ints(rng, sa, -2, 3), ints(rng, sb, -2, 3)], op);
      }
      await check(`logicalAnd ${sa} ${sb}`, [bools(rng, sa), bools(rng, sb)], tf.logicalAnd);
      await check(`logicalOr ${sa} ${sb}`, [bools(rng, sa), bools(rng, sb)], tf.logicalOr);
    }
  });

  it('select (where), float32 and int32', async () => {
    const rng = new SeededRandom(11);
    await check('where full', [bools(rng, [3, 4, 2]), floats(rng, [3, 4, 2]), floats(rng, [3, 4, 2])], (c, a, b) => tf.where(c, a, b));
    await check('where int32', [bools(rng, [5]), ints(rng, [5], -9, 9), ints(rng, [5], -9, 9)], (c, a, b) => tf.where(c, a, b));
  });

  it('gather along every axis, 1-d and 2-d indices, float32 and int32; oneHot with out-of-range indices', async () => {
    const rng = new SeededRandom(13);
    for (let t = 0; t < 16; t++) {
      const shape = randShape(rng, 1 + (t % 4));
      const axis = rng.int(shape.length);
      const idxShape = t % 2 ? [1 + rng.int(6)] : [2, 1 + rng.int(3)];
      const idx = ints(rng, idxShape, 0, shape[axis]);
      const x = t % 3 ? floats(rng, shape) : ints(rng, shape, -99, 99);
      await check(`gather ${shape} axis ${axis} idx ${idxShape} ${x.dtype}`, [x, idx], (a, i) => tf.gather(a, i, axis));
    }
    const idx: Input = { values: Int32Array.from([0, 3, -1, 9, 2, 10]), shape: [2, 3], dtype: 'int32' };
    await check('oneHot int32', [idx], (i) => tf.oneHot(i, 10));
    await check('oneHot float32 on/off', [idx], (i) => tf.oneHot(i, 4, 0.9, 0.05, 'float32'));
  });

  it('cumsum along every axis, exclusive and reverse; unsortedSegmentSum with dropped ids', async () => {
    const rng = new SeededRandom(17);
    for (const shape of [[7], [3, 5], [2, 3, 4], [2, 1, 3, 5]]) {
      for (let axis = 0; axis < shape.length; axis++) {
        for (const [exclusive, reverse] of [[false, false], [true, false], [false, true], [true, true]]) {
          await check(`cumsum ${shape} axis ${axis} ${exclusive} ${reverse}`, [floats(rng, shape)], (x) => tf.cumsum(x, axis, exclusive, reverse), false);
        }
      }
    }
    for (const [xs, ids] of [[[40], [40]], [[12, 3], [12]], [[6, 2, 2], [6]]] as Array<[number[], number[]]>) {
      const id = ints(rng, ids, -1, 8); // -1 and 7 fall outside 7 segments
      await check(`segmentSum ${xs} ids ${ids}`, [floats(rng, xs), id], (x, i) => tf.unsortedSegmentSum(x, i as tf.Tensor1D, 7), false);
    }
    const counts = ints(rng, [3000], 0, 256);
    await check('segmentSum histogram', [counts], (i) => tf.unsortedSegmentSum(tf.onesLike(i).toFloat(), i as tf.Tensor1D, 256));
  });

  it('round (half to even), floor, ceil, clipByValue and pow', async () => {
    const rng = new SeededRandom(19);
    const x = grid(rng, [5, 13]);
    (x.values as Float32Array).set([NaN, -0.5, 0.5, 1.5, 2.5, -2.5, 1e8 + 0.5], 0);
    await check('round', [x], tf.round);
    await check('floor', [x], tf.floor);
    await check('ceil', [x], tf.ceil);
    await check('clipByValue', [x], (a) => tf.clipByValue(a, -1.5, 2));
    const base: Input = { values: Float32Array.from({ length: 24 }, () => rng.uniform(0.1, 3)), shape: [4, 6], dtype: 'float32' };
    await check('pow', [base, floats(rng, [6])], tf.pow, false);
    await check('pow scalar', [base], (a) => tf.pow(a, 3), false);
  });

  it('cropAndResize: boxes inside, outside, flipped and degenerate, bilinear and nearest, crop size 1', async () => {
    const rng = new SeededRandom(23);
    const image = floats(rng, [3, 9, 7, 2]);
    const boxes: number[] = [];
    for (let b = 0; b < 10; b++) {
      const y1 = rng.uniform(-0.3, 1), x1 = rng.uniform(-0.3, 1);
      boxes.push(y1, x1, b % 3 === 0 ? y1 : rng.uniform(-0.2, 1.3), rng.uniform(-0.2, 1.3));
    }
    const boxIn: Input = { values: Float32Array.from(boxes), shape: [10, 4], dtype: 'float32' };
    const ind: Input = { values: Int32Array.from({ length: 10 }, (_, i) => (i === 4 ? 3 : i % 3)), shape: [10], dtype: 'int32' }; // 3: no such image
    for (const method of ['bilinear', 'nearest'] as const) {
      for (const crop of [[5, 6], [1, 4], [1, 1]] as Array<[number, number]>) {
        await check(`cropAndResize ${method} ${crop}`, [image, boxIn, ind], (im, bx, bi) => tf.image.cropAndResize(im as tf.Tensor4D, bx as tf.Tensor2D, bi as tf.Tensor1D, crop, method, 0.375), false);
      }
    }
  });

  it('transform: affine and projective maps, every fill mode, bilinear and nearest', async () => {
    const rng = new SeededRandom(29);
    const rows = (n: number) => {
      const v: number[] = [];
      for (let i = 0; i < n; i++) v.push(rng.uniform(0.7, 1.3), rng.uniform(-0.4, 0.4), rng.uniform(-3, 3), rng.uniform(-0.4, 0.4), rng.uniform(0.7, 1.3), rng.uniform(-3, 3), i % 2 ? rng.uniform(-0.05, 0.05) : 0, i % 2 ? rng.uniform(-0.05, 0.05) : 0);
      return v;
    };
    for (const fill of ['constant', 'reflect', 'wrap', 'nearest'] as const) {
      for (const interp of ['bilinear', 'nearest'] as const) {
        const op = (im: tf.Tensor, tr: tf.Tensor) => tf.image.transform(im as tf.Tensor4D, tr as tf.Tensor2D, interp, fill, 0.5);
        const image = floats(rng, [4, 8, 6, 3]);
        const t4: Input = { values: Float32Array.from(rows(4)), shape: [4, 8], dtype: 'float32' };
        // tfjs 4.22's cpu Transform writes only the first image of a batch (it returns inside its batch
        // loop), so the reference runs it one image at a time
        const want = await runOn('cpu', [image, t4], (im, tr) =>
          tf.concat([0, 1, 2, 3].map((b) => op(tf.slice(im, b, 1), tf.slice(tr, b, 1))), 0));
        takeCpuFallbacks();
        const got = await runOn('native', [image, t4], op);
        expect([...takeCpuFallbacks().keys()]).toEqual([]);
        expect(got.shape).toEqual(want.shape);
        expect(relErr(got.values, want.values), `transform ${fill} ${interp}`).toBeLessThanOrEqual(TOL);
        const t1: Input = { values: Float32Array.from(rows(1)), shape: [1, 8], dtype: 'float32' };
        await check(`transform one row for all ${fill} ${interp}`, [{ ...image, values: image.values.slice(0, 144), shape: [1, 8, 6, 3] }, t1], op, false);
      }
    }
  });
});
