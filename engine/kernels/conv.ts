/**
 * Gradients of Conv2D on wasm, as XNNPACK GEMMs and forward convolutions over rearranged tensors.
 * - Input gradient, stride 1: a forward conv of dy with the rotated filter (XNNPACK, no waste).
 *   Strided: one GEMM dy [P, CO] x filter^T [CO, KH*KW*CI] gives every tap's contribution, then
 *   col2im adds them into place (a conv over the zero-dilated dy would do 4x the work at stride 2).
 *   The shipped Conv2DBackpropInput is a naive loop (most of a training step).
 * - Filter gradient (not shipped): a SIMD kernel of ours, simd/conv_filter_grad.c. As per-tap
 *   GEMMs over gathered copies of the input it ran at about 8 GFLOP/s.
 */
import * as tf from '@tensorflow/tfjs';
import { simdModule } from './simd-module.js';
import {
  type BackendWasm, type TensorInfo, dispose, heapF32, heapIndex, isChannelsLast, matMul, reshaped, rotateFilter, runKernel, zeros,
} from './wasm-util.js';

type KernelFunc = tf.KernelFunc;
type Shape4 = [number, number, number, number];
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/** Floats in one chunk of the input gradient's per-tap products (before col2im): 16 MiB. */
const COLS_CHUNK_FLOATS = 4 * 1024 * 1024;

function explicitPad(top: number, bottom: number, left: number, right: number): ExplicitPad {
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

/** A new [rows, cols] tensor holding rows [from, from + rows) of `t` seen as a [*, cols] matrix. */
function copyRows(wasm: BackendWasm, t: TensorInfo, from: number, rows: number, cols: number): TensorInfo {
  const out = wasm.makeOutput([rows, cols], 'float32');
  const src = heapIndex(wasm, t) + from * cols;
  heapF32(wasm).copyWithin(heapIndex(wasm, out), src, src + rows * cols);
  return out;
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
    if (sh > 1 || sw > 1 || Math.min(top, left, bottom, right) < 0) return inputGradByGemm(wasm, dy, filter, info);
    const rotated = rotateFilter(wasm, filter, true);
    const out = runKernel(wasm, 'Conv2D', { x: dy, filter: rotated }, {
      strides: [1, 1], pad: explicitPad(top, bottom, left, right), dataFormat: 'NHWC', dilations: [1, 1],
    });
    dispose(wasm, rotated);
    return out;
  };
}

/** dx = col2im(dy x filter^T), in chunks of whole images. */
function inputGradByGemm(wasm: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const taps = kh * kw;
  const plane = oh * ow;
  const wT = runKernel(wasm, 'Transpose', { x: filter }, { perm: [3, 0, 1, 2] }); // [CO, KH, KW, CI]
  const wMat = reshaped(wasm, wT, [co, taps * ci]);
  const out = zeros(wasm, [n, h, w, ci]);
  const images = Math.max(1, Math.min(n, Math.floor(COLS_CHUNK_FLOATS / (plane * taps * ci))));
  for (let b0 = 0; b0 < n; b0 += images) {
    const nb = Math.min(images, n - b0);
    const dyChunk = copyRows(wasm, dy, b0 * plane, nb * plane, co);
    const cols = matMul(wasm, dyChunk, wMat); // [nb*OH*OW, KH*KW*CI]
    const heap = heapF32(wasm);
    const colsAt = heapIndex(wasm, cols);
    const outAt = heapIndex(wasm, out);
    for (let b = 0; b < nb; b++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const row = colsAt + ((b * oh + i) * ow + j) * taps * ci;
          for (let p = 0; p < kh; p++) {
            const y = i * sh + p - pt;
            if (y < 0 || y >= h) continue;
            for (let q = 0; q < kw; q++) {
              const x = j * sw + q - pl;
              if (x < 0 || x >= w) continue;
              const s = row + (p * kw + q) * ci;
              const d = outAt + (((b0 + b) * h + y) * w + x) * ci;
              for (let c = 0; c < ci; c++) heap[d + c] += heap[s + c];
            }
          }
        }
      }
    }
    dispose(wasm, dyChunk, cols);
  }
  dispose(wasm, wT, wMat);
  return out;
}

interface FilterGradExports {
  conv_filter_grad(
    x: number, dy: number, dw: number, n: number, h: number, w: number, c: number, oh: number, ow: number, k: number,
    kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): void;
}

/** dW by our SIMD kernel (simd/conv_filter_grad.c), reading x and dy in place for every tap. */
export const conv2dBackpropFilter: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (!isChannelsLast(attrs ?? {})) throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const out = wasm.makeOutput([kh, kw, ci, co], 'float32');
  const at = (t: TensorInfo) => wasm.getMemoryOffset(t.dataId);
  simdModule<FilterGradExports>(wasm, 'conv_filter_grad').conv_filter_grad(
    at(x), at(dy), at(out), n, h, w, ci, oh, ow, co, kh, kw, sh, sw, info.padInfo.top, info.padInfo.left);
  return out;
};
