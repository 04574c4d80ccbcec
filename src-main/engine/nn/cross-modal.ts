import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import type { ForwardCtx } from './context';
import { dropout } from './dropout';
import { LayerNorm } from './layer-norm';
import { Linear } from './linear';
import { scoped, type Module, type NamedVariable } from './module';
import { causalMask, MultiHeadAttention } from './multi-head-attention';
import { multPositionalEmbedding } from './positional';
import { preLnFeedForward } from './transformer';

/** The options of one MulT encoder layer (`TransformerEncoderLayer` of MulT's modules/transformer.py). */
export interface CrossModalLayerOptions {
  d: number;
  heads: number;
  /** Dropout on the attention weights (MulT `attn_dropout`). */
  attnDropout?: number;
  /** Dropout after the FFN's ReLU (MulT `relu_dropout`). */
  reluDropout?: number;
  /** Dropout on each residual branch before it is added (MulT `res_dropout`). */
  resDropout?: number;
}

export interface CrossModalOptions extends CrossModalLayerOptions {
  layers: number;
  /** Dropout on the embedded inputs (MulT `embed_dropout`). */
  embedDropout?: number;
  /** MulT `attn_mask`: every layer's attention gets the future mask (see causalMask). DMD sets it. */
  causal?: boolean;
}

/** Key and value inputs of a cross-modal layer: the embedded source, before the layer's LayerNorm. */
export interface CrossModalSource {
  key: tf.Tensor3D;
  value: tf.Tensor3D;
}

const xavier = (fanIn: number, fanOut: number): number => Math.sqrt(6 / (fanIn + fanOut));

/**
 * One MulT encoder layer (pre-LN; MulT's `normalize_before = True`):
 *   x₁ = x + drop_res(Attn(LN₁ x, LN₁ k, LN₁ v))
 *   y  = x₁ + drop_res(W₂·drop_relu(relu(W₁·LN₂ x₁)))
 * The SAME LayerNorm (MulT's layer_norms[0]) normalises query, key and value. Without a source it
 * is self-attention on LN₁ x. Init as MulT: Xavier-uniform weights, zero biases, FFN d → 4d → d.
 */
export class CrossModalLayer implements Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly ln2: LayerNorm;
  readonly ff1: Linear;
  readonly ff2: Linear;
  readonly reluDropout: number;
  readonly resDropout: number;

  constructor(options: CrossModalLayerOptions, rng: Rng) {
    const d = options.d;
    this.ln1 = new LayerNorm(d);
    this.attn = new MultiHeadAttention(d, options.heads, rng, { dropout: options.attnDropout ?? 0, init: 'xavier' });
    this.ln2 = new LayerNorm(d);
    this.ff1 = new Linear(d, 4 * d, rng, { weightBound: xavier(d, 4 * d), biasBound: 0 });
    this.ff2 = new Linear(4 * d, d, rng, { weightBound: xavier(4 * d, d), biasBound: 0 });
    this.reluDropout = options.reluDropout ?? 0;
    this.resDropout = options.resDropout ?? 0;
  }

  /** x [B, Tq, d] (and a source [B, Tk, d]) → [B, Tq, d]; `mask` is an additive [Tq, Tk] mask. */
  apply(x: tf.Tensor3D, ctx: ForwardCtx, source?: CrossModalSource, mask?: tf.Tensor2D): tf.Tensor3D {
    const q = this.ln1.apply(x);
    const [k, v] = source ? this.normalisedSource(source) : [q, q];
    return this.residuals(x, this.attn.apply(q, k, v, ctx, { attn: mask }), ctx);
  }

  /**
   * Output at the last position only, [B, d]: equal to apply(x, …)[:, T−1] but only the last query
   * is projected and attended and only its FFN runs. No mask is needed: MulT's future mask never
   * hides a key from the last query (j > Tq − 1 + |Tk − Tq| has no j < Tk).
   */
  applyLast(x: tf.Tensor3D, ctx: ForwardCtx, source?: CrossModalSource): tf.Tensor2D {
    const [b, t, d] = x.shape;
    const lastOf = (z: tf.Tensor3D): tf.Tensor3D => tf.slice(z, [0, t - 1, 0], [b, 1, d]);
    let attended: tf.Tensor3D;
    if (source) {
      const [k, v] = this.normalisedSource(source);
      attended = this.attn.apply(this.ln1.apply(lastOf(x)), k, v, ctx);
    } else {
      const normed = this.ln1.apply(x);
      attended = this.attn.apply(lastOf(normed), normed, normed, ctx);
    }
    return tf.reshape(this.residuals(lastOf(x), attended, ctx), [b, d]);
  }

  /** LN₁ of key and value; one tensor when they are one (evaluation, or no embedding dropout). */
  private normalisedSource(source: CrossModalSource): [tf.Tensor3D, tf.Tensor3D] {
    const k = this.ln1.apply(source.key);
    return [k, source.value === source.key ? k : this.ln1.apply(source.value)];
  }

  /** x + drop_res(attended), then the FFN block with its residual. */
  private residuals(x: tf.Tensor3D, attended: tf.Tensor3D, ctx: ForwardCtx): tf.Tensor3D {
    const x1 = tf.add(x, dropout(attended, this.resDropout, ctx)) as tf.Tensor3D;
    return tf.add(x1, preLnFeedForward(x1, this, this.reluDropout, this.resDropout, ctx));
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

/**
 * MulT's TransformerEncoder (modules/transformer.py; DMD's copy in
 * trains/subNets/transformers_encoder/): the crossmodal transformer "target ← source" when given a
 * source, a self-attention encoder without one.
 *
 *   embed(z) = √d·z + PE(z)          (PE: multPositionalEmbedding, rows with z[..., 0] = 0 get none)
 *   h₀ = drop_embed(embed(x));  k = drop_embed(embed(source)),  v = drop_embed(embed(source))
 *   h_l = layer_l(h_{l−1}, k, v)     (every layer reads the same embedded source)
 *   y = LN(h_L)
 *
 * As in the reference, key and value are embedded from the same source but get independent
 * embedding-dropout masks (in evaluation they are one tensor and share one projection).
 *
 * Masking: only the optional causal mask (MulT `attn_mask`). Like the reference, NO padding mask is
 * applied: front-padded zero rows take part in attention as keys and queries (they only miss their
 * positional encoding). That is the reference behaviour the baselines reproduce.
 */
export class CrossModalTransformer implements Module {
  readonly layers: CrossModalLayer[];
  readonly norm: LayerNorm;
  readonly d: number;
  readonly embedDropout: number;
  readonly causal: boolean;

  constructor(options: CrossModalOptions, rng: Rng) {
    this.d = options.d;
    this.layers = [];
    for (let i = 0; i < options.layers; i++) this.layers.push(new CrossModalLayer(options, rng));
    this.norm = new LayerNorm(options.d);
    this.embedDropout = options.embedDropout ?? 0;
    this.causal = options.causal ?? false;
  }

  /** Target x [B, Tq, d] (attending to source [B, Tk, d] when given) → [B, Tq, d]. */
  apply(x: tf.Tensor3D, ctx: ForwardCtx, source?: tf.Tensor3D): tf.Tensor3D {
    const { h, kv, mask } = this.prepare(x, ctx, source);
    let out = h;
    for (const layer of this.layers) out = layer.apply(out, ctx, kv, mask);
    return this.norm.apply(out);
  }

  /**
   * The normalised output at the last time step, [B, d] (what DMD and MulT read, h[-1]): equal to
   * apply(…)[:, Tq−1] in evaluation (in training its last-layer dropout masks are drawn for the
   * last step only), but the last layer computes only that step (see CrossModalLayer.applyLast).
   */
  applyLast(x: tf.Tensor3D, ctx: ForwardCtx, source?: tf.Tensor3D): tf.Tensor2D {
    const { h, kv, mask } = this.prepare(x, ctx, source);
    const n = this.layers.length;
    if (n === 0) {
      const [b, t, d] = h.shape;
      return this.norm.apply(tf.reshape(tf.slice(h, [0, t - 1, 0], [b, 1, d]), [b, d]) as tf.Tensor2D);
    }
    let out = h;
    for (let i = 0; i < n - 1; i++) out = this.layers[i]!.apply(out, ctx, kv, mask);
    return this.norm.apply(this.layers[n - 1]!.applyLast(out, ctx, kv));
  }

  /** Embedded (and dropped-out) target and source, and the mask every layer uses. */
  private prepare(
    x: tf.Tensor3D,
    ctx: ForwardCtx,
    source?: tf.Tensor3D,
  ): { h: tf.Tensor3D; kv: CrossModalSource | undefined; mask: tf.Tensor2D | undefined } {
    if (x.shape[2] !== this.d) throw new Error(`crossmodal transformer expects width ${this.d}, got ${x.shape[2]}`);
    if (source && (source.shape[2] !== this.d || source.shape[0] !== x.shape[0])) {
      throw new Error(`source [${source.shape}] does not match the target [${x.shape}] in batch and width`);
    }
    const h = dropout(this.embed(x), this.embedDropout, ctx);
    let kv: CrossModalSource | undefined;
    if (source) {
      const e = this.embed(source);
      kv = { key: dropout(e, this.embedDropout, ctx), value: dropout(e, this.embedDropout, ctx) };
    }
    const mask = this.causal ? causalMask(x.shape[1], source ? source.shape[1] : x.shape[1]) : undefined;
    return { h, kv, mask };
  }

  private embed(z: tf.Tensor3D): tf.Tensor3D {
    return tf.add(tf.mul(z, Math.sqrt(this.d)), multPositionalEmbedding(z));
  }

  namedVariables(): NamedVariable[] {
    return [...this.layers.flatMap((l, i) => scoped(`layers.${i}`, l)), ...scoped('norm', this.norm)];
  }
}
