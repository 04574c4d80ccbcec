import * as tf from '@tensorflow/tfjs-core';

/** Relation order of the temporal graph's adjacency (axis 1 of `relational`). */
export const TEMPORAL_RELATIONS = ['past', 'self', 'future'] as const;

export interface TemporalWindowOptions {
  /** GCNet's window_past: how many later nodes each node sends to as their 'past' (≥ 0, may be Infinity). */
  past: number;
  /** GCNet's window_future: how many earlier nodes each node sends to as their 'future' (≥ 0, may be Infinity). */
  future: number;
}

export interface TemporalGraph {
  /** [B, 3, N, N]: A[b, r, i, j] = 1 when node j sends to node i with relation TEMPORAL_RELATIONS[r]. */
  relational: tf.Tensor4D;
  /** [B, N, N]: every edge regardless of relation (what GCNet's GraphConv sees). */
  union: tf.Tensor3D;
}

function checkWindow(name: string, w: number): void {
  if (!(w >= 0) || (Number.isFinite(w) && !Number.isInteger(w))) {
    throw new Error(`temporal window graph: window ${name} must be a non-negative integer or Infinity, got ${w}`);
  }
}

/**
 * GCNet's temporal graph (zeroQiaoba/GCNet:gcnet/graph.py, edge_perms and batch_graphify with
 * graph_type 'temporal') as dense adjacency for a batch of padded sequences.
 *
 * Every valid node j sends an edge to each valid node i with j − past ≤ i ≤ j + future, itself
 * included. The edge's relation compares the receiver with the sender: 'past' when i > j (the sender
 * lies in the receiver's past), 'self' when i = j, 'future' when i < j. So, as in GCNet, a receiver
 * hears `future` earlier nodes and `past` later ones; with GCNet's equal windows (2/2 in its README,
 * 6/6 by default) the distinction vanishes. Windows are measured in positions; padding nodes
 * (valid = 0) get no edges at all, so front-padded sequences give exactly GCNet's per-conversation
 * graphs, and layer outputs at padding nodes are meaningless (mask them).
 *
 * `valid` is a host array of B·N flags (non-zero = a real node), row-major [B, N]. The returned
 * tensors belong to the caller.
 */
export function temporalWindowGraph(valid: ArrayLike<number>, batch: number, nodes: number, windows: TemporalWindowOptions): TemporalGraph {
  if (valid.length !== batch * nodes) {
    throw new Error(`temporal window graph: validity mask has ${valid.length} entries, expected B·N = ${batch}·${nodes}`);
  }
  checkWindow('past', windows.past);
  checkWindow('future', windows.future);
  const n2 = nodes * nodes;
  const relational = new Float32Array(batch * 3 * n2);
  const union = new Float32Array(batch * n2);
  for (let b = 0; b < batch; b++) {
    const isValid = (t: number): boolean => valid[b * nodes + t] !== 0;
    for (let j = 0; j < nodes; j++) {
      if (!isValid(j)) continue;
      const from = Math.max(0, j - windows.past);
      const to = Math.min(nodes - 1, j + windows.future);
      for (let i = from; i <= to; i++) {
        if (!isValid(i)) continue;
        const relation = i > j ? 0 : i === j ? 1 : 2;
        relational[(b * 3 + relation) * n2 + i * nodes + j] = 1;
        union[b * n2 + i * nodes + j] = 1;
      }
    }
  }
  return {
    relational: tf.tensor4d(relational, [batch, 3, nodes, nodes]),
    union: tf.tensor3d(union, [batch, nodes, nodes]),
  };
}
