import * as tf from '@tensorflow/tfjs-core';

export type FrfDistance = 'l2' | 'mse';

/**
 * Per-row distance between a and b ([N, k] → [N]).
 * 'l2': ‖a − b‖₂ (the paper's); a 1e-12 floor under the sqrt keeps its gradient finite when a row
 * matches exactly (PyTorch's norm backward returns 0 there; the value differs by < 1e-6).
 * 'mse': mean over the k features, so the batch mean of it is the usual MSE.
 */
export function rowDistance(a: tf.Tensor2D, b: tf.Tensor2D, distance: FrfDistance): tf.Tensor1D {
  const sq = tf.square(tf.sub(a, b));
  if (distance === 'mse') return tf.mean(sq, 1);
  return tf.sqrt(tf.add(tf.sum(sq, 1), 1e-12)) as tf.Tensor1D;
}
