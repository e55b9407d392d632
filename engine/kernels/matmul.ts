/**
 * BatchMatMul on wasm. The shipped kernel reaches XNNPACK only for one untransposed matrix pair;
 * transposed or batched products fall to a naive loop (1-2 GFLOP/s against ~25). This one
 * transposes explicitly and turns batches into untransposed single products:
 * - batched A times one B: stack A's rows, one product;
 * - one A times batched B: lay B's batches side by side, one product;
 * - batched both: one product per batch when the products are big enough to pay for the copies.
 */
import * as tf from '@tensorflow/tfjs';
import { type BackendWasm, type TensorInfo, dispose, f32, reshaped, runKernel } from './wasm-util.js';

/** Below this many multiply-adds per batch, copying slices costs more than the naive loop loses. */
const PER_BATCH_MIN_MACS = 32 * 1024;

function swapLastTwo(wasm: BackendWasm, t: TensorInfo): TensorInfo {
  const rank = t.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return runKernel(wasm, 'Transpose', { x: t }, { perm });
}

export function batchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  const plain = (wasm: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo =>
    original({ inputs: { a, b }, attrs: { transposeA: false, transposeB: false }, backend: wasm }) as TensorInfo;

  return ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original({ inputs, attrs, backend });
    const aa = transposeA ? swapLastTwo(wasm, a) : a;
    const bb = transposeB ? swapLastTwo(wasm, b) : b;
    const m = aa.shape[aa.shape.length - 2];
    const k = aa.shape[aa.shape.length - 1];
    const n = bb.shape[bb.shape.length - 1];
    const outerA = aa.shape.slice(0, -2);
    const outerB = bb.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(outerA);
    const batchB = tf.util.sizeFromShape(outerB);
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    const outShape = [...outer, m, n];
    let out: TensorInfo;
    if (batchA <= 1 && batchB <= 1) {
      out = plain(wasm, aa, bb);
    } else if (batchB === 1) {
      const a2 = reshaped(wasm, aa, [batchA * m, k]);
      const b2 = reshaped(wasm, bb, [k, n]);
      out = plain(wasm, a2, b2);
      dispose(wasm, a2, b2);
    } else if (batchA === 1) {
      const b3 = reshaped(wasm, bb, [batchB, k, n]);
      const bt = runKernel(wasm, 'Transpose', { x: b3 }, { perm: [1, 0, 2] });
      const b2 = reshaped(wasm, bt, [k, batchB * n]);
      const a2 = reshaped(wasm, aa, [m, k]);
      const c2 = plain(wasm, a2, b2); // [m, batch*n]
      const c3 = reshaped(wasm, c2, [m, batchB, n]);
      out = runKernel(wasm, 'Transpose', { x: c3 }, { perm: [1, 0, 2] });
      dispose(wasm, b3, bt, b2, a2, c2, c3);
    } else if (batchA === batchB && m * n * k >= PER_BATCH_MIN_MACS) {
      out = perBatch(wasm, plain, aa, bb, batchA, m, k, n);
    } else {
      out = original({ inputs: { a: aa, b: bb }, attrs: { transposeA: false, transposeB: false }, backend }) as TensorInfo;
    }
    if (aa !== a) dispose(wasm, aa);
    if (bb !== b) dispose(wasm, bb);
    const shaped = reshaped(wasm, out, outShape);
    dispose(wasm, out);
    return shaped;
  };
}

function perBatch(
  wasm: BackendWasm,
  plain: (w: BackendWasm, a: TensorInfo, b: TensorInfo) => TensorInfo,
  a: TensorInfo, b: TensorInfo, batch: number, m: number, k: number, n: number,
): TensorInfo {
  const out = wasm.makeOutput([batch, m, n], 'float32');
  for (let i = 0; i < batch; i++) {
    // Fresh tensors each time: XNNPACK caches B's packed form by tensor id, so refilling one
    // tensor would multiply by the first batch's B again.
    const sa = wasm.makeOutput([m, k], 'float32');
    const sb = wasm.makeOutput([k, n], 'float32');
    f32(wasm, sa).set(f32(wasm, a).subarray(i * m * k, (i + 1) * m * k));
    f32(wasm, sb).set(f32(wasm, b).subarray(i * k * n, (i + 1) * k * n));
    const c = plain(wasm, sa, sb);
    f32(wasm, out).set(f32(wasm, c).subarray(0, m * n), i * m * n);
    dispose(wasm, sa, sb, c);
  }
  return out;
}
