import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import type { ForwardCtx } from './context';
import { Linear } from './linear';
import { linearOp } from './linear-op';
import { scoped, type Module, type NamedVariable } from './module';
import { dropout } from './dropout';
import { coreAttrs, fusedAttentionAvailable, fusedCrossCore, fusedSelfCore } from './attention-core';

/**
 * Multi-head self-attention with PyTorch nn.MultiheadAttention semantics (scaled dot product,
 * dropout on the attention weights, output projection).
 *
 * Q, K and V come from ONE fused projection `qkv` ([d, 3d], columns [q | k | v], head h at
 * h·dh..(h+1)·dh inside each block): qkv.weight = in_proj_weightᵀ. Batch and time are folded into
 * the matMul rows; the only transposes are the unavoidable head split and merge (both 4-D).
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
    const projected = this.qkv.apply(tf.reshape(x, [b * t, d]) as tf.Tensor2D);
    if (fusedAttentionAvailable(this.dropoutRate)) {
      const core = fusedSelfCore(coreAttrs(h, this.dropoutRate, ctx));
      const context = core(tf.reshape(projected, [b, t, 3 * d]) as tf.Tensor3D); // [B, T, H·dh]
      return tf.reshape(this.out.apply(tf.reshape(context, [b * t, d]) as tf.Tensor2D), [b, t, d]);
    }
    const [q, k, v] = this.splitHeads(projected, b, t, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(this.headDim)), k, false, true); // [H, B, T, T]
    const weights = dropout(tf.softmax(scores), this.dropoutRate, ctx);
    const context = tf.matMul(weights, v); // [H, B, T, dh]
    const merged = tf.reshape(tf.transpose(context, [1, 2, 0, 3]), [b * t, h * this.headDim]);
    return tf.reshape(this.out.apply(merged), [b, t, d]);
  }

  /**
   * [B·T, n·d] projections → n tensors [H, B, T, dh]. Heads lead (not batch) so that the split is
   * along the outermost axis (contiguous copies) and the only transpose is 4-D: on wasm a 5-D
   * transpose of the same data took ~9 ms against ~0.25 ms. Batched matMul does not care about
   * the order of its batch axes.
   */
  private splitHeads(projected: tf.Tensor2D, b: number, t: number, n: number): tf.Tensor4D[] {
    const h = this.heads;
    const dh = this.headDim;
    const headsFirst = tf.transpose(tf.reshape(projected, [b, t, n * h, dh]), [2, 0, 1, 3]); // [nH, B, T, dh]
    return tf.split(headsFirst, n, 0) as tf.Tensor4D[];
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
    const w = this.qkv.weight as tf.Tensor2D;
    const bias = this.qkv.bias as tf.Tensor1D | null;
    if (bias === null) throw new Error('qkv projection needs a bias');
    const last = tf.reshape(tf.slice(x, [0, t - 1, 0], [b, 1, d]), [b, d]) as tf.Tensor2D;
    const q = linearOp(last, tf.slice(w, [0, 0], [d, d]), tf.slice(bias, [0], [d]), 'linear');
    const rows = tf.reshape(x, [b * t, d]) as tf.Tensor2D;
    const kv = linearOp(rows, tf.slice(w, [0, d], [d, 2 * d]), tf.slice(bias, [d], [2 * d]), 'linear');
    if (fusedAttentionAvailable(this.dropoutRate)) {
      const core = fusedCrossCore(coreAttrs(h, this.dropoutRate, ctx));
      return this.out.apply(core(q, tf.reshape(kv, [b, t, 2 * d]) as tf.Tensor3D));
    }
    const [k, v] = this.splitHeads(kv, b, t, 2) as [tf.Tensor4D, tf.Tensor4D];
    // q: [B, d] → [H, B, 1, dh]
    const q4 = tf.transpose(tf.reshape(tf.mul(q, 1 / Math.sqrt(dh)), [b, 1, h, dh]), [2, 0, 1, 3]);
    const weights = dropout(tf.softmax(tf.matMul(q4, k, false, true)), this.dropoutRate, ctx); // [H, B, 1, T]
    const context = tf.reshape(tf.transpose(tf.matMul(weights, v), [1, 2, 0, 3]), [b, d]) as tf.Tensor2D; // [B, 1, H, dh]
    return this.out.apply(context);
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('qkv', this.qkv), ...scoped('out', this.out)];
  }
}
