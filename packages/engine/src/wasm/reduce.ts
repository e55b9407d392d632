/**
 * Sum and Mean on wasm over a contiguous block of axes that is not innermost (batch-norm
 * statistics and their gradients, bias gradients: N,H,W; global pooling: H,W). The shipped
 * kernels transpose the whole tensor to put those axes last, then loop. Seen as
 * [outer, count, 1, inner], the reduction is XNNPACK's average pooling over a [count, 1] window:
 * SIMD, one pass, and much faster than the transpose or a JS loop (bench:engine has the figures).
 * Sum is that mean times the count. XNNPACK accumulates in float32 (relative error
 * ~4e-6 over 65536 terms, against the 1e-3 the engine is held to).
 * (A GEMM with a row of ones looked fast in a loop over one tensor, but XNNPACK then packs every
 * new tensor as GEMM weights and keeps the copy until the tensor dies: slower in a real step.)
 */
import * as tf from '@tensorflow/tfjs';
import { simdModule } from './simd-module.js';
import { type BackendWasm, type TensorInfo, dispose, heapAddress, heapF32, heapIndex, reshaped, runKernel } from './wasm-util.js';

function reduceBlock(original: tf.KernelFunc, mean: boolean): tf.KernelFunc {
  return (args) => {
    const wasm = args.backend as BackendWasm;
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    const first = axes[0];
    const last = axes[axes.length - 1];
    const contiguous = axes.length > 0 && last - first + 1 === axes.length;
    if (x.dtype !== 'float32' || !contiguous || last === rank - 1) return original(args);
    const outer = tf.util.sizeFromShape(x.shape.slice(0, first));
    const count = tf.util.sizeFromShape(x.shape.slice(first, last + 1));
    const inner = tf.util.sizeFromShape(x.shape.slice(last + 1));
    if (outer * count * inner === 0 || count < 2) return original(args);
    const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
    const x4 = reshaped(wasm, x, [outer, count, 1, inner]);
    const pooled = runKernel(wasm, 'AvgPool', { x: x4 }, { filterSize: [count, 1], strides: [1, 1], pad: 'valid' });
    dispose(wasm, x4);
    if (!mean) {
      const heap = heapF32(wasm);
      const at = heapIndex(wasm, pooled);
      for (let i = at; i < at + outer * inner; i++) heap[i] *= count;
    }
    const out = reshaped(wasm, pooled, outShape);
    dispose(wasm, pooled);
    return out;
  };
}

export const sumOverBlock = (original: tf.KernelFunc) => reduceBlock(original, false);
export const meanOverBlock = (original: tf.KernelFunc) => reduceBlock(original, true);

/** Identity without the copy the shipped kernel makes: tensors are immutable and refcounted. */
export const identity: tf.KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  (backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/** Cast to the tensor's own dtype (tf.moments casts to float32 first) shares it instead of copying. */
export function cast(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if ((args.attrs as unknown as tf.CastAttrs).dtype !== x.dtype) return original(args);
    return identity(args);
  };
}

interface TileExports {
  tile_last_axis(x: number, out: number, rows: number, block: number, reps: number): void;
}

/**
 * Tile by copies that double: the input goes to the start of the output, then each tiled axis
 * (innermost first) repeats its blocks in place, last block first so nothing unread is
 * overwritten. The shipped kernel computes an index per element (slow enough to show in a step when
 * it broadcasts the global pool's gradient); this is memmove speed. Repeats of the last axis are made by a
 * SIMD kernel (simd/tile.c), whose blocks are too small for a copy call each (a mean over the
 * channels broadcast back, in every LayerNorm's gradient).
 */
export function tile(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const wasm = args.backend as BackendWasm;
    const { x } = args.inputs as { x: TensorInfo };
    const reps = (args.attrs as unknown as tf.TileAttrs).reps;
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return original(args);
    const rank = x.shape.length;
    const size = tf.util.sizeFromShape(x.shape);
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const total = tf.util.sizeFromShape(outShape);
    // Copy calls the other axes take: when their blocks are tiny, per-call overhead would dominate.
    let calls = 0;
    for (let i = rank - 2; i >= 0; i--) {
      if (reps[i] > 1) calls += tf.util.sizeFromShape(x.shape.slice(0, i)) * (1 + Math.ceil(Math.log2(reps[i])));
    }
    if (calls * 64 > total) return original(args);
    const out = wasm.makeOutput(outShape, x.dtype);
    if (total === 0) return out;
    // The copies move bits, so a float32 view (and float loads and stores) carry int32 data unchanged.
    const heap = heapF32(wasm);
    const dst = heapIndex(wasm, out);
    const shape = x.shape.slice();
    if (rank > 0 && reps[rank - 1] > 1) {
      const block = shape[rank - 1];
      simdModule<TileExports>(wasm, 'tile').tile_last_axis(heapAddress(wasm, x), heapAddress(wasm, out), size / block, block, reps[rank - 1]);
      shape[rank - 1] *= reps[rank - 1];
    } else {
      heap.copyWithin(dst, heapIndex(wasm, x), heapIndex(wasm, x) + size);
    }
    for (let i = rank - 2; i >= 0; i--) {
      const r = reps[i];
      if (r === 1) continue;
      const outer = tf.util.sizeFromShape(shape.slice(0, i));
      const block = tf.util.sizeFromShape(shape.slice(i));
      const grown = block * r;
      for (let p = outer - 1; p >= 0; p--) {
        const from = dst + p * block;
        const to = dst + p * grown;
        if (to !== from) heap.copyWithin(to, from, from + block);
        for (let done = block; done < grown; done *= 2) heap.copyWithin(to + done, to, to + Math.min(done, grown - done));
      }
      shape[i] *= r;
    }
    return out;
  };
}
