/**
 * The `native` tfjs backend: the cpu backend's tensor storage (JS typed arrays) and every cpu
 * kernel, with the kernels that dominate training and inference replaced by the C++ addon in
 * native/ (im2col + BLAS sgemm convolutions, depthwise convolutions, batched matmul, fused bias and
 * activation). The addon is an optional dependency: when it is not built, registerNativeBackend()
 * reports why and registers nothing.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type * as Addon from '../native/index.js';
import { BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL, enableFusedBatchNormTraining } from './batchnorm-train.js';

type NativeAddon = typeof Addon;
type TensorInfo = tf.TensorInfo;
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

export interface NativeRegistration {
  available: boolean;
  reason: string | null;
  threads: number;
  blas: string | null;
  version: string | null;
}

export const NATIVE_BACKEND = 'native';

/**
 * Output storage that native kernels recycle. A training step allocates a few hundred MB of
 * activation-sized outputs and drops them all again; as fresh external ArrayBuffers they made V8
 * run frequent mark-compacts ("external memory pressure"), each one a pause inside the step. Storage made here
 * goes back to a free list (by exact length: a training step asks for the same sizes every time)
 * when the last tensor holding it is disposed, unless it may be visible outside the backend: read
 * by readSync/read (dataSync, data, arraySync, bufferSync all go there), or registered as a view
 * or a second time (the cpu Slice kernel returns a subarray of its input, and any kernel could hand
 * its input's array to a new tensor). Such storage is left to the garbage collector.
 */
class StoragePool {
  /** Arrays shorter than this are cheap for V8 and are not pooled. */
  static readonly MIN = 16384;
  private static readonly CAP_BYTES = 256 * 2 ** 20;
  private readonly free = new Map<number, Float32Array[]>();
  private freeBytes = 0;
  /** Pool-made storage by its ArrayBuffer: the tensors holding it, or -1 once it may be visible elsewhere. */
  private readonly holders = new WeakMap<ArrayBufferLike, { array: Float32Array; count: number }>();

  take(n: number): Float32Array {
    const list = this.free.get(n);
    const reused = list?.pop();
    if (reused) {
      this.freeBytes -= reused.byteLength;
      return reused;
    }
    // Every native kernel writes each element, so skip the zero-fill of `new Float32Array`.
    const array = new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
    this.holders.set(array.buffer, { array, count: 0 });
    return array;
  }

  registered(values: unknown): void {
    const h = this.entry(values);
    if (!h || h.count < 0) return;
    h.count = values === h.array && h.count === 0 ? 1 : -1;
  }

  escaped(values: unknown): void {
    const h = this.entry(values);
    if (h) h.count = -1;
  }

  released(values: unknown): void {
    const h = this.entry(values);
    if (!h || h.count !== 1 || values !== h.array) return;
    h.count = 0;
    if (this.freeBytes + h.array.byteLength > StoragePool.CAP_BYTES) {
      this.holders.delete(h.array.buffer);
      return;
    }
    const list = this.free.get(h.array.length) ?? [];
    list.push(h.array);
    this.free.set(h.array.length, list);
    this.freeBytes += h.array.byteLength;
  }

  private entry(values: unknown) {
    return values instanceof Float32Array ? this.holders.get(values.buffer) : undefined;
  }
}

const pool = new StoragePool();

/** A cpu backend under its own name, so tfjs keeps its tensors and kernels apart from 'cpu'. */
export class NativeBackend extends MathBackendCPU {
  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object {
    pool.registered(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: object, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    pool.registered(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: object): tf.backend_util.BackendValues {
    pool.escaped(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: object, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const gone = super.disposeData(dataId, force);
    if (values && !this.data.has(dataId)) pool.released(values);
    return gone;
  }
}

let addon: NativeAddon | null = null;
let registration: Promise<NativeRegistration> | null = null;

function loadAddon(): NativeAddon {
  const require = createRequire(import.meta.url);
  const errors: string[] = [];
  // The installed optional dependency first, then the source tree (a checkout built with
  // `npm run build:native` but not linked into node_modules).
  for (const spec of ['usibench-native', '../native/index.js']) {
    try {
      return require(spec) as NativeAddon;
    } catch (err) {
      errors.push(`${spec}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(errors.join('; '));
}

/** The loaded addon, or null before a successful registerNativeBackend(). */
export function nativeAddon(): NativeAddon | null {
  return addon;
}

/** Threads the addon computes with: env USIBENCH_NATIVE_THREADS, else every core. */
function threadCount(): number {
  const env = Number(process.env.USIBENCH_NATIVE_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  return os.availableParallelism();
}

/**
 * Loads the addon and registers the 'native' backend with every cpu kernel plus the native ones.
 * Idempotent. Never throws for a missing addon: { available: false, reason } instead.
 */
export function registerNativeBackend(): Promise<NativeRegistration> {
  registration ??= (async () => {
    try {
      addon = loadAddon();
    } catch (err) {
      return { available: false, reason: `the usibench-native addon is not built (${(err as Error).message})`, threads: 0, blas: null, version: null };
    }
    const threads = threadCount();
    addon.setThreads(threads);
    if (tf.findBackendFactory(NATIVE_BACKEND) == null) {
      // Priority 0 keeps tfjs from picking it on its own; engine/index.ts chooses backends.
      tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 0);
      registerKernels(addon);
    }
    const info = addon.info();
    return { available: true, reason: null, threads: info.threads, blas: info.blas, version: info.version };
  })();
  return registration;
}

// ---------------------------------------------------------------------------------------------

/** Calls of the cpu backend's JS kernels from inside native kernels (inputs they do not take), by kernel name. */
const cpuCalls = new Map<string, number>();

/**
 * The cpu kernels that native kernels hand inputs they do not take, and how often each ran, since
 * the last call (which clears the count). A training step on native should leave this empty; the
 * kernel test profiles steps with it.
 */
export function takeCpuFallbacks(): Map<string, number> {
  const out = new Map(cpuCalls);
  cpuCalls.clear();
  return out;
}

function cpuKernel(name: string): tf.KernelFunc {
  const k = tf.getKernel(name, 'cpu');
  if (!k) throw new Error(`tfjs cpu backend has no ${name} kernel`);
  const run = k.kernelFunc;
  return (args) => {
    cpuCalls.set(name, (cpuCalls.get(name) ?? 0) + 1);
    return run(args);
  };
}

function values(backend: MathBackendCPU, t: TensorInfo): Float32Array | null {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

const ACT: Record<string, Addon.ActCode> = { linear: 0, relu: 1, relu6: 2, elu: 3, leakyrelu: 4, sigmoid: 5 };

function actCode(activation: unknown): Addon.ActCode | null {
  if (activation == null) return 0;
  return ACT[activation as string] ?? null;
}

function convParams(ci: tf.backend_util.Conv2DInfo): number[] {
  return [
    ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels,
    ci.filterHeight, ci.filterWidth, ci.outChannels, ci.outHeight, ci.outWidth,
    ci.strideHeight, ci.strideWidth, ci.dilationHeight, ci.dilationWidth,
    ci.padInfo.top, ci.padInfo.left,
  ];
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Output storage for a native kernel (which writes every element: the pool's arrays are not zeroed). */
function alloc(n: number): Float32Array {
  return n < StoragePool.MIN ? new Float32Array(n) : pool.take(n);
}

/** A bias the addon can add per output channel: length-C, or a scalar broadcast to C. */
function channelBias(backend: MathBackendCPU, bias: TensorInfo | undefined, channels: number): Float32Array | null | false {
  if (!bias) return null;
  const v = values(backend, bias);
  if (!v) return false;
  const n = sizeOf(bias.shape);
  if (n === channels && (bias.shape.length === 0 || bias.shape[bias.shape.length - 1] === channels)) return v;
  if (n === 1) return new Float32Array(channels).fill(v[0]);
  return false;
}

/** Applies the activation the addon cannot (prelu) with the cpu kernel, disposing the input. */
function cpuActivation(backend: MathBackendCPU, y: TensorInfo, weights: TensorInfo): TensorInfo {
  const out = cpuKernel('Prelu')({ inputs: { x: y, alpha: weights }, backend }) as TensorInfo;
  backend.disposeIntermediateTensorInfo(y);
  return out;
}

type Conv = 'conv' | 'depthwise';

function convForward(kind: Conv, fused: boolean, fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as KernelArgs;
    const backend = args.backend as MathBackendCPU;
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const at = (attrs ?? {}) as Record<string, unknown>;
    const activation = fused ? (at.activation as string | undefined) : undefined;
    const prelu = activation === 'prelu';
    const act = prelu ? 0 : actCode(activation);
    const xv = values(backend, x!), fv = values(backend, filter!);
    const dataFormat = (at.dataFormat as string | undefined) ?? 'NHWC';
    if (!xv || !fv || act === null || dataFormat !== 'NHWC' || x!.shape.length !== 4 || sizeOf(x!.shape) === 0) return fallback(args);
    const ci = tf.backend_util.computeConv2DInfo(
      x!.shape as [number, number, number, number], filter!.shape as [number, number, number, number],
      at.strides as number | [number, number], (at.dilations as number | [number, number]) ?? 1,
      at.pad as 'same', at.dimRoundingMode as 'floor' | undefined, kind === 'depthwise', 'channelsLast');
    const bv = channelBias(backend, bias, ci.outChannels);
    if (bv === false || ci.outHeight <= 0 || ci.outWidth <= 0) return fallback(args);
    const y = alloc(sizeOf(ci.outShape));
    const alpha = (at.leakyreluAlpha as number | undefined) ?? 0.2;
    (kind === 'conv' ? a.conv2d : a.depthwise)(xv, fv, bv, y, convParams(ci), act, alpha);
    const out = backend.makeTensorInfo(ci.outShape, 'float32', y);
    return prelu ? cpuActivation(backend, out, preluActivationWeights!) : out;
  };
}

function convBackpropInput(kind: Conv, fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as KernelArgs;
    const backend = args.backend as MathBackendCPU;
    const { dy, filter } = inputs as Record<string, TensorInfo>;
    const at = (attrs ?? {}) as Record<string, unknown>;
    const dyv = values(backend, dy), fv = values(backend, filter);
    const inputShape = at.inputShape as [number, number, number, number];
    if (!dyv || !fv || ((at.dataFormat as string | undefined) ?? 'NHWC') !== 'NHWC' || sizeOf(inputShape) === 0) return fallback(args);
    const ci = tf.backend_util.computeConv2DInfo(
      inputShape, filter.shape as [number, number, number, number], at.strides as number | [number, number],
      (at.dilations as number | [number, number]) ?? 1, at.pad as 'same', at.dimRoundingMode as 'floor' | undefined,
      kind === 'depthwise', 'channelsLast');
    const dx = alloc(sizeOf(inputShape));
    (kind === 'conv' ? a.conv2dBackpropInput : a.depthwiseBackpropInput)(dyv, fv, dx, convParams(ci));
    return backend.makeTensorInfo(inputShape, 'float32', dx);
  };
}

function convBackpropFilter(kind: Conv, fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as KernelArgs;
    const backend = args.backend as MathBackendCPU;
    const { x, dy } = inputs as Record<string, TensorInfo>;
    const at = (attrs ?? {}) as Record<string, unknown>;
    const xv = values(backend, x), dyv = values(backend, dy);
    const filterShape = at.filterShape as [number, number, number, number];
    if (!xv || !dyv || ((at.dataFormat as string | undefined) ?? 'NHWC') !== 'NHWC' || sizeOf(x.shape) === 0) return fallback(args);
    const ci = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filterShape, at.strides as number | [number, number],
      (at.dilations as number | [number, number]) ?? 1, at.pad as 'same', at.dimRoundingMode as 'floor' | undefined,
      kind === 'depthwise', 'channelsLast');
    const dw = alloc(sizeOf(filterShape));
    (kind === 'conv' ? a.conv2dBackpropFilter : a.depthwiseBackpropFilter)(xv, dyv, dw, convParams(ci));
    return backend.makeTensorInfo(filterShape, 'float32', dw);
  };
}

/** Offsets of each output batch entry into a and b, broadcasting the leading dims numpy-style. */
function batchOffsets(aOuter: number[], bOuter: number[], aMat: number, bMat: number) {
  const outOuter = tf.broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
  const rank = outOuter.length;
  const pad = (s: number[]) => [...new Array(rank - s.length).fill(1), ...s];
  const ap = pad(aOuter), bp = pad(bOuter);
  const batch = sizeOf(outOuter);
  const aOff: number[] = new Array(batch), bOff: number[] = new Array(batch);
  for (let i = 0; i < batch; ++i) {
    let rem = i, ai = 0, bi = 0, aStride = 1, bStride = 1;
    for (let d = rank - 1; d >= 0; --d) {
      const c = rem % outOuter[d];
      rem = Math.floor(rem / outOuter[d]);
      if (ap[d] !== 1) ai += c * aStride;
      if (bp[d] !== 1) bi += c * bStride;
      aStride *= ap[d];
      bStride *= bp[d];
    }
    aOff[i] = ai * aMat;
    bOff[i] = bi * bMat;
  }
  return { outOuter, aOff, bOff };
}

function matMul(fused: boolean, fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as KernelArgs;
    const backend = args.backend as MathBackendCPU;
    const { a: A, b: B, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const at = (attrs ?? {}) as Record<string, unknown>;
    const ta = Boolean(at.transposeA), tb = Boolean(at.transposeB);
    const activation = fused ? (at.activation as string | undefined) : undefined;
    const prelu = activation === 'prelu';
    const act = prelu ? 0 : actCode(activation);
    const av = values(backend, A!), bv = values(backend, B!);
    const ar = A!.shape.length, br = B!.shape.length;
    if (!av || !bv || act === null || ar < 2 || br < 2) return fallback(args);
    const m = ta ? A!.shape[ar - 1] : A!.shape[ar - 2];
    const k = ta ? A!.shape[ar - 2] : A!.shape[ar - 1];
    const kb = tb ? B!.shape[br - 1] : B!.shape[br - 2];
    const n = tb ? B!.shape[br - 2] : B!.shape[br - 1];
    if (k !== kb || m === 0 || n === 0) return fallback(args);
    const { outOuter, aOff, bOff } = batchOffsets(A!.shape.slice(0, -2), B!.shape.slice(0, -2), m * k, k * n);
    const outShape = [...outOuter, m, n];
    const biasV = channelBias(backend, bias, n);
    const c = alloc(sizeOf(outShape));
    a.batchMatMul(av, bv, c, [aOff.length, m, n, k, ta ? 1 : 0, tb ? 1 : 0], aOff, bOff);
    let out = backend.makeTensorInfo(outShape, 'float32', c);
    if (biasV === false) {
      // A bias that is not per column (rare): the cpu Add kernel broadcasts it.
      const sum = cpuKernel('Add')({ inputs: { a: out, b: bias! }, backend }) as TensorInfo;
      backend.disposeIntermediateTensorInfo(out);
      out = sum;
      if (act !== 0) a.biasAct(values(backend, out)!, n, null, act, (at.leakyreluAlpha as number | undefined) ?? 0.2);
    } else if (biasV || act !== 0) {
      a.biasAct(c, n, biasV, act, (at.leakyreluAlpha as number | undefined) ?? 0.2);
    }
    return prelu ? cpuActivation(backend, out, preluActivationWeights!) : out;
  };
}

function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; --d) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/** Strides of `shape` walked as if broadcast to `out` (0 along broadcast dims). */
function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const pad = out.length - shape.length;
  const own = contiguousStrides(shape);
  return out.map((_, d) => (d < pad || shape[d - pad] === 1 ? 0 : own[d - pad]));
}

const isF32 = (t: TensorInfo | undefined) => t != null && t.dtype === 'float32';

/** The inputs of a variadic kernel (AddN, Concat) and their float32 storage (null where not float32). */
function listInputs(args: { inputs: unknown; backend: unknown }) {
  const backend = args.backend as MathBackendCPU;
  const ts = args.inputs as unknown as TensorInfo[];
  return { backend, ts, vs: ts.map((t) => (isF32(t) ? values(backend, t) : null)) };
}

function binaryKernel(op: Addon.BinCode, fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { a: A, b: B } = args.inputs as Record<string, TensorInfo>;
    if (!isF32(A) || !isF32(B)) return fallback(args);
    const av = values(backend, A), bv = values(backend, B);
    if (!av || !bv) return fallback(args);
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(A.shape, B.shape);
    const n = sizeOf(shape);
    if (n === 0) return fallback(args);
    const out = alloc(n);
    if (!a.binary(op, av, broadcastStrides(A.shape, shape), bv, broadcastStrides(B.shape, shape), out, shape)) return fallback(args);
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function addNKernel(fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { backend, ts, vs } = listInputs(args);
    const shape = ts[0]?.shape;
    if (!shape || vs.some((v) => !v) || ts.some((t) => !tf.util.arraysEqual(t.shape, shape)) || sizeOf(shape) === 0) return fallback(args);
    const out = Float32Array.from(vs[0]!);
    const flat = [out.length], strides = [1];
    for (let i = 1; i < vs.length; i++) a.binary(0, out, strides, vs[i]!, strides, out, flat);
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function unaryKernel(op: number, fallback: tf.KernelFunc, a: NativeAddon, alphaAttr?: string, betaAttr?: string): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x } = args.inputs as Record<string, TensorInfo>;
    const xv = isF32(x) ? values(backend, x) : null;
    if (!xv || xv.length === 0) return fallback(args);
    const y = alloc(xv.length);
    const at = args.attrs as Record<string, unknown>;
    const alpha = alphaAttr ? Number(at[alphaAttr] ?? 0) : 0;
    const beta = betaAttr ? Number(at[betaAttr] ?? 0) : 0;
    if (!a.unary(op, xv, y, alpha, beta)) return fallback(args);
    return backend.makeTensorInfo(x.shape, 'float32', y);
  };
}

function reduceKernel(op: 0 | 1 | 2, mean: boolean, axisAttr: string, fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x } = args.inputs as Record<string, TensorInfo>;
    const at = (args.attrs ?? {}) as Record<string, unknown>;
    const xv = isF32(x) ? values(backend, x) : null;
    if (!xv || xv.length === 0) return fallback(args);
    const axes = tf.util.parseAxisParam(at[axisAttr] as number | number[], x.shape);
    const kept = x.shape.filter((_, d) => !axes.includes(d));
    const out = new Float32Array(sizeOf(kept));
    if (!a.reduce(op, xv, x.shape, axes, out)) return fallback(args);
    if (mean) {
      const count = xv.length / out.length;
      for (let i = 0; i < out.length; i++) out[i] /= count;
    }
    const shape = at.keepDims ? tf.backend_util.expandShapeToKeepDim(kept, axes) : kept;
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function tileKernel(fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x } = args.inputs as Record<string, TensorInfo>;
    const reps = (args.attrs as Record<string, unknown>).reps as number[];
    if (x.shape.length === 0 || reps.length !== x.shape.length) return fallback(args);
    const shape = x.shape.map((d, i) => d * reps[i]);
    const xv = isF32(x) ? values(backend, x) : null;
    if (xv) {
      const out = alloc(sizeOf(shape));
      if (!a.tile(xv, x.shape, reps, out)) return fallback(args);
      return backend.makeTensorInfo(shape, 'float32', out);
    }
    // int32 and bool (tf.broadcastTo of a mask is a Tile): a strided copy over [rep, dim] pairs,
    // the rep walking the output in steps of a whole input extent and the input not at all
    const tv = typed(backend, x);
    if (!tv || sizeOf(shape) === 0) return fallback(args);
    const out = allocOf(x.dtype as PlainDtype, sizeOf(shape));
    const xs = contiguousStrides(x.shape), os = contiguousStrides(shape);
    a.stridedCopy(tv, out, x.shape.flatMap((d, i) => [reps[i], d]), 0, xs.flatMap((s) => [0, s]), 0,
      os.flatMap((s, i) => [s * x.shape[i], s]));
    return backend.makeTensorInfo(shape, x.dtype, out);
  };
}

function batchNormKernel(fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, TensorInfo | undefined>;
    const eps = Number((args.attrs as Record<string, unknown>).varianceEpsilon ?? 0.001);
    const C = x!.shape[x!.shape.length - 1];
    const perChannel = (t: TensorInfo | undefined) => {
      if (!t) return null;
      const n = sizeOf(t.shape);
      const v = isF32(t) ? values(backend, t) : null;
      // Only [C] or a single value broadcast the same way as over the last axis.
      return v && (n === 1 || (n === C && t.shape[t.shape.length - 1] === C)) ? v : false;
    };
    const xv = isF32(x) ? values(backend, x!) : null;
    const mv = perChannel(mean), vv = perChannel(variance), ov = perChannel(offset), sv = perChannel(scale);
    if (!xv || !mv || !vv || ov === false || sv === false || xv.length === 0 || !C) return fallback(args);
    const y = alloc(xv.length);
    a.batchNorm(xv, y, C, mv, vv, ov, sv, eps);
    return backend.makeTensorInfo(x!.shape, 'float32', y);
  };
}

function transposeKernel(fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x } = args.inputs as Record<string, TensorInfo>;
    const perm = (args.attrs as Record<string, unknown>).perm as number[];
    const xv = isF32(x) ? values(backend, x) : null;
    if (!xv || x.shape.length === 0 || xv.length === 0) return fallback(args);
    const out = alloc(xv.length);
    if (!a.transpose(xv, x.shape, perm, out)) return fallback(args);
    return backend.makeTensorInfo(perm.map((d) => x.shape[d]), 'float32', out);
  };
}

/** Softmax over the last axis (the only one tfjs's cpu kernel takes either). */
function softmaxKernel(fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { logits } = args.inputs as Record<string, TensorInfo>;
    const dim = Number((args.attrs as Record<string, unknown>).dim ?? -1);
    const rank = logits.shape.length;
    const xv = isF32(logits) ? values(backend, logits) : null;
    if (!xv || rank === 0 || xv.length === 0 || (dim !== -1 && dim !== rank - 1)) return fallback(args);
    const out = alloc(xv.length);
    a.softmax(xv, logits.shape[rank - 1], out);
    return backend.makeTensorInfo(logits.shape, 'float32', out);
  };
}

/** The sizes of a tensor around `axis`: rows before it, the axis, elements after it. */
function aroundAxis(shape: readonly number[], axis: number) {
  return { outer: sizeOf(shape.slice(0, axis)), inner: sizeOf(shape.slice(axis + 1)) };
}

function splitVKernel(fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x } = args.inputs as Record<string, TensorInfo>;
    const at = args.attrs as Record<string, unknown>;
    const xv = isF32(x) ? values(backend, x) : null;
    if (!xv || x.shape.length === 0 || xv.length === 0) return fallback(args);
    const axis = tf.util.parseAxisParam(at.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, at.numOrSizeSplits as number | number[], axis);
    const { outer, inner } = aroundAxis(x.shape, axis);
    const total = x.shape[axis] * inner;
    let begin = 0;
    return sizes.map((size) => {
      const shape = x.shape.slice();
      shape[axis] = size;
      const out = alloc(sizeOf(shape));
      a.copyRows(xv, out, [begin * inner, total, 0, size * inner, outer, size * inner]);
      begin += size;
      return backend.makeTensorInfo(shape, 'float32', out);
    });
  };
}

function concatKernel(fallback: tf.KernelFunc, a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { backend, ts, vs } = listInputs(args);
    if (ts.length < 2 || vs.some((v) => !v || v.length === 0) || ts[0].shape.length === 0) return fallback(args);
    const axis = tf.util.parseAxisParam((args.attrs as Record<string, unknown>).axis as number, ts[0].shape)[0];
    const shapes = ts.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    const outShape = tf.backend_util.computeOutShape(shapes, axis);
    const { outer, inner } = aroundAxis(outShape, axis);
    const total = outShape[axis] * inner;
    const out = alloc(sizeOf(outShape));
    let begin = 0;
    ts.forEach((t, i) => {
      const len = t.shape[axis] * inner;
      a.copyRows(vs[i]!, out, [0, len, begin, total, outer, len]);
      begin += len;
    });
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

/** The gradient kernels the addon fuses (dy and the forward input x in, dx out, one pass). */
const GRAD_KERNELS = [
  ['Relu', 'UsibenchNativeReluGrad', 7],
  ['Relu6', 'UsibenchNativeRelu6Grad', 8],
  ['Square', 'UsibenchNativeSquareGrad', 9],
] as const;

/**
 * Replaces tfjs-core's gradient of a kernel on the native backend: `grad` gets dy and the saved
 * tensors (dy and the first, the forward input, both float32) and returns the gradient map, or null
 * to use the original (kept for other backends and layouts, since gradients are registered per
 * kernel for every backend).
 */
function overrideGradient(
  kernelName: string,
  grad: (g: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => Record<string, () => tf.Tensor> | null,
): void {
  const original = tf.getGradient(kernelName);
  if (!original || (original as { usibenchNative?: boolean }).usibenchNative) return;
  tf.registerGradient({
    ...original,
    usibenchNative: true,
    gradFunc: (dy, saved, attrs) => {
      const g = dy as tf.Tensor;
      const native = tf.getBackend() === NATIVE_BACKEND && saved[0]?.dtype === 'float32' && g.dtype === 'float32' ? grad(g, saved, attrs) : null;
      return native ?? original.gradFunc(dy, saved, attrs);
    },
  } as tf.GradConfig);
}

/**
 * tfjs-core's Relu gradient is dy * cast(step(x)), Relu6's dy * cast((x <= 6) * step(x)) and
 * Square's dy * (x * 2): two to four full-size kernels and allocations each, where one native pass
 * computes the same products.
 */
function overrideElementwiseGradients(): void {
  for (const [kernelName, gradKernel] of GRAD_KERNELS) {
    overrideGradient(kernelName, (g, [x]) =>
      x.size > 0 && tf.util.arraysEqual(g.shape, x.shape) ? { x: () => tf.engine().runKernel(gradKernel, { a: g, b: x }) as tf.Tensor } : null);
  }
}

const BN_GRAD_KERNEL = 'UsibenchNativeBatchNormGrad';

/** dx and the per-channel sums a batch-norm gradient needs, in one native pass (see gradient below). */
function batchNormGradKernel(a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x, dy, mean, variance, scale } = args.inputs as Record<string, TensorInfo | undefined>;
    const C = x!.shape[x!.shape.length - 1];
    const dx = alloc(sizeOf(x!.shape));
    const sums = new Float32Array(2 * C);
    a.batchNormGrad(values(backend, x!)!, values(backend, dy!)!, dx, C, values(backend, mean!)!, values(backend, variance!)!,
      scale ? values(backend, scale)! : null, Number((args.attrs as Record<string, unknown>).varianceEpsilon), sums);
    return [backend.makeTensorInfo(x!.shape, 'float32', dx), backend.makeTensorInfo([2 * C], 'float32', sums)];
  };
}

/**
 * tfjs-core's FusedBatchNorm gradient builds about a dozen full-size tensors (a Tile of the inverse
 * std, products, per-channel sums); on native it becomes one pass (dx and two per-channel sums) and
 * per-channel arithmetic. Gradients are registered per kernel for every backend, so the original
 * is kept and used on any other backend or layout.
 */
function overrideBatchNormGradient(): void {
  overrideGradient('FusedBatchNorm', (g, saved, attrs) => {
    const [x, mean, variance, scale] = saved as Array<tf.Tensor | undefined>;
    const C = x!.shape[x!.shape.length - 1];
    const perChannel = (t: tf.Tensor | undefined) => t != null && t.rank === 1 && t.size === C && t.dtype === 'float32';
    if (!perChannel(mean) || !perChannel(variance) || (scale != null && !perChannel(scale)) || !tf.util.arraysEqual(g.shape, x!.shape)) return null;
    const eps = Number((attrs as Record<string, unknown>).varianceEpsilon);
    const inputs: tf.NamedTensorMap = { x: x!, dy: g, mean: mean!, variance: variance! };
    if (scale) inputs.scale = scale;
    const [dx, sums] = tf.engine().runKernel(BN_GRAD_KERNEL, inputs, { varianceEpsilon: eps }) as unknown as tf.Tensor[];
    const sumDy = tf.slice(sums, 0, C), sumDyXm = tf.slice(sums, C, C);
    const inv = tf.rsqrt(tf.add(variance!, eps));
    const s = scale ?? tf.scalar(1);
    return {
      x: () => dx,
      mean: () => tf.reshape(tf.mul(tf.neg(tf.mul(inv, s)), sumDy), mean!.shape),
      variance: () => tf.reshape(tf.mul(tf.mul(tf.mul(tf.pow(inv, 3), s), -0.5), sumDyXm), mean!.shape),
      scale: () => tf.reshape(tf.mul(inv, sumDyXm), mean!.shape),
      offset: () => tf.reshape(sumDy, mean!.shape),
    };
  });
}

/** y, mean and variance of a training-mode batch norm over the last axis (statistics of this batch);
 *  scale and offset are [C]. */
function batchNormTrainKernel(a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x, scale, offset } = args.inputs as Record<string, TensorInfo | undefined>;
    const C = x!.shape[x!.shape.length - 1];
    const y = alloc(sizeOf(x!.shape));
    const mean = new Float32Array(C), variance = new Float32Array(C);
    a.batchNormTrain(values(backend, x!)!, y, C, values(backend, scale!)!, values(backend, offset!)!,
      Number((args.attrs as Record<string, unknown>).varianceEpsilon), mean, variance);
    return [backend.makeTensorInfo(x!.shape, 'float32', y), backend.makeTensorInfo([C], 'float32', mean), backend.makeTensorInfo([C], 'float32', variance)];
  };
}

function batchNormTrainGradKernel(a: NativeAddon): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { x, dy, mean, variance, scale, dmean, dvariance } = args.inputs as Record<string, TensorInfo | undefined>;
    const C = x!.shape[x!.shape.length - 1];
    const dx = alloc(sizeOf(x!.shape));
    const sums = new Float32Array(2 * C);
    const opt = (t: TensorInfo | undefined) => (t ? values(backend, t)! : null);
    a.batchNormTrainGrad(values(backend, x!)!, values(backend, dy!)!, dx, C, values(backend, mean!)!, values(backend, variance!)!,
      opt(scale), opt(dmean), opt(dvariance), Number((args.attrs as Record<string, unknown>).varianceEpsilon), sums);
    return [backend.makeTensorInfo(x!.shape, 'float32', dx), backend.makeTensorInfo([2 * C], 'float32', sums)];
  };
}

// ---------------------------------------------------------------------------------------------
// Data movement, comparisons, indexing and image kernels: what augmentation (crop, RandAugment,
// mixup/cutmix), the loss and indexing run on every training step besides arithmetic.

type Typed = Float32Array | Int32Array | Uint8Array;
const DTYPE_ARRAY = { float32: Float32Array, int32: Int32Array, bool: Uint8Array } as const;
type PlainDtype = keyof typeof DTYPE_ARRAY;

/** Storage of a float32, int32 or bool tensor (null for complex or string ones). */
function typed(backend: MathBackendCPU, t: TensorInfo): Typed | null {
  if (!(t.dtype in DTYPE_ARRAY)) return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint8Array ? v : null;
}

/** Output storage of a dtype: float32 from the pool, the others fresh (rare and small). */
function allocOf(dtype: PlainDtype, n: number): Typed {
  return dtype === 'float32' ? alloc(n) : new DTYPE_ARRAY[dtype](n);
}

type Register = (name: string, make: (fallback: tf.KernelFunc) => tf.KernelFunc) => void;
type Attrs = Record<string, unknown>;
type Inputs = Record<string, TensorInfo>;

/** A native kernel body: null where the inputs are not ones it takes (the cpu kernel runs instead). */
function nativeOr(fallback: tf.KernelFunc, body: (backend: MathBackendCPU, inputs: Inputs, attrs: Attrs) => TensorInfo | null): tf.KernelFunc {
  return (args) => body(args.backend as MathBackendCPU, args.inputs as Inputs, (args.attrs ?? {}) as Attrs) ?? fallback(args);
}

const CMP_OPS: Array<[string, number]> = [
  ['Equal', 0], ['NotEqual', 1], ['Less', 2], ['LessEqual', 3], ['Greater', 4], ['GreaterEqual', 5], ['LogicalAnd', 6], ['LogicalOr', 7],
];

function registerDataKernels(add: Register, a: NativeAddon): void {
  /** out = x walked from `offset` with `strides` over `shape` (Slice, Reverse). */
  const walk = (backend: MathBackendCPU, x: TensorInfo, shape: number[], offset: number, strides: number[]) => {
    const xv = typed(backend, x);
    if (!xv || sizeOf(shape) === 0) return null;
    const out = allocOf(x.dtype as PlainDtype, sizeOf(shape));
    a.stridedCopy(xv, out, shape, offset, strides, 0, contiguousStrides(shape));
    return backend.makeTensorInfo(shape, x.dtype, out);
  };

  add('Slice', (f) => nativeOr(f, (backend, { x }, at) => {
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, at.begin as number[], at.size as number[]);
    const strides = contiguousStrides(x.shape);
    return walk(backend, x, size, begin.reduce((acc, b, d) => acc + b * strides[d], 0), strides);
  }));

  add('Reverse', (f) => nativeOr(f, (backend, { x }, at) => {
    if (x.shape.length === 0) return null;
    const axes = tf.util.parseAxisParam(at.dims as number | number[], x.shape);
    const strides = contiguousStrides(x.shape);
    const offset = axes.reduce((acc, d) => acc + (x.shape[d] - 1) * strides[d], 0);
    return walk(backend, x, x.shape, offset, strides.map((s, d) => (axes.includes(d) ? -s : s)));
  }));

  add('PadV2', (f) => nativeOr(f, (backend, { x }, at) => {
    const paddings = at.paddings as Array<[number, number]>;
    const xv = typed(backend, x);
    if (!xv || xv.length === 0 || x.shape.length === 0) return null;
    const shape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
    const out = allocOf(x.dtype as PlainDtype, sizeOf(shape));
    a.fillRange(out, Number(at.constantValue ?? 0), 0);
    const strides = contiguousStrides(shape);
    a.stridedCopy(xv, out, x.shape, 0, contiguousStrides(x.shape), paddings.reduce((acc, [before], d) => acc + before * strides[d], 0), strides);
    return backend.makeTensorInfo(shape, x.dtype, out);
  }));

  add('Range', (f) => nativeOr(f, (backend, _inputs, at) => {
    const start = Number(at.start), stop = Number(at.stop), dtype = at.dtype as PlainDtype;
    let step = Number(at.step);
    if (dtype !== 'float32' && dtype !== 'int32') return null;
    // tfjs's rangeImpl: these give an empty range, and a falling range with step 1 counts down
    if (start === stop || (start < stop && step < 0) || (stop < start && step > 1)) return backend.makeTensorInfo([0], dtype, allocOf(dtype, 0));
    const n = Math.abs(Math.ceil((stop - start) / step));
    if (stop < start && step === 1) step = -1;
    const out = allocOf(dtype, n);
    a.fillRange(out, start, step);
    return backend.makeTensorInfo([n], dtype, out);
  }));

  for (const [name, value] of [['ZerosLike', 0], ['OnesLike', 1]] as const) {
    add(name, (f) => nativeOr(f, (backend, { x }) => {
      if (!(x.dtype in DTYPE_ARRAY)) return null;
      const out = allocOf(x.dtype as PlainDtype, sizeOf(x.shape));
      a.fillRange(out, value, 0);
      return backend.makeTensorInfo(x.shape, x.dtype, out);
    }));
  }

  add('Cast', (f) => nativeOr(f, (backend, { x }, at) => {
    const dtype = at.dtype as PlainDtype;
    const xv = typed(backend, x);
    if (!xv || !(dtype in DTYPE_ARRAY)) return null;
    if (dtype === x.dtype) {
      // same dtype: the same storage under a new tensor, as tfjs's Identity does
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype };
    }
    const out = allocOf(dtype, xv.length);
    a.cast(xv, out);
    return backend.makeTensorInfo(x.shape, dtype, out);
  }));

  for (const [name, op] of CMP_OPS) {
    add(name, (f) => nativeOr(f, (backend, { a: A, b: B }) => {
      const av = typed(backend, A), bv = typed(backend, B);
      if (!av || !bv || A.dtype !== B.dtype) return null;
      const shape = tf.broadcast_util.assertAndGetBroadcastShape(A.shape, B.shape);
      const out = new Uint8Array(sizeOf(shape));
      if (!a.compare(op, av, broadcastStrides(A.shape, shape), bv, broadcastStrides(B.shape, shape), out, shape)) return null;
      return backend.makeTensorInfo(shape, 'bool', out);
    }));
  }

  add('Select', (f) => nativeOr(f, (backend, { condition, t, e }) => {
    const cv = typed(backend, condition), tv = typed(backend, t), ev = typed(backend, e);
    if (!(cv instanceof Uint8Array) || !tv || !ev || t.dtype !== e.dtype || t.dtype === 'bool' || tv.length === 0) return null;
    // one condition per element (tf.where broadcasts it so); tfjs's kernels index a per-row
    // condition's t and e by row, which the cpu kernel keeps doing
    if (cv.length !== tv.length) return null;
    const out = allocOf(t.dtype as PlainDtype, tv.length);
    a.select(cv, 1, tv as Float32Array | Int32Array, ev as Float32Array | Int32Array, out as Float32Array | Int32Array);
    return backend.makeTensorInfo(t.shape, t.dtype, out);
  }));

  add('GatherV2', (f) => nativeOr(f, (backend, { x, indices }, at) => {
    const xv = typed(backend, x), iv = typed(backend, indices);
    if (!xv || x.dtype === 'bool' || !(iv instanceof Int32Array) || Number(at.batchDims ?? 0) !== 0 || x.shape.length === 0) return null;
    const axis = tf.util.parseAxisParam(at.axis as number, x.shape)[0];
    const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const { outer, inner } = aroundAxis(x.shape, axis);
    const out = allocOf(x.dtype as PlainDtype, sizeOf(shape));
    // false: an index out of range, which the cpu kernel reports
    if (!a.gather(xv as Float32Array | Int32Array, [outer, x.shape[axis], inner], iv, out as Float32Array | Int32Array)) return null;
    return backend.makeTensorInfo(shape, x.dtype, out);
  }));

  add('OneHot', (f) => nativeOr(f, (backend, { indices }, at) => {
    const iv = typed(backend, indices), dtype = (at.dtype ?? 'int32') as PlainDtype;
    const depth = Number(at.depth);
    if (!(iv instanceof Int32Array) || (dtype !== 'float32' && dtype !== 'int32') || !(depth > 0)) return null;
    const shape = [...indices.shape, depth];
    const out = allocOf(dtype, sizeOf(shape));
    a.oneHot(iv, depth, Number(at.onValue ?? 1), Number(at.offValue ?? 0), out as Float32Array | Int32Array);
    return backend.makeTensorInfo(shape, dtype, out);
  }));

  add('Cumsum', (f) => nativeOr(f, (backend, { x }, at) => {
    const xv = isF32(x) ? values(backend, x) : null;
    if (!xv || xv.length === 0 || x.shape.length === 0) return null;
    const axis = tf.util.parseAxisParam(at.axis as number, x.shape)[0];
    const { outer, inner } = aroundAxis(x.shape, axis);
    const out = alloc(xv.length);
    a.cumsum(xv, out, [outer, x.shape[axis], inner], Boolean(at.exclusive), Boolean(at.reverse));
    return backend.makeTensorInfo(x.shape, 'float32', out);
  }));

  add('UnsortedSegmentSum', (f) => nativeOr(f, (backend, { x, segmentIds }, at) => {
    const xv = isF32(x) ? values(backend, x) : null, iv = typed(backend, segmentIds);
    const segments = Number(at.numSegments);
    if (!xv || !(iv instanceof Int32Array) || iv.length === 0 || xv.length % iv.length !== 0 || !(segments >= 0)) return null;
    const shape = [segments, ...x.shape.slice(segmentIds.shape.length)];
    const inner = xv.length / iv.length;
    if (inner !== sizeOf(shape.slice(1))) return null;
    const out = alloc(sizeOf(shape));
    a.segmentSum(xv, iv, inner, segments, out);
    return backend.makeTensorInfo(shape, 'float32', out);
  }));

  add('CropAndResize', (f) => nativeOr(f, (backend, { image, boxes, boxInd }, at) => {
    const iv = isF32(image) ? values(backend, image) : null, bv = isF32(boxes) ? values(backend, boxes) : null, ind = typed(backend, boxInd);
    const [ch, cw] = at.cropSize as [number, number];
    const method = at.method as string;
    if (!iv || !bv || !(ind instanceof Int32Array) || (method !== 'bilinear' && method !== 'nearest') || iv.length === 0) return null;
    const [n, h, w, c] = image.shape;
    const nb = boxes.shape[0];
    const shape = [nb, ch, cw, c];
    if (sizeOf(shape) === 0) return null;
    const out = alloc(sizeOf(shape));
    a.cropAndResize(iv, bv, ind, out, [n, h, w, c, nb, ch, cw], method === 'nearest', Number(at.extrapolationValue ?? 0));
    return backend.makeTensorInfo(shape, 'float32', out);
  }));

  const FILL_MODES = ['constant', 'reflect', 'wrap', 'nearest'];
  add('Transform', (f) => nativeOr(f, (backend, { image, transforms }, at) => {
    const iv = isF32(image) ? values(backend, image) : null, tv = isF32(transforms) ? values(backend, transforms) : null;
    const mode = FILL_MODES.indexOf((at.fillMode as string | undefined) ?? 'constant');
    const interp = at.interpolation as string;
    if (!iv || !tv || mode < 0 || (interp !== 'bilinear' && interp !== 'nearest') || iv.length === 0) return null;
    const [n, h, w, c] = image.shape;
    const [oh, ow] = (at.outputShape as [number, number] | null | undefined) ?? [h, w];
    if (tv.length !== 8 && tv.length !== 8 * n) return null;
    const shape = [n, oh, ow, c];
    const out = alloc(sizeOf(shape));
    a.transform(iv, tv, out, [n, h, w, c, oh, ow], interp === 'nearest', mode, Number(at.fillValue ?? 0));
    return backend.makeTensorInfo(shape, 'float32', out);
  }));
}

function registerKernels(a: NativeAddon): void {
  const native = new Map<string, tf.KernelFunc>();
  const add = (name: string, make: (fallback: tf.KernelFunc) => tf.KernelFunc) => native.set(name, make(cpuKernel(name)));
  add('Conv2D', (f) => convForward('conv', false, f, a));
  add('FusedConv2D', (f) => convForward('conv', true, f, a));
  add('Conv2DBackpropInput', (f) => convBackpropInput('conv', f, a));
  add('Conv2DBackpropFilter', (f) => convBackpropFilter('conv', f, a));
  add('DepthwiseConv2dNative', (f) => convForward('depthwise', false, f, a));
  add('FusedDepthwiseConv2D', (f) => convForward('depthwise', true, f, a));
  add('DepthwiseConv2dNativeBackpropInput', (f) => convBackpropInput('depthwise', f, a));
  add('DepthwiseConv2dNativeBackpropFilter', (f) => convBackpropFilter('depthwise', f, a));
  add('BatchMatMul', (f) => matMul(false, f, a));
  add('_FusedMatMul', (f) => matMul(true, f, a));
  const bins: Array<[string, Addon.BinCode]> = [['Add', 0], ['Sub', 1], ['Multiply', 2], ['RealDiv', 3], ['Maximum', 4], ['Minimum', 5], ['SquaredDifference', 6], ['Pow', 10]];
  for (const [name, op] of bins) add(name, (f) => binaryKernel(op, f, a));
  add('AddN', (f) => addNKernel(f, a));
  const uns: Array<[string, number, string?, string?]> = [
    ['Relu', 0], ['Relu6', 1], ['Step', 2, 'alpha'], ['Square', 3], ['Sqrt', 4], ['Rsqrt', 5], ['Exp', 6], ['Log', 7], ['Neg', 8],
    ['Sigmoid', 9], ['Tanh', 10], ['Elu', 11], ['Abs', 12], ['Reciprocal', 13], ['Erf', 14], ['LeakyRelu', 15, 'alpha'],
    ['Round', 16], ['Floor', 17], ['Ceil', 18], ['ClipByValue', 19, 'clipValueMin', 'clipValueMax'],
  ];
  for (const [name, op, alpha, beta] of uns) add(name, (f) => unaryKernel(op, f, a, alpha, beta));
  registerDataKernels(add, a);
  add('Sum', (f) => reduceKernel(0, false, 'axis', f, a));
  add('Mean', (f) => reduceKernel(0, true, 'axis', f, a));
  add('Max', (f) => reduceKernel(1, false, 'reductionIndices', f, a));
  add('Min', (f) => reduceKernel(2, false, 'axis', f, a));
  add('Tile', (f) => tileKernel(f, a));
  add('FusedBatchNorm', (f) => batchNormKernel(f, a));
  add('Transpose', (f) => transposeKernel(f, a));
  add('Softmax', (f) => softmaxKernel(f, a));
  add('SplitV', (f) => splitVKernel(f, a));
  add('Concat', (f) => concatKernel(f, a));

  tf.registerKernel({ kernelName: BN_GRAD_KERNEL, backendName: NATIVE_BACKEND, kernelFunc: batchNormGradKernel(a) });
  tf.registerKernel({ kernelName: BN_TRAIN_KERNEL, backendName: NATIVE_BACKEND, kernelFunc: batchNormTrainKernel(a) });
  tf.registerKernel({ kernelName: BN_TRAIN_GRAD_KERNEL, backendName: NATIVE_BACKEND, kernelFunc: batchNormTrainGradKernel(a) });
  enableFusedBatchNormTraining();
  overrideBatchNormGradient();
  const noFallback: tf.KernelFunc = () => {
    throw new Error('native gradient kernel called with inputs it does not take (float32, same shapes)');
  };
  for (const [, gradKernel, op] of GRAD_KERNELS) {
    tf.registerKernel({ kernelName: gradKernel, backendName: NATIVE_BACKEND, kernelFunc: binaryKernel(op, noFallback, a) });
  }
  overrideElementwiseGradients();

  for (const config of tf.getKernelsForBackend('cpu')) {
    const kernelFunc = native.get(config.kernelName) ?? config.kernelFunc;
    tf.registerKernel({ ...config, backendName: NATIVE_BACKEND, kernelFunc });
  }
}

/** Names of the kernels the addon computes (the rest are the cpu backend's). */
export function nativeKernelNames(): string[] {
  return tf.getKernelsForBackend(NATIVE_BACKEND)
    .filter((k) => k.kernelFunc !== tf.getKernel(k.kernelName, 'cpu')?.kernelFunc)
    .map((k) => k.kernelName)
    .sort();
}
