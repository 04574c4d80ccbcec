import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { Linear } from './linear';
import { maskedSoftmax, weightedSum } from './masked-softmax';
import { scoped, type Module, type NamedVariable } from './module';

export interface AttentionPoolingOptions {
  /**
   * Width A of an additive score v·tanh(W·h + b) (parameters `proj` [H, A] with bias, `score`
   * [A, 1] without). Omitted: MCTN's score tanh(w·h + b) (parameter `score` [H, 1] with bias).
   */
  hidden?: number;
}

export interface PooledOutput {
  /** Σ_t α_t·x_t, [B, H]. */
  pooled: tf.Tensor2D;
  /** α [B, T]: softmax of the scores over the valid steps (zero at masked steps). */
  weights: tf.Tensor2D;
}

/**
 * Attention pooling over time: one score per step, softmax over the (valid) steps, weighted sum.
 *
 * The default score is MCTN's regression head (hainow/MCTN:models/regression_model.py, Keras
 * TimeDistributed(Dense(1, activation='tanh')) before the softmax; the MMSA port does the same
 * with Linear(H, 1) then tanh): a per-step scalar squashed to [−1, 1]. `hidden` selects the
 * additive (Bahdanau-style) form instead.
 */
export class AttentionPooling implements Module {
  readonly proj: Linear | null;
  readonly score: Linear;

  constructor(
    readonly size: number,
    rng: Rng,
    options: AttentionPoolingOptions = {},
  ) {
    const { hidden } = options;
    this.proj = hidden === undefined ? null : new Linear(size, hidden, rng);
    this.score = hidden === undefined ? new Linear(size, 1, rng) : new Linear(hidden, 1, rng, { bias: false });
  }

  /** x [B, T, H], mask [B, T] (1 = valid; every row needs one valid step to get non-zero weights). */
  apply(x: tf.Tensor3D, mask?: tf.Tensor2D): PooledOutput {
    const [b, t, h] = x.shape;
    if (h !== this.size) throw new Error(`AttentionPooling: input must be [B, T, ${this.size}], got [${x.shape.join(', ')}]`);
    const rows = tf.reshape(x, [b * t, h]) as tf.Tensor2D;
    const raw = this.proj ? this.score.apply(tf.tanh(this.proj.apply(rows))) : tf.tanh(this.score.apply(rows));
    const weights = maskedSoftmax(tf.reshape(raw, [b, t]) as tf.Tensor2D, mask);
    return { pooled: weightedSum(weights, x), weights };
  }

  namedVariables(): NamedVariable[] {
    return [...(this.proj ? scoped('proj', this.proj) : []), ...scoped('score', this.score)];
  }
}
