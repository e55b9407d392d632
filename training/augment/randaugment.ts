/**
 * RandAugment as timm's `rand-m{M}-mstd{S}-inc1` does it: per image, `numOps` ops drawn uniformly
 * (with replacement) from the increasing-severity list, each applied with probability 0.5, at a
 * magnitude drawn per application from N(M, S) clipped to [0, 10]; signed ops are negated with
 * probability 0.5. Pixel semantics follow PIL on uint8 (values are rounded to 1/255 steps where PIL
 * thresholds or quantises). Images of the batch that drew the same op are processed together, so
 * a layer costs at most one kernel chain per op, whatever the batch size.
 * Greyscale (1-channel) images work: 'color' becomes the identity, the rest act per channel.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../common/rng.js';

export const RAND_INCREASING_OPS = [
  'AutoContrast', 'Equalize', 'Invert', 'Rotate', 'PosterizeIncreasing', 'SolarizeIncreasing', 'SolarizeAdd',
  'ColorIncreasing', 'ContrastIncreasing', 'BrightnessIncreasing', 'SharpnessIncreasing',
  'ShearX', 'ShearY', 'TranslateXRel', 'TranslateYRel',
] as const;
export type OpName = (typeof RAND_INCREASING_OPS)[number];

const MAX_LEVEL = 10;
/** timm's fill for pixels that geometry brings in from outside the image: grey 128. */
const FILL = 128 / 255;
const TRANSLATE_PCT = 0.45;

/** timm's level -> argument mappings (auto_augment.py, the `*_increasing` variants). */
export function opArgument(op: OpName, magnitude: number, sign: 1 | -1): number {
  const level = magnitude / MAX_LEVEL;
  switch (op) {
    case 'Rotate':
      return sign * level * 30; // degrees
    case 'PosterizeIncreasing':
      return 4 - Math.floor(level * 4); // bits kept
    case 'SolarizeIncreasing':
      return 256 - Math.floor(level * 256); // threshold
    case 'SolarizeAdd':
      return Math.floor(level * 110); // added below 128
    case 'ColorIncreasing':
    case 'ContrastIncreasing':
    case 'BrightnessIncreasing':
    case 'SharpnessIncreasing':
      return 1 + sign * level * 0.9; // enhancement factor
    case 'ShearX':
    case 'ShearY':
      return sign * level * 0.3;
    case 'TranslateXRel':
    case 'TranslateYRel':
      return sign * level * TRANSLATE_PCT; // fraction of the side
    default:
      return 0;
  }
}

export interface OpDraw {
  op: OpName;
  arg: number;
}

/** Draws, for each layer and image, the op to apply (or null when its 0.5 coin says skip). */
export function sampleRandAugment(n: number, cfg: { numOps: number; magnitude: number; magnitudeStd: number }, rng: Rng): Array<Array<OpDraw | null>> {
  const layers: Array<Array<OpDraw | null>> = [];
  for (let l = 0; l < cfg.numOps; l++) {
    const row: Array<OpDraw | null> = [];
    for (let i = 0; i < n; i++) {
      const op = RAND_INCREASING_OPS[rng.int(RAND_INCREASING_OPS.length)];
      const apply = rng.next() < 0.5;
      const raw = cfg.magnitudeStd > 0 ? rng.normal(cfg.magnitude, cfg.magnitudeStd) : cfg.magnitude;
      const magnitude = Math.min(MAX_LEVEL, Math.max(0, raw));
      const sign: 1 | -1 = rng.next() < 0.5 ? -1 : 1;
      row.push(apply ? { op, arg: opArgument(op, magnitude, sign) } : null);
    }
    layers.push(row);
  }
  return layers;
}

const column = (args: number[]) => tf.tensor4d(args, [args.length, 1, 1, 1]);
const toByte = (x: tf.Tensor4D) => tf.round(tf.mul(x, 255));

function grey(x: tf.Tensor4D): tf.Tensor4D {
  if (x.shape[3] === 1) return x;
  // ITU-R 601-2 luma, PIL's convert('L')
  return tf.sum(tf.mul(x, tf.tensor1d([0.299, 0.587, 0.114])), 3, true) as tf.Tensor4D;
}

function blend(degenerate: tf.Tensor, x: tf.Tensor4D, factor: tf.Tensor4D): tf.Tensor4D {
  return tf.clipByValue(tf.add(degenerate, tf.mul(factor, tf.sub(x, degenerate))), 0, 1) as tf.Tensor4D;
}

/** PIL's ImageFilter.SMOOTH (3×3, centre 5, others 1, /13) with the 1-pixel border left as is, per channel. */
function smooth(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w, c] = x.shape;
  const k = tf.tile(tf.tensor4d([1, 1, 1, 1, 5, 1, 1, 1, 1].map((v) => v / 13), [3, 3, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
  const blurred = tf.depthwiseConv2d(x, k, 1, 'same');
  const inner = tf.pad(tf.ones([1, h - 2, w - 2, 1]), [[0, 0], [1, 1], [1, 1], [0, 0]]);
  return tf.add(tf.mul(blurred, inner), tf.mul(x, tf.sub(1, inner))) as tf.Tensor4D;
}

/** Inverse (output -> input) affine maps as tf.image.transform rows, PIL's conventions. */
function geometryRow(op: OpName, arg: number, h: number, w: number): number[] {
  switch (op) {
    case 'Rotate': {
      const a = (-arg * Math.PI) / 180;
      const cx = (w - 1) / 2;
      const cy = (h - 1) / 2;
      const cos = Math.cos(a);
      const sin = Math.sin(a);
      return [cos, sin, cx - cos * cx - sin * cy, -sin, cos, cy + sin * cx - cos * cy, 0, 0];
    }
    // PIL's affine samples at pixel centres (index + 0.5), which shifts a shear by half its factor
    case 'ShearX':
      return [1, arg, arg / 2, 0, 1, 0, 0, 0];
    case 'ShearY':
      return [1, 0, 0, arg, 1, arg / 2, 0, 0];
    case 'TranslateXRel':
      return [1, 0, arg * w, 0, 1, 0, 0, 0];
    case 'TranslateYRel':
      return [1, 0, 0, 0, 1, arg * h, 0, 0];
    default:
      throw new Error(`${op} is not a geometric op`);
  }
}

/** PIL ImageOps.equalize on one channel of uint8 values: the LUT from the cumulative histogram. */
export function equalizeLut(values: ArrayLike<number>): Uint8Array | null {
  const hist = new Float64Array(256);
  for (let i = 0; i < values.length; i++) hist[values[i]]++;
  let last = -1;
  let nonzero = 0;
  let total = 0;
  for (let v = 0; v < 256; v++) {
    if (hist[v] > 0) {
      nonzero++;
      last = v;
    }
    total += hist[v];
  }
  if (nonzero <= 1) return null;
  const step = Math.floor((total - hist[last]) / 255);
  if (step === 0) return null;
  const lut = new Uint8Array(256);
  let acc = Math.floor(step / 2);
  for (let v = 0; v < 256; v++) {
    lut[v] = Math.min(255, Math.floor(acc / step));
    acc += hist[v];
  }
  return lut;
}

/**
 * PIL's ImageOps.equalize (the LUT of equalizeLut above) on tensors, per image and channel:
 * histograms by segment sum, the LUT from an exclusive cumulative sum, applied with one gather.
 * It stays on the backend: a GPU backend in Node cannot read pixels back synchronously, and a
 * read-back would stall every step anyway. Float32 is exact here: every count is below 2^23.
 */
function equalize(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const rows = n * c;
  const pixels = h * w;
  return tf.tidy(() => {
    // [rows, pixels] byte values, one row per (image, channel), offset by 256 per row: each row's
    // histogram gets its own 256 segments. Computed as floats (exact: below 2^24) and cast once:
    // tfjs-webgpu's Transpose shader mistypes int32 data, and int32 arithmetic has no native kernels.
    const bytes = tf.transpose(tf.clipByValue(toByte(x), 0, 255).reshape([n, pixels, c]), [0, 2, 1]).reshape([rows, pixels]);
    const binValues = tf.add(bytes, tf.range(0, rows * 256, 256, 'float32').reshape([rows, 1])).flatten();
    const bins = binValues.toInt() as tf.Tensor1D;
    const hist = tf.unsortedSegmentSum(tf.onesLike(binValues), bins, rows * 256).reshape([rows, 256]);
    const levels = tf.range(0, 256, 1, 'float32').reshape([1, 256]);
    const present = tf.greater(hist, 0).toFloat();
    const last = tf.max(tf.sub(tf.mul(present, tf.add(levels, 1)), 1), 1, true); // highest level in use
    const histLast = tf.sum(tf.mul(hist, tf.equal(levels, last).toFloat()), 1, true);
    const step = tf.floor(tf.div(tf.sub(pixels, histLast), 255));
    const identity = tf.logicalOr(tf.lessEqual(tf.sum(present, 1, true), 1), tf.equal(step, 0));
    const safeStep = tf.maximum(step, 1);
    const cumBefore = tf.cumsum(hist, 1, true); // exclusive: pixels strictly below each level
    const lut = tf.minimum(255, tf.floor(tf.div(tf.add(tf.floor(tf.div(safeStep, 2)), cumBefore), safeStep)));
    const table = tf.where(tf.broadcastTo(identity, [rows, 256]), tf.broadcastTo(levels, [rows, 256]), lut).flatten();
    const mapped = tf.gather(table, bins).reshape([n, c, pixels]); // float: see the transpose note above
    return tf.div(tf.transpose(mapped, [0, 2, 1]).reshape([n, h, w, c]), 255) as tf.Tensor4D;
  });
}

/** Applies one op to every image of `x` (one argument per image). Exported for the tests against PIL. */
export function applyOp(op: OpName, x: tf.Tensor4D, args: number[]): tf.Tensor4D {
  if (op === 'Equalize') return equalize(x);
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    switch (op) {
      case 'AutoContrast': {
        const lo = tf.min(x, [1, 2], true);
        const hi = tf.max(x, [1, 2], true);
        const span = tf.sub(hi, lo);
        const stretched = tf.div(tf.sub(x, lo), tf.maximum(span, 1e-6));
        return tf.where(tf.greater(span, 0).broadcastTo(x.shape), stretched, x) as tf.Tensor4D;
      }
      case 'Invert':
        return tf.sub(1, x) as tf.Tensor4D;
      case 'PosterizeIncreasing': {
        const q = column(args.map((bits) => 2 ** (8 - bits)));
        return tf.div(tf.mul(tf.floor(tf.div(toByte(x), q)), q), 255) as tf.Tensor4D;
      }
      case 'SolarizeIncreasing':
        return tf.where(tf.greaterEqual(toByte(x), column(args)), tf.sub(1, x), x) as tf.Tensor4D;
      case 'SolarizeAdd': {
        const added = tf.minimum(tf.add(x, tf.div(column(args), 255)), 1);
        return tf.where(tf.less(toByte(x), 128), added, x) as tf.Tensor4D;
      }
      case 'ColorIncreasing':
        return blend(grey(x), x, column(args));
      case 'ContrastIncreasing':
        // PIL: the degenerate image is the rounded mean of the greyscale image
        return blend(tf.div(tf.round(tf.mul(tf.mean(grey(x), [1, 2, 3], true), 255)), 255), x, column(args));
      case 'BrightnessIncreasing':
        return blend(tf.zerosLike(x), x, column(args));
      case 'SharpnessIncreasing':
        return blend(smooth(x), x, column(args));
      case 'Rotate':
      case 'ShearX':
      case 'ShearY':
      case 'TranslateXRel':
      case 'TranslateYRel': {
        const rows = tf.tensor2d(args.map((a) => geometryRow(op, a, h, w)), [args.length, 8]);
        return tf.image.transform(x, rows, 'bilinear', 'constant', FILL);
      }
    }
  });
}

/**
 * Applies one layer's draws: the images that drew each op are gathered, transformed together,
 * and everything is put back in batch order with one gather.
 */
function applyLayer(x: tf.Tensor4D, draws: Array<OpDraw | null>): tf.Tensor4D {
  const groups = new Map<OpName, { idx: number[]; args: number[] }>();
  const untouched: number[] = [];
  draws.forEach((d, i) => {
    if (!d) return void untouched.push(i);
    const g = groups.get(d.op) ?? { idx: [], args: [] };
    g.idx.push(i);
    g.args.push(d.arg);
    groups.set(d.op, g);
  });
  if (groups.size === 0) return tf.clone(x);
  const order = [...untouched];
  const parts: tf.Tensor4D[] = [];
  if (untouched.length > 0) parts.push(tf.gather(x, untouched) as tf.Tensor4D);
  for (const [op, g] of groups) {
    const sub = tf.gather(x, g.idx) as tf.Tensor4D;
    parts.push(applyOp(op, sub, g.args));
    sub.dispose();
    order.push(...g.idx);
  }
  const inverse = new Array<number>(order.length);
  order.forEach((img, pos) => (inverse[img] = pos));
  const out = tf.tidy(() => tf.gather(parts.length === 1 ? parts[0] : tf.concat(parts, 0), inverse) as tf.Tensor4D);
  for (const p of parts) p.dispose();
  return out;
}

/** Runs RandAugment on the batch; the caller owns the result (and still owns `x`). */
export function randAugment(x: tf.Tensor4D, cfg: { numOps: number; magnitude: number; magnitudeStd: number }, rng: Rng): tf.Tensor4D {
  const layers = sampleRandAugment(x.shape[0], cfg, rng);
  let cur = x;
  for (const draws of layers) {
    const next = applyLayer(cur, draws);
    if (cur !== x) cur.dispose();
    cur = next;
  }
  return cur === x ? tf.clone(x) : cur;
}
