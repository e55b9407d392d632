/**
 * The converter registry: one function per tfjs layer class that emits the ONNX nodes computing
 * that layer, plus the helpers the converters share (weights in ONNX order, activations, padding).
 */
import type * as tf from '@tensorflow/tfjs';
import { UsageError } from '../../common/errors.js';
import { float, ints, type GraphBuilder, type Value } from './graph.js';

export interface Weight {
  shape: number[];
  values: Float32Array;
}

export interface ConvertContext {
  g: GraphBuilder;
  layer: tf.layers.Layer;
  // Layer configs are loosely typed serialisation dictionaries.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  config: Record<string, any>;
  inputs: Value[];
  /** tfjs output shapes without the batch dimension. */
  outShapes: number[][];
  /** How many layers (or model outputs) read each input: 1 means this layer is its only reader. */
  inputReaders: number[];
  /** The layer's weights in getWeights() order. */
  weights: Weight[];
  /** The weight whose variable name ends with `/suffix` (as tfjs names them: layer/kernel). */
  weight(suffix: string): Weight;
}

export type Converter = (ctx: ConvertContext) => Value[];

const converters = new Map<string, Converter>();

export function registerConverter(className: string, fn: Converter): void {
  converters.set(className, fn);
}

export function converterFor(layer: tf.layers.Layer): Converter {
  const className = layer.getClassName();
  const fn = converters.get(className);
  if (!fn)
    throw new UsageError(
      `cannot export layer '${layer.name}' of class ${className} to ONNX: no converter for it; ` +
        `add one in bench/onnx (supported: ${[...converters.keys()].sort().join(', ')})`,
    );
  return fn;
}

export function supportedLayers(): string[] {
  return [...converters.keys()].sort();
}

/** Emits a tfjs activation (by its serialised class name) on x; preserves x's layout. */
export function activation(g: GraphBuilder, name: string | null | undefined, x: Value, base: string): Value {
  const v = (n: string): Value => ({ ...x, name: n });
  switch (name ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return v(g.op('Relu', [x.name], {}, `${base}_relu`));
    case 'relu6':
      return v(g.op('Clip', [x.name, g.constF('zero', [], [0]), g.constF('six', [], [6])], {}, `${base}_relu6`));
    case 'sigmoid':
      return v(g.op('Sigmoid', [x.name], {}, `${base}_sigmoid`));
    case 'tanh':
      return v(g.op('Tanh', [x.name], {}, `${base}_tanh`));
    case 'elu':
      return v(g.op('Elu', [x.name], { alpha: float(1) }, `${base}_elu`));
    case 'selu':
      return v(g.op('Selu', [x.name], {}, `${base}_selu`));
    case 'softplus':
      return v(g.op('Softplus', [x.name], {}, `${base}_softplus`));
    case 'softsign':
      return v(g.op('Softsign', [x.name], {}, `${base}_softsign`));
    case 'hardSigmoid':
    case 'hard_sigmoid': // tfjs: clip(0.2·x + 0.5, 0, 1)
      return v(g.op('HardSigmoid', [x.name], { alpha: float(0.2), beta: float(0.5) }, `${base}_hsig`));
    case 'swish':
    case 'silu': {
      const s = g.op('Sigmoid', [x.name], {}, `${base}_sig`);
      return v(g.op('Mul', [x.name, s], {}, `${base}_swish`));
    }
    case 'mish': {
      const sp = g.op('Softplus', [x.name], {}, `${base}_sp`);
      const t = g.op('Tanh', [sp], {}, `${base}_tanh`);
      return v(g.op('Mul', [x.name, t], {}, `${base}_mish`));
    }
    case 'gelu': {
      // tfjs 'gelu' is the exact form x·Φ(x) = 0.5·x·(1 + erf(x/√2)); opset 17 has no Gelu op.
      const d = g.op('Div', [x.name, g.constF('sqrt2', [], [Math.SQRT2])], {}, `${base}_div`);
      const e = g.op('Erf', [d], {}, `${base}_erf`);
      const p = g.op('Add', [e, g.constF('one', [], [1])], {}, `${base}_add`);
      const m = g.op('Mul', [x.name, p], {}, `${base}_mul`);
      return v(g.op('Mul', [m, g.constF('half', [], [0.5])], {}, `${base}_gelu`));
    }
    case 'gelu_new': {
      // tfjs 'gelu_new': 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const x3 = g.op('Mul', [x.name, g.op('Mul', [x.name, x.name], {}, `${base}_sq`)], {}, `${base}_cube`);
      const inner = g.op('Add', [x.name, g.op('Mul', [x3, g.constF('c', [], [0.044715])])], {}, `${base}_in`);
      const t = g.op('Tanh', [g.op('Mul', [inner, g.constF('k', [], [Math.sqrt(2 / Math.PI)])])], {}, `${base}_t`);
      const p = g.op('Add', [t, g.constF('one', [], [1])], {}, `${base}_p`);
      return v(g.op('Mul', [g.op('Mul', [x.name, p]), g.constF('half', [], [0.5])], {}, `${base}_gelu`));
    }
    case 'softmax': {
      const n = g.native(x);
      return { ...n, name: g.op('Softmax', [n.name], { axis: { kind: 'int', value: -1 } }, `${base}_softmax`) };
    }
    default:
      throw new UsageError(`cannot export activation '${name}' to ONNX; supported: relu, relu6, swish, gelu, …`);
  }
}

/** Explicit [top, left, bottom, right] padding for tfjs's 'same' (extra padding at the end) or 'valid'. */
export function spatialPads(
  padding: string,
  inHW: [number, number],
  kernel: [number, number],
  strides: [number, number],
  dilation: [number, number] = [1, 1],
): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new UsageError(`cannot export padding '${padding}' to ONNX`);
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < 2; i++) {
    const eff = (kernel[i] - 1) * dilation[i] + 1;
    const out = Math.ceil(inHW[i] / strides[i]);
    const total = Math.max((out - 1) * strides[i] + eff - inHW[i], 0);
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [before[0], before[1], after[0], after[1]];
}

export function pair(v: number | number[]): [number, number] {
  return Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v];
}

/** Transposes a row-major array of `shape` by `perm`. */
export function permute(values: Float32Array, shape: number[], perm: number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  inStrides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * shape[i + 1];
  const out = new Float32Array(values.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d] * inStrides[perm[d]];
    out[o] = values[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** ONNX Conv weight [cout, cin/groups, kh, kw] from a tfjs Conv2D kernel [kh, kw, cin/groups, cout]. */
export function convKernel(w: Weight): Weight {
  const [kh, kw, cin, cout] = w.shape;
  return { shape: [cout, cin, kh, kw], values: permute(w.values, w.shape, [3, 2, 0, 1]) };
}

/** ONNX grouped-Conv weight [cin·mult, 1, kh, kw] from a tfjs depthwise kernel [kh, kw, cin, mult]. */
export function depthwiseKernel(w: Weight): Weight {
  const [kh, kw, cin, mult] = w.shape;
  // tfjs output channel c·mult + m comes from input channel c: group c of ONNX's grouped conv.
  return { shape: [cin * mult, 1, kh, kw], values: permute(w.values, w.shape, [2, 3, 0, 1]) };
}

/** Emits an NCHW Conv (with optional bias) and returns its NCHW output. */
export function emitConv(
  g: GraphBuilder,
  x: Value,
  kernel: Weight,
  bias: Float32Array | null,
  opts: { strides: [number, number]; dilation: [number, number]; padding: string; groups: number; outShape: number[]; base: string },
): Value {
  const xin = g.nchw(x);
  const [, , kh, kw] = kernel.shape;
  const pads = spatialPads(opts.padding, [x.shape[0], x.shape[1]], [kh, kw], opts.strides, opts.dilation);
  const inputs = [xin.name, g.constF(`${opts.base}_W`, kernel.shape, kernel.values)];
  if (bias) inputs.push(g.constF(`${opts.base}_B`, [bias.length], bias));
  const name = g.op(
    'Conv',
    inputs,
    {
      kernel_shape: ints([kh, kw]),
      strides: ints(opts.strides),
      dilations: ints(opts.dilation),
      pads: ints(pads),
      group: { kind: 'int', value: opts.groups },
    },
    opts.base,
  );
  return { name, shape: opts.outShape, layout: 'nchw' };
}
