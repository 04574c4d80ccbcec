import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { MultiHeadSelfAttention } from './attention';
import type { ForwardCtx } from './context';
import { dropout } from './dropout';
import { LayerNorm } from './layer-norm';
import { Linear } from './linear';
import { scoped, type Module, type NamedVariable } from './module';

export interface EncoderOptions {
  d: number;
  heads: number;
  layers: number;
  dropout: number;
  /** FFN width as a multiple of d (4 in the spec). */
  ffnMultiplier?: number;
}

/** The FFN branch of a pre-LN layer: its LayerNorm, the two Linear layers. */
export interface FeedForwardParts {
  readonly ln2: LayerNorm;
  readonly ff1: Linear;
  readonly ff2: Linear;
}

/** drop_res(W₂·drop_relu(relu(W₁·LN x))): the residual FFN branch every Transformer layer here uses. */
export function preLnFeedForward<T extends tf.Tensor>(
  x: T,
  parts: FeedForwardParts,
  reluDropout: number,
  resDropout: number,
  ctx: ForwardCtx,
): T {
  const hidden = dropout(parts.ff1.apply(parts.ln2.apply(x), 'relu'), reluDropout, ctx);
  return dropout(parts.ff2.apply(hidden), resDropout, ctx);
}

/**
 * Pre-LN Transformer encoder layer, PyTorch nn.TransformerEncoderLayer(norm_first=True,
 * activation='relu'): x + drop(SA(LN1 x)), then x + drop(W2·drop(relu(W1·LN2 x))).
 */
export class EncoderLayer implements Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiHeadSelfAttention;
  readonly ln2: LayerNorm;
  readonly ff1: Linear;
  readonly ff2: Linear;

  constructor(
    d: number,
    heads: number,
    readonly dropoutRate: number,
    ffn: number,
    rng: Rng,
  ) {
    this.ln1 = new LayerNorm(d);
    this.attn = new MultiHeadSelfAttention(d, heads, dropoutRate, rng);
    this.ln2 = new LayerNorm(d);
    this.ff1 = new Linear(d, ffn, rng);
    this.ff2 = new Linear(ffn, d, rng);
  }

  apply(x: tf.Tensor3D, ctx: ForwardCtx): tf.Tensor3D {
    const x1 = tf.add(x, dropout(this.attn.apply(this.ln1.apply(x), ctx), this.dropoutRate, ctx));
    return tf.add(x1, this.feedForward(x1, ctx));
  }

  /** Output at the last position only, [B, d] (see MultiHeadSelfAttention.applyLast). */
  applyLast(x: tf.Tensor3D, ctx: ForwardCtx): tf.Tensor2D {
    const [b, t, d] = x.shape;
    const residual = tf.reshape(tf.slice(x, [0, t - 1, 0], [b, 1, d]), [b, d]);
    const x1 = tf.add(residual, dropout(this.attn.applyLast(this.ln1.apply(x), ctx), this.dropoutRate, ctx));
    return tf.add(x1, this.feedForward(x1, ctx));
  }

  private feedForward<T extends tf.Tensor>(x: T, ctx: ForwardCtx): T {
    return preLnFeedForward(x, this, this.dropoutRate, this.dropoutRate, ctx);
  }

  namedVariables(): NamedVariable[] {
    return [
      ...scoped('ln1', this.ln1),
      ...scoped('attn', this.attn),
      ...scoped('ln2', this.ln2),
      ...scoped('ff1', this.ff1),
      ...scoped('ff2', this.ff2),
    ];
  }
}

/** A stack of pre-LN layers followed by a final LayerNorm (needed with pre-LN: the residual stream is un-normalised). */
export class TransformerEncoder implements Module {
  readonly layers: EncoderLayer[];
  readonly norm: LayerNorm;

  constructor(options: EncoderOptions, rng: Rng) {
    const ffn = (options.ffnMultiplier ?? 4) * options.d;
    this.layers = [];
    for (let i = 0; i < options.layers; i++) {
      this.layers.push(new EncoderLayer(options.d, options.heads, options.dropout, ffn, rng));
    }
    this.norm = new LayerNorm(options.d);
  }

  /** [B, T, d] → [B, T, d]. */
  apply(x: tf.Tensor3D, ctx: ForwardCtx): tf.Tensor3D {
    let h = x;
    for (const layer of this.layers) h = layer.apply(h, ctx);
    return this.norm.apply(h);
  }

  /**
   * The normalised output at the last time step, [B, d]: equal to apply(x)[:, T-1] but the last
   * layer computes only the query, residual and FFN of that step.
   */
  applyLast(x: tf.Tensor3D, ctx: ForwardCtx): tf.Tensor2D {
    const n = this.layers.length;
    if (n === 0) {
      const [b, t, d] = x.shape;
      return this.norm.apply(tf.reshape(tf.slice(x, [0, t - 1, 0], [b, 1, d]), [b, d]));
    }
    let h = x;
    for (let i = 0; i < n - 1; i++) h = this.layers[i]!.apply(h, ctx);
    return this.norm.apply(this.layers[n - 1]!.applyLast(h, ctx));
  }

  namedVariables(): NamedVariable[] {
    return [...this.layers.flatMap((l, i) => scoped(`layers.${i}`, l)), ...scoped('norm', this.norm)];
  }
}
