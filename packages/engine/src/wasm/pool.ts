/**
 * MaxPoolGrad on wasm. The shipped kernel routes gradients to wrong positions once the input is
 * larger than a few pixels (8x8 inputs with 2x2 windows already differ from the cpu backend);
 * this loop routes each window's gradient to its first maximum, as the cpu backend does.
 */
import * as tf from '@tensorflow/tfjs';
import { type BackendWasm, type TensorInfo, f32, zeros } from './wasm-util.js';

export const maxPoolGrad: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, effectiveFilterHeight: kh, effectiveFilterWidth: kw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const out = zeros(wasm, input.shape);
  const x = f32(wasm, input);
  const g = f32(wasm, dy);
  const dx = f32(wasm, out);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const y0 = Math.max(0, i * sh - pt);
      const y1 = Math.min(h, i * sh - pt + kh);
      for (let j = 0; j < ow; j++) {
        const x0 = Math.max(0, j * sw - pl);
        const x1 = Math.min(w, j * sw - pl + kw);
        const g0 = ((b * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) {
          let best = -Infinity;
          let at = -1;
          for (let y = y0; y < y1; y++) {
            for (let xx = x0; xx < x1; xx++) {
              const idx = ((b * h + y) * w + xx) * c + k;
              if (x[idx] > best || at < 0) {
                best = x[idx];
                at = idx;
              }
            }
          }
          if (at >= 0) dx[at] += g[g0 + k];
        }
      }
    }
  }
  return out;
};
