/**
 * Batch norm: the inference kernel (FusedBatchNorm), and the kernels of our own that training
 * runs on native (the gradient in one pass, and the training-mode pair of ../../batchnorm-train.ts).
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../addon.js';
import { sizeOf, values, type KernelTable, type NativeKernel, type TensorInfo } from '../kernel.js';
import { alloc } from '../storage.js';
import { BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL } from '../../batchnorm-train.js';

/** dx and per-channel [sum(dy), sum(dy (x - mean))] of a FusedBatchNorm over the last axis (../gradients.ts). */
export const BN_GRAD_KERNEL = 'UsibenchNativeBatchNormGrad';

function batchNorm(a: NativeAddon): NativeKernel {
  return (backend, { x, mean, variance, offset, scale }, at) => {
    const eps = Number(at.varianceEpsilon ?? 0.001);
    const C = x.shape[x.shape.length - 1];
    const perChannel = (t: TensorInfo | undefined) => {
      if (!t) return null;
      const n = sizeOf(t.shape);
      const v = values(backend, t);
      // Only [C] or a single value broadcast the same way as over the last axis.
      return v && (n === 1 || (n === C && t.shape[t.shape.length - 1] === C)) ? v : false;
    };
    const xv = values(backend, x);
    const mv = perChannel(mean), vv = perChannel(variance), ov = perChannel(offset), sv = perChannel(scale);
    if (!xv || !mv || !vv || ov === false || sv === false || xv.length === 0 || !C) return null;
    const y = alloc(xv.length);
    a.batchNorm(xv, y, C, mv, vv, ov, sv, eps);
    return backend.makeTensorInfo(x.shape, 'float32', y);
  };
}

export function batchNormKernels(a: NativeAddon): KernelTable {
  return { FusedBatchNorm: batchNorm(a) };
}

/**
 * The kernels only our own gradients and layers call, always with float32 inputs of the shapes
 * they check first: no cpu kernel stands behind them.
 */
export function batchNormTrainingKernels(a: NativeAddon): KernelTable {
  const opt = (backend: MathBackendCPU, t: TensorInfo | undefined) => (t ? values(backend, t)! : null);
  return {
    [BN_GRAD_KERNEL]: (backend, { x, dy, mean, variance, scale }, at) => {
      const C = x.shape[x.shape.length - 1];
      const dx = alloc(sizeOf(x.shape));
      const sums = new Float32Array(2 * C);
      a.batchNormGrad(values(backend, x)!, values(backend, dy)!, dx, C, values(backend, mean)!, values(backend, variance)!,
        opt(backend, scale), Number(at.varianceEpsilon), sums);
      return [backend.makeTensorInfo(x.shape, 'float32', dx), backend.makeTensorInfo([2 * C], 'float32', sums)];
    },
    // y, mean and variance of a training-mode batch norm over the last axis (statistics of this
    // batch); scale and offset are [C]
    [BN_TRAIN_KERNEL]: (backend, { x, scale, offset }, at) => {
      const C = x.shape[x.shape.length - 1];
      const y = alloc(sizeOf(x.shape));
      const mean = new Float32Array(C), variance = new Float32Array(C);
      a.batchNormTrain(values(backend, x)!, y, C, values(backend, scale)!, values(backend, offset)!, Number(at.varianceEpsilon), mean, variance);
      return [backend.makeTensorInfo(x.shape, 'float32', y), backend.makeTensorInfo([C], 'float32', mean), backend.makeTensorInfo([C], 'float32', variance)];
    },
    [BN_TRAIN_GRAD_KERNEL]: (backend, { x, dy, mean, variance, scale, dmean, dvariance }, at) => {
      const C = x.shape[x.shape.length - 1];
      const dx = alloc(sizeOf(x.shape));
      const sums = new Float32Array(2 * C);
      a.batchNormTrainGrad(values(backend, x)!, values(backend, dy)!, dx, C, values(backend, mean)!, values(backend, variance)!,
        opt(backend, scale), opt(backend, dmean), opt(backend, dvariance), Number(at.varianceEpsilon), sums);
      return [backend.makeTensorInfo(x.shape, 'float32', dx), backend.makeTensorInfo([2 * C], 'float32', sums)];
    },
  };
}
