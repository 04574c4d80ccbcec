/**
 * One TransM translator s → t (resources/docs/baselines.md §6, build plan [gap-fill]): a Transformer
 * encoder over the source modality and a Transformer decoder that reconstructs the target modality
 * from the encoder's memory. The encoder states are what the fusion reads (paper: the features
 * learned while translating carry both modalities' information).
 *
 *   R_s = Conv1D_k3(X_s)·√d + PE                [B, T, d]     (as HRLF's encoders, spec §2.1)
 *   H_s = Enc_s(R_s)                            [B, T, d]     pre-LN, final LayerNorm
 *   E_t = W_e·shift(Y_t)·√d + PE                [B, T, d]     teacher forcing: Y_t shifted right one step
 *   Ŷ_t = W_o·Dec(E_t, memory = H_s)            [B, T, d_t]   pre-LN, causal self-attention
 *
 * The target embedding is pointwise (a Linear, not the k3 conv): a conv over the shifted target
 * would let step t read Y_t itself. No padding masks anywhere, as in HRLF's encoders: padded and
 * missing frames are zero rows, attended to like any other.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../random';
import { Conv1dK3, Linear, scoped, TransformerDecoder, TransformerEncoder, type ForwardCtx, type Module, type NamedVariable } from '../../nn';

export interface TranslatorOptions {
  sourceDim: number;
  targetDim: number;
  d: number;
  layers: number;
  decoderLayers: number;
  heads: number;
  dropout: number;
  ffnMultiplier: number;
  scaleEmbedding: boolean;
}

export class Translator implements Module {
  readonly conv: Conv1dK3;
  readonly encoder: TransformerEncoder;
  readonly targetEmbed: Linear;
  readonly decoder: TransformerDecoder;
  readonly out: Linear;
  private readonly scale: number;

  constructor(
    options: TranslatorOptions,
    /** The sinusoidal table [T, d], owned by the network. */
    private readonly pe: tf.Tensor2D,
    rng: Rng,
  ) {
    const { d, heads, dropout, ffnMultiplier } = options;
    this.conv = new Conv1dK3(options.sourceDim, d, rng);
    this.encoder = new TransformerEncoder({ d, heads, layers: options.layers, dropout, ffnMultiplier }, rng);
    this.targetEmbed = new Linear(options.targetDim, d, rng);
    this.decoder = new TransformerDecoder({ d, heads, layers: options.decoderLayers, dropout, ffnMultiplier, causal: true }, rng);
    this.out = new Linear(d, options.targetDim, rng);
    this.scale = options.scaleEmbedding ? Math.sqrt(d) : 1;
  }

  /** R_s = Conv(X_s)·√d + PE, [B, T, d]; `rows`: the rows of a constant (MSM-corrupted) X_s that may be non-zero. */
  private embedSource(x: tf.Tensor3D, rows?: Int32Array): tf.Tensor3D {
    const conv = this.conv.apply(x, rows);
    return tf.add(this.scale === 1 ? conv : tf.mul(conv, this.scale), this.pe);
  }

  /** H_s = Enc(R_s): the memory, [B, T, d]. */
  encode(x: tf.Tensor3D, ctx: ForwardCtx, rows?: Int32Array): tf.Tensor3D {
    return this.encoder.apply(this.embedSource(x, rows), ctx);
  }

  /** H_s[:, T−1], [B, d], computing only the last step in the last layer (exact). */
  encodeLast(x: tf.Tensor3D, ctx: ForwardCtx, rows?: Int32Array): tf.Tensor2D {
    return this.encoder.applyLast(this.embedSource(x, rows), ctx);
  }

  /** Ŷ_t [B, T, d_t] from the memory [B, T, d] and the target Y_t [B, T, d_t], read shifted right (step 0 reads zeros). */
  translate(memory: tf.Tensor3D, target: tf.Tensor3D, ctx: ForwardCtx): tf.Tensor3D {
    const [b, t, dt] = target.shape;
    const shifted = tf.pad(tf.slice(target, [0, 0, 0], [b, t - 1, dt]), [
      [0, 0],
      [1, 0],
      [0, 0],
    ]);
    const embedded = this.targetEmbed.apply(shifted);
    const e = tf.add(this.scale === 1 ? embedded : tf.mul(embedded, this.scale), this.pe) as tf.Tensor3D;
    return this.out.apply(this.decoder.apply(e, memory, ctx));
  }

  namedVariables(): NamedVariable[] {
    return [
      ...scoped('conv', this.conv),
      ...scoped('encoder', this.encoder),
      ...scoped('targetEmbed', this.targetEmbed),
      ...scoped('decoder', this.decoder),
      ...scoped('out', this.out),
    ];
  }
}
