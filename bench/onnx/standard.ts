/**
 * Converters for the built-in tfjs layers the roster uses.
 */
import { UsageError } from '../../common/errors.js';
import {
  activation,
  convKernel,
  depthwiseKernel,
  emitConv,
  pair,
  permute,
  registerConverter,
  spatialPads,
  type ConvertContext,
} from './convert.js';
import { float, int, ints, type GraphBuilder, type Value } from './graph.js';

function requireChannelsLast(ctx: ConvertContext): void {
  const fmt = ctx.config.dataFormat;
  if (fmt && fmt !== 'channelsLast')
    throw new UsageError(`cannot export layer '${ctx.layer.name}': only channelsLast data format is supported`);
}

function optionalBias(ctx: ConvertContext): Float32Array | null {
  return ctx.config.useBias === false ? null : ctx.weight('bias').values;
}

registerConverter('InputLayer', (ctx) => ctx.inputs);
for (const identity of ['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout'])
  registerConverter(identity, (ctx) => ctx.inputs);

registerConverter('Conv2D', (ctx) => {
  requireChannelsLast(ctx);
  const y = emitConv(ctx.g, ctx.inputs[0], convKernel(ctx.weight('kernel')), optionalBias(ctx), {
    strides: pair(ctx.config.strides),
    dilation: pair(ctx.config.dilationRate ?? 1),
    padding: ctx.config.padding,
    groups: 1,
    outShape: ctx.outShapes[0],
    base: ctx.layer.name,
  });
  return [activation(ctx.g, ctx.config.activation, y, ctx.layer.name)];
});

registerConverter('DepthwiseConv2D', (ctx) => {
  requireChannelsLast(ctx);
  const k = depthwiseKernel(ctx.weight('depthwise_kernel'));
  const y = emitConv(ctx.g, ctx.inputs[0], k, optionalBias(ctx), {
    strides: pair(ctx.config.strides),
    dilation: pair(ctx.config.dilationRate ?? 1),
    padding: ctx.config.padding,
    groups: ctx.inputs[0].shape[2],
    outShape: ctx.outShapes[0],
    base: ctx.layer.name,
  });
  return [activation(ctx.g, ctx.config.activation, y, ctx.layer.name)];
});

registerConverter('SeparableConv2D', (ctx) => {
  requireChannelsLast(ctx);
  const x = ctx.inputs[0];
  const dk = depthwiseKernel(ctx.weight('depthwise_kernel'));
  const strides = pair(ctx.config.strides);
  const [oh, ow] = ctx.outShapes[0];
  const mid = emitConv(ctx.g, x, dk, null, {
    strides,
    dilation: pair(ctx.config.dilationRate ?? 1),
    padding: ctx.config.padding,
    groups: x.shape[2],
    outShape: [oh, ow, dk.shape[0]],
    base: `${ctx.layer.name}_dw`,
  });
  const y = emitConv(ctx.g, mid, convKernel(ctx.weight('pointwise_kernel')), optionalBias(ctx), {
    strides: [1, 1],
    dilation: [1, 1],
    padding: 'valid',
    groups: 1,
    outShape: ctx.outShapes[0],
    base: `${ctx.layer.name}_pw`,
  });
  return [activation(ctx.g, ctx.config.activation, y, ctx.layer.name)];
});

/** x·W + b over the last axis. A 4-D value held in NCHW becomes a 1×1 Conv (no transposes). */
export function emitDense(g: GraphBuilder, x: Value, kernel: Float32Array, kShape: number[], bias: Float32Array | null, outShape: number[], base: string): Value {
  const [cin, cout] = kShape;
  if (x.layout === 'nchw') {
    const w = permute(kernel, kShape, [1, 0]);
    const inputs = [x.name, g.constF(`${base}_W`, [cout, cin, 1, 1], w)];
    if (bias) inputs.push(g.constF(`${base}_B`, [cout], bias));
    return { name: g.op('Conv', inputs, { kernel_shape: ints([1, 1]) }, base), shape: outShape, layout: 'nchw' };
  }
  const W = g.constF(`${base}_W`, kShape, kernel);
  if (x.shape.length === 1) {
    const inputs = [x.name, W];
    if (bias) inputs.push(g.constF(`${base}_B`, [cout], bias));
    return { name: g.op('Gemm', inputs, {}, base), shape: outShape, layout: 'native' };
  }
  let y = g.op('MatMul', [x.name, W], {}, `${base}_mm`);
  if (bias) y = g.op('Add', [y, g.constF(`${base}_B`, [cout], bias)], {}, base);
  return { name: y, shape: outShape, layout: 'native' };
}

registerConverter('Dense', (ctx) => {
  const k = ctx.weight('kernel');
  const y = emitDense(ctx.g, ctx.inputs[0], k.values, k.shape, optionalBias(ctx), ctx.outShapes[0], ctx.layer.name);
  return [activation(ctx.g, ctx.config.activation, y, ctx.layer.name)];
});

registerConverter('Activation', (ctx) => [activation(ctx.g, ctx.config.activation, ctx.inputs[0], ctx.layer.name)]);
registerConverter('ReLU', (ctx) => {
  const max = ctx.config.maxValue;
  if (max == null) return [activation(ctx.g, 'relu', ctx.inputs[0], ctx.layer.name)];
  const x = ctx.inputs[0];
  const name = ctx.g.op('Clip', [x.name, ctx.g.constF('zero', [], [0]), ctx.g.constF('max', [], [max])], {}, ctx.layer.name);
  return [{ ...x, name }];
});
registerConverter('LeakyReLU', (ctx) => {
  const x = ctx.inputs[0];
  return [{ ...x, name: ctx.g.op('LeakyRelu', [x.name], { alpha: float(ctx.config.alpha ?? 0.3) }, ctx.layer.name) }];
});
registerConverter('ELU', (ctx) => {
  const x = ctx.inputs[0];
  return [{ ...x, name: ctx.g.op('Elu', [x.name], { alpha: float(ctx.config.alpha ?? 1) }, ctx.layer.name) }];
});
registerConverter('Softmax', (ctx) => {
  const x = ctx.g.native(ctx.inputs[0]);
  const axis = ctx.config.axis ?? -1;
  return [{ ...x, name: ctx.g.op('Softmax', [x.name], { axis: int(Array.isArray(axis) ? axis[0] : axis) }, ctx.layer.name) }];
});

/** Puts elementwise operands in one layout: NCHW when any is NCHW and all are image-shaped. */
export function alignLayouts(g: GraphBuilder, xs: Value[]): Value[] {
  const allImages = xs.every((x) => x.shape.length === 3);
  if (allImages && xs.some((x) => x.layout === 'nchw')) return xs.map((x) => g.nchw(x));
  return xs.map((x) => g.native(x));
}

function merge(opType: string, scale?: number) {
  return (ctx: ConvertContext): Value[] => {
    const xs = alignLayouts(ctx.g, ctx.inputs);
    let acc = xs[0].name;
    for (let i = 1; i < xs.length; i++) acc = ctx.g.op(opType, [acc, xs[i].name], {}, ctx.layer.name);
    if (scale !== undefined) acc = ctx.g.op('Mul', [acc, ctx.g.constF('scale', [], [scale])], {}, ctx.layer.name);
    return [{ name: acc, shape: ctx.outShapes[0], layout: xs[0].layout }];
  };
}
registerConverter('Add', merge('Add'));
registerConverter('Multiply', merge('Mul'));
registerConverter('Maximum', merge('Max'));
registerConverter('Minimum', merge('Min'));
registerConverter('Average', (ctx) => merge('Add', 1 / ctx.inputs.length)(ctx));

registerConverter('Concatenate', (ctx) => {
  const xs = alignLayouts(ctx.g, ctx.inputs);
  const axis = ctx.g.axis(xs[0], ctx.config.axis ?? -1);
  const name = ctx.g.op('Concat', xs.map((x) => x.name), { axis: int(axis) }, ctx.layer.name);
  return [{ name, shape: ctx.outShapes[0], layout: xs[0].layout }];
});

/**
 * Folds y = x·s + t into the Conv producing x (x = W∗u + b → W' = W·s per output channel,
 * b' = b·s + t). False when x does not come straight from a Conv with its own constant weights.
 */
function foldIntoConv(g: GraphBuilder, x: Value, s: Float32Array, t: Float32Array): boolean {
  const conv = g.producer(x.name);
  if (!conv || conv.opType !== 'Conv') return false;
  const w = g.initializer(conv.inputs[1]);
  if (!w || w.dims[0] !== s.length) return false;
  const weights = new Float32Array(w.raw.buffer.slice(w.raw.byteOffset, w.raw.byteOffset + w.raw.byteLength));
  const per = weights.length / s.length; // [cout, cin/groups, kh, kw]: output channels are rows
  for (let o = 0; o < s.length; o++) for (let i = 0; i < per; i++) weights[o * per + i] *= s[o];
  w.raw = new Uint8Array(weights.buffer);
  const oldBias = conv.inputs[2] ? g.initializer(conv.inputs[2]) : undefined;
  const bias = new Float32Array(s.length);
  const b = oldBias ? new Float32Array(oldBias.raw.buffer.slice(oldBias.raw.byteOffset, oldBias.raw.byteOffset + oldBias.raw.byteLength)) : null;
  for (let o = 0; o < s.length; o++) bias[o] = (b ? b[o] * s[o] : 0) + t[o];
  if (oldBias) oldBias.raw = new Uint8Array(bias.buffer);
  else conv.inputs[2] = g.constF(`${conv.outputs[0]}_B`, [s.length], bias);
  return true;
}

registerConverter('BatchNormalization', (ctx) => {
  // y = x·s + t with s = γ/√(σ²+ε), t = β − μ·s: folded into the conv before it where possible.
  const x = ctx.inputs[0];
  const axis = ctx.config.axis ?? -1;
  if (axis !== -1 && axis !== x.shape.length)
    throw new UsageError(`cannot export BatchNormalization '${ctx.layer.name}' over axis ${axis}; only the last axis`);
  const c = x.shape[x.shape.length - 1];
  const mean = ctx.weight('moving_mean').values;
  const variance = ctx.weight('moving_variance').values;
  const gamma = ctx.config.scale === false ? new Float32Array(c).fill(1) : ctx.weight('gamma').values;
  const beta = ctx.config.center === false ? new Float32Array(c) : ctx.weight('beta').values;
  const eps = ctx.config.epsilon ?? 1e-3;
  const s = new Float32Array(c);
  const t = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    s[i] = gamma[i] / Math.sqrt(variance[i] + eps);
    t[i] = beta[i] - mean[i] * s[i];
  }
  if (ctx.inputReaders[0] === 1 && foldIntoConv(ctx.g, x, s, t)) return [x];
  const m = ctx.g.op('Mul', [x.name, ctx.g.channelConst(`${ctx.layer.name}_s`, x, s)], {}, `${ctx.layer.name}_mul`);
  const name = ctx.g.op('Add', [m, ctx.g.channelConst(`${ctx.layer.name}_t`, x, t)], {}, ctx.layer.name);
  return [{ ...x, name }];
});

registerConverter('LayerNormalization', (ctx) => {
  const x = ctx.g.native(ctx.inputs[0]);
  const rank = x.shape.length + 1;
  const axes = (Array.isArray(ctx.config.axis) ? ctx.config.axis : [ctx.config.axis ?? -1]).map((a: number) =>
    a < 0 ? a + rank : a,
  );
  axes.sort((a: number, b: number) => a - b);
  const first = axes[0];
  if (axes.some((a: number, i: number) => a !== first + i) || axes[axes.length - 1] !== rank - 1)
    throw new UsageError(`cannot export LayerNormalization '${ctx.layer.name}' over axes [${axes}]; only trailing axes`);
  const normShape = x.shape.slice(first - 1);
  const n = normShape.reduce((a, b) => a * b, 1);
  const gamma = ctx.config.scale === false ? new Float32Array(n).fill(1) : ctx.weight('gamma').values;
  const beta = ctx.config.center === false ? new Float32Array(n) : ctx.weight('beta').values;
  const name = ctx.g.op(
    'LayerNormalization',
    [x.name, ctx.g.constF(`${ctx.layer.name}_g`, normShape, gamma), ctx.g.constF(`${ctx.layer.name}_b`, normShape, beta)],
    { axis: int(first), epsilon: float(ctx.config.epsilon ?? 1e-3) },
    ctx.layer.name,
  );
  return [{ name, shape: ctx.outShapes[0], layout: 'native' }];
});

function pool(opType: 'MaxPool' | 'AveragePool') {
  return (ctx: ConvertContext): Value[] => {
    requireChannelsLast(ctx);
    const x = ctx.g.nchw(ctx.inputs[0]);
    const k = pair(ctx.config.poolSize);
    const s = pair(ctx.config.strides ?? ctx.config.poolSize);
    const pads = spatialPads(ctx.config.padding, [x.shape[0], x.shape[1]], k, s);
    // tfjs averages over the valid (unpadded) window only, ONNX's count_include_pad = 0.
    const attrs = { kernel_shape: ints(k), strides: ints(s), pads: ints(pads) };
    const name = ctx.g.op(opType, [x.name], opType === 'AveragePool' ? { ...attrs, count_include_pad: int(0) } : attrs, ctx.layer.name);
    return [{ name, shape: ctx.outShapes[0], layout: 'nchw' }];
  };
}
registerConverter('MaxPooling2D', pool('MaxPool'));
registerConverter('AveragePooling2D', pool('AveragePool'));

function globalPool(opType: 'GlobalAveragePool' | 'GlobalMaxPool') {
  return (ctx: ConvertContext): Value[] => {
    requireChannelsLast(ctx);
    const x = ctx.g.nchw(ctx.inputs[0]);
    const pooled = ctx.g.op(opType, [x.name], {}, `${ctx.layer.name}_pool`);
    if (ctx.outShapes[0].length === 3) return [{ name: pooled, shape: ctx.outShapes[0], layout: 'nchw' }];
    const name = ctx.g.op('Flatten', [pooled], { axis: int(1) }, ctx.layer.name);
    return [{ name, shape: ctx.outShapes[0], layout: 'native' }];
  };
}
registerConverter('GlobalAveragePooling2D', globalPool('GlobalAveragePool'));
registerConverter('GlobalMaxPooling2D', globalPool('GlobalMaxPool'));

registerConverter('GlobalAveragePooling1D', (ctx) => {
  const x = ctx.g.native(ctx.inputs[0]);
  const name = ctx.g.op('ReduceMean', [x.name], { axes: ints([1]), keepdims: int(0) }, ctx.layer.name);
  return [{ name, shape: ctx.outShapes[0], layout: 'native' }];
});

registerConverter('ZeroPadding2D', (ctx) => {
  requireChannelsLast(ctx);
  const x = ctx.g.nchw(ctx.inputs[0]);
  const p = ctx.config.padding as [[number, number], [number, number]];
  const pads = [0, 0, p[0][0], p[1][0], 0, 0, p[0][1], p[1][1]];
  const name = ctx.g.op('Pad', [x.name, ctx.g.constI64(`${ctx.layer.name}_pads`, pads)], {}, ctx.layer.name);
  return [{ name, shape: ctx.outShapes[0], layout: 'nchw' }];
});

registerConverter('Reshape', (ctx) => {
  const x = ctx.g.native(ctx.inputs[0]);
  const shape = ctx.g.constI64(`${ctx.layer.name}_shape`, [-1, ...ctx.outShapes[0]]);
  return [{ name: ctx.g.op('Reshape', [x.name, shape], {}, ctx.layer.name), shape: ctx.outShapes[0], layout: 'native' }];
});

registerConverter('Flatten', (ctx) => {
  const x = ctx.g.native(ctx.inputs[0]);
  return [{ name: ctx.g.op('Flatten', [x.name], { axis: int(1) }, ctx.layer.name), shape: ctx.outShapes[0], layout: 'native' }];
});

registerConverter('Permute', (ctx) => {
  const x = ctx.g.native(ctx.inputs[0]);
  const perm = [0, ...(ctx.config.dims as number[])];
  return [{ name: ctx.g.op('Transpose', [x.name], { perm: ints(perm) }, ctx.layer.name), shape: ctx.outShapes[0], layout: 'native' }];
});
