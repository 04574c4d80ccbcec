import * as tf from '@tensorflow/tfjs-core';

/*
 * Similarity losses the baselines share (DMD's orthogonality and margin terms, graph distillation).
 * Each follows one PyTorch definition exactly, including its epsilons, because they differ.
 */

function checkSameShape(what: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) {
    throw new Error(`${what}: inputs differ in shape, [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`);
  }
}

/**
 * torch.nn.functional.cosine_similarity: Σ a·b / (max(‖a‖, eps)·max(‖b‖, eps)) along `axis`, which is
 * removed. Each norm is clamped as sqrt(max(Σx², eps²)), the same value, so that an all-zero row (a
 * missing modality) has a finite gradient; its cosine is 0 and, as in PyTorch, the gradient with respect
 * to that zero row is large (b/(eps·‖b‖)).
 */
export function cosineSimilarity(a: tf.Tensor, b: tf.Tensor, axis = -1, eps = 1e-8): tf.Tensor {
  checkSameShape('cosineSimilarity', a, b);
  const clampedNorm = (x: tf.Tensor): tf.Tensor => tf.sqrt(tf.maximum(tf.sum(tf.square(x), axis), eps * eps));
  return tf.div(tf.sum(tf.mul(a, b), axis), tf.mul(clampedNorm(a), clampedNorm(b)));
}

/**
 * Rows scaled to unit length as torch.nn.functional.normalize(x, dim=1, eps): x / max(‖x‖, eps),
 * the norm clamped as sqrt(max(Σx², eps²)) (the same value) so an all-zero row stays finite.
 */
export function normalizeRows(x: tf.Tensor2D, eps = 1e-8): tf.Tensor2D {
  return tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), eps * eps)));
}

/** Cosine similarity of every row of a [N, D] with every row of b [M, D]: [N, M]. */
export function cosineMatrix(a: tf.Tensor2D, b: tf.Tensor2D, eps = 1e-8): tf.Tensor2D {
  return tf.matMul(normalizeRows(a, eps), normalizeRows(b, eps), false, true);
}

/**
 * torch.nn.CosineEmbeddingLoss (reduction 'mean') on rows a, b [N, D]:
 *   loss_n = 1 − cos_n            where target_n = 1
 *          = max(0, cos_n − margin) where target_n = −1
 * with PyTorch's own cosine here, Σab / sqrt((Σa² + 1e-12)(Σb² + 1e-12)). `target` is ±1 for every row
 * or a [N] tensor of ±1 (other values contribute 0, as in PyTorch). For DMD's orthogonality term
 * (target −1) on [B, T, d] features, reshape to [B·T, d]: cosine per sample and time step.
 */
export function cosineEmbeddingLoss(a: tf.Tensor2D, b: tf.Tensor2D, target: number | tf.Tensor1D, margin = 0): tf.Scalar {
  checkSameShape('cosineEmbeddingLoss', a, b);
  if (a.rank !== 2) throw new Error(`cosineEmbeddingLoss: inputs must be [N, D], got [${a.shape.join(', ')}]`);
  const epsilon = 1e-12;
  const cos = tf.div(
    tf.sum(tf.mul(a, b), 1),
    tf.sqrt(tf.mul(tf.add(tf.sum(tf.square(a), 1), epsilon), tf.add(tf.sum(tf.square(b), 1), epsilon))),
  );
  const similar = (): tf.Tensor => tf.sub(1, cos);
  const dissimilar = (): tf.Tensor => tf.relu(tf.sub(cos, margin));
  if (typeof target === 'number') {
    if (target !== 1 && target !== -1) throw new Error(`cosineEmbeddingLoss: target must be 1 or -1, got ${target}`);
    return tf.mean(target === 1 ? similar() : dissimilar());
  }
  if (target.rank !== 1 || target.shape[0] !== a.shape[0]) {
    throw new Error(`cosineEmbeddingLoss: target must be [${a.shape[0]}], got [${target.shape.join(', ')}]`);
  }
  const isPositive = tf.cast(tf.equal(target, 1), 'float32');
  const isNegative = tf.cast(tf.equal(target, -1), 'float32');
  return tf.mean(tf.add(tf.mul(isPositive, similar()), tf.mul(isNegative, dissimilar())));
}

/** Default cap on the [pairs, M] block of hinge terms built at once (4M floats, 16 MB per tensor). */
const HINGE_BLOCK = 1 << 22;

/**
 * DMD's HingeLoss (mdswyz/DMD:trains/singleTask/HingeLoss.py) on rows `feats` [M, F] with label values
 * `labels` (M host numbers; the pair structure must be known to size the tensors). With
 * cos_ij = f_i·f_j / (sqrt(Σf_i² + 1e-8)·sqrt(Σf_j² + 1e-8)):
 *
 *   for each anchor i: S_i = {j ≠ i : y_j = y_i}, D_i = {k : y_k ≠ y_i},
 *   loss_i = mean over (j, k) ∈ S_i × D_i of max(0, 0.15·|y_i − y_k| − cos_ij + cos_ik),
 *   loss = mean of loss_i over anchors with both sets non-empty (0 when there are none).
 *
 * Labels are compared for exact equality, as the reference does; its `margin` argument is unused there
 * (overwritten by 0.15·|y_i − y_k|). DMD passes the three modalities of each sample as consecutive rows
 * with the sample's label repeated; the loss does not depend on the row order.
 *
 * Cost: one row of terms per (anchor, similar) pair, [P, M] in all, instead of the [M, M, M] cube; with
 * regression labels S_i is mostly the sample's other modalities (P ≈ 2M). Rows are picked by products
 * with one-hot matrices (their gradient is a matMul; tfjs-wasm has no scatter-add kernel for a gather's),
 * in blocks of at most `blockElements` terms so that class labels (P ≈ M²/classes) stay within memory.
 */
export function dmdHingeLoss(labels: ArrayLike<number>, feats: tf.Tensor2D, blockElements = HINGE_BLOCK): tf.Scalar {
  if (feats.rank !== 2) throw new Error(`dmdHingeLoss: feats must be [M, F], got [${feats.shape.join(', ')}]`);
  const m = feats.shape[0];
  if (labels.length !== m) throw new Error(`dmdHingeLoss: need one label per row (${m}), got ${labels.length}`);
  const y = Array.from(labels);
  const pairs: [anchor: number, similar: number][] = [];
  const anchorWeight = new Float64Array(m);
  let counted = 0;
  for (let i = 0; i < m; i++) {
    const similar = y.flatMap((v, j) => (j !== i && v === y[i] ? [j] : []));
    const nDifferent = y.filter((v) => v !== y[i]).length;
    if (similar.length === 0 || nDifferent === 0) continue;
    counted++;
    anchorWeight[i] = 1 / (similar.length * nDifferent);
    for (const j of similar) pairs.push([i, j]);
  }
  // No anchor has both kinds: the reference returns 0; keep the graph connected so gradients are zeros.
  if (counted === 0) return tf.mul(tf.sum(feats), 0);

  const unit = tf.div(feats, tf.sqrt(tf.add(tf.sum(tf.square(feats), 1, true), 1e-8))); // [M, F]
  const unitT = tf.transpose(unit);
  const block = Math.max(1, Math.floor(blockElements / m));
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < pairs.length; start += block) {
    const chunk = pairs.slice(start, start + block);
    const c = chunk.length;
    const pickAnchor = new Float32Array(c * m);
    const pickSimilar = new Float32Array(c * m);
    const margin = new Float32Array(c * m);
    const weight = new Float32Array(c * m);
    chunk.forEach(([i, j], p) => {
      pickAnchor[p * m + i] = 1;
      pickSimilar[p * m + j] = 1;
      for (let k = 0; k < m; k++) {
        if (y[k] === y[i]) continue;
        margin[p * m + k] = 0.15 * Math.abs(y[i]! - y[k]!);
        weight[p * m + k] = anchorWeight[i]! / counted;
      }
    });
    const ui = tf.matMul(tf.tensor2d(pickAnchor, [c, m]), unit); // [c, F] rows f̂_i
    const uj = tf.matMul(tf.tensor2d(pickSimilar, [c, m]), unit); // [c, F] rows f̂_j
    const cosSimilar = tf.sum(tf.mul(ui, uj), 1, true); // [c, 1] cos_ij
    const cosAnchor = tf.matMul(ui, unitT); // [c, M] cos_ik for every k
    // terms[p, k] = max(0, 0.15·|y_i − y_k| − cos_ij + cos_ik), weighted 0 unless k ∈ D_i
    const terms = tf.relu(tf.sub(tf.add(cosAnchor, tf.tensor2d(margin, [c, m])), cosSimilar));
    parts.push(tf.sum(tf.mul(terms, tf.tensor2d(weight, [c, m]))));
  }
  return (parts.length === 1 ? parts[0]! : tf.addN(parts)) as tf.Scalar;
}
