/**
 * Gradients of Conv2D on wasm, as XNNPACK GEMMs and forward convolutions over rearranged tensors.
 * - Input gradient, stride 1: a forward conv of dy with the rotated filter (XNNPACK, no waste).
 *   Strided: one GEMM dy [P, CO] x filter^T [CO, KH*KW*CI] gives every tap's contribution, then
 *   col2im adds them into place (a conv over the zero-dilated dy would do 4x the work at stride 2).
 *   The shipped Conv2DBackpropInput is a naive loop (most of a training step).
 * - Filter gradient (not shipped): per filter tap, dW[kh,kw] (CI x CO) = X_tap^T (CI x P) x dy
 *   (P x CO), where X_tap gathers the input each output position reads through that tap. The
 *   batch is split into chunks so that dy's chunk, which XNNPACK packs once and reuses for every
 *   tap, stays cache-sized.
 */
import * as tf from '@tensorflow/tfjs';
import {
  type BackendWasm, type TensorInfo, dispose, heapF32, heapIndex, isChannelsLast, matMul, reshaped, rotateFilter, runKernel, zeros,
} from './wasm-util.js';

type KernelFunc = tf.KernelFunc;
type Shape4 = [number, number, number, number];
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/** Floats in one GEMM chunk of dy (the packed operand of the filter gradient): 512 KiB. */
const FILTER_CHUNK_FLOATS = 128 * 1024;
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

export const conv2dBackpropFilter: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (!isChannelsLast(attrs ?? {})) throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const plane = oh * ow;
  // When the output grid is the input's subsampled by the stride, split the input into its
  // stride phases: then every tap reads one phase plane, shifted (copies, no per-element gather).
  const phased = oh * sh === h && ow * sw === w;
  let xT = runKernel(wasm, 'Transpose', { x }, { perm: [3, 0, 1, 2] }); // [CI, N, H, W]
  if (phased && (sh > 1 || sw > 1)) {
    // Two rank-4 transposes: the shipped kernel's generic path (rank 6 in one go) is 30x slower.
    const x4 = reshaped(wasm, xT, [ci * n * oh, sh, ow, sw]);
    const phases = runKernel(wasm, 'Transpose', { x: x4 }, { perm: [1, 3, 0, 2] }); // [SH, SW, CI, N, OH, OW]
    dispose(wasm, x4, xT);
    xT = phases;
  }
  const tapSize = ci * co;
  const images = Math.max(1, Math.min(n, Math.floor(FILTER_CHUNK_FLOATS / (plane * co))));
  let out: TensorInfo | null = null;
  for (let b0 = 0; b0 < n; b0 += images) {
    const nb = Math.min(images, n - b0);
    const dyChunk = copyRows(wasm, dy, b0 * plane, nb * plane, co); // packed once by XNNPACK, used by every tap
    const a = wasm.makeOutput([ci, nb * plane], 'float32');
    const part = wasm.makeOutput([kh, kw, ci, co], 'float32');
    for (let p = 0; p < kh; p++) {
      for (let q = 0; q < kw; q++) {
        if (phased) gatherTapPhased(wasm, xT, a, info, b0, nb, p, q);
        else gatherTap(wasm, xT, a, info, b0, nb, p, q);
        const g = matMul(wasm, a, dyChunk); // [CI, CO]
        const from = heapIndex(wasm, g);
        heapF32(wasm).copyWithin(heapIndex(wasm, part) + (p * kw + q) * tapSize, from, from + tapSize);
        dispose(wasm, g);
      }
    }
    dispose(wasm, dyChunk, a);
    // Chunks add up with the SIMD Add kernel (a JS loop here cost more than the gathers).
    const sum: TensorInfo = out ? runKernel(wasm, 'Add', { a: out, b: part }) : part;
    if (out) dispose(wasm, out, part);
    out = sum;
  }
  dispose(wasm, xT);
  return out ?? zeros(wasm, [kh, kw, ci, co]);
};

/**
 * a [CI, nb*OH*OW] = the input values filter tap (p, q) meets at each output position of images
 * [b0, b0+nb), zero in the padding; xT is the input in stride phases, [SH, SW, CI, N, OH, OW].
 * The tap reads phase (dy mod SH, dx mod SW) shifted by (floor(dy/SH), floor(dx/SW)): one copy
 * per channel, then zeros where the shift wrapped around a row or an image.
 */
function gatherTapPhased(wasm: BackendWasm, xT: TensorInfo, a: TensorInfo, info: tf.backend_util.Conv2DInfo, b0: number, nb: number, p: number, q: number): void {
  const { batchSize: n, inChannels: ci, outHeight: h, outWidth: w, strideHeight: sh, strideWidth: sw } = info;
  const heap = heapF32(wasm);
  const src0 = heapIndex(wasm, xT);
  const dst0 = heapIndex(wasm, a);
  const rows = nb * h * w;
  const offY = p - info.padInfo.top;
  const offX = q - info.padInfo.left;
  const phaseY = ((offY % sh) + sh) % sh;
  const phaseX = ((offX % sw) + sw) % sw;
  const dy = (offY - phaseY) / sh;
  const dx = (offX - phaseX) / sw;
  const shift = dy * w + dx;
  const lo = Math.min(rows, Math.max(0, -shift));
  const hi = Math.max(lo, Math.min(rows, rows - shift));
  for (let c = 0; c < ci; c++) {
    const src = src0 + (((phaseY * sw + phaseX) * ci + c) * n + b0) * h * w;
    const dst = dst0 + c * rows;
    if (hi > lo) heap.copyWithin(dst + lo, src + lo + shift, src + hi + shift);
    heap.fill(0, dst, dst + lo);
    heap.fill(0, dst + hi, dst + rows);
    for (let b = 0; b < nb; b++) {
      const img = dst + b * h * w;
      if (dy < 0) heap.fill(0, img, img + Math.min(-dy, h) * w);
      else if (dy > 0) heap.fill(0, img + Math.max(h - dy, 0) * w, img + h * w);
      if (dx === 0) continue;
      const j0 = dx < 0 ? 0 : Math.max(w - dx, 0);
      const j1 = dx < 0 ? Math.min(-dx, w) : w;
      for (let r = img; r < img + h * w; r += w) for (let j = j0; j < j1; j++) heap[r + j] = 0;
    }
  }
}

/** The same for any geometry, row by row; xT is the input as [CI, N, H, W]. */
function gatherTap(wasm: BackendWasm, xT: TensorInfo, a: TensorInfo, info: tf.backend_util.Conv2DInfo, b0: number, nb: number, p: number, q: number): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const heap = heapF32(wasm);
  const src0 = heapIndex(wasm, xT);
  const dst0 = heapIndex(wasm, a);
  const dy = p - info.padInfo.top;
  const dx = q - info.padInfo.left;
  const j0 = Math.min(ow, Math.max(0, Math.ceil(-dx / sw)));
  const j1 = Math.max(j0, Math.min(ow, Math.ceil((w - dx) / sw)));
  for (let c = 0; c < ci; c++) {
    for (let b = 0; b < nb; b++) {
      for (let i = 0; i < oh; i++) {
        const y = i * sh + dy;
        const dst = dst0 + ((c * nb + b) * oh + i) * ow;
        if (y < 0 || y >= h) {
          heap.fill(0, dst, dst + ow);
          continue;
        }
        const src = src0 + ((c * n + b0 + b) * h + y) * w + dx;
        heap.fill(0, dst, dst + j0);
        heap.fill(0, dst + j1, dst + ow);
        if (sw === 1) heap.copyWithin(dst + j0, src + j0, src + j1);
        else for (let j = j0; j < j1; j++) heap[dst + j] = heap[src + j * sw];
      }
    }
  }
}
