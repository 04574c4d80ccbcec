import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../src-shared/domain';

/** Output width of a method's head: 1 for regression, 2 logits per emotion for IEMOCAP (MulT protocol). */
export function outputWidth(task: Task, labelDim: number): number {
  return task === 'regression' ? labelDim : labelDim * 2;
}

/** [B, 2·E] logits as E binary heads: [B, E, 2]. */
export function binaryHeads(logits: tf.Tensor2D): tf.Tensor3D {
  return tf.reshape(logits, [logits.shape[0], -1, 2]);
}

/**
 * Task loss of spec §3. Regression: MSE. Classification (IEMOCAP): cross-entropy of each emotion's
 * binary head against its 0/1 label, averaged over samples and heads (MulT's protocol). The one-hot
 * target is built with arithmetic, not oneHot/cast, whose gradients tfjs lacks on some backends.
 */
export function taskLoss(logits: tf.Tensor2D, y: tf.Tensor2D, task: Task): tf.Scalar {
  if (task === 'regression') return tf.mean(tf.square(tf.sub(logits, y))) as tf.Scalar;
  const logp = tf.logSoftmax(binaryHeads(logits));
  const target = tf.stack([tf.sub(1, y), y], 2);
  return tf.neg(tf.mean(tf.sum(tf.mul(target, logp), 2))) as tf.Scalar;
}
