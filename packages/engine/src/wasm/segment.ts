/** UnsortedSegmentSum on wasm (the gradient of Gather, which wasm does not ship). */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm, TensorInfo } from './wasm-util.js';

export const unsortedSegmentSum: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs as unknown as tf.UnsortedSegmentSumAttrs).numSegments;
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const inner = tf.util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const dst = wasm.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const src = wasm.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = wasm.typedArrayFromHeap(segmentIds) as Int32Array;
  dst.fill(0);
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    // TensorFlow drops ids outside [0, numSegments) instead of failing.
    if (s < 0 || s >= numSegments) continue;
    const from = r * inner;
    const to = s * inner;
    for (let k = 0; k < inner; k++) dst[to + k] += src[from + k];
  }
  return out;
};
