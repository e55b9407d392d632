/**
 * Replacements for two tfjs-core gradients (used on every backend):
 * - FusedBatchNorm: the shipped one tiles 1/sqrt(var) to the full activation size, and crashes
 *   when mean/variance are not rank 1 (e.g. moments with keepDims) because it skips the sum;
 * - SquaredDifference and BatchMatMul: the shipped ones do not reduce a broadcast input's
 *   gradient to that input's shape.
 * (A batchNorm without scale still crashes in backprop: the engine saves the missing input before
 * any gradient runs. Pass a scale.)
 */
import * as tf from '@tensorflow/tfjs';

type GradFunc = tf.GradConfig['gradFunc'];

/** Sums `g` over the axes along which `shape` was broadcast, and gives it `shape`. */
function reduceTo(g: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, g.shape);
  const summed = axes.length > 0 ? tf.sum(g, axes) : g;
  return tf.reshape(summed, shape);
}

const fusedBatchNormGrad: GradFunc = (dy, saved, attrs) => {
  const dyT = dy as tf.Tensor;
  const [x, mean, variance, scale] = saved;
  const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
  const invStd = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
  const gain = scale == null ? invStd : tf.mul(invStd, scale);
  const centred = () => tf.sub(x, mean);
  const sumDy = () => reduceTo(dyT, mean.shape);
  const sumDyCentred = () => reduceTo(tf.mul(dyT, centred()), mean.shape);
  return {
    x: () => tf.reshape(tf.mul(dyT, gain), x.shape),
    mean: () => tf.neg(tf.mul(sumDy(), gain)),
    variance: () => tf.mul(tf.mul(sumDyCentred(), tf.mul(gain, tf.square(invStd))), tf.scalar(-0.5)),
    scale: () => reduceTo(tf.mul(sumDyCentred(), invStd), scale?.shape ?? mean.shape),
    offset: () => sumDy(),
  };
};

const squaredDifferenceGrad: GradFunc = (dy, saved) => {
  const [a, b] = saved;
  const twoDiff = () => tf.mul(tf.scalar(2), tf.sub(a, b));
  return {
    a: () => reduceTo(tf.mul(dy as tf.Tensor, twoDiff()), a.shape),
    b: () => reduceTo(tf.neg(tf.mul(dy as tf.Tensor, twoDiff())), b.shape),
  };
};

const batchMatMulGrad: GradFunc = (dy, saved, attrs) => {
  const [a, b] = saved;
  const g = dy as tf.Tensor;
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const mm = (x: tf.Tensor, y: tf.Tensor, tx: boolean, ty: boolean) => tf.matMul(x, y, tx, ty);
  let da: () => tf.Tensor;
  let db: () => tf.Tensor;
  if (!transposeA && !transposeB) {
    da = () => mm(g, b, false, true);
    db = () => mm(a, g, true, false);
  } else if (!transposeA && transposeB) {
    da = () => mm(g, b, false, false);
    db = () => mm(g, a, true, false);
  } else if (transposeA && !transposeB) {
    da = () => mm(b, g, false, true);
    db = () => mm(a, g, false, false);
  } else {
    da = () => mm(b, g, true, true);
    db = () => mm(g, a, true, true);
  }
  return { a: () => reduceTo(da(), a.shape), b: () => reduceTo(db(), b.shape) };
};

export function registerGradientFixes(): void {
  tf.registerGradient({ kernelName: tf.FusedBatchNorm, inputsToSave: ['x', 'mean', 'variance', 'scale'], gradFunc: fusedBatchNormGrad });
  tf.registerGradient({ kernelName: tf.SquaredDifference, inputsToSave: ['a', 'b'], gradFunc: squaredDifferenceGrad });
  tf.registerGradient({ kernelName: tf.BatchMatMul, inputsToSave: ['a', 'b'], gradFunc: batchMatMulGrad });
}
