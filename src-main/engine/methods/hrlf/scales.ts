import * as tf from '@tensorflow/tfjs-core';
import type { NetworkOutputs } from './network';

/** The per-sample outputs the scales are built from, each [B, k]. */
export type ScaleParts = Pick<NetworkOutputs, 'h' | 'ht' | 'i1' | 'i2' | 'i3'>;

/**
 * Multi-scale representations (spec §2 [fill]): E1 = cat_batch(H, H̃) ∈ R^{2B×3d},
 * E2 = cat_batch(I1, I3) ∈ R^{2B×2d}, E3 = I2 ∈ R^{B×d}.
 */
export function multiScale(out: ScaleParts): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
  return [tf.concat([out.h, out.ht], 0), tf.concat([out.i1, out.i3], 0), out.i2];
}

/** Feature widths of E1..E3. */
export function scaleWidths(d: number): [number, number, number] {
  return [3 * d, 2 * d, d];
}

/** Row counts of E1..E3 for a batch of B. */
export function scaleRows(batch: number): [number, number, number] {
  return [2 * batch, 2 * batch, batch];
}
