import * as tf from '@tensorflow/tfjs-core';
import type { Discriminator } from '../critics';

/**
 * HAL (paper eq. 9) with logits ℓ = D(E): −log σ(ℓ) = softplus(−ℓ), −log(1 − σ(ℓ)) = softplus(ℓ),
 * which stays finite where log(sigmoid) would underflow.
 */

/** The student's non-saturating loss: Σ_i mean −log D_i(E^s_i). */
export function halGeneratorLoss(discriminators: readonly Discriminator[], student: readonly tf.Tensor2D[]): tf.Scalar {
  return tf.addN(discriminators.map((d, i) => tf.mean(tf.softplus(tf.neg(d.logits(student[i]!)))))) as tf.Scalar;
}

/** The discriminators' loss: −Σ_i [mean log D_i(E^t_i) + mean log(1 − D_i(E^s_i))]. */
export function halDiscriminatorLoss(
  discriminators: readonly Discriminator[],
  teacher: readonly tf.Tensor2D[],
  student: readonly tf.Tensor2D[],
): tf.Scalar {
  return tf.addN(
    discriminators.map((d, i) =>
      tf.add(tf.mean(tf.softplus(tf.neg(d.logits(teacher[i]!)))), tf.mean(tf.softplus(d.logits(student[i]!)))),
    ),
  ) as tf.Scalar;
}
