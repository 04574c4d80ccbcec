/**
 * Modality Stochastic Missing on a batch's tensors: the masks of msm.ts applied to the inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Inputs } from '../methods/method';
import type { Rng } from '../random';
import { drawMsmMasks, MSM_SPEC, presentRows, type MsmMasks, type MsmOptions } from './msm';

/** Multiplies every modality by its [B, T, 1] mask (missing = zero vectors, paper §4.2). */
export function applyMasks(inputs: Inputs, masks: MsmMasks): Inputs {
  const apply = (x: tf.Tensor3D, mask: Float32Array): tf.Tensor3D => {
    const [b, t] = x.shape;
    return tf.mul(x, tf.tensor3d(mask, [b, t, 1]));
  };
  return { l: apply(inputs.l, masks.l), a: apply(inputs.a, masks.a), v: apply(inputs.v, masks.v) };
}

/**
 * MSM-corrupted copy of a batch's inputs (masks drawn from `rng`) and, per modality, the rows
 * that can still be non-zero, which the encoders use to skip the zeroed ones.
 */
export function corrupt(inputs: Inputs, rng: Rng, options: MsmOptions = MSM_SPEC): { inputs: Inputs; rows: { l: Int32Array; a: Int32Array; v: Int32Array } } {
  const [b, t] = inputs.l.shape;
  const masks = drawMsmMasks(b, t, rng, options);
  return { inputs: applyMasks(inputs, masks), rows: presentRows(masks) };
}
