/**
 * GCNet's network, read beside zeroQiaoba/GCNet:gcnet/model.py (GraphModel L91-158, GraphNetwork
 * L20-82), graph.py (batch_graphify, here engine/nn's temporalWindowGraph) and module.py
 * (MatchingAttention 'general2' L52-62), on the word-as-node graph of resources/docs/baselines.md §8.
 *
 * The graph when each sample is one utterance: GCNet's nodes are utterances and a conversation is
 * one graph; here every sample is a single utterance, so its valid time steps are the nodes
 * (features [a_t; l_t; v_t]) and the sample is the graph. Temporal graph: node j sends to every
 * valid node within windowPast steps after it (relation 'past' for the receiver) and windowFuture
 * before it ('future'), and to itself ('self'). Speaker graph (optional): one speaker per sample,
 * so all those edges share one relation. Nodes of different samples are never connected.
 * Front padding: the valid nodes of a sample are its last n steps; padding nodes get no edges, are
 * skipped by the LSTMs (pack_padded_sequence semantics) and never read.
 *
 * Shapes: B batch, T steps (nodes), D = dA + dL + dV, De = hidden, G = hidden/2 (graph width),
 * Dh = 2·De + G (a graph network's output and the fused width).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../random';
import type { DataShape } from '../../types';
import {
  GraphConv,
  Gru,
  Linear,
  Lstm,
  RelationalGraphConv,
  scoped,
  TEMPORAL_RELATIONS,
  temporalWindowGraph,
  type ForwardCtx,
  type Module,
  type NamedVariable,
} from '../../nn';
import type { Inputs } from '../method';
import { outputWidth } from '../task-loss';
import type { GcnetConfig } from './card';

/** The network's outputs on one batch. */
export interface GcnetOutput {
  /** Fused node states [B, T, Dh] (hidden1 + hidden2 in model.py L150). */
  hidden: tf.Tensor3D;
  /** The last node's state [B, Dh]: what the head reads (represent()). */
  last: tf.Tensor2D;
  /** Head on the last node [B, outputWidth] (smax_fc, L153). */
  logits: tf.Tensor2D;
}

/** Concatenated node features in GCNet's order, [a; l; v] (train_gcnet.py generate_inputs L144): [B, T, D]. */
export function nodeFeatures(x: Inputs): tf.Tensor3D {
  return tf.concat([x.a, x.l, x.v], 2);
}

/**
 * Which steps are nodes, [B, T] 0/1: from the first step where any modality is non-zero to the end
 * (front padding; zero rows after it, e.g. a dropped frame, stay nodes). [gap-fill: our data has no
 * separate utterance mask (GCNet's umask); the import's front padding is all-zero rows.]
 */
export function nodeValidity(x: Inputs): tf.Tensor2D {
  return tf.tidy(() => {
    const mass = tf.addN([x.l, x.a, x.v].map((m) => tf.sum(tf.abs(m), 2)));
    return tf.cast(tf.greater(tf.cumsum(mass, 1), 0), 'float32') as tf.Tensor2D;
  });
}

/**
 * Steps padded in every sample (before the earliest first node), at most T − 1: the LSTMs skip
 * them (engine/nn's leadingPadding), which leaves every result unchanged. valid: [B·T] host flags.
 */
export function sharedPadding(valid: ArrayLike<number>, batch: number, steps: number): number {
  let lead = steps - 1;
  for (let b = 0; b < batch && lead > 0; b++) {
    let t = 0;
    while (t < lead && valid[b * steps + t] === 0) t++;
    lead = t;
  }
  return lead;
}

/** model.py GraphNetwork: RGCNConv → GraphConv, [input; conv] → 2-layer biLSTM → (matching attention) → Linear + ReLU. */
export class GraphNetwork implements Module {
  readonly conv1: RelationalGraphConv;
  readonly conv2: GraphConv;
  readonly grufusion: Lstm;
  /** MatchingAttention 'general2' transform (Linear 2·Dh → 2·Dh with bias), only with timeAttention. */
  readonly matchatt: Linear | null;
  readonly linear: Linear;

  constructor(numFeatures: number, relations: number, graphHidden: number, config: GcnetConfig, rng: Rng) {
    this.conv1 = new RelationalGraphConv(numFeatures, graphHidden, relations, rng);
    this.conv2 = new GraphConv(graphHidden, graphHidden, rng);
    const dh = numFeatures + graphHidden;
    this.grufusion = new Lstm({ inputSize: dh, hiddenSize: dh, layers: 2, bidirectional: true, dropout: config.dropout }, rng);
    this.matchatt = config.timeAttention ? new Linear(2 * dh, 2 * dh, rng) : null;
    this.linear = new Linear(2 * dh, dh, rng);
  }

  /**
   * features [B, T, F], relational [B, R, T, T], union [B, T, T], valid [B, T] → [B, T, Dh]
   * (model.py L43-82; utterance_to_conversation is a no-op: our nodes stay in their padded rows).
   * lead: the steps padded in every sample (sharedPadding), which the LSTM skips.
   */
  apply(features: tf.Tensor3D, relational: tf.Tensor4D, union: tf.Tensor3D, valid: tf.Tensor2D, lead: number, ctx: ForwardCtx): tf.Tensor3D {
    const out = this.conv2.apply(this.conv1.apply(features, relational), union); // [B, T, G]
    const outputs = tf.concat([features, out], 2); // [B, T, Dh]
    const fused = this.grufusion.apply(outputs, ctx, { mask: valid, leadingPadding: lead }).output; // [B, T, 2·Dh]
    if (!this.matchatt) return this.linear.apply(fused, 'relu'); // [B, T, Dh]
    return this.linear.apply(this.matchingAttention(fused, valid), 'relu');
  }

  /**
   * module.py MatchingAttention 'general2' for every node t as the query (model.py L68-77):
   * α[t, s] ∝ exp(tanh(W·M_t + b · M_s)) over the valid nodes s, then Σ_s α[t, s]·M_s. The
   * reference's softmax over all s, masking and renormalisation equal this masked softmax.
   */
  private matchingAttention(memory: tf.Tensor3D, valid: tf.Tensor2D): tf.Tensor3D {
    const query = this.matchatt!.apply(memory); // [B, T, 2·Dh]
    const scores = tf.tanh(tf.matMul(query, memory, false, true)); // [B, T(query), T(memory)]
    const weights = tf.mul(tf.exp(scores), tf.expandDims(valid, 1)); // [B, T, T], 0 at padding nodes
    // exp(tanh(·)) ≥ e⁻¹, so the floor only matters for a sample without any node.
    const alpha = tf.div(weights, tf.maximum(tf.sum(weights, 2, true), 1e-12));
    return tf.matMul(alpha, memory); // [B, T, 2·Dh]
  }

  namedVariables(): NamedVariable[] {
    return [
      ...scoped('conv1', this.conv1),
      ...scoped('conv2', this.conv2),
      ...scoped('grufusion', this.grufusion),
      ...(this.matchatt ? scoped('matchatt.transform', this.matchatt) : []),
      ...scoped('linear', this.linear),
    ];
  }
}

/** model.py GraphModel on the word-as-node graph, with the head on the last node. */
export class GcnetNetwork implements Module {
  /** The sequential context encoder (self.lstm / self.gru): 2-layer bidirectional, D → 2·De. */
  readonly base: Lstm | Gru;
  readonly temporal: GraphNetwork;
  readonly speaker: GraphNetwork | null;
  readonly smaxFc: Linear;
  readonly linearRec: Linear;
  /** [dA, dL, dV]: the reconstruction's column blocks, in node-feature order. */
  readonly blockDims: [number, number, number];

  constructor(
    shape: DataShape,
    private readonly config: GcnetConfig,
    rng: Rng,
  ) {
    const [dL, dA, dV] = shape.dims;
    this.blockDims = [dA, dL, dV];
    const De = config.hidden;
    const G = Math.floor(config.hidden / 2); // train_gcnet.py build_model: graph_h = hidden // 2
    const options = { inputSize: dA + dL + dV, hiddenSize: De, layers: 2, bidirectional: true, dropout: config.dropout };
    this.base = config.baseModel === 'lstm' ? new Lstm(options, rng) : new Gru(options, rng);
    this.temporal = new GraphNetwork(2 * De, TEMPORAL_RELATIONS.length, G, config, rng);
    // n_speakers = 1: n_speakers² = 1 relation.
    this.speaker = config.speakerGraph ? new GraphNetwork(2 * De, 1, G, config, rng) : null;
    const dh = 2 * De + G;
    this.smaxFc = new Linear(dh, outputWidth(shape.task, shape.labelDim), rng);
    this.linearRec = new Linear(dh, dA + dL + dV, rng);
  }

  /**
   * x: the (masked) inputs; valid: [B·T] host node flags (nodeValidity), which the graph is built from.
   * model.py GraphModel.forward L124-158.
   */
  forward(x: Inputs, valid: Float32Array, ctx: ForwardCtx): GcnetOutput {
    const [B, T] = x.l.shape;
    const validT = tf.tensor2d(valid, [B, T]);
    const nodes = nodeFeatures(x); // [B, T, D]
    // Most of a step is the two biLSTMs; a batch of short samples need not pay for its common padding.
    const lead = sharedPadding(valid, B, T);
    const outputs = this.base.apply(nodes, ctx, { mask: validT, leadingPadding: lead }).output; // [B, T, 2·De]
    const graph = temporalWindowGraph(valid, B, T, { past: this.config.windowPast, future: this.config.windowFuture });
    let hidden = this.temporal.apply(outputs, graph.relational, graph.union, validT, lead, ctx); // [B, T, Dh]
    if (this.speaker) {
      const oneRelation = tf.expandDims(graph.union, 1) as tf.Tensor4D; // [B, 1, T, T]: speaker '00'
      hidden = tf.add(hidden, this.speaker.apply(outputs, oneRelation, graph.union, validT, lead, ctx));
    }
    const dh = hidden.shape[2];
    // §8 [gap-fill]: one label per sample, read at its last node (the last valid word: front padding).
    const last = tf.reshape(tf.slice(hidden, [0, T - 1, 0], [B, 1, dh]), [B, dh]) as tf.Tensor2D;
    return { hidden, last, logits: this.smaxFc.apply(last) };
  }

  /** Reconstruction of every node's [a; l; v] from the fused states: [B, T, Dh] → [B, T, D] (linear_rec, L156). */
  reconstruct(hidden: tf.Tensor3D): tf.Tensor3D {
    return this.linearRec.apply(hidden);
  }

  namedVariables(): NamedVariable[] {
    return [
      ...scoped(this.config.baseModel, this.base),
      ...scoped('graph_net_temporal', this.temporal),
      ...(this.speaker ? scoped('graph_net_speaker', this.speaker) : []),
      ...scoped('smax_fc', this.smaxFc),
      ...scoped('linear_rec', this.linearRec),
    ];
  }
}
