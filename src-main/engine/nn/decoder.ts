import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import type { ForwardCtx } from './context';
import { dropout } from './dropout';
import { LayerNorm } from './layer-norm';
import { Linear } from './linear';
import { scoped, type Module, type NamedVariable } from './module';
import { causalMask, MultiHeadAttention } from './multi-head-attention';
import { preLnFeedForward } from './transformer';

export interface DecoderOptions {
  d: number;
  heads: number;
  layers: number;
  dropout: number;
  /** FFN width as a multiple of d (PyTorch's dim_feedforward = ffnMultiplier·d; default 4). */
  ffnMultiplier?: number;
  /** Causal self-attention over the target (default true: a decoder that cannot read ahead). */
  causal?: boolean;
}

/** Masks of one decoder call, as PyTorch's tgt_mask / memory_mask / *_key_padding_mask. */
export interface DecoderMasks {
  /** [Tt, Tt] additive, e.g. causalMask(Tt). */
  tgt?: tf.Tensor2D;
  /** [Tt, Tm] additive. */
  memory?: tf.Tensor2D;
  /** [B, Tt], 1 on padded target steps. */
  tgtKeyPadding?: tf.Tensor2D;
  /** [B, Tm], 1 on padded memory steps. */
  memoryKeyPadding?: tf.Tensor2D;
}

/**
 * Pre-LN Transformer decoder layer, PyTorch nn.TransformerDecoderLayer(norm_first=True,
 * activation='relu'), with PyTorch's init:
 *   x₁ = x + drop(SelfAttn(LN₁ x))                 (tgt mask, usually causal)
 *   x₂ = x₁ + drop(CrossAttn(LN₂ x₁, memory))       (memory is used as given: normalise it upstream)
 *   y  = x₂ + drop(W₂·drop(relu(W₁·LN₃ x₂)))
 * One dropout rate everywhere, including the attention weights, as PyTorch's `dropout`.
 */
export class DecoderLayer implements Module {
  readonly ln1: LayerNorm;
  readonly selfAttn: MultiHeadAttention;
  readonly ln2: LayerNorm;
  readonly crossAttn: MultiHeadAttention;
  readonly ln3: LayerNorm;
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
    this.selfAttn = new MultiHeadAttention(d, heads, rng, { dropout: dropoutRate });
    this.ln2 = new LayerNorm(d);
    this.crossAttn = new MultiHeadAttention(d, heads, rng, { dropout: dropoutRate });
    this.ln3 = new LayerNorm(d);
    this.ff1 = new Linear(d, ffn, rng);
    this.ff2 = new Linear(ffn, d, rng);
  }

  /** Target [B, Tt, d] attending to memory [B, Tm, d] → [B, Tt, d]. */
  apply(tgt: tf.Tensor3D, memory: tf.Tensor3D, ctx: ForwardCtx, masks: DecoderMasks = {}): tf.Tensor3D {
    const rate = this.dropoutRate;
    const n1 = this.ln1.apply(tgt);
    const selfOut = this.selfAttn.apply(n1, n1, n1, ctx, { attn: masks.tgt, keyPadding: masks.tgtKeyPadding });
    const x1 = tf.add(tgt, dropout(selfOut, rate, ctx)) as tf.Tensor3D;
    const n2 = this.ln2.apply(x1);
    const crossOut = this.crossAttn.apply(n2, memory, memory, ctx, { attn: masks.memory, keyPadding: masks.memoryKeyPadding });
    const x2 = tf.add(x1, dropout(crossOut, rate, ctx)) as tf.Tensor3D;
    return tf.add(x2, preLnFeedForward(x2, { ln2: this.ln3, ff1: this.ff1, ff2: this.ff2 }, rate, rate, ctx));
  }

  namedVariables(): NamedVariable[] {
    return [
      ...scoped('ln1', this.ln1),
      ...scoped('selfAttn', this.selfAttn),
      ...scoped('ln2', this.ln2),
      ...scoped('crossAttn', this.crossAttn),
      ...scoped('ln3', this.ln3),
      ...scoped('ff1', this.ff1),
      ...scoped('ff2', this.ff2),
    ];
  }
}

/**
 * A stack of pre-LN decoder layers and a final LayerNorm, PyTorch nn.TransformerDecoder(layer, N,
 * norm=LayerNorm(d)); the causal target mask is built here unless `causal: false`.
 */
export class TransformerDecoder implements Module {
  readonly layers: DecoderLayer[];
  readonly norm: LayerNorm;
  readonly causal: boolean;

  constructor(options: DecoderOptions, rng: Rng) {
    const ffn = (options.ffnMultiplier ?? 4) * options.d;
    this.layers = [];
    for (let i = 0; i < options.layers; i++) {
      this.layers.push(new DecoderLayer(options.d, options.heads, options.dropout, ffn, rng));
    }
    this.norm = new LayerNorm(options.d);
    this.causal = options.causal ?? true;
  }

  /** Target [B, Tt, d] (e.g. the shifted-right target sequence), memory [B, Tm, d] → [B, Tt, d]. */
  apply(tgt: tf.Tensor3D, memory: tf.Tensor3D, ctx: ForwardCtx, masks: Omit<DecoderMasks, 'tgt'> = {}): tf.Tensor3D {
    const all: DecoderMasks = { ...masks, tgt: this.causal ? causalMask(tgt.shape[1]) : undefined };
    let h = tgt;
    for (const layer of this.layers) h = layer.apply(h, memory, ctx, all);
    return this.norm.apply(h);
  }

  namedVariables(): NamedVariable[] {
    return [...this.layers.flatMap((l, i) => scoped(`layers.${i}`, l)), ...scoped('norm', this.norm)];
  }
}
