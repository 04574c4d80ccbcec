/**
 * DMD's graph-distillation unit, read beside mdswyz/DMD:trains/singleTask/distillnets/
 * get_distillation_kernel.py (hetero) and get_distillation_kernel_homo.py (homo; "kernel L<n>", the
 * two files agree on these lines) and trains/singleTask/misc.py (distances). Nodes are the
 * modalities in the reference's order [l, v, a]; every ordered pair j ← i (j ≠ i) is an edge.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../random';
import { cosineEmbeddingLoss, Linear, scoped, stopGradient, type Module, type NamedVariable } from '../../nn';

/** kernel L49-56: for j in to_idx, for i in from_idx, i ≠ j (to_idx = from_idx = [0, 1, 2], run.py L132-133). */
export const EDGES: readonly (readonly [student: number, teacher: number])[] = [
  [0, 1],
  [0, 2],
  [1, 0],
  [1, 2],
  [2, 0],
  [2, 1],
];

/** misc.py softmax(w, t): softmax(w / t). */
export function edgePrior(scores: readonly number[], temperature: number): number[] {
  const z = scores.map((s) => s / temperature);
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** run.py L143 and L155: the priors of the homogeneous and heterogeneous units. */
export const HOMO_PRIOR = edgePrior([0, 0, 1, 0, 1, 0], 0.25);
export const HETERO_PRIOR = edgePrior([0, 0, 1, 0, 1, 1], 0.25);

export interface GraphDistillOptions {
  nClasses: number;
  hidden: number;
  gdSize: number;
  prior: readonly number[];
  alpha: number;
  reg: number;
  logitWeight: number;
  reprWeight: number;
}

export interface GraphDistillLosses {
  reg: tf.Scalar;
  logit: tf.Scalar;
  /** Hetero only: the homo unit computes a repr term the reference never adds (DMD.py L166). */
  repr?: tf.Scalar;
}

export class GraphDistillation implements Module {
  readonly wLogit: Linear;
  readonly wRepr: Linear;
  readonly wEdge: Linear;

  constructor(
    private readonly options: GraphDistillOptions,
    rng: Rng,
  ) {
    this.wLogit = new Linear(options.nClasses, options.gdSize, rng); // kernel L19-21
    this.wRepr = new Linear(options.hidden, options.gdSize, rng);
    this.wEdge = new Linear(4 * options.gdSize, 1, rng);
  }

  /**
   * kernel L34-60: z_m = [W_logit·logit_m; W_repr·repr_m] [B, 2g]; e_{j←i} = W_edge [z_j; z_i];
   * per sample the six scores × alpha are softmax-normalised together. Returns [6, B].
   */
  edges(logits: readonly tf.Tensor2D[], reprs: readonly tf.Tensor2D[]): tf.Tensor2D {
    const B = logits[0]!.shape[0];
    const z = logits.map((l, m) => tf.concat([this.wLogit.apply(l), this.wRepr.apply(reprs[m]!)], 1)); // [B, 2g] each
    const pairs = tf.concat(EDGES.map(([j, i]) => tf.concat([z[j]!, z[i]!], 1)), 0); // [6B, 4g]
    const scores = tf.transpose(tf.reshape(this.wEdge.apply(pairs), [EDGES.length, B])); // [B, 6]
    return tf.transpose(tf.softmax(tf.mul(scores, this.options.alpha))) as tf.Tensor2D;
  }

  /**
   * kernel L63-82 with misc.py distance_metric ('l1') and min_cosine. With w_x = edges[x] + prior[x]
   * and the teacher side detached:
   *   L_reg   = reg · Σ_x (mean_b edges[x] − prior[x])²
   *   L_logit = Σ_x logitWeight · mean_b(w_x · Σ_c |logit_j − logit_i|)
   *   L_repr  = Σ_x reprWeight · CosineEmbeddingLoss(repr_j, repr_i, −1) · mean_b(w_x)   (hetero)
   * (min_cosine multiplies the already batch-averaged cosine loss by the weights, then averages.)
   */
  losses(logits: readonly tf.Tensor2D[], reprs: readonly tf.Tensor2D[], edges: tf.Tensor2D, withRepr: boolean): GraphDistillLosses {
    const o = this.options;
    const prior = tf.tensor2d(o.prior as number[], [EDGES.length, 1]);
    const reg = tf.mul(tf.sum(tf.square(tf.sub(tf.mean(edges, 1, true), prior))), o.reg) as tf.Scalar;
    const w = tf.add(edges, prior); // [6, B]
    const logitTerms: tf.Tensor[] = [];
    const reprTerms: tf.Tensor[] = [];
    EDGES.forEach(([j, i], x) => {
      const wx = tf.reshape(tf.slice(w, [x, 0], [1, -1]), [-1]); // [B]
      const dist = tf.sum(tf.abs(tf.sub(logits[j]!, stopGradient(logits[i]!))), 1); // [B]
      logitTerms.push(tf.mean(tf.mul(dist, wx)));
      if (withRepr) reprTerms.push(tf.mul(cosineEmbeddingLoss(reprs[j]!, stopGradient(reprs[i]!), -1), tf.mean(wx)));
    });
    const logit = tf.mul(tf.addN(logitTerms), o.logitWeight) as tf.Scalar;
    if (!withRepr) return { reg, logit };
    return { reg, logit, repr: tf.mul(tf.addN(reprTerms), o.reprWeight) as tf.Scalar };
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('W_logit', this.wLogit), ...scoped('W_repr', this.wRepr), ...scoped('W_edge', this.wEdge)];
  }
}
