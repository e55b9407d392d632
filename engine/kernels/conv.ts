/**
 * Gradients of Conv2D on wasm, as forward convolutions (XNNPACK) over rearranged tensors:
 * the input gradient is a stride-1 conv of the zero-dilated dy with the rotated filter; the
 * filter gradient is a conv of x (batch and channels swapped) with dy as the filter.
 * The shipped Conv2DBackpropInput is a naive loop (most of a training step); the filter
 * gradient is not shipped at all.
 */
import * as tf from '@tensorflow/tfjs';
import { type Attrs, type BackendWasm, type TensorInfo, dilateNHWC, dispose, rotateFilter, runKernel } from './wasm-util.js';

type KernelFunc = tf.KernelFunc;
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

function explicitPad(top: number, bottom: number, left: number, right: number): ExplicitPad {
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

function isChannelsLast(attrs: Attrs): boolean {
  const f = attrs.dataFormat as string | undefined;
  return f === undefined || f === 'NHWC' || f === 'channelsLast';
}

export function conv2dBackpropInput(fallback: KernelFunc | null): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { inputShape, strides, pad, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const info = tf.backend_util.computeConv2DInfo(
      inputShape as [number, number, number, number], filter.shape as [number, number, number, number],
      strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = h - ((oh - 1) * sh + 1) + info.padInfo.top;
    const right = w - ((ow - 1) * sw + 1) + info.padInfo.left;
    if (!isChannelsLast(attrs ?? {}) || Math.min(top, left, bottom, right) < 0) {
      if (!fallback) throw new Error('Conv2DBackpropInput: unsupported padding or data format on wasm');
      return fallback({ inputs, attrs, backend });
    }
    const rotated = rotateFilter(wasm, filter, true);
    const dilated = sh > 1 || sw > 1 ? dilateNHWC(wasm, dy, sh, sw) : null;
    const out = runKernel(wasm, 'Conv2D', { x: dilated ?? dy, filter: rotated }, {
      strides: [1, 1], pad: explicitPad(top, bottom, left, right), dataFormat: 'NHWC', dilations: [1, 1],
    });
    dispose(wasm, rotated, dilated);
    return out;
  };
}

export const conv2dBackpropFilter: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (!isChannelsLast(attrs ?? {})) throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Rows/columns past the last window are never read by the forward conv: crop them.
  let bottom = kh - 1 + (oh - 1) * sh + 1 - h - top;
  let right = kw - 1 + (ow - 1) * sw + 1 - w - left;
  let xUsed = x;
  let cropped: TensorInfo | null = null;
  if (bottom < 0 || right < 0) {
    cropped = runKernel(wasm, 'Slice', { x }, { begin: [0, 0, 0, 0], size: [n, h + Math.min(bottom, 0), w + Math.min(right, 0), ci] });
    xUsed = cropped;
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }
  const xT = runKernel(wasm, 'Transpose', { x: xUsed }, { perm: [3, 1, 2, 0] }); // [CI, H, W, N]
  const dyT = runKernel(wasm, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, N, CO]
  const g = runKernel(wasm, 'Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1], pad: explicitPad(top, bottom, left, right), dataFormat: 'NHWC', dilations: [sh, sw],
  }); // [CI, KH, KW, CO]
  const out = runKernel(wasm, 'Transpose', { x: g }, { perm: [1, 2, 0, 3] });
  dispose(wasm, cropped, xT, dyT, g);
  return out;
};
