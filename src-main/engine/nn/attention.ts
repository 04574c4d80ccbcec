import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import type { ForwardCtx } from './context';
import { dropout } from './dropout';
import { Linear } from './linear';
import { scoped, type Module, type NamedVariable } from './module';

/**
 * Multi-head self-attention with PyTorch nn.MultiheadAttention semantics (scaled dot product,
 * dropout on the attention weights, output projection).
 *
 * Q, K and V come from ONE fused projection `qkv` ([d, 3d], columns [q | k | v], head h at
 * h·dh..(h+1)·dh inside each block): qkv.weight = in_proj_weightᵀ. Batch and time are folded into
 * the matMul rows; the only transposes are the unavoidable head split and merge.
 */
export class MultiHeadSelfAttention implements Module {
  readonly qkv: Linear;
  readonly out: Linear;
  readonly headDim: number;

  constructor(
    readonly d: number,
    readonly heads: number,
    readonly dropoutRate: number,
    rng: Rng,
  ) {
    if (d % heads !== 0) throw new Error(`embedding size ${d} is not divisible by ${heads} heads`);
    this.headDim = d / heads;
    // PyTorch initialises in_proj with xavier_uniform over the [3d, d] matrix and zero biases;
    // out_proj is a default Linear with a zero bias. Match it so init statistics are comparable.
    this.qkv = new Linear(d, 3 * d, rng, { weightBound: Math.sqrt(6 / (d + 3 * d)), biasBound: 0 });
    this.out = new Linear(d, d, rng, { biasBound: 0 });
  }

  /** [B, T, d] → [B, T, d], every position attends to every position. */
  apply(x: tf.Tensor3D, ctx: ForwardCtx): tf.Tensor3D {
    const [b, t, d] = x.shape;
    const h = this.heads;
    const dh = this.headDim;
    const qkv = tf.reshape(this.qkv.apply(tf.reshape(x, [b * t, d])), [b, t, 3, h, dh]);
    // [3, B, H, T, dh]: one transpose for all three projections.
    const [q, k, v] = tf.unstack(tf.transpose(qkv, [2, 0, 3, 1, 4])) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(dh)), k, false, true); // [B, H, T, T]
    const weights = dropout(tf.softmax(scores), this.dropoutRate, ctx);
    const context = tf.matMul(weights, v); // [B, H, T, dh]
    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [b * t, d]);
    return tf.reshape(this.out.apply(merged), [b, t, d]);
  }

  /**
   * Only the last position's output, [B, d]: keys and values from every position, the query from
   * the last one. Exactly equal to apply(x)[:, T-1] but skips T-1 query rows, which is what the
   * last encoder layer needs when only Z = F(R)[last] is used.
   */
  applyLast(x: tf.Tensor3D, ctx: ForwardCtx): tf.Tensor2D {
    const [b, t, d] = x.shape;
    const h = this.heads;
    const dh = this.headDim;
    const w = this.qkv.weight;
    const bias = this.qkv.bias;
    if (bias === null) throw new Error('qkv projection needs a bias');
    const last = tf.reshape(tf.slice(x, [0, t - 1, 0], [b, 1, d]), [b, d]);
    const q = tf.add(tf.matMul(last, tf.slice(w, [0, 0], [d, d])), tf.slice(bias, [0], [d]));
    const kv = tf.add(tf.matMul(tf.reshape(x, [b * t, d]), tf.slice(w, [0, d], [d, 2 * d])), tf.slice(bias, [d], [2 * d]));
    const [k, v] = tf.unstack(tf.transpose(tf.reshape(kv, [b, t, 2, h, dh]), [2, 0, 3, 1, 4])) as [
      tf.Tensor4D,
      tf.Tensor4D,
    ];
    const q4 = tf.reshape(tf.mul(q, 1 / Math.sqrt(dh)), [b, h, 1, dh]);
    const weights = dropout(tf.softmax(tf.matMul(q4, k, false, true)), this.dropoutRate, ctx); // [B, H, 1, T]
    const context = tf.reshape(tf.matMul(weights, v), [b, d]) as tf.Tensor2D; // [B, H, 1, dh] is already head-major
    return this.out.apply(context);
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('qkv', this.qkv), ...scoped('out', this.out)];
  }
}
