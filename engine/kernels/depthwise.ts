/**
 * Gradients of DepthwiseConv2dNative on wasm, which ships neither. The input gradient with
 * channel multiplier 1 (every roster model) is a forward depthwise conv of the zero-dilated dy
 * with the rotated filter; other multipliers and the filter gradient are direct loops over the
 * heap, ordered so the innermost loop walks contiguous channels.
 */
import * as tf from '@tensorflow/tfjs';
import { type BackendWasm, type TensorInfo, dilateNHWC, dispose, f32, rotateFilter, runKernel, zeros } from './wasm-util.js';

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

function depthwiseInputLoop(wasm: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const m = filter.shape[3];
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const out = zeros(wasm, [n, h, w, c]);
  const g = f32(wasm, dy);
  const f = f32(wasm, filter);
  const dx = f32(wasm, out);
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
            const x0 = ((b * h + y) * w + x) * c;
            const f0 = (p * kw + q) * cm;
            for (let k = 0; k < cm; k++) dx[x0 + ((k / m) | 0)] += g[g0 + k] * f[f0 + k];
          }
        }
      }
    }
  }
  return out;
}

export const depthwiseBackpropFilter: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = (attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs).filterShape as Shape4;
  const info = convInfo(x.shape as Shape4, filterShape, attrs ?? {});
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const m = filterShape[3];
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const out = zeros(wasm, filterShape);
  const xs = f32(wasm, x);
  const g = f32(wasm, dy);
  const df = f32(wasm, out);
  const cm = c * m;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const g0 = ((b * oh + i) * ow + j) * cm;
        for (let p = 0; p < kh; p++) {
          const y = i * sh + p * dh - pt;
          if (y < 0 || y >= h) continue;
          for (let q = 0; q < kw; q++) {
            const xx = j * sw + q * dw - pl;
            if (xx < 0 || xx >= w) continue;
            const x0 = ((b * h + y) * w + xx) * c;
            const f0 = (p * kw + q) * cm;
            if (m === 1) {
              for (let k = 0; k < c; k++) df[f0 + k] += xs[x0 + k] * g[g0 + k];
            } else {
              for (let k = 0; k < cm; k++) df[f0 + k] += xs[x0 + ((k / m) | 0)] * g[g0 + k];
            }
          }
        }
      }
    }
  }
  return out;
};
