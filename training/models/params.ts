import type * as tf from '@tensorflow/tfjs';

/**
 * Trainable parameters: what PyTorch's `sum(p.numel() for p in model.parameters())` and timm
 * report. tfjs' countParams() also counts batch-norm moving statistics, which are not parameters.
 */
export function trainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + (w.shape as number[]).reduce((a, d) => a * d, 1), 0);
}
