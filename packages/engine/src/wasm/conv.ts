/**
 * Gradients of Conv2D on wasm (3x3 stride-1 filter gradients go to Winograd first, winograd.ts).
 * - Input gradient, stride 1: a forward conv of dy with the rotated filter (Winograd or XNNPACK,
 *   no waste). Strided: our SIMD kernel (simd/conv_grad.c) adds every tap's products into dx in
 *   place (a conv over the zero-dilated dy would do 4x the work at stride 2; a GEMM then a
 *   col2im in JavaScript cost a tenth of a training step). The shipped Conv2DBackpropInput is a
 *   naive loop.
 * - Filter gradient (not shipped): the same SIMD module. As per-tap GEMMs over gathered copies
 *   of the input it ran at about 8 GFLOP/s.
 */
import * as tf from '@tensorflow/tfjs';
import { simdModule } from './simd-module.js';
import {
  type BackendWasm, type TensorInfo, dispose, heapAddress, isChannelsLast, rotateFilter, runKernel,
} from './wasm-util.js';

type KernelFunc = tf.KernelFunc;
type Shape4 = [number, number, number, number];
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

function explicitPad(top: number, bottom: number, left: number, right: number): ExplicitPad {
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

export function conv2dBackpropInput(fallback: KernelFunc | null): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { inputShape, strides, pad, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (!isChannelsLast(attrs ?? {})) {
      if (!fallback) throw new Error('Conv2DBackpropInput: unsupported data format on wasm');
      return fallback({ inputs, attrs, backend });
    }
    const info = tf.backend_util.computeConv2DInfo(
      inputShape as Shape4, filter.shape as Shape4, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = h - ((oh - 1) * sh + 1) + info.padInfo.top;
    const right = w - ((ow - 1) * sw + 1) + info.padInfo.left;
    if (sh > 1 || sw > 1 || Math.min(top, left, bottom, right) < 0) return inputGradDirect(wasm, dy, filter, info);
    const rotated = rotateFilter(wasm, filter, true);
    const out = runKernel(wasm, 'Conv2D', { x: dy, filter: rotated }, {
      strides: [1, 1], pad: explicitPad(top, bottom, left, right), dataFormat: 'NHWC', dilations: [1, 1],
    });
    dispose(wasm, rotated);
    return out;
  };
}

/** dx by our SIMD kernel (simd/conv_grad.c): every tap's products added into dx in place. */
function inputGradDirect(wasm: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const mod = simdModule<ConvGradExports>(wasm, 'conv_grad');
  const scratch = wasm.makeOutput([mod.conv_input_grad_scratch_floats(ci, co, kh, kw)], 'float32');
  const out = wasm.makeOutput([n, h, w, ci], 'float32');
  mod.conv_input_grad(heapAddress(wasm, dy), heapAddress(wasm, filter), heapAddress(wasm, out), heapAddress(wasm, scratch), n, h, w, ci, oh, ow, co, kh, kw, sh, sw, info.padInfo.top, info.padInfo.left);
  dispose(wasm, scratch);
  return out;
}

interface ConvGradExports {
  conv_input_grad_scratch_floats(c: number, k: number, kh: number, kw: number): number;
  conv_input_grad(
    dy: number, filter: number, dx: number, scratch: number, n: number, h: number, w: number, c: number, oh: number, ow: number,
    k: number, kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): void;
  conv_filter_grad(
    x: number, dy: number, dw: number, n: number, h: number, w: number, c: number, oh: number, ow: number, k: number,
    kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): void;
}

/** dW by our SIMD kernel (simd/conv_grad.c), reading x and dy in place for every tap. */
export const conv2dBackpropFilter: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (!isChannelsLast(attrs ?? {})) throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const out = wasm.makeOutput([kh, kw, ci, co], 'float32');
  simdModule<ConvGradExports>(wasm, 'conv_grad').conv_filter_grad(
    heapAddress(wasm, x), heapAddress(wasm, dy), heapAddress(wasm, out), n, h, w, ci, oh, ow, co, kh, kw, sh, sw, info.padInfo.top, info.padInfo.left);
  return out;
};
