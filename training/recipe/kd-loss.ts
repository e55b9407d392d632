/**
 * The USI loss: CE(student, mixed targets) + alphaKd · τ² · KL(softmax(t/τ) ‖ softmax(s/τ)),
 * each term averaged over the batch.
 *
 * τ² (Hinton et al., 2015) keeps the KD gradient's scale roughly independent of τ, so alphaKd
 * means the same weight at every temperature; at the reference τ = 1 it changes nothing.
 */
import * as tf from '@tensorflow/tfjs';

export interface KdLossOptions {
  alphaKd: number;
  temperature: number;
  kdOnly: boolean;
}

/** Cross-entropy against soft targets (mixup/cutmix rows that sum to 1), averaged over the batch. */
export function softTargetCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar);
}

/** KL(softmax(teacher/τ) ‖ softmax(student/τ)), summed over classes and averaged over the batch (no τ²). */
export function distillationKl(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const inv = 1 / temperature;
    const logPt = tf.logSoftmax(tf.mul(teacherLogits, inv));
    const logPs = tf.logSoftmax(tf.mul(studentLogits, inv));
    return tf.mean(tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1)) as tf.Scalar;
  });
}

/**
 * The training loss. teacherLogits may be null only when alphaKd is 0 (the baseline); the
 * teacher's logits carry no gradient (they are constants here, computed outside the tape).
 */
export function usiLoss(
  studentLogits: tf.Tensor2D,
  targets: tf.Tensor2D,
  teacherLogits: tf.Tensor2D | null,
  opts: KdLossOptions,
): tf.Scalar {
  if (opts.alphaKd > 0 && !teacherLogits) throw new Error('usiLoss: alphaKd > 0 needs the teacher logits');
  if (opts.kdOnly && opts.alphaKd === 0) throw new Error('usiLoss: kdOnly needs alphaKd > 0');
  return tf.tidy(() => {
    const terms: tf.Scalar[] = [];
    if (!opts.kdOnly) terms.push(softTargetCrossEntropy(studentLogits, targets));
    if (opts.alphaKd > 0 && teacherLogits) {
      const tau = opts.temperature;
      terms.push(tf.mul(distillationKl(studentLogits, teacherLogits, tau), opts.alphaKd * tau * tau));
    }
    return terms.length === 1 ? terms[0] : (tf.addN(terms) as tf.Scalar);
  });
}
