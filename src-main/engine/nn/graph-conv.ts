import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { constantVariable, uniformVariable } from './init';
import { Linear } from './linear';
import { linearOp } from './linear-op';
import { scoped, type Module, type NamedVariable } from './module';

/*
 * Graph convolutions on dense, batched adjacency: every sample is its own small graph (≤ 50 nodes in
 * the baselines), so a [B, N, N] adjacency product is cheaper and simpler in tfjs than PyTorch
 * Geometric's gather/scatter over edge lists, and computes the same sums.
 *
 * Adjacency convention (PyG's default flow, source_to_target): A[b, i, j] is the weight of the edges
 * j → i, i.e. ROW i lists what node i receives. For RGCN it counts edges (0/1, or 2 for a duplicated
 * edge, which PyG's mean counts twice).
 */

/** PyG's glorot: U(±√(6/(fanIn + fanOut))) over the last two axes. */
function glorotBound(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}

function checkNodes(layer: string, x: tf.Tensor, inFeatures: number): [number, number] {
  if (x.rank !== 3 || x.shape[2] !== inFeatures) {
    throw new Error(`${layer}: node features must be [B, N, ${inFeatures}], got [${x.shape.join(', ')}]`);
  }
  return [x.shape[0]!, x.shape[1]!];
}

function checkAdjacency(layer: string, adjacency: tf.Tensor, expected: number[]): void {
  if (adjacency.rank !== expected.length || adjacency.shape.some((s, i) => s !== expected[i])) {
    throw new Error(`${layer}: adjacency must be [${expected.join(', ')}], got [${adjacency.shape.join(', ')}]`);
  }
}

/**
 * Each row divided by its sum (the number of in-edges of that node in that relation), rows without
 * edges left at zero: PyG's scatter-mean gives 0 to a node with no neighbours. The adjacency is data,
 * not a parameter, so nothing here is differentiated.
 */
function rowMean(adjacency: tf.Tensor): tf.Tensor {
  const degree = tf.sum(adjacency, -1, true);
  return tf.div(adjacency, tf.where(tf.greater(degree, 0), degree, tf.onesLike(degree)));
}

export interface RelationalGraphConvOptions {
  /** Θ_root·x_i term (PyG root_weight, default true). */
  rootWeight?: boolean;
  /** Additive bias (default true). */
  bias?: boolean;
}

/**
 * PyG's RGCNConv with the options GCNet uses (no bases/blocks, aggr='mean', root weight, bias):
 *
 *   x'_i = Θ_root·x_i + Σ_r Σ_{j∈N_r(i)} (1/|N_r(i)|)·Θ_r·x_j + b
 *
 * Parameters as PyG keeps them: `weight` [R, in, out], `root` [in, out] (both glorot), `bias` [out] (zeros).
 */
export class RelationalGraphConv implements Module {
  readonly weight: tf.Variable;
  readonly root: tf.Variable | null;
  readonly bias: tf.Variable | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly numRelations: number,
    rng: Rng,
    options: RelationalGraphConvOptions = {},
  ) {
    const bound = glorotBound(inFeatures, outFeatures);
    this.weight = uniformVariable([numRelations, inFeatures, outFeatures], bound, rng);
    this.root = options.rootWeight === false ? null : uniformVariable([inFeatures, outFeatures], bound, rng);
    this.bias = options.bias === false ? null : constantVariable([outFeatures], 0);
  }

  /** x [B, N, in], adjacency [B, R, N, N] (A[b, r, i, j]: edges j → i of relation r) → [B, N, out]. */
  apply(x: tf.Tensor3D, adjacency: tf.Tensor4D): tf.Tensor3D {
    const [b, n] = checkNodes('RelationalGraphConv', x, this.inFeatures);
    const r = this.numRelations;
    const out = this.outFeatures;
    checkAdjacency('RelationalGraphConv', adjacency, [b, r, n, n]);
    const x2 = tf.reshape(x, [b * n, this.inFeatures]) as tf.Tensor2D;
    // Θ_r·x_j for every relation in one 2-D matMul: [B·N, in]·[in, R·out].
    const thetaAll = tf.reshape(tf.transpose(this.weight, [1, 0, 2]), [this.inFeatures, r * out]) as tf.Tensor2D;
    const messages = tf.reshape(
      tf.transpose(tf.reshape(tf.matMul(x2, thetaAll), [b, n, r, out]), [0, 2, 1, 3]),
      [b, r * n, out],
    ); // [B, R·N, out], row r·N + j = Θ_r·x_j
    // Â[b, i, r·N + j] = A[b, r, i, j] / |N_r(i)|: the relation sum and the means become one product.
    const mean = tf.reshape(tf.transpose(rowMean(adjacency), [0, 2, 1, 3]), [b, n, r * n]);
    const aggregated = tf.reshape(tf.matMul(mean, messages), [b * n, out]) as tf.Tensor2D;
    let y: tf.Tensor2D;
    if (this.root && this.bias) {
      y = tf.add(linearOp(x2, this.root as tf.Tensor2D, this.bias as tf.Tensor1D, 'linear'), aggregated);
    } else {
      y = this.root ? tf.add(tf.matMul(x2, this.root as tf.Tensor2D), aggregated) : aggregated;
      if (this.bias) y = tf.add(y, this.bias as tf.Tensor1D);
    }
    return tf.reshape(y, [b, n, out]);
  }

  namedVariables(): NamedVariable[] {
    const out: NamedVariable[] = [['weight', this.weight]];
    if (this.root) out.push(['root', this.root]);
    if (this.bias) out.push(['bias', this.bias]);
    return out;
  }
}

/**
 * PyG's GraphConv with its default aggregation (add):
 *
 *   x'_i = W_root·x_i + W_rel·Σ_{j∈N(i)} e_{j,i}·x_j + b
 *
 * `root` and `rel` are Linear layers as PyG ≥ 2.0 names them (lin_root without bias, lin_rel with the
 * bias), with PyTorch's default initialisation, which is what PyG's Linear uses here.
 */
export class GraphConv implements Module {
  readonly root: Linear;
  readonly rel: Linear;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
    options: { bias?: boolean } = {},
  ) {
    this.rel = new Linear(inFeatures, outFeatures, rng, { bias: options.bias !== false });
    this.root = new Linear(inFeatures, outFeatures, rng, { bias: false });
  }

  /** x [B, N, in], adjacency [B, N, N] (A[b, i, j] = e_{j,i}, 0 where no edge) → [B, N, out]. */
  apply(x: tf.Tensor3D, adjacency: tf.Tensor3D): tf.Tensor3D {
    const [b, n] = checkNodes('GraphConv', x, this.inFeatures);
    checkAdjacency('GraphConv', adjacency, [b, n, n]);
    const summed = tf.matMul(adjacency, x); // [B, N, in]: Σ_j e_{j,i}·x_j
    return tf.add(this.rel.apply(summed), this.root.apply(x));
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('root', this.root), ...scoped('rel', this.rel)];
  }
}
