/**
 * Gradients that run as one native pass on the native backend. tfjs registers a gradient per
 * kernel name for every backend at once, so each one here wraps the gradient registered before it
 * and runs that one on any other backend (the cpu reference included), dtype or layout.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.js';
import { NATIVE_BACKEND } from './backend.js';
import { BinOp } from './ops.js';
import type { KernelTable } from './kernel.js';
import { binary } from './kernels/elementwise.js';
import { BN_GRAD_KERNEL } from './kernels/batchnorm.js';
import { wrapGradient } from '../gradients.js';

/** The gradient kernels the addon fuses (dy and the forward input x in, dx out, one pass). */
const GRAD_KERNELS = [
  { forward: 'Relu', kernel: 'UsibenchNativeReluGrad', op: BinOp.RELU_GRAD },
  { forward: 'Relu6', kernel: 'UsibenchNativeRelu6Grad', op: BinOp.RELU6_GRAD },
  { forward: 'Square', kernel: 'UsibenchNativeSquareGrad', op: BinOp.SQUARE_GRAD },
] as const;

/** The kernels the gradients below run, by name (registered for the native backend only). */
export function gradientKernels(a: NativeAddon): KernelTable {
  return Object.fromEntries(GRAD_KERNELS.map(({ kernel, op }) => [kernel, binary(op, a)]));
}

type NativeGrad = (g: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => Record<string, () => tf.Tensor> | null;

/**
 * Wraps the gradient of `kernelName`: on the native backend, with float32 dy and first saved
 * tensor, `grad` returns the gradient map or null to run the wrapped one; elsewhere the wrapped one runs.
 */
function overrideGradient(kernelName: string, grad: NativeGrad): void {
  wrapGradient(kernelName, NATIVE_BACKEND, (dy, saved, attrs) => {
    const g = dy as tf.Tensor;
    return tf.getBackend() === NATIVE_BACKEND && saved[0]?.dtype === 'float32' && g.dtype === 'float32' ? grad(g, saved, attrs) : null;
  });
}

/**
 * tfjs-core's Relu gradient is dy * cast(step(x)), Relu6's dy * cast((x <= 6) * step(x)) and
 * Square's dy * (x * 2): two to four full-size kernels and allocations each, where one native pass
 * computes the same products.
 */
function overrideElementwiseGradients(): void {
  for (const { forward, kernel } of GRAD_KERNELS) {
    overrideGradient(forward, (g, [x]) =>
      x.size > 0 && tf.util.arraysEqual(g.shape, x.shape) ? { x: () => tf.engine().runKernel(kernel, { a: g, b: x }) as tf.Tensor } : null);
  }
}

/**
 * tfjs-core's FusedBatchNorm gradient builds about a dozen full-size tensors (a Tile of the inverse
 * std, products, per-channel sums); on native it becomes one pass (dx and two per-channel sums) and
 * per-channel arithmetic.
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

export function overrideNativeGradients(): void {
  overrideBatchNormGradient();
  overrideElementwiseGradients();
}
