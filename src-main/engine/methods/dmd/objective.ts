/**
 * DMD's training objective, read beside mdswyz/DMD:trains/singleTask/DMD.py ("trainer L<n>"):
 *
 *   L = L_task + λ_g·(L_logit^homo + L_reg^homo) + λ_g·(L_logit^het + L_repr^het + L_reg^het)
 *         + λ_d·(L_s_sr + L_recon + λ_m·(L_sim + L_ort))          (λ_g 0.05, λ_d 0.1, λ_m 0.1)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../../src-shared/domain';
import { cosineEmbeddingLoss, dmdHingeLoss } from '../../nn';
import { taskLoss } from '../task-loss';
import type { DmdConfig } from './card';
import type { GraphDistillation } from './graph-distill';
import { MODALITIES, type DmdOutputs } from './network';

/** The objective's terms, in the order the parity fixtures and the step losses name them. */
export const TERMS = ['task', 'recon', 's_sr', 'ort', 'sim', 'homo_logit', 'homo_reg', 'hetero_logit', 'hetero_repr', 'hetero_reg'] as const;
export type Term = (typeof TERMS)[number];

/** trainer L26 and L13-21: nn.L1Loss and the MSE class (both a mean over every element). */
const l1 = (p: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.mean(tf.abs(tf.sub(p, y)));
const mse = (p: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.mean(tf.square(tf.sub(p, y)));

/** One task term: L1 (or the uniform-MSE switch) for regression, per-emotion CE on IEMOCAP (§1.3). */
export function taskTerm(pred: tf.Tensor2D, y: tf.Tensor2D, task: Task, config: DmdConfig): tf.Scalar {
  if (task === 'regression' && config.regressionLoss === 'l1') return l1(pred, y);
  return taskLoss(pred, y, task);
}

/**
 * The hinge loss's label per sample (host numbers; its pair structure must be known). Regression:
 * the label value. IEMOCAP [gap-fill, §4]: the emotion vector as one code Σ_k y_k·2^k, so "same
 * label" means the same emotions; its 0.15·|Δ| margin then grows with the code distance.
 */
export function hingeLabels(y: Float32Array | Int32Array | Uint8Array, B: number, task: Task): number[] {
  const width = y.length / B;
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    if (task === 'regression') out.push(y[b * width]!);
    else {
      let code = 0;
      for (let k = 0; k < width; k++) code += y[b * width + k]! * 2 ** k;
      out.push(code);
    }
  }
  return out;
}

/** trainer L141-147: CosineEmbeddingLoss(s_m, c_m, −1) on the [B, T', d] parts (config.ortAxis). */
function orthogonality(s: tf.Tensor3D, c: tf.Tensor3D, axis: DmdConfig['ortAxis']): tf.Scalar {
  const [B, T, d] = s.shape;
  const rows = (x: tf.Tensor3D): tf.Tensor2D =>
    axis === 'feature' ? (tf.reshape(x, [B * T, d]) as tf.Tensor2D) : (tf.reshape(tf.transpose(x, [1, 2, 0]), [T * d, B]) as tf.Tensor2D);
  return cosineEmbeddingLoss(rows(s), rows(c), -1);
}

export interface DmdUnits {
  homo: GraphDistillation;
  hetero: GraphDistillation;
}

export function objective(
  out: DmdOutputs,
  units: DmdUnits,
  y: tf.Tensor2D,
  labels: readonly number[],
  task: Task,
  config: DmdConfig,
): { total: tf.Scalar; terms: Record<Term, tf.Scalar> } {
  const B = y.shape[0];
  const list = <T>(r: Record<(typeof MODALITIES)[number], T>): T[] => MODALITIES.map((m) => r[m]); // [l, v, a]
  // trainer L105-115: stacked [l, v, a] logits and reprs through each unit.
  const homoEdges = units.homo.edges(list(out.logitsHomo), list(out.reprHomo));
  const heteroEdges = units.hetero.edges(list(out.logitsHetero), list(out.reprHetero));
  // trainer L118-126: eight task terms.
  const heads = [out.output, ...list(out.logitsHomo), ...list(out.logitsHetero), out.logitsC];
  const task8 = tf.addN(heads.map((h) => taskTerm(h, y, task, config))) as tf.Scalar;
  const recon = tf.addN(MODALITIES.map((m) => mse(out.recon[m], out.origin[m]))) as tf.Scalar; // L129-132
  const sSr = tf.addN(MODALITIES.map((m) => mse(out.s[m], out.sCycle[m]))) as tf.Scalar; // L135-138
  const ort = tf.addN(MODALITIES.map((m) => orthogonality(out.s[m], out.c[m], config.ortAxis))) as tf.Scalar;
  // L150-161: rows c_l[0], c_v[0], c_a[0], c_l[1], … with each sample's label three times.
  const feats = tf.reshape(tf.stack(list(out.cSim), 1), [3 * B, -1]) as tf.Tensor2D;
  const sim = dmdHingeLoss(
    labels.flatMap((v) => [v, v, v]),
    feats,
  );
  const homo = units.homo.losses(list(out.logitsHomo), list(out.reprHomo), homoEdges, false); // L164-166
  const hetero = units.hetero.losses(list(out.logitsHetero), list(out.reprHetero), heteroEdges, true); // L169-171
  const terms: Record<Term, tf.Scalar> = {
    task: task8,
    recon,
    s_sr: sSr,
    ort,
    sim,
    homo_logit: homo.logit,
    homo_reg: homo.reg,
    hetero_logit: hetero.logit,
    hetero_repr: hetero.repr!,
    hetero_reg: hetero.reg,
  };
  // L173-175
  const graph = tf.mul(tf.addN([homo.logit, homo.reg, hetero.logit, hetero.repr!, hetero.reg]), config.lambdaGraph);
  const decouple = tf.mul(tf.add(tf.add(sSr, recon), tf.mul(tf.add(sim, ort), config.lambdaMargin)), config.lambdaDecouple);
  return { total: tf.addN([task8, graph, decouple]) as tf.Scalar, terms };
}
