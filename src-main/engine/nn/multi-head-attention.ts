import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { coreAttrs, fusedAttentionAvailable, fusedCrossCore, fusedSelfCore } from './attention-core';
import type { ForwardCtx } from './context';
import { dropout } from './dropout';
import { Linear } from './linear';
import { linearOp } from './linear-op';
import { scoped, type Module, type NamedVariable } from './module';

/**
 * What a masked score becomes. Finite rather than −∞: exp(−1e9 − max) is exactly 0 in float32, so
 * every row with at least one visible key gets the same weights as with −∞ (masked ones exactly 0),
 * and a row with no visible key (a fully padded sequence) gets uniform weights instead of NaN.
 */
const MASKED = -1e9;

/**
 * Initialisation of the projections; biases start at zero in both.
 * - 'torch': nn.MultiheadAttention (Xavier-uniform in_proj, out_proj a default Linear, U(±1/√d)).
 * - 'xavier': MulT/fairseq's MultiheadAttention (Xavier-uniform in_proj and out_proj).
 */
export type AttentionInit = 'torch' | 'xavier';

export interface MultiHeadAttentionOptions {
  /** Dropout on the attention weights (after the softmax). */
  dropout?: number;
  init?: AttentionInit;
}

/** Additive masks of one attention call; both are constants (no gradient). */
export interface AttentionMasks {
  /** [Tq, Tk], added to every head's and sample's scores: 0 keeps, −1e9 removes (see causalMask). */
  attn?: tf.Tensor2D;
  /** [B, Tk] with 1 where the key is padding (PyTorch's key_padding_mask), 0 elsewhere. */
  keyPadding?: tf.Tensor2D;
}

/**
 * Multi-head attention with separate query and key/value inputs, PyTorch nn.MultiheadAttention
 * semantics (scaled dot product, additive masks, dropout on the weights, output projection).
 *
 * One projection variable `qkv` [d, 3d] (columns [q | k | v], = in_proj_weightᵀ, the layout of
 * MultiHeadSelfAttention) serves every case: when query, key and value are the same tensor it is
 * one matMul, as in MultiHeadSelfAttention; when only key and value are the same (cross-modal and
 * encoder–decoder attention) the query takes the first column block and the key/value one matMul
 * over the other two; otherwise three. Splitting the weight copies d×3d values, negligible next to
 * the products. Heads lead the 4-D layout [H, B, T, dh] for the same reason as in
 * MultiHeadSelfAttention (contiguous head split, 4-D transposes only).
 *
 * Without masks, or with exactly causalMask(Tq, Tk) and no key padding, the attention core runs
 * as one fused kernel on the projections (see attention-core.ts); other masks take the composite
 * ops. Both draw the same dropout mask.
 */
export class MultiHeadAttention implements Module {
  readonly qkv: Linear;
  readonly out: Linear;
  readonly headDim: number;
  readonly dropoutRate: number;

  constructor(
    readonly d: number,
    readonly heads: number,
    rng: Rng,
    options: MultiHeadAttentionOptions = {},
  ) {
    if (d % heads !== 0) throw new Error(`embedding size ${d} is not divisible by ${heads} heads`);
    this.headDim = d / heads;
    this.dropoutRate = options.dropout ?? 0;
    const xavier = (fanIn: number, fanOut: number): number => Math.sqrt(6 / (fanIn + fanOut));
    this.qkv = new Linear(d, 3 * d, rng, { weightBound: xavier(d, 3 * d), biasBound: 0 });
    this.out = new Linear(d, d, rng, { ...(options.init === 'xavier' ? { weightBound: xavier(d, d) } : {}), biasBound: 0 });
  }

  /** query [B, Tq, d], key and value [B, Tk, d] → [B, Tq, d]. */
  apply(query: tf.Tensor3D, key: tf.Tensor3D, value: tf.Tensor3D, ctx: ForwardCtx, masks: AttentionMasks = {}): tf.Tensor3D {
    const [b, tq, d] = query.shape;
    const tk = key.shape[1];
    if (value.shape[1] !== tk) throw new Error(`key length ${tk} and value length ${value.shape[1]} differ`);
    const rows = (x: tf.Tensor3D): tf.Tensor2D => tf.reshape(x, [x.shape[0] * x.shape[1], d]) as tf.Tensor2D;
    const causal = masks.attn === undefined ? false : isCausalMask(masks.attn, tq, tk) ? true : null;
    const fused = causal !== null && masks.keyPadding === undefined && fusedAttentionAvailable(this.dropoutRate);
    if (query === key && key === value) {
      const projected = this.qkv.apply(rows(query)); // [B·T, 3d]
      if (fused) {
        const core = fusedSelfCore(coreAttrs(this.heads, this.dropoutRate, ctx, causal === true));
        return this.project(core(tf.reshape(projected, [b, tq, 3 * d]) as tf.Tensor3D), b, tq);
      }
      const [q, k, v] = this.splitHeads(projected, b, tq, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      return this.composite(q, k, v, ctx, masks);
    }
    // Column blocks of qkv by one split (its gradient is one concat; a slice's would be a pad,
    // several times slower on wasm).
    const sizes = key === value ? [d, 2 * d] : [d, d, d];
    const ws = tf.split(this.qkv.weight, sizes, 1) as tf.Tensor2D[];
    const bs = tf.split(this.qkv.bias as tf.Tensor1D, sizes, 0) as tf.Tensor1D[];
    const project = (x: tf.Tensor3D, i: number): tf.Tensor2D => linearOp(rows(x), ws[i]!, bs[i]!, 'linear');
    const qRows = project(query, 0); // [B·Tq, d]
    if (fused) {
      // The kernel reads K and V from one [B, Tk, 2d] operand, as the k|v block of qkv lays them out.
      const kvRows = key === value ? project(key, 1) : tf.concat([project(key, 1), project(value, 2)], 1); // [B·Tk, 2d]
      const core = fusedCrossCore(coreAttrs(this.heads, this.dropoutRate, ctx, causal === true));
      const context = core(tf.reshape(qRows, [b, tq, d]) as tf.Tensor3D, tf.reshape(kvRows, [b, tk, 2 * d]) as tf.Tensor3D);
      return this.project(context, b, tq);
    }
    const [q] = this.splitHeads(qRows, b, tq, 1) as [tf.Tensor4D];
    let k: tf.Tensor4D;
    let v: tf.Tensor4D;
    if (key === value) {
      [k, v] = this.splitHeads(project(key, 1), b, tk, 2) as [tf.Tensor4D, tf.Tensor4D];
    } else {
      [k] = this.splitHeads(project(key, 1), b, tk, 1) as [tf.Tensor4D];
      [v] = this.splitHeads(project(value, 2), b, tk, 1) as [tf.Tensor4D];
    }
    return this.composite(q, k, v, ctx, masks);
  }

  /** q [H, B, Tq, dh], k and v [H, B, Tk, dh] → [B, Tq, d] through the composite tf ops. */
  private composite(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, ctx: ForwardCtx, masks: AttentionMasks): tf.Tensor3D {
    const [, b, tq] = q.shape;
    const tk = k.shape[2];
    let scores: tf.Tensor = tf.matMul(tf.mul(q, 1 / Math.sqrt(this.headDim)), k, false, true); // [H, B, Tq, Tk]
    if (masks.attn) scores = tf.add(scores, masks.attn);
    if (masks.keyPadding) scores = tf.add(scores, tf.reshape(tf.mul(masks.keyPadding, MASKED), [1, b, 1, tk]));
    const weights = dropout(tf.softmax(scores), this.dropoutRate, ctx);
    const context = tf.matMul(weights, v); // [H, B, Tq, dh]
    return this.project(tf.transpose(context, [1, 2, 0, 3]), b, tq);
  }

  /** Merged heads [B, Tq, d] (or [B, Tq, H, dh]) → output projection [B, Tq, d]. */
  private project(context: tf.Tensor, b: number, tq: number): tf.Tensor3D {
    return tf.reshape(this.out.apply(tf.reshape(context, [b * tq, this.d]) as tf.Tensor2D), [b, tq, this.d]);
  }

  /** [B·T, n·d] → n tensors [H, B, T, dh]. */
  private splitHeads(projected: tf.Tensor2D, b: number, t: number, n: number): tf.Tensor4D[] {
    const headsFirst = tf.transpose(tf.reshape(projected, [b, t, n * this.heads, this.headDim]), [2, 0, 1, 3]);
    return n === 1 ? [headsFirst as tf.Tensor4D] : (tf.split(headsFirst, n, 0) as tf.Tensor4D[]);
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('qkv', this.qkv), ...scoped('out', this.out)];
  }
}

/**
 * Tensors made by causalMask (tensors are immutable, so they still hold that mask). Recognising
 * them lets the fused kernel apply the band itself instead of reading a [Tq, Tk] tensor; a mask
 * built any other way, even with equal values, takes the composite path.
 */
const causalMasks = new WeakSet<tf.Tensor>();

/**
 * MulT's future mask (`buffered_future_mask`), [Tq, Tk]: query i may not see key j when
 * j > i + |Tk − Tq|. With Tq = Tk it is the usual causal mask (PyTorch's
 * generate_square_subsequent_mask); with unequal lengths MulT widens the visible band by the
 * difference, so every query keeps at least the first key.
 */
export function causalMask(tq: number, tk = tq): tf.Tensor2D {
  const offset = Math.abs(tk - tq);
  const data = new Float32Array(tq * tk);
  for (let i = 0; i < tq; i++) {
    for (let j = i + offset + 1; j < tk; j++) data[i * tk + j] = MASKED;
  }
  const mask = tf.tensor2d(data, [tq, tk], 'float32');
  causalMasks.add(mask);
  return mask;
}

/** Whether `mask` is causalMask(tq, tk). */
function isCausalMask(mask: tf.Tensor2D, tq: number, tk: number): boolean {
  return causalMasks.has(mask) && !mask.isDisposed && mask.shape[0] === tq && mask.shape[1] === tk;
}
