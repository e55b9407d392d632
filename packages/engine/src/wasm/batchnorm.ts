/**
 * Batch norm on wasm.
 *
 * FusedBatchNorm when every statistic is per channel (the last axis) or a scalar:
 * (x - mean) * scale / sqrt(var + eps) + offset is x * a + b per channel, with a and b computed
 * once per channel (in float64), and x * a + b is XNNPACK's 1x1 depthwise convolution with a bias:
 * one SIMD pass, where the shipped kernel indexes every statistic per element (a visible share of
 * a resnet_ref inference). Same function, computed in one kernel; nothing is folded into
 * the neighbouring convolution.
 */
import * as tf from '@tensorflow/tfjs';
import { simdModule } from './simd-module.js';
import { type BackendWasm, type TensorInfo, dispose, heapAddress, heapF32, heapIndex, reshaped, runKernel } from './wasm-util.js';

export function fusedBatchNorm(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const wasm = args.backend as BackendWasm;
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, TensorInfo | undefined>;
    const eps = (args.attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon;
    const rank = x!.shape.length;
    const c = rank > 0 ? x!.shape[rank - 1] : 1;
    const perChannel = (t: TensorInfo | undefined) => t == null || (t.dtype === 'float32' && [1, c].includes(tf.util.sizeFromShape(t.shape)));
    const size = tf.util.sizeFromShape(x!.shape);
    if (x!.dtype !== 'float32' || rank === 0 || size === 0 || ![mean, variance, offset, scale].every(perChannel)) return original(args);
    const filter = wasm.makeOutput([1, 1, c, 1], 'float32');
    const bias = wasm.makeOutput([c], 'float32');
    const heap = heapF32(wasm);
    const read = (t: TensorInfo | undefined, k: number, fallback: number): number => {
      if (!t) return fallback;
      return heap[heapIndex(wasm, t) + (tf.util.sizeFromShape(t.shape) === 1 ? 0 : k)];
    };
    const fAt = heapIndex(wasm, filter);
    const bAt = heapIndex(wasm, bias);
    for (let k = 0; k < c; k++) {
      const a = read(scale, k, 1) / Math.sqrt(read(variance, k, 1) + eps);
      heap[fAt + k] = a;
      heap[bAt + k] = read(offset, k, 0) - read(mean, k, 0) * a;
    }
    const x4 = reshaped(wasm, x!, [1, 1, size / c, c]);
    const y = runKernel(wasm, 'FusedDepthwiseConv2D', { x: x4, filter, bias }, {
      strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], activation: 'linear',
    });
    const out = reshaped(wasm, y, x!.shape);
    dispose(wasm, x4, y, filter, bias);
    return out;
  };
}

interface BatchNormExports {
  bn_scratch_floats(c: number): number;
  bn_train(x: number, y: number, rows: number, c: number, scale: number, offset: number, eps: number, mean: number, variance: number, scratch: number): void;
  bn_train_grad(
    x: number, dy: number, dx: number, rows: number, c: number, mean: number, variance: number, scale: number,
    dmean: number, dvariance: number, eps: number, sums: number, scratch: number,
  ): void;
}

/** BN_TRAIN_KERNEL (../batchnorm-train.ts) by simd/batchnorm.c: statistics and output in two passes. */
export const batchNormTrain: tf.KernelFunc = (args) => {
  const wasm = args.backend as BackendWasm;
  const { x, scale, offset } = args.inputs as Record<string, TensorInfo | undefined>;
  const c = x!.shape[x!.shape.length - 1];
  const mod = simdModule<BatchNormExports>(wasm, 'batchnorm');
  const y = wasm.makeOutput(x!.shape, 'float32');
  const mean = wasm.makeOutput([c], 'float32');
  const variance = wasm.makeOutput([c], 'float32');
  const scratch = wasm.makeOutput([mod.bn_scratch_floats(c)], 'float32');
  const eps = Number((args.attrs as Record<string, unknown>).varianceEpsilon);
  mod.bn_train(heapAddress(wasm, x), heapAddress(wasm, y), tf.util.sizeFromShape(x!.shape) / c, c, heapAddress(wasm, scale), heapAddress(wasm, offset), eps,
    heapAddress(wasm, mean), heapAddress(wasm, variance), heapAddress(wasm, scratch));
  dispose(wasm, scratch);
  return [y, mean, variance];
};

/** BN_TRAIN_GRAD_KERNEL: dx and the per-channel sums in two passes. */
export const batchNormTrainGrad: tf.KernelFunc = (args) => {
  const wasm = args.backend as BackendWasm;
  const { x, dy, mean, variance, scale, dmean, dvariance } = args.inputs as Record<string, TensorInfo | undefined>;
  const c = x!.shape[x!.shape.length - 1];
  const mod = simdModule<BatchNormExports>(wasm, 'batchnorm');
  const dx = wasm.makeOutput(x!.shape, 'float32');
  const sums = wasm.makeOutput([2 * c], 'float32');
  const scratch = wasm.makeOutput([mod.bn_scratch_floats(c)], 'float32');
  const eps = Number((args.attrs as Record<string, unknown>).varianceEpsilon);
  mod.bn_train_grad(heapAddress(wasm, x), heapAddress(wasm, dy), heapAddress(wasm, dx), tf.util.sizeFromShape(x!.shape) / c, c, heapAddress(wasm, mean),
    heapAddress(wasm, variance), heapAddress(wasm, scale), heapAddress(wasm, dmean), heapAddress(wasm, dvariance), eps, heapAddress(wasm, sums), heapAddress(wasm, scratch));
  dispose(wasm, scratch);
  return [dx, sums];
};
