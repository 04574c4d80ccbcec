import * as tf from '@tensorflow/tfjs-core';

/** Added to the scores of masked positions: exp underflows to exactly 0 after the max shift. */
const MASKED_SCORE = -1e9;

/**
 * Softmax over the last axis of `scores` [B, S] restricted to positions where `mask` [B, S] is 1
 * (PyTorch's masked_fill(mask == 0, -inf) then softmax). A row with no valid position gets all
 * zero weights instead of NaN. Without a mask, a plain softmax.
 */
export function maskedSoftmax(scores: tf.Tensor2D, mask?: tf.Tensor2D): tf.Tensor2D {
  if (!mask) return tf.softmax(scores);
  return tf.mul(tf.softmax(tf.add(scores, tf.mul(tf.sub(1, mask), MASKED_SCORE))), mask);
}

/** Σ_s weights[b, s] · values[b, s, :] for weights [B, S] and values [B, S, D] → [B, D]. */
export function weightedSum(weights: tf.Tensor2D, values: tf.Tensor3D): tf.Tensor2D {
  const [b, s] = weights.shape;
  return tf.reshape(tf.matMul(tf.reshape(weights, [b, 1, s]), values), [b, values.shape[2]]);
}
