/**
 * Gradients of DepthwiseConv2dNative on wasm, which ships neither. The input gradient with
 * channel multiplier 1 (every roster model) is a forward depthwise conv of the zero-dilated dy
 * with the rotated filter; other multipliers are direct loops over the heap. The filter gradient
 * (multiplier 1) is, per tap, the gathered input times dy summed over positions, in wasm kernels.
 */
import * as tf from '@tensorflow/tfjs';
import {
  type BackendWasm, type TensorInfo, dilateNHWC, dispose, f32, heapF32, heapIndex, reshaped, rotateFilter, runKernel, zeros,
} from './wasm-util.js';

type KernelFunc = tf.KernelFunc;
type Shape4 = [number, number, number, number];

function convInfo(xShape: Shape4, filterShape: Shape4, attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo {
  const { strides, pad, dimRoundingMode } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const dilations = (attrs.dilations as [number, number] | number | undefined) ?? 1;
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, dimRoundingMode, true);
}

export const depthwiseBackpropInput: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = (attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs).inputShape as Shape4;
  const info = convInfo(inputShape, filter.shape as Shape4, attrs ?? {});
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const mult = filter.shape[3];
  const top = (kh - 1) * dh - info.padInfo.top;
  const left = (kw - 1) * dw - info.padInfo.left;
  const bottom = h - ((oh - 1) * sh + 1) + info.padInfo.top;
  const right = w - ((ow - 1) * sw + 1) + info.padInfo.left;
  if (mult !== 1 || Math.min(top, left, bottom, right) < 0) return depthwiseInputLoop(wasm, dy, filter, info);
  const rotated = rotateFilter(wasm, filter, false);
  const dilated = sh > 1 || sw > 1 ? dilateNHWC(wasm, dy, sh, sw) : null;
  const out = runKernel(wasm, 'DepthwiseConv2dNative', { x: dilated ?? dy, filter: rotated }, {
    strides: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC', dilations: [dh, dw],
  });
  dispose(wasm, rotated, dilated);
  return out;
};

/**
 * Every (output position, filter tap) pair that reads the input (padding skipped): `visit` gets the
 * offsets of the input pixel's channels, of the output position's C*M values and of the tap's.
 */
function forEachTap(info: tf.backend_util.Conv2DInfo, m: number, visit: (x0: number, g0: number, f0: number) => void): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const cm = c * m;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const g0 = ((b * oh + i) * ow + j) * cm;
        for (let p = 0; p < kh; p++) {
          const y = i * sh + p * dh - pt;
          if (y < 0 || y >= h) continue;
          for (let q = 0; q < kw; q++) {
            const x = j * sw + q * dw - pl;
            if (x < 0 || x >= w) continue;
            visit(((b * h + y) * w + x) * c, g0, (p * kw + q) * cm);
          }
        }
      }
    }
  }
}

/** The input gradient for any channel multiplier or padding: a direct loop over the heap. */
function depthwiseInputLoop(wasm: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const m = filter.shape[3];
  const cm = info.inChannels * m;
  const out = zeros(wasm, [info.batchSize, info.inHeight, info.inWidth, info.inChannels]);
  const g = f32(wasm, dy);
  const f = f32(wasm, filter);
  const dx = f32(wasm, out);
  forEachTap(info, m, (x0, g0, f0) => {
    for (let k = 0; k < cm; k++) dx[x0 + ((k / m) | 0)] += g[g0 + k] * f[f0 + k];
  });
  return out;
}

export const depthwiseBackpropFilter: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = (attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs).filterShape as Shape4;
  const info = convInfo(x.shape as Shape4, filterShape, attrs ?? {});
  if (filterShape[3] !== 1) return depthwiseFilterLoop(wasm, x, dy, info, filterShape);
  const { inChannels: c, outHeight: oh, outWidth: ow, batchSize: n, filterHeight: kh, filterWidth: kw } = info;
  // Per tap: the input each output position meets through it (gathered by copies), times dy,
  // summed over N, OH, OW: all wasm kernels (SIMD multiply, average-pool sum) instead of a JS loop.
  const out = wasm.makeOutput(filterShape, 'float32');
  const tapIn = wasm.makeOutput([n * oh * ow, c], 'float32');
  const dy2 = reshaped(wasm, dy, [n * oh * ow, c]);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      gatherDepthwiseTap(wasm, x, tapIn, info, p, q);
      const prod = runKernel(wasm, 'Multiply', { a: tapIn, b: dy2 });
      const sum = runKernel(wasm, 'Sum', { x: prod }, { axis: [0], keepDims: false });
      const heap = heapF32(wasm);
      heap.copyWithin(heapIndex(wasm, out) + (p * kw + q) * c, heapIndex(wasm, sum), heapIndex(wasm, sum) + c);
      dispose(wasm, prod, sum);
    }
  }
  dispose(wasm, tapIn, dy2);
  return out;
};

/** tapIn [N*OH*OW, C] = x where filter tap (p, q) reads it for each output position, 0 in the padding. */
function gatherDepthwiseTap(wasm: BackendWasm, x: TensorInfo, tapIn: TensorInfo, info: tf.backend_util.Conv2DInfo, p: number, q: number): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const heap = heapF32(wasm);
  const src0 = heapIndex(wasm, x);
  const dst0 = heapIndex(wasm, tapIn);
  const offY = p * dh - info.padInfo.top;
  const offX = q * dw - info.padInfo.left;
  const j0 = Math.min(ow, Math.max(0, Math.ceil(-offX / sw)));
  const j1 = Math.max(j0, Math.min(ow, Math.ceil((w - offX) / sw)));
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const y = i * sh + offY;
      const dst = dst0 + ((b * oh + i) * ow) * c;
      if (y < 0 || y >= h) {
        heap.fill(0, dst, dst + ow * c);
        continue;
      }
      const src = src0 + ((b * h + y) * w + offX) * c;
      heap.fill(0, dst, dst + j0 * c);
      heap.fill(0, dst + j1 * c, dst + ow * c);
      if (sw === 1) heap.copyWithin(dst + j0 * c, src + j0 * c, src + j1 * c);
      else for (let j = j0; j < j1; j++) heap.copyWithin(dst + j * c, src + j * sw * c, src + (j * sw + 1) * c);
    }
  }
}

/** The filter gradient for any channel multiplier: a direct loop over the heap. */
function depthwiseFilterLoop(wasm: BackendWasm, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo, filterShape: Shape4): TensorInfo {
  const m = filterShape[3];
  const cm = info.inChannels * m;
  const out = zeros(wasm, filterShape);
  const xs = f32(wasm, x);
  const g = f32(wasm, dy);
  const df = f32(wasm, out);
  forEachTap(info, m, (x0, g0, f0) => {
    for (let k = 0; k < cm; k++) df[f0 + k] += xs[x0 + ((k / m) | 0)] * g[g0 + k];
  });
  return out;
}
