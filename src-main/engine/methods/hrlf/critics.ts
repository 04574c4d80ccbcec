import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../random';
import { Linear, Mlp, scoped, type Module, type NamedVariable } from '../../nn';

/**
 * HMI statistics network T([x; y]) : 2k → k → 1 (ReLU), spec §3.
 *
 * The first layer's weight is kept as two halves, W = [W_x; W_y], so that the positive pairs
 * [x; y] and the negative pairs [x; P·y] share x·W_x and differ only in y·W_y vs P·(y·W_y):
 * one projection of each side instead of two of the concatenation. `x` carries the bias.
 */
export class StatisticsNetwork implements Module {
  readonly x: Linear;
  readonly y: Linear;
  readonly out: Linear;

  constructor(k: number, rng: Rng) {
    // Same init as one PyTorch Linear(2k, k): fan-in 2k for both halves and the bias.
    const bound = 1 / Math.sqrt(2 * k);
    this.x = new Linear(k, k, rng, { weightBound: bound, biasBound: bound });
    this.y = new Linear(k, k, rng, { weightBound: bound, bias: false });
    this.out = new Linear(k, 1, rng);
  }

  /** Scores of the positive pairs (x_i, y_i) and negative pairs (x_i, y_perm(i)), each [N, 1]. */
  scores(x: tf.Tensor2D, y: tf.Tensor2D, permutation: tf.Tensor2D): { pos: tf.Tensor2D; neg: tf.Tensor2D } {
    const xPart = this.x.apply(x);
    const yPart = this.y.apply(y);
    const pos = this.out.apply(tf.relu(tf.add(xPart, yPart)) as tf.Tensor2D);
    // Permuting rows as a [N, N] one-hot matMul: differentiable on every backend (gather's
    // gradient needs UnsortedSegmentSum, which wasm lacks) and negligible at batch sizes.
    const neg = this.out.apply(tf.relu(tf.add(xPart, tf.matMul(permutation, yPart))) as tf.Tensor2D);
    return { pos, neg };
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('x', this.x), ...scoped('y', this.y), ...scoped('out', this.out)];
  }
}

/** HAL discriminator D : k → k/2 → 1 (ReLU); returns the logit, the sigmoid lives in the losses. */
export class Discriminator implements Module {
  readonly mlp: Mlp;

  constructor(k: number, rng: Rng) {
    this.mlp = new Mlp([k, Math.max(1, Math.floor(k / 2)), 1], rng);
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    return this.mlp.apply(x);
  }

  namedVariables(): NamedVariable[] {
    return this.mlp.namedVariables();
  }
}
