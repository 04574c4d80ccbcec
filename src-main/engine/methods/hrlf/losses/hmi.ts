import * as tf from '@tensorflow/tfjs-core';
import type { StatisticsNetwork } from '../critics';

/** A [N, N] one-hot matrix P with (P·Y)[i] = Y[perm[i]]. */
export function permutationMatrix(perm: Int32Array): tf.Tensor2D {
  const n = perm.length;
  const data = new Float32Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + perm[i]!] = 1;
  return tf.tensor2d(data, [n, n]);
}

/**
 * Jensen–Shannon MI lower bound (paper eq. 7): E_pos[−sp(−T)] − E_neg[sp(T)], with negatives
 * pairing the teacher's rows with a permutation of the student's.
 */
export function mutualInformation(
  net: StatisticsNetwork,
  teacher: tf.Tensor2D,
  student: tf.Tensor2D,
  permutation: tf.Tensor2D,
): tf.Scalar {
  const { pos, neg } = net.scores(teacher, student, permutation);
  return tf.sub(tf.mean(tf.neg(tf.softplus(tf.neg(pos)))), tf.mean(tf.softplus(neg)));
}

/** L_HMI = −Σ_i MI(E^t_i, E^s_i) over the three scales (eq. 8). */
export function hmiLoss(
  nets: readonly StatisticsNetwork[],
  teacher: readonly tf.Tensor2D[],
  student: readonly tf.Tensor2D[],
  permutations: readonly tf.Tensor2D[],
): tf.Scalar {
  const mis = nets.map((net, i) => mutualInformation(net, teacher[i]!, student[i]!, permutations[i]!));
  return tf.neg(tf.addN(mis));
}
