/**
 * What every native kernel shares: reading its inputs' storage, shape arithmetic, and the shape of
 * a kernel itself. A native kernel is a body that computes its output with the addon, or returns
 * null for inputs it does not take (another dtype, layout or attribute), and the cpu backend's
 * kernel of the same name runs instead; nativeOr() joins the two and counts each such fallback.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { Act, ActByTfjs } from './ops.js';
import { DTYPE_ARRAY, type Typed } from './storage.js';

export type TensorInfo = tf.TensorInfo;
export type Inputs = Record<string, TensorInfo>;
export type Attrs = Record<string, unknown>;
export type NativeKernel = (backend: MathBackendCPU, inputs: Inputs, attrs: Attrs) => TensorInfo | TensorInfo[] | null;
/** Native kernels by tfjs kernel name. */
export type KernelTable = Record<string, NativeKernel>;

/** Calls of the cpu backend's JS kernels from inside native kernels (inputs they do not take), by kernel name. */
const cpuCalls = new Map<string, number>();

/**
 * The cpu kernels that native kernels handed inputs they do not take, and how often each ran,
 * since the last call (which clears the count). A training step on native should leave this
 * empty; the kernel test profiles steps with it.
 */
export function takeCpuFallbacks(): Map<string, number> {
  const out = new Map(cpuCalls);
  cpuCalls.clear();
  return out;
}

/** The cpu backend's kernel `name`, counted in takeCpuFallbacks() each time it runs. */
export function cpuKernel(name: string): tf.KernelFunc {
  const k = tf.getKernel(name, 'cpu');
  if (!k) throw new Error(`tfjs cpu backend has no ${name} kernel`);
  const run = k.kernelFunc;
  return (args) => {
    cpuCalls.set(name, (cpuCalls.get(name) ?? 0) + 1);
    return run(args);
  };
}

/** A native kernel body, falling back where it returns null. */
export function nativeOr(fallback: tf.KernelFunc, body: NativeKernel): tf.KernelFunc {
  return (args) => body(args.backend as MathBackendCPU, args.inputs as Inputs, (args.attrs ?? {}) as Attrs) ?? fallback(args);
}

/** Storage of a float32 tensor (null for any other dtype's). */
export function values(backend: MathBackendCPU, t: TensorInfo): Float32Array | null {
  if (t.dtype !== 'float32') return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

/** Storage of a float32, int32 or bool tensor (null for complex or string ones). */
export function typed(backend: MathBackendCPU, t: TensorInfo): Typed | null {
  if (!(t.dtype in DTYPE_ARRAY)) return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint8Array ? v : null;
}

/** A float32 input's storage, or null when it is absent, of another dtype or empty. */
export function f32(backend: MathBackendCPU, t: TensorInfo | undefined): Float32Array | null {
  const v = t ? values(backend, t) : null;
  return v && v.length > 0 ? v : null;
}

/** The inputs of a variadic kernel (AddN, Concat) and their float32 storage (null where not float32). */
export function listInputs(backend: MathBackendCPU, inputs: Inputs) {
  const ts = inputs as unknown as TensorInfo[];
  return { ts, vs: ts.map((t) => values(backend, t)) };
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; --d) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/** Strides of `shape` walked as if broadcast to `out` (0 along broadcast dims). */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const pad = out.length - shape.length;
  const own = contiguousStrides(shape);
  return out.map((_, d) => (d < pad || shape[d - pad] === 1 ? 0 : own[d - pad]));
}

/** The sizes of a tensor around `axis`: rows before it, the axis, elements after it. */
export function aroundAxis(shape: readonly number[], axis: number) {
  return { outer: sizeOf(shape.slice(0, axis)), inner: sizeOf(shape.slice(axis + 1)) };
}

const ACT_CODES = new Map(ActByTfjs.map(({ tfjs, code }) => [tfjs, code]));

/** The addon's code for a fused activation (none = linear), or null for one it does not compute. */
export function actCode(activation: unknown): Act | null {
  if (activation == null) return Act.LINEAR;
  return ACT_CODES.get(activation as string) ?? null;
}

/** A bias the addon can add per output channel: length-C, or a scalar broadcast to C; false for any other. */
export function channelBias(backend: MathBackendCPU, bias: TensorInfo | undefined, channels: number): Float32Array | null | false {
  if (!bias) return null;
  const v = values(backend, bias);
  if (!v) return false;
  const n = sizeOf(bias.shape);
  if (n === channels && (bias.shape.length === 0 || bias.shape[bias.shape.length - 1] === channels)) return v;
  if (n === 1) return new Float32Array(channels).fill(v[0]);
  return false;
}

/** Applies the activation the addon cannot (prelu) with the cpu kernel, disposing the input. */
export function cpuActivation(backend: MathBackendCPU, y: TensorInfo, weights: TensorInfo): TensorInfo {
  const out = cpuKernel('Prelu')({ inputs: { x: y, alpha: weights }, backend }) as TensorInfo;
  backend.disposeIntermediateTensorInfo(y);
  return out;
}
