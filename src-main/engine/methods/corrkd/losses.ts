/**
 * CorrKD's three distillation losses (resources/docs/baselines.md §9). The abstract names the
 * mechanisms; every formula here is §9's build plan [gap-fill], with our choices marked [ours].
 * Teacher inputs (features, logits) are constants: the frozen teacher runs outside the gradient.
 * Shapes: B samples, k = fusionHidden, C categories, K response classes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../../src-shared/domain';
import { cosineMatrix } from '../../nn';
import { binaryHeads } from '../task-loss';

/** Masked entries get this added to their logits: exp underflows to exactly 0 in float32 and float64 (as decoupled KD's own 1000). */
const MASKED = -1000;
/** The Acc-7 category centres −3…3. */
const ACC7 = [-3, -2, -1, 0, 1, 2, 3];
/** Polarity categories: sign(y) ∈ {−1, 0, 1}. */
const POLARITY = [-1, 0, 1];

/** Row-wise KL(P ‖ Q) from log-probabilities [N, K], averaged over the rows. */
export function klRows(logP: tf.Tensor2D, logQ: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), 1));
}

/**
 * (i) Sample-level contrastive distillation. S = cos(f_i, f_j)/τ over the batch [B, B] (diagonal
 * included [ours]); KL(softmax(S_t) ‖ softmax(S_s)) per row; InfoNCE on cos(f_s,i, f_t,j)/τ [B, B]
 * with the positive on the diagonal.
 */
export function scdLoss(ft: tf.Tensor2D, fs: tf.Tensor2D, tau: number): { kl: tf.Scalar; nce: tf.Scalar } {
  const logPt = tf.logSoftmax(tf.div(cosineMatrix(ft, ft), tau)) as tf.Tensor2D; // [B, B]
  const logPs = tf.logSoftmax(tf.div(cosineMatrix(fs, fs), tau)) as tf.Tensor2D; // [B, B]
  const logits = tf.logSoftmax(tf.div(cosineMatrix(fs, ft), tau)); // [B, B]: student i against teacher j
  const nce = tf.neg(tf.mean(tf.sum(tf.mul(logits, tf.eye(ft.shape[0])), 1))) as tf.Scalar;
  return { kl: klRows(logPt, logPs), nce };
}

/**
 * Category membership M [B, C] from the labels (data: no gradient). IEMOCAP: the 0/1 emotion labels
 * themselves (a sample may belong to several emotions, or none). MOSI/MOSEI: one-hot of
 * round-half-even(clip(y, −3, 3)) ('acc7'; tf.round is banker's rounding, as np.round) or of
 * sign(y) ('polarity').
 */
export function categoryMembership(y: tf.Tensor2D, task: Task, classes: 'acc7' | 'polarity'): tf.Tensor2D {
  if (task === 'classification') return y;
  const category = classes === 'acc7' ? tf.round(tf.clipByValue(y, -3, 3)) : tf.sign(y); // [B, 1]
  return tf.cast(tf.equal(category, tf.tensor1d(classes === 'acc7' ? ACC7 : POLARITY)), 'float32') as tf.Tensor2D;
}

/**
 * (ii) Category-guided prototype distillation. Prototypes: the class means of the teacher's
 * features in the batch [C, k] ([ours]: per batch, so no state; categories absent from the batch
 * are masked out). Each sample's distribution over the prototypes, softmax(cos(f, p_c)/τ) [B, C],
 * teacher against student by KL.
 */
export function cpdLoss(ft: tf.Tensor2D, fs: tf.Tensor2D, membership: tf.Tensor2D, tau: number): tf.Scalar {
  const count = tf.sum(membership, 0); // [C]
  const prototypes = tf.div(tf.matMul(membership, ft, true, false), tf.expandDims(tf.maximum(count, 1), 1)) as tf.Tensor2D; // [C, k]
  const absent = tf.mul(tf.cast(tf.equal(count, 0), 'float32'), MASKED); // [C]
  const logits = (f: tf.Tensor2D) => tf.logSoftmax(tf.add(tf.div(cosineMatrix(f, prototypes), tau), absent)) as tf.Tensor2D; // [B, C]
  return klRows(logits(ft), logits(fs));
}

/**
 * max over the last axis (kept) as a constant: zero gradient, computed inside the custom gradient
 * so no Max node reaches the tape (tfjs registers no gradient for Max).
 */
const constantMax = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.max(x, -1, true), gradFunc: () => tf.zerosLike(x) };
});

/** log Σ exp(x) over the last axis (kept), shifted by the max as usual (the shift cancels in value and gradient). */
function logSumExp(x: tf.Tensor): tf.Tensor {
  const shift = constantMax(x) as tf.Tensor;
  return tf.add(tf.log(tf.sum(tf.exp(tf.sub(x, shift)), -1, true)), shift);
}

/** log of the summed probabilities of the entries where `mask` is 1, per row: [N, 1]. */
function logMass(logP: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return logSumExp(tf.add(logP, tf.mul(tf.sub(1, mask), MASKED))) as tf.Tensor2D;
}

/**
 * Decoupled KD on responses z [N, K] with the ground-truth one-hot g [N, K], at temperature T
 * (both parts scaled by T², as decoupled KD does): the target part is KL between the binary
 * (target, rest) distributions; the non-target part is KL between the distributions among the
 * non-target classes. Probabilities in log space throughout, so p → 1 stays finite.
 */
export function decoupledKd(zt: tf.Tensor2D, zs: tf.Tensor2D, g: tf.Tensor2D, T: number): { target: tf.Scalar; nonTarget: tf.Scalar } {
  const binary = (z: tf.Tensor2D) => {
    const logP = tf.logSoftmax(tf.div(z, T)) as tf.Tensor2D;
    return tf.concat([logMass(logP, g), logMass(logP, tf.sub(1, g))], 1); // [N, 2]
  };
  const among = (z: tf.Tensor2D) => tf.logSoftmax(tf.add(tf.div(z, T), tf.mul(g, MASKED))) as tf.Tensor2D; // [N, K]
  const t2 = T * T;
  return { target: tf.mul(klRows(binary(zt), binary(zs)), t2), nonTarget: tf.mul(klRows(among(zt), among(zs)), t2) };
}

/** Jensen–Shannon divergence between softmax(z_t) and softmax(z_s) per row [N, K], averaged; M in log space. */
export function jsd(zt: tf.Tensor2D, zs: tf.Tensor2D): tf.Scalar {
  const lt = tf.logSoftmax(zt) as tf.Tensor2D;
  const ls = tf.logSoftmax(zs) as tf.Tensor2D;
  const lm = tf.sub(tf.squeeze(logSumExp(tf.stack([lt, ls], 2)), [2]), Math.LN2) as tf.Tensor2D;
  return tf.mul(tf.add(klRows(lt, lm), klRows(ls, lm)), 0.5);
}

/**
 * The response distribution RCD distils, [N, K], and its ground truth [N, K]. IEMOCAP: each
 * emotion's binary head is a row (N = B·E, K = 2). MOSI/MOSEI 'bins': the output's soft Acc-7
 * binning, −(ŷ − c)²/w over c ∈ {−3…3} [ours], with the Acc-7 category of y as the target.
 */
export function responses(logits: tf.Tensor2D, y: tf.Tensor2D, task: Task, binWidth: number): { z: tf.Tensor2D; g: tf.Tensor2D } {
  if (task === 'classification') {
    const z = tf.reshape(binaryHeads(logits), [-1, 2]) as tf.Tensor2D;
    return { z, g: tf.reshape(tf.stack([tf.sub(1, y), y], 2), [-1, 2]) as tf.Tensor2D };
  }
  const z = tf.div(tf.neg(tf.square(tf.sub(logits, tf.tensor1d(ACC7)))), binWidth) as tf.Tensor2D; // [B, 7]
  return { z, g: categoryMembership(y, task, 'acc7') };
}
