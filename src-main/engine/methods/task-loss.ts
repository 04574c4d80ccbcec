import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../src-shared/domain';

/** Output width of a method's head: 1 for regression, 2 logits per emotion for IEMOCAP (MulT protocol). */
export function outputWidth(task: Task, labelDim: number): number {
  return task === 'regression' ? labelDim : labelDim * 2;
}

/**
 * Task loss of spec §3: MSE for regression; for IEMOCAP the mean cross-entropy over every
 * (sample, emotion) binary head, with labels 0/1 per emotion.
 */
export function taskLoss(task: Task, output: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    if (task === 'regression') return tf.mean(tf.square(tf.sub(output, y))) as tf.Scalar;
    const [B, E] = y.shape;
    const logits = tf.reshape(output, [B * E, 2]);
    const onehot = tf.oneHot(tf.cast(tf.reshape(y, [B * E]), 'int32'), 2);
    return tf.mean(tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), -1))) as tf.Scalar;
  });
}
