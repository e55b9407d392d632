/**
 * Batch norm in training as one kernel pair, on the backends that register it (native and wasm).
 *
 * tfjs-layers' BatchNormalization in training computes tf.moments and then a FusedBatchNorm: Mean,
 * Sub, Square, Mean and the norm forward, and their gradients backward (about 20 kernels and a
 * dozen activation-sized temporaries per layer). Where the current backend has BN_TRAIN_KERNEL,
 * the layer's call() runs it (statistics and output in one kernel, with a one-kernel gradient)
 * and updates the moving statistics exactly as the original does (biased variance, momentum
 * decay). The method is replaced on the class rather than the class replaced, so models keep
 * className 'BatchNormalization' (the ONNX exporter, fold-bn and the cost checker look for it);
 * inference, other backends and layouts (axis not last, other dtypes) run the original.
 *
 * The kernels:
 * - BN_TRAIN_KERNEL, inputs { x, scale, offset } (scale and offset [C]), attr varianceEpsilon:
 *   outputs [y, mean, variance], the statistics over every axis but the last (variance biased).
 * - BN_TRAIN_GRAD_KERNEL, inputs { x, dy, mean, variance, scale?, dmean?, dvariance? }: outputs
 *   [dx, sums], dx through the batch statistics (plus what reaches the mean and variance outputs
 *   directly) and sums = [sum(dy), sum(dy (x - mean))] per channel.
 */
import * as tf from '@tensorflow/tfjs';

export const BN_TRAIN_KERNEL = 'UsibenchBatchNormTrain';
export const BN_TRAIN_GRAD_KERNEL = 'UsibenchBatchNormTrainGrad';

let enabled = false;

/** Registers the training kernel's gradient and patches the layer; idempotent. */
export function enableFusedBatchNormTraining(): void {
  if (enabled) return;
  enabled = true;
  registerGradient();
  patchBatchNormalizationLayer();
}

function registerGradient(): void {
  tf.registerGradient({
    kernelName: BN_TRAIN_KERNEL,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      // tfjs hands every output a gradient (zeros for the statistics, which only feed the moving
      // averages in training); the kernel adds theirs to dx all the same.
      const [dy, dmean, dvariance] = dys as tf.Tensor[];
      const [x, scale, mean, variance] = saved;
      const eps = Number((attrs as Record<string, unknown>).varianceEpsilon);
      const inputs: tf.NamedTensorMap = { x, dy, mean, variance, scale, dmean, dvariance };
      const [dx, sums] = tf.engine().runKernel(BN_TRAIN_GRAD_KERNEL, inputs, { varianceEpsilon: eps }) as unknown as tf.Tensor[];
      const C = mean.size;
      return {
        x: () => dx,
        scale: () => tf.mul(tf.slice(sums, C, C), tf.rsqrt(tf.add(variance, eps))),
        offset: () => tf.slice(sums, 0, C),
      };
    },
  });
}

interface BatchNormLayer {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

function patchBatchNormalizationLayer(): void {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization;
  if (!entry) return;
  const proto = (entry[0] as unknown as { prototype: Record<string, unknown> }).prototype;
  // Once per class, even if this module is loaded twice in one isolate (two import specifiers).
  if (proto.usibenchFusedTraining) return;
  proto.usibenchFusedTraining = true;
  const original = proto.call as (this: BatchNormLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor;
  proto.call = function call(this: BatchNormLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
    const training = Boolean(kwargs?.training);
    const lastAxis = x != null && (this.axis === -1 || this.axis === x.rank - 1);
    // Without gamma or beta the original's training path fails (it reads both); so does it here.
    const usable = this.gamma != null && this.beta != null && x != null && x.rank >= 2 && x.dtype === 'float32' && x.size > 0;
    if (!training || !usable || !lastAxis || !tf.getKernel(BN_TRAIN_KERNEL, tf.getBackend())) {
      return original.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const inputsMap: tf.NamedTensorMap = { x: x!, scale: this.gamma!.read(), offset: this.beta!.read() };
      const [y, mean, variance] = tf.engine().runKernel(BN_TRAIN_KERNEL, inputsMap, { varianceEpsilon: this.epsilon }) as unknown as tf.Tensor[];
      for (const [variable, value] of [[this.movingMean, mean], [this.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const orig = variable.read();
          variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - this.momentum)));
        });
      }
      return y;
    });
  };
}
