/**
 * BatchMatMul on wasm. The shipped kernel reaches XNNPACK only for one untransposed matrix pair;
 * transposed or batched products fall to a naive loop (1-2 GFLOP/s against ~25). This one
 * transposes explicitly, then:
 * - one pair: XNNPACK;
 * - batched A times one B: stack A's rows, one XNNPACK product;
 * - A transposed, or batches on B's side (each operand batched alike or shared): our SIMD kernel
 *   (simd/matmul.c) runs every batch in one call, reading the operands (a transposed A too) in place.
 */
import * as tf from '@tensorflow/tfjs';
import { simdModule } from './simd-module.js';
import { type BackendWasm, type TensorInfo, dispose, heapAddress, reshaped, runKernel } from './wasm-util.js';

interface MatMulExports {
  batched_matmul(
    a: number, b: number, c: number, batch: number, m: number, k: number, n: number, aStride: number, bStride: number, transposeA: number,
  ): void;
}

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
    const bb = transposeB ? swapLastTwo(wasm, b) : b;
    const rank = a.shape.length;
    const m = a.shape[transposeA ? rank - 1 : rank - 2];
    const k = a.shape[transposeA ? rank - 2 : rank - 1];
    const n = bb.shape[bb.shape.length - 1];
    const outerA = a.shape.slice(0, -2);
    const outerB = bb.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(outerA);
    const batchB = tf.util.sizeFromShape(outerB);
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    const batch = tf.util.sizeFromShape(outer);
    const outShape = [...outer, m, n];
    let out: TensorInfo;
    if (!transposeA && batchA <= 1 && batchB <= 1) {
      out = plain(wasm, a, bb);
    } else if (!transposeA && batchB === 1) {
      const a2 = reshaped(wasm, a, [batchA * m, k]);
      const b2 = reshaped(wasm, bb, [k, n]);
      out = plain(wasm, a2, b2);
      dispose(wasm, a2, b2);
    } else if ([batchA, batchB].every((x) => x === 1 || x === batch)) {
      out = wasm.makeOutput([batch, m, n], 'float32');
      simdModule<MatMulExports>(wasm, 'matmul').batched_matmul(
        heapAddress(wasm, a), heapAddress(wasm, bb), heapAddress(wasm, out), batch, m, k, n, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n, transposeA ? 1 : 0);
    } else {
      const aa = transposeA ? swapLastTwo(wasm, a) : a;
      out = plain(wasm, aa, bb);
      if (aa !== a) dispose(wasm, aa);
    }
    if (bb !== b) dispose(wasm, bb);
    const shaped = reshaped(wasm, out, outShape);
    dispose(wasm, out);
    return shaped;
  };
}
