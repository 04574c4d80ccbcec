/**
 * SMIL's losses and its first-order Bayesian meta-learning step (mengmenm/SMIL:
 * src/train_missing_eval_missing.py, meta_training; src/models/loss.py, KDLossAlignTwo), adapted
 * as resources/docs/baselines.md §7 says:
 *
 *   L_tr(θ, φ)   = L_task(ŷ_noised(X̃_tr, ε), y_tr)                        meta-train, ε ~ N(0, 1)
 *   θ'           = θ − η_in·∇_θ L_tr                                       one inner SGD step
 *   L_val(θ', φ) = L_task(ŷ_noised(X̃_val, 0), y_val)
 *                  + α·MSE(x'_noised, x_clean) + β·MSE(h'_noised, h_clean)  KDLossAlignTwo (its clean-CE
 *                                                                           and prior-MSE terms are
 *                                                                           computed but not added)
 *   minimise L_tr + L_val with Adam on θ and φ (weight decay as PyTorch's L2).
 *
 * [gap-fill] first order: ∇_θ L_val is taken at θ' and used for θ (dθ'/dθ ≈ I), φ's gradient does
 * not flow through θ'; the release keeps second-order terms (create_graph=True).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../../src-shared/domain';
import type { ForwardCtx } from '../../nn';
import type { Inputs } from '../method';
import { taskLoss } from '../task-loss';
import type { SmilConfig } from './card';
import type { Noise, SmilNetwork } from './network';

/** L1 (baselines.md §7) or MSE for regression; per-emotion CE for IEMOCAP. */
export function smilTaskLoss(logits: tf.Tensor2D, y: tf.Tensor2D, task: Task, config: SmilConfig): tf.Scalar {
  if (task === 'regression' && config.regressionLoss === 'l1') return tf.mean(tf.abs(tf.sub(logits, y))) as tf.Scalar;
  return taskLoss(logits, y, task);
}

export interface OuterTerms {
  total: tf.Scalar;
  task: tf.Scalar;
  alignFused: tf.Scalar;
  alignHidden: tf.Scalar;
}

/** L_val on a meta-validation batch: its incomplete copy noised at the mean, its complete copy clean. */
export function outerLoss(net: SmilNetwork, incomplete: Inputs, complete: Inputs, y: tf.Tensor2D, task: Task, ctx: ForwardCtx): OuterTerms {
  const noised = net.noised(incomplete, null, ctx);
  const clean = net.clean(complete, ctx);
  const taskTerm = smilTaskLoss(noised.logits, y, task, net.config);
  const alignFused = tf.mul(tf.mean(tf.square(tf.sub(clean.fused, noised.fused))), net.config.alignFused) as tf.Scalar;
  const alignHidden = tf.mul(tf.mean(tf.square(tf.sub(clean.hidden, noised.hidden))), net.config.alignHidden) as tf.Scalar;
  return { total: tf.addN([taskTerm, alignFused, alignHidden]) as tf.Scalar, task: taskTerm, alignFused, alignHidden };
}

/** One meta iteration's inputs: the meta-train half (incomplete) and the meta-validation half (both copies). */
export interface MetaBatch {
  train: { inputs: Inputs; y: tf.Tensor2D; eps: Noise };
  val: { incomplete: Inputs; complete: Inputs; y: tf.Tensor2D };
}

export interface MetaResult {
  /** Named terms (scalars): total = metaTrain + metaVal; metaVal = task + alignFused + alignHidden. */
  terms: Record<string, tf.Scalar>;
  /** The update direction of every variable in `params` order (first-order meta gradient + weight decay). */
  grads: tf.Tensor[];
  params: tf.Variable[];
}

/**
 * The first-order meta gradient. θ is set to θ' for the outer loss and restored before returning,
 * so the variables are unchanged; the caller applies `grads` with its optimiser. Call inside tf.tidy.
 */
export function metaGradients(net: SmilNetwork, batch: MetaBatch, task: Task, lrInner: number, ctx: ForwardCtx): MetaResult {
  const theta = net.mainNamed().map(([, v]) => v);
  const phi = net.inferenceNamed().map(([, v]) => v);
  const params = [...theta, ...phi];

  // Inner step on the meta-train half (release: loss_meta_train, grads with create_graph=True).
  const inner = tf.variableGrads(() => smilTaskLoss(net.noised(batch.train.inputs, batch.train.eps, ctx).logits, batch.train.y, task, net.config), params);
  const saved = theta.map((v) => tf.clone(v));
  theta.forEach((v) => {
    const g = inner.grads[v.name];
    if (g) v.assign(tf.sub(v, tf.mul(g, lrInner)));
  });

  // Outer loss at θ' on the meta-validation half.
  const held: { outer?: OuterTerms } = {};
  const outer = tf.variableGrads(() => {
    const o = outerLoss(net, batch.val.incomplete, batch.val.complete, batch.val.y, task, ctx);
    held.outer = { total: tf.keep(o.total), task: tf.keep(o.task), alignFused: tf.keep(o.alignFused), alignHidden: tf.keep(o.alignHidden) };
    return o.total;
  }, params);
  theta.forEach((v, i) => v.assign(saved[i]!));

  const wd = net.config.weightDecay;
  const grads = params.map((p) => {
    const parts = [inner.grads[p.name], outer.grads[p.name]].filter((g): g is tf.Tensor => g !== undefined);
    if (wd > 0) parts.push(tf.mul(p, wd));
    return parts.length === 0 ? tf.zerosLike(p) : parts.length === 1 ? parts[0]! : tf.addN(parts);
  });
  const o = held.outer!;
  return {
    terms: { total: tf.add(inner.value, o.total) as tf.Scalar, metaTrain: inner.value, metaVal: o.total, task: o.task, alignFused: o.alignFused, alignHidden: o.alignHidden },
    grads,
    params,
  };
}
