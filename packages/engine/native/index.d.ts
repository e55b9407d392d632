import type { Act, BinOp, CmpOp, FillMode, RedOp, UnOp } from '../src/native/ops.js';

/** Parameters of a conv as 15 integers:
 *  [n, h, w, cin, fh, fw, cout, oh, ow, strideH, strideW, dilationH, dilationW, padTop, padLeft].
 *  For depthwise convs cout = cin * channelMultiplier. */
export type ConvParams = readonly number[];

export interface NativeInfo { blas: string; threads: number; version: string; simd: string }

export function info(): NativeInfo;
/** BLAS threads and the addon's own loop threads. */
export function setThreads(n: number): void;
/** y (NHWC) = act(conv(x NHWC, w [fh,fw,cin,cout]) + bias). */
export function conv2d(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, p: ConvParams, act: Act, alpha: number): void;
export function conv2dBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, p: ConvParams): void;
export function conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, p: ConvParams): void;
/** Depthwise conv with filter [fh, fw, cin, mult]. */
export function depthwise(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, p: ConvParams, act: Act, alpha: number): void;
export function depthwiseBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, p: ConvParams): void;
export function depthwiseBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, p: ConvParams): void;
/** c[i] = op(a[aOffsets[i]..]) x op(b[bOffsets[i]..]); dims = [batch, m, n, k, transA, transB]. */
export function batchMatMul(a: Float32Array, b: Float32Array, c: Float32Array, dims: readonly number[], aOffsets: readonly number[], bOffsets: readonly number[]): void;
/** In place: y[r, c] = act(y[r, c] + bias[c]). */
export function biasAct(y: Float32Array, cols: number, bias: Float32Array | null, act: Act, alpha: number): void;
/** out (contiguous, outShape) = a op b, with a's and b's strides per output dim (0 = broadcast). */
export function binary(op: BinOp, a: Float32Array, aStrides: readonly number[], b: Float32Array, bStrides: readonly number[], out: Float32Array, outShape: readonly number[]): boolean;
/** y = op(x); alpha and beta are the op's attributes (ops.json). */
export function unary(op: UnOp, x: Float32Array, y: Float32Array, alpha: number, beta?: number): boolean;
/** A reduction over `axes` of a contiguous tensor; false for layouts it does not handle. */
export function reduce(op: RedOp, x: Float32Array, shape: readonly number[], axes: readonly number[], out: Float32Array): boolean;
export function tile(x: Float32Array, shape: readonly number[], reps: readonly number[], out: Float32Array): boolean;
/** y = (x - mean) * scale / sqrt(variance + eps) + offset over the last axis (channels). */
export function batchNorm(x: Float32Array, y: Float32Array, channels: number, mean: Float32Array, variance: Float32Array, offset: Float32Array | null, scale: Float32Array | null, eps: number): void;
/** dx = dy * scale / sqrt(variance + eps) over the last axis; sums gets [sum(dy) per channel,
 *  sum(dy * (x - mean)) per channel] (2 x channels values). */
export function batchNormGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, channels: number, mean: Float32Array, variance: Float32Array, scale: Float32Array | null, eps: number, sums: Float32Array): void;
/** Training-mode batch norm over the last axis: mean and variance get the batch's per-channel mean
 *  and biased variance, y = (x - mean) * scale / sqrt(variance + eps) + offset. */
export function batchNormTrain(x: Float32Array, y: Float32Array, channels: number, scale: Float32Array | null, offset: Float32Array | null, eps: number, mean: Float32Array, variance: Float32Array): void;
/** Its gradient through the batch statistics: dx, plus dmean / n + 2 dvariance (x - mean) / n where
 *  given; sums gets [sum(dy), sum(dy * (x - mean))] per channel (2 x channels values). */
export function batchNormTrainGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, channels: number, mean: Float32Array, variance: Float32Array, scale: Float32Array | null, dmean: Float32Array | null, dvariance: Float32Array | null, eps: number, sums: Float32Array): void;
/** out = x with dims permuted (out dim d is x dim perm[d]); false for an empty tensor. */
export function transpose(x: Float32Array, shape: readonly number[], perm: readonly number[], out: Float32Array): boolean;
/** Softmax over contiguous rows of `cols` values. */
export function softmax(x: Float32Array, cols: number, out: Float32Array): void;
/** dst[dstOffset + r * dstStride + j] = src[srcOffset + r * srcStride + j] for r < rows, j < len. */
export function copyRows(src: Float32Array, dst: Float32Array, dims: readonly [number, number, number, number, number, number]): void;

/** float32, int32 and bool (Uint8Array) storage, as tfjs's cpu backend keeps it. */
export type TypedStorage = Float32Array | Int32Array | Uint8Array;
/** dst[dstOffset + Σ i_d dstStrides[d]] = src[srcOffset + Σ i_d srcStrides[d]] over `shape`; strides may be negative.
 *  src and dst have one element size. */
export function stridedCopy(src: TypedStorage, dst: TypedStorage, shape: readonly number[], srcOffset: number, srcStrides: readonly number[], dstOffset: number, dstStrides: readonly number[]): void;
/** out[0] = start, out[i] = out[i - 1] + delta in out's type (delta 0: a fill). */
export function fillRange(out: TypedStorage, start: number, delta: number): void;
/** dst = src converted as tfjs casts (float -> int truncates; -> bool is x != 0). */
export function cast(src: TypedStorage, dst: TypedStorage): void;
/** 0 ==, 1 !=, 2 <, 3 <=, 4 >, 5 >=, 6 and, 7 or; out (bool) = a op b with broadcasting strides. */
export function compare(op: CmpOp, a: TypedStorage, aStrides: readonly number[], b: TypedStorage, bStrides: readonly number[], out: Uint8Array, outShape: readonly number[]): boolean;
/** out[i] = cond[floor(i / inner)] ? a[i] : b[i]. */
export function select(cond: Uint8Array, inner: number, a: Float32Array | Int32Array, b: Float32Array | Int32Array, out: Float32Array | Int32Array): void;
/** out[o, j, :] = x[o, indices[j], :] for x [outer, axis, inner]; false when an index is out of range. */
export function gather(x: Float32Array | Int32Array, dims: readonly [number, number, number], indices: Int32Array, out: Float32Array | Int32Array): boolean;
export function oneHot(indices: Int32Array, depth: number, on: number, off: number, out: Float32Array | Int32Array): void;
/** Running sums along the middle axis of [outer, len, inner]. */
export function cumsum(x: Float32Array, out: Float32Array, dims: readonly [number, number, number], exclusive: boolean, reverse: boolean): void;
/** out [segments, inner] = Σ rows of x [ids.length, inner] with that id. */
export function segmentSum(x: Float32Array, ids: Int32Array, inner: number, segments: number, out: Float32Array): void;
/** tf.image.cropAndResize; dims [batch, h, w, c, boxes, cropH, cropW]. */
export function cropAndResize(image: Float32Array, boxes: Float32Array, boxInd: Int32Array, out: Float32Array, dims: readonly number[], nearest: boolean, extrapolation: number): void;
/** tf.image.transform; dims [batch, h, w, c, outH, outW]; fill mode as in ops.json. */
export function transform(image: Float32Array, transforms: Float32Array, out: Float32Array, dims: readonly number[], nearest: boolean, fillMode: FillMode, fillValue: number): void;
