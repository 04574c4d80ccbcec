import * as tf from '@tensorflow/tfjs-core';
import type { ForwardCtx } from './context';
import { CROSS_ATTENTION, CROSS_ATTENTION_GRAD, SELF_ATTENTION, SELF_ATTENTION_GRAD } from './fused/attention-kernel';
import { hasFusedKernel, runKernel } from './fused/host';

/**
 * The fused attention kernels (fused/attention-kernel.ts) as differentiable ops, shared by
 * MultiHeadSelfAttention and MultiHeadAttention.
 */

export type SelfCore = (qkv: tf.Tensor3D) => tf.Tensor3D;
export type CrossCore = <Q extends tf.Tensor2D | tf.Tensor3D>(q: Q, kv: tf.Tensor3D) => Q;

export interface CoreAttrs {
  heads: number;
  rate: number;
  seed: number;
  causal: boolean;
  keepProbs: boolean;
}

/** Whether this backend runs the fused cores (a dropout rate of 1 stays on the composite path). */
export function fusedAttentionAvailable(rate: number): boolean {
  return rate < 1 && hasFusedKernel(SELF_ATTENTION) && hasFusedKernel(CROSS_ATTENTION);
}

/**
 * Whether autodiff is recording (inside tf.grad/variableGrads): only then does the backward need
 * the softmax kept. tfjs-core exposes no public accessor; 4.22's engine keeps the depth here.
 */
function recording(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
}

/** Attrs of one fused attention call: the dropout seed is drawn exactly where dropout() would draw it. */
export function coreAttrs(heads: number, rate: number, ctx: ForwardCtx, causal = false): CoreAttrs {
  const keepProbs = recording();
  if (!ctx.training || rate <= 0) return { heads, rate: 0, seed: 0, causal, keepProbs };
  if (ctx.rng === null) throw new Error('dropout in training mode needs an Rng');
  return { heads, rate, seed: ctx.rng.seed(), causal, keepProbs };
}

/** qkv [B, T, 3d] → C [B, T, d]. */
export function fusedSelfCore(attrs: CoreAttrs): SelfCore {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [qkv, save] = args as [tf.Tensor3D, tf.GradSaveFunc];
    const [context, probs] = runKernel<tf.Tensor[]>(SELF_ATTENTION, { qkv }, { ...attrs });
    save([qkv, probs!]);
    return {
      value: context as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sqkv, sprobs] = saved as [tf.Tensor, tf.Tensor];
        return runKernel<tf.Tensor>(SELF_ATTENTION_GRAD, { dy, qkv: sqkv, probs: sprobs }, { ...attrs });
      },
    };
  }) as unknown as SelfCore;
}

/** q [B, Tq, d] (or [B, d]: one query per sample) and kv [B, Tk, 2d] → C shaped as q. */
export function fusedCrossCore(attrs: CoreAttrs): CrossCore {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [q, kv, save] = args as [tf.Tensor, tf.Tensor3D, tf.GradSaveFunc];
    const [context, probs] = runKernel<tf.Tensor[]>(CROSS_ATTENTION, { q, kv }, { ...attrs });
    save([q, kv, probs!]);
    return {
      value: context!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, skv, sprobs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return runKernel<tf.Tensor[]>(CROSS_ATTENTION_GRAD, { dy, q: sq, kv: skv, probs: sprobs }, { ...attrs });
      },
    };
  }) as unknown as CrossCore;
}
