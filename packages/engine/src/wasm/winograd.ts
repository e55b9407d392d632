/**
 * 3x3 stride-1 convolutions on wasm by Winograd F(4x4, 3x3) (simd/winograd.c): a quarter of the
 * multiply-adds of XNNPACK's direct convolution, which is most of a ResNet's inference time and
 * the forward half of its training step (and, through Conv2DBackpropInput's stride-1 path, the
 * input gradient too); the filter gradient by the same transform. Everything else — other kernel
 * sizes, strides, dilations, NCHW, and fused activations other than relu/relu6 — goes to the
 * kernel it replaces.
 */
import * as tf from '@tensorflow/tfjs';
import { simdModule } from './simd-module.js';
import { type Attrs, type BackendWasm, type TensorInfo, dispose, heapAddress, isChannelsLast } from './wasm-util.js';

interface WinogradExports {
  wino_f43_scratch_floats(c: number, k: number): number;
  wino_f43_filter_floats(c: number, k: number): number;
  wino_f43_filter(w: number, u: number, c: number, k: number): void;
  wino_f43_conv(
    x: number, u: number, bias: number, y: number, scratch: number, n: number, h: number, w: number,
    c: number, k: number, oh: number, ow: number, padTop: number, padLeft: number, act: number,
  ): void;
  wino_f43_filter_grad_scratch_floats(c: number, k: number): number;
  wino_f43_filter_grad(
    x: number, dy: number, dw: number, scratch: number, n: number, h: number, w: number, c: number, k: number,
    oh: number, ow: number, padTop: number, padLeft: number,
  ): void;
}

/** Activations the C kernel applies itself (its ACT_* codes). */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2 };
/** Below this many input channels the tile transforms cost more than the multiply-adds saved (the stem's RGB conv). */
const MIN_CHANNELS = 8;
type Shape4 = [number, number, number, number];

/** The convolution's geometry when Winograd F(4x4, 3x3) applies, else null. */
function applicable(x: TensorInfo, filterShape: number[], attrs: Attrs): tf.backend_util.Conv2DInfo | null {
  if (x.dtype !== 'float32' || x.shape.length !== 4 || !isChannelsLast(attrs)) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filterShape as Shape4,
    attrs.strides as number | [number, number], (attrs.dilations as number | [number, number] | undefined) ?? 1,
    attrs.pad as 'same', attrs.dimRoundingMode as 'floor' | undefined, false, 'channelsLast');
  const winograd = info.filterHeight === 3 && info.filterWidth === 3 && info.strideHeight === 1 && info.strideWidth === 1 &&
    info.dilationHeight === 1 && info.dilationWidth === 1 && info.inChannels >= MIN_CHANNELS;
  return winograd && info.outHeight > 0 && info.outWidth > 0 && info.batchSize > 0 ? info : null;
}

function run(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, bias: TensorInfo | null, act: number, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const mod = simdModule<WinogradExports>(backend, 'winograd');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outChannels: k, outHeight: oh, outWidth: ow } = info;
  const u = backend.makeOutput([mod.wino_f43_filter_floats(c, k)], 'float32');
  const scratch = backend.makeOutput([mod.wino_f43_scratch_floats(c, k)], 'float32');
  const out = backend.makeOutput([n, oh, ow, k], 'float32');
  const at = (t: TensorInfo | null) => heapAddress(backend, t);
  mod.wino_f43_filter(at(filter), at(u), c, k);
  mod.wino_f43_conv(at(x), at(u), bias ? at(bias) : 0, at(out), at(scratch), n, h, w, c, k, oh, ow, info.padInfo.top, info.padInfo.left, act);
  dispose(backend, u, scratch);
  return out;
}

/** Conv2D: Winograd where it applies, the replaced kernel elsewhere. */
export function conv2d(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const info = filter.dtype === 'float32' ? applicable(x, filter.shape, args.attrs ?? {}) : null;
    return info ? run(args.backend as BackendWasm, x, filter, null, ACTIVATIONS.linear, info) : fallback(args);
  };
}

/** FusedConv2D (conv + bias + activation): Winograd for a per-channel bias and relu/relu6/linear. */
export function fusedConv2d(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs ?? {};
    const act = ACTIVATIONS[(attrs.activation as string | undefined) ?? 'linear'];
    const info = x && filter && filter.dtype === 'float32' ? applicable(x, filter.shape, attrs) : null;
    const biasOk = !bias || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === filter!.shape[3] && bias.shape.length <= 1);
    if (!info || act === undefined || preluActivationWeights || !biasOk) return fallback(args);
    return run(args.backend as BackendWasm, x!, filter!, bias ?? null, act, info);
  };
}

/** Conv2DBackpropFilter: Winograd where the forward conv would use it, the replaced kernel elsewhere. */
export function conv2dBackpropFilter(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs ?? {};
    const info = dy.dtype === 'float32' ? applicable(x, attrs.filterShape as number[], attrs) : null;
    if (!info) return fallback(args);
    const backend = args.backend as BackendWasm;
    const mod = simdModule<WinogradExports>(backend, 'winograd');
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outChannels: k, outHeight: oh, outWidth: ow } = info;
    const scratch = backend.makeOutput([mod.wino_f43_filter_grad_scratch_floats(c, k)], 'float32');
    const out = backend.makeOutput([3, 3, c, k], 'float32');
    const at = (t: TensorInfo) => heapAddress(backend, t);
    mod.wino_f43_filter_grad(at(x), at(dy), at(out), at(scratch), n, h, w, c, k, oh, ow, info.padInfo.top, info.padInfo.left);
    dispose(backend, scratch);
    return out;
  };
}
