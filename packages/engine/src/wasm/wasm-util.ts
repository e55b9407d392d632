/**
 * Helpers for kernels composed from the wasm backend's own kernels: run a registered kernel on
 * TensorInfos, read/write tensor memory in the wasm heap, free intermediates.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };
export type TensorInfo = tf.TensorInfo;
export type Attrs = tf.NamedAttrMap;

/** Runs the wasm kernel currently registered under `name` (ours if we replaced it). */
export function runKernel(backend: BackendWasm, name: string, inputs: tf.NamedTensorInfoMap, attrs: Attrs = {}): TensorInfo {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm kernel ${name} is not registered`);
  return config.kernelFunc({ inputs, attrs, backend }) as TensorInfo;
}

/**
 * A Float32Array view of a tensor's memory. Views die when the heap grows, so take them after the
 * last allocation (makeOutput/runKernel) of the block that uses them.
 */
export function f32(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/**
 * The whole wasm heap as floats, for copies between tensors without allocating views
 * (copyWithin, fill). Growth of the heap replaces it: take it after the block's last allocation.
 */
export function heapF32(backend: BackendWasm): Float32Array {
  return (backend.wasm as unknown as { HEAPF32: Float32Array }).HEAPF32;
}

/** A tensor's byte address in the backend's heap, as our SIMD kernels take it; 0 for an absent optional input. */
export function heapAddress(backend: BackendWasm, t: TensorInfo | null | undefined): number {
  return t ? backend.getMemoryOffset(t.dataId) : 0;
}

/** Index of a float32 tensor's first element in heapF32(backend). */
export function heapIndex(backend: BackendWasm, t: TensorInfo): number {
  return heapAddress(backend, t) / 4;
}

/**
 * a [m, k] times b [k, n] through XNNPACK's fully-connected operator (the wasm backend's only fast
 * product: untransposed, one matrix each). XNNPACK keeps b packed, keyed by b's tensor id, until b
 * is disposed: give it a tensor only ever used as a [k, n] matrix.
 */
export function matMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const a3 = reshaped(backend, a, [1, m, k]);
  const b3 = reshaped(backend, b, [1, k, n]);
  const out = runKernel(backend, '_FusedMatMul', { a: a3, b: b3 }, { transposeA: false, transposeB: false, activation: 'linear' });
  dispose(backend, a3, b3);
  const shaped = reshaped(backend, out, [m, n]);
  dispose(backend, out);
  return shaped;
}

/** Whether a conv's attrs ask for NHWC, the only layout the kernels here implement. */
export function isChannelsLast(attrs: Attrs): boolean {
  const f = attrs.dataFormat as string | undefined;
  return f === undefined || f === 'NHWC' || f === 'channelsLast';
}

export function dispose(backend: BackendWasm, ...ts: Array<TensorInfo | null | undefined>): void {
  for (const t of ts) if (t) backend.disposeData(t.dataId);
}

/** A new tensor of zeros (makeOutput's memory is uninitialised). */
export function zeros(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).fill(0);
  return out;
}

/** A copy of `t` with a new shape of the same size (an owned tensor the caller may dispose). */
export function reshaped(backend: BackendWasm, t: TensorInfo, shape: number[]): TensorInfo {
  return runKernel(backend, 'Reshape', { x: t }, { shape });
}

/** Zeros inserted between rows and columns of an NHWC tensor: the input of a strided conv's transpose. */
export function dilateNHWC(backend: BackendWasm, x: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, h, w, c] = x.shape;
  const hd = (h - 1) * sh + 1;
  const wd = (w - 1) * sw + 1;
  const out = zeros(backend, [n, hd, wd, c]);
  const src = f32(backend, x);
  const dst = f32(backend, out);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const from = ((b * h + i) * w + j) * c;
        dst.set(src.subarray(from, from + c), ((b * hd + i * sh) * wd + j * sw) * c);
      }
    }
  }
  return out;
}

/** Filter [KH,KW,A,B] turned 180 degrees in space, with its two channel axes swapped: [KH,KW,B,A]. */
export function rotateFilter(backend: BackendWasm, filter: TensorInfo, swapChannels: boolean): TensorInfo {
  const [kh, kw, a, b] = filter.shape;
  const out = backend.makeOutput(swapChannels ? [kh, kw, b, a] : [kh, kw, a, b], 'float32');
  const src = f32(backend, filter);
  const dst = f32(backend, out);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const s0 = ((kh - 1 - i) * kw + (kw - 1 - j)) * a * b;
      const d0 = (i * kw + j) * a * b;
      if (!swapChannels) {
        dst.set(src.subarray(s0, s0 + a * b), d0);
        continue;
      }
      for (let p = 0; p < a; p++) for (let q = 0; q < b; q++) dst[d0 + q * a + p] = src[s0 + p * b + q];
    }
  }
  return out;
}
