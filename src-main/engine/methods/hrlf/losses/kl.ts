import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../../../src-shared/domain';
import { binaryHeads } from '../../task-loss';

/**
 * Logit consistency L_KL (spec §3). Classification: KL(softmax(L^t) ‖ softmax(L^s)) per binary
 * head, averaged over samples and heads. Regression: KL between unit-variance Gaussians centred at
 * the two outputs, ½(L^t − L^s)² [fill]. The teacher's logits are constants here.
 */
export function klLoss(teacher: tf.Tensor2D, student: tf.Tensor2D, task: Task): tf.Scalar {
  if (task === 'regression') return tf.mul(tf.mean(tf.square(tf.sub(teacher, student))), 0.5);
  const logT = tf.logSoftmax(binaryHeads(teacher));
  const logS = tf.logSoftmax(binaryHeads(student));
  return tf.mean(tf.sum(tf.mul(tf.exp(logT), tf.sub(logT, logS)), 2));
}
