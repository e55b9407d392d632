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
  // The per-channel sums feed two gradients each (mean and offset; variance and scale): computed
  // once here, in the backward pass's scope (each gradient closure runs in its own tidy, which
  // would dispose a result shared between closures).
  const [sumDy, sumDyCentred] = tf.tidy(() => [reduceTo(dyT, mean.shape), reduceTo(tf.mul(dyT, tf.sub(x, mean)), mean.shape)]);
  return {
    x: () => tf.reshape(tf.mul(dyT, gain), x.shape),
    mean: () => tf.neg(tf.mul(sumDy, gain)),
    variance: () => tf.mul(tf.mul(sumDyCentred, tf.mul(gain, tf.square(invStd))), tf.scalar(-0.5)),
    scale: () => reduceTo(tf.mul(sumDyCentred, invStd), scale?.shape ?? mean.shape),
    offset: () => tf.clone(sumDy),
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

/**
 * Sum and Mean: tfjs-core multiplies dy by a full-size tensor of ones built in JavaScript, then
 * divides (an allocation and three full-size passes); one broadcast (a Tile) does it. The pure-JS
 * cpu backend, the reference the tests compare against, keeps the original.
 */
function reductionGrad(kernelName: 'Sum' | 'Mean'): tf.GradConfig {
  const original = tf.getGradient(kernelName);
  if (!original) throw new Error(`tfjs-core has no ${kernelName} gradient to wrap`);
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const g = dy as tf.Tensor;
      if (tf.getBackend() === 'cpu' || x.dtype !== 'float32' || g.dtype !== 'float32') return original.gradFunc(dy, saved, attrs);
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const count = axes.reduce((n, ax) => n * x.shape[ax], 1);
      return {
        x: () => {
          const e = tf.reshape(g, expanded);
          return tf.broadcastTo(kernelName === 'Mean' ? tf.div(e, count) : e, x.shape);
        },
      };
    },
  };
}

export function registerGradientFixes(): void {
  tf.registerGradient(reductionGrad('Sum'));
  tf.registerGradient(reductionGrad('Mean'));
  tf.registerGradient({ kernelName: tf.FusedBatchNorm, inputsToSave: ['x', 'mean', 'variance', 'scale'], gradFunc: fusedBatchNormGrad });
  tf.registerGradient({ kernelName: tf.SquaredDifference, inputsToSave: ['a', 'b'], gradFunc: squaredDifferenceGrad });
  tf.registerGradient({ kernelName: tf.BatchMatMul, inputsToSave: ['a', 'b'], gradFunc: batchMatMulGrad });
}
