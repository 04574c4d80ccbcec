import * as tf from '@tensorflow/tfjs-core';
import { MODALITIES } from '../../../../../src-shared/domain';
import { stopGradient } from '../../../nn';
import type { Factorisation, PerModality } from '../factorisation';
import { rowDistance, type FrfDistance } from './distance';

export interface FrfOptions {
  distance: FrfDistance;
  /** Detach the targets Z_β (translation) and Q_α (reconstruction); spec §3b default. */
  stopGradTargets: boolean;
}

export interface FrfTerms {
  self: tf.Scalar;
  cross: tf.Scalar;
  recon: tf.Scalar;
}

const N = MODALITIES.length;

/** [3, 3] masks picking the diagonal (α = β) and the off-diagonal pairs. */
function pairMasks(): { diag: tf.Tensor2D; off: tf.Tensor2D } {
  const diag = tf.eye(N) as tf.Tensor2D;
  return { diag, off: tf.sub(1, diag) };
}

/**
 * L_FRF's three terms (paper eq. 1–4, spec §3) for all 9 (α, β) pairs in one decoder pass.
 *
 * Both Z̄_αβ = D_r([Q_α; U_β]) (target Z_β) and Q̄ = E^S_β(D_r([Q_α; U_β])) (target Q_β) are keyed
 * by the modality β that supplies U, so rows are laid out β-major: block β holds the three
 * decoded [Q_α; U_β] for α = L, A, V. That makes the reconstruction of block β one call of E^S_β.
 */
export function frfTerms(
  fac: Factorisation,
  z: PerModality<tf.Tensor2D>,
  q: PerModality<tf.Tensor2D>,
  u: PerModality<tf.Tensor2D>,
  options: FrfOptions,
): FrfTerms {
  const batch = z.l.shape[0];
  const target = <T extends tf.Tensor>(t: T): T => (options.stopGradTargets ? stopGradient(t) : t);
  const thrice = (t: tf.Tensor2D): tf.Tensor2D => tf.concat([t, t, t], 0);

  const allQ = tf.concat(MODALITIES.map((m) => q[m]), 0); // [3B, d/2], α-ordered
  const left = thrice(allQ); // block β, row-block α: Q_α
  const right = tf.concat(MODALITIES.map((m) => thrice(u[m])), 0); // block β: U_β three times
  const decoded = fac.decoder.apply(tf.concat([left, right], 1)); // [9B, d]

  // Translation: Z̄_αβ against Z_β.
  const zTargets = tf.concat(MODALITIES.map((m) => thrice(target(z[m]))), 0);
  const { diag, off } = pairMasks();
  const perPair = (rows: tf.Tensor1D): tf.Tensor2D => tf.mean(tf.reshape(rows, [N, N, batch]), 2); // [β, α]
  const zDist = perPair(rowDistance(decoded, zTargets, options.distance));
  const self = tf.div(tf.sum(tf.mul(zDist, diag)), N);
  const cross = tf.div(tf.sum(tf.mul(zDist, off)), N * N - N);

  // Reconstruction: E^S_β(D_r([Q_α; U_β])) against Q_β, for every (α, β).
  const qBar = tf.concat(
    MODALITIES.map((m, i) => fac.es[m].apply(tf.slice(decoded, [i * N * batch, 0], [N * batch, -1]))),
    0,
  );
  const qTargets = tf.concat(MODALITIES.map((m) => thrice(target(q[m]))), 0);
  const recon = tf.div(tf.sum(perPair(rowDistance(qBar, qTargets, options.distance))), N * N);

  return { self: self as tf.Scalar, cross: cross as tf.Scalar, recon: recon as tf.Scalar };
}
