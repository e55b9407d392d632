/**
 * Gradients the engine puts in place of tfjs-core's. tfjs registers one gradient per kernel name
 * for every backend, so each replacement wraps the gradient registered before it and hands back to
 * that one wherever it does not apply; on the cpu backend, the reference the kernel tests compare
 * against, none applies: it keeps every gradient as shipped.
 *
 * Fixes, on every other backend:
 * - FusedBatchNorm: the shipped one tiles 1/sqrt(var) to the full activation size, and crashes
 *   when mean/variance are not rank 1 (e.g. moments with keepDims) because it skips the sum;
 * - SquaredDifference and BatchMatMul: the shipped ones do not reduce a broadcast input's
 *   gradient to that input's shape (tfjs then throws a shape error).
 * (A batchNorm without scale still crashes in backprop: the engine saves the missing input before
 * any gradient runs. Pass a scale.)
 * Faster, with the same values: Sum and Mean (below).
 */
import * as tf from '@tensorflow/tfjs';

type GradMap = ReturnType<tf.GradConfig['gradFunc']>;
/** A gradient that may decline (null): the one registered before it runs instead. */
export type Replacement = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => GradMap | null;

const wrapped = new Set<string>();

/**
 * Registers `replacement` as the gradient of `kernelName`, over the one registered before it,
 * which runs wherever `replacement` returns null. Once per kernel and tag, however often called.
 */
export function wrapGradient(kernelName: string, tag: string, replacement: Replacement): void {
  const original = tf.getGradient(kernelName);
  if (!original) throw new Error(`tfjs-core has no ${kernelName} gradient to wrap`);
  if (wrapped.has(`${kernelName}/${tag}`)) return;
  wrapped.add(`${kernelName}/${tag}`);
  tf.registerGradient({ ...original, gradFunc: (dy, saved, attrs) => replacement(dy, saved, attrs) ?? original.gradFunc(dy, saved, attrs) });
}

/** `grad` on every backend but cpu. */
const offCpu = (grad: Replacement): Replacement => (dy, saved, attrs) => (tf.getBackend() === 'cpu' ? null : grad(dy, saved, attrs));

/** Sums `g` over the axes along which `shape` was broadcast, and gives it `shape`. */
function reduceTo(g: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, g.shape);
  const summed = axes.length > 0 ? tf.sum(g, axes) : g;
  return tf.reshape(summed, shape);
}

const fusedBatchNormGrad: Replacement = (dy, saved, attrs) => {
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

const squaredDifferenceGrad: Replacement = (dy, saved) => {
  const [a, b] = saved;
  const twoDiff = () => tf.mul(tf.scalar(2), tf.sub(a, b));
  return {
    a: () => reduceTo(tf.mul(dy as tf.Tensor, twoDiff()), a.shape),
    b: () => reduceTo(tf.neg(tf.mul(dy as tf.Tensor, twoDiff())), b.shape),
  };
};

const batchMatMulGrad: Replacement = (dy, saved, attrs) => {
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
 * divides (an allocation and three full-size passes); one broadcast (a Tile) does it.
 */
function reductionGrad(kernelName: 'Sum' | 'Mean'): Replacement {
  return (dy, saved, attrs) => {
    const [x] = saved;
    const g = dy as tf.Tensor;
    if (x.dtype !== 'float32' || g.dtype !== 'float32') return null;
    const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
    const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const count = axes.reduce((n, ax) => n * x.shape[ax], 1);
    return {
      x: () => {
        const e = tf.reshape(g, expanded);
        return tf.broadcastTo(kernelName === 'Mean' ? tf.div(e, count) : e, x.shape);
      },
    };
  };
}

/** Puts the engine's gradients in place (idempotent); the cpu backend keeps tfjs-core's. */
export function registerGradients(): void {
  wrapGradient(tf.Sum, 'engine', offCpu(reductionGrad('Sum')));
  wrapGradient(tf.Mean, 'engine', offCpu(reductionGrad('Mean')));
  wrapGradient(tf.FusedBatchNorm, 'engine', offCpu(fusedBatchNormGrad));
  wrapGradient(tf.SquaredDifference, 'engine', offCpu(squaredDifferenceGrad));
  wrapGradient(tf.BatchMatMul, 'engine', offCpu(batchMatMulGrad));
}
