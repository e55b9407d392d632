/**
 * Building blocks shared by the backbone files, written once with tfjs layers in the functional
 * style: each takes the Builder (seeded init, names) and a symbolic tensor and returns one.
 * Convolutions followed by batch norm have no bias (the norm's offset plays that role), which is
 * also what lets fold-bn.ts fold them.
 */
import * as tf from '@tensorflow/tfjs';
import type { Builder } from './builder.js';
import { ChannelScale, HardSigmoid, HardSwish, LayerNorm } from './layers.js';

type T = tf.SymbolicTensor;

export type Act = 'relu' | 'relu6' | 'swish' | 'gelu' | 'hard_swish' | 'sigmoid' | 'hard_sigmoid' | 'linear';

/** Batch-norm momentum: 0.9 (PyTorch's 0.1) rather than Keras' 0.99, because runs here are short. */
export const BN_MOMENTUM = 0.9;
export const BN_EPSILON = 1e-5;
export const LN_EPSILON = 1e-6;

export function activation(b: Builder, x: T, act: Act): T {
  if (act === 'linear') return x;
  if (act === 'hard_swish') return new HardSwish({ name: b.name('hswish') }).apply(x) as T;
  if (act === 'hard_sigmoid') return new HardSigmoid({ name: b.name('hsigmoid') }).apply(x) as T;
  return tf.layers.activation({ activation: act, name: b.name(act) }).apply(x) as T;
}

export function batchNorm(b: Builder, x: T): T {
  return tf.layers
    .batchNormalization({ axis: -1, momentum: BN_MOMENTUM, epsilon: BN_EPSILON, name: b.name('bn') })
    .apply(x) as T;
}

export function layerNorm(b: Builder, x: T): T {
  return new LayerNorm({ epsilon: LN_EPSILON, name: b.name('ln') }).apply(x) as T;
}

export interface ConvOptions {
  kernel: number;
  stride?: number;
  act?: Act;
  /** Depthwise (one filter per input channel) instead of a full convolution. */
  depthwise?: boolean;
  /** Omit the batch norm (the conv then gets a bias). */
  norm?: boolean;
  padding?: 'same' | 'valid';
}

/** Conv (or depthwise conv) → BN → activation. */
export function convBn(b: Builder, x: T, filters: number, opts: ConvOptions): T {
  const norm = opts.norm ?? true;
  const common = {
    kernelSize: opts.kernel,
    strides: opts.stride ?? 1,
    padding: opts.padding ?? 'same',
    useBias: !norm,
  } as const;
  const y = opts.depthwise
    ? (tf.layers
        .depthwiseConv2d({ ...common, depthMultiplier: 1, depthwiseInitializer: b.he(), name: b.name('dwconv') })
        .apply(x) as T)
    : (tf.layers.conv2d({ ...common, filters, kernelInitializer: b.he(), name: b.name('conv') }).apply(x) as T);
  return activation(b, norm ? batchNorm(b, y) : y, opts.act ?? 'linear');
}

export function add(b: Builder, a: T, c: T): T {
  return tf.layers.add({ name: b.name('add') }).apply([a, c]) as T;
}

export function dense(b: Builder, x: T, units: number, act: Act = 'linear', useBias = true): T {
  const y = tf.layers
    .dense({ units, useBias, kernelInitializer: b.glorot(), name: b.name('dense') })
    .apply(x) as T;
  return activation(b, y, act);
}

/** Global average pool over the spatial axes → dense logits. */
export function poolHead(b: Builder, x: T, numClasses: number): T {
  const pooled = tf.layers.globalAveragePooling2d({ name: b.name('gap') }).apply(x) as T;
  return dense(b, pooled, numClasses);
}

export function channels(x: T): number {
  return x.shape[x.shape.length - 1] as number;
}

/** The shortcut of a residual block: identity, or 1×1 conv + BN when the shape changes. */
function shortcut(b: Builder, x: T, filters: number, stride: number): T {
  if (stride === 1 && channels(x) === filters) return x;
  return convBn(b, x, filters, { kernel: 1, stride });
}

/** ResNet basic block: 3×3 conv-BN-ReLU → 3×3 conv-BN, plus shortcut, ReLU. */
export function basicBlock(b: Builder, x: T, filters: number, stride: number): T {
  let y = convBn(b, x, filters, { kernel: 3, stride, act: 'relu' });
  y = convBn(b, y, filters, { kernel: 3 });
  return activation(b, add(b, y, shortcut(b, x, filters, stride)), 'relu');
}

/** ResNet bottleneck block (v1.5: stride on the 3×3): 1×1 reduce → 3×3 → 1×1 expand ×4. */
export function bottleneckBlock(b: Builder, x: T, width: number, stride: number, expansion = 4): T {
  let y = convBn(b, x, width, { kernel: 1, act: 'relu' });
  y = convBn(b, y, width, { kernel: 3, stride, act: 'relu' });
  y = convBn(b, y, width * expansion, { kernel: 1 });
  return activation(b, add(b, y, shortcut(b, x, width * expansion, stride)), 'relu');
}

/** Channel counts rounded the way MobileNet/EfficientNet do: a multiple of 8, at most 10% lower. */
export function makeDivisible(v: number, divisor = 8): number {
  const rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}

export interface SEOptions {
  reduce: number;
  act: Act;
  gate: 'sigmoid' | 'hard_sigmoid';
}

/** Squeeze-excitation: GAP → dense(reduce, act) → dense(C, gate) → scale x per channel. */
export function squeezeExcite(b: Builder, x: T, se: SEOptions): T {
  const pooled = tf.layers.globalAveragePooling2d({ name: b.name('se_gap') }).apply(x) as T;
  const s = dense(b, dense(b, pooled, se.reduce, se.act), channels(x), se.gate);
  return new ChannelScale({ name: b.name('se_scale') }).apply([x, s]) as T;
}

export interface InvertedResidualOptions {
  /** Channels after the 1×1 expansion (equal to the input's: no expansion conv). */
  expanded: number;
  out: number;
  kernel: number;
  stride: number;
  act: Act;
  se: SEOptions | null;
}

/**
 * MobileNetV2/V3 inverted residual and EfficientNet MBConv: 1×1 expand → k×k depthwise → SE →
 * 1×1 linear projection, with an identity shortcut when stride is 1 and channels are kept.
 */
export function invertedResidual(b: Builder, x: T, o: InvertedResidualOptions): T {
  const inC = channels(x);
  let y = o.expanded === inC ? x : convBn(b, x, o.expanded, { kernel: 1, act: o.act });
  y = convBn(b, y, o.expanded, { kernel: o.kernel, stride: o.stride, act: o.act, depthwise: true });
  if (o.se) y = squeezeExcite(b, y, o.se);
  y = convBn(b, y, o.out, { kernel: 1 });
  return o.stride === 1 && inC === o.out ? add(b, y, x) : y;
}
