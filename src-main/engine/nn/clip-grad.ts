import * as tf from '@tensorflow/tfjs-core';

/**
 * torch.nn.utils.clip_grad_norm_ (2-norm over all gradients together): every gradient is scaled by
 * min(1, maxNorm / (‖g‖ + 1e-6)). A missing gradient stays missing. Returns new tensors (the
 * caller's tidy owns them).
 */
export function clipGradNorm<G extends tf.Tensor | null | undefined>(grads: readonly G[], maxNorm: number): G[] {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be positive, got ${maxNorm}`);
  const present = grads.filter((g): g is NonNullable<G> => g !== null && g !== undefined);
  if (present.length === 0) return [...grads];
  const norm = tf.sqrt(tf.addN(present.map((g) => tf.sum(tf.square(g)))));
  const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
  return grads.map((g) => (g === null || g === undefined ? g : (tf.mul(g, coef) as G)));
}
