import * as tf from '@tensorflow/tfjs-core';
import { MODALITIES } from '../../../src-shared/domain';
import type { ModalityMasks } from '../data/masks';
import type { Batch } from '../methods/method';
import type { DatasetData, SplitData } from '../types';

type Layout = Pick<DatasetData, 'T' | 'dims' | 'labelDim'>;

/** Copies the rows `indices` of a split into fresh host arrays, optionally masking frames. */
export function gatherRows(
  data: Layout,
  split: SplitData,
  indices: ArrayLike<number>,
  masks?: ModalityMasks,
): { l: Float32Array; a: Float32Array; v: Float32Array; y: Float32Array } {
  const B = indices.length;
  const { T, labelDim } = data;
  const out = { l: new Float32Array(0), a: new Float32Array(0), v: new Float32Array(0), y: new Float32Array(B * labelDim) };
  MODALITIES.forEach((m, k) => {
    const d = data.dims[k]!;
    const row = T * d;
    const dst = new Float32Array(B * row);
    const src = split[m];
    for (let b = 0; b < B; b++) {
      const i = indices[b]!;
      dst.set(src.subarray(i * row, (i + 1) * row), b * row);
      const mask = masks?.[m];
      if (mask) {
        for (let t = 0; t < T; t++) if (mask[i * T + t] === 0) dst.fill(0, b * row + t * d, b * row + (t + 1) * d);
      }
    }
    out[m] = dst;
  });
  for (let b = 0; b < B; b++) {
    const i = indices[b]!;
    out.y.set(split.y.subarray(i * labelDim, (i + 1) * labelDim), b * labelDim);
  }
  return out;
}

/**
 * Tensors for one batch of the split rows `index`; the caller disposes them (they outlive the step's
 * tidy). `split`: the split the rows are, unmasked, from (Batch.split).
 */
export function toBatch(data: Layout, rows: ReturnType<typeof gatherRows>, index: Int32Array, split?: SplitData): Batch {
  const B = rows.y.length / data.labelDim;
  return {
    l: tf.tensor3d(rows.l, [B, data.T, data.dims[0]]),
    a: tf.tensor3d(rows.a, [B, data.T, data.dims[1]]),
    v: tf.tensor3d(rows.v, [B, data.T, data.dims[2]]),
    y: tf.tensor2d(rows.y, [B, data.labelDim]),
    index,
    ...(split ? { split } : {}),
  };
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.l, b.a, b.v, b.y]);
}

/** Consecutive index ranges [start, end) covering n. */
export function* chunks(n: number, size: number): Generator<[number, number]> {
  for (let s = 0; s < n; s += size) yield [s, Math.min(n, s + size)];
}

/** The first `n` rows of a split (views, no copy), e.g. for a check that needs a sample only. */
export function leadingRows(data: Layout, split: SplitData, n: number): SplitData {
  if (n >= split.n) return split;
  const rows = (m: number): number => n * data.T * data.dims[m]!;
  return {
    n,
    ids: split.ids.slice(0, n),
    l: split.l.subarray(0, rows(0)),
    a: split.a.subarray(0, rows(1)),
    v: split.v.subarray(0, rows(2)),
    y: split.y.subarray(0, n * data.labelDim),
  };
}

export interface BatchOptions {
  /** Rows in this order (a shuffled epoch); default: 0 … n−1. */
  order?: Int32Array;
  /** Frame masks [n, T] per modality (evaluation conditions), applied while gathering. */
  masks?: ModalityMasks;
}

/**
 * The one batch loop of the trainer and the evaluator: a split's rows in batches of `size`, each
 * disposed when the loop moves on (or leaves early: for-of runs the generator's `finally`).
 */
export function* batches(data: Layout, split: SplitData, size: number, options: BatchOptions = {}): Generator<Batch> {
  for (const [s, e] of chunks(split.n, size)) {
    const index = options.order ? options.order.slice(s, e) : Int32Array.from({ length: e - s }, (_, i) => s + i);
    // Masked rows are not the split's: no per-sample cache of clean inputs may serve them.
    const batch = toBatch(data, gatherRows(data, split, index, options.masks), index, options.masks ? undefined : split);
    try {
      yield batch;
    } finally {
      disposeBatch(batch);
    }
  }
}

/** A model output over a whole split, batch by batch, as host values [n, width] (read asynchronously: any backend). */
export async function outputsOf(
  data: Layout,
  split: SplitData,
  size: number,
  fn: (b: Batch) => tf.Tensor2D,
  masks?: ModalityMasks,
): Promise<{ values: Float32Array; width: number }> {
  const parts: Float32Array[] = [];
  let width = 0;
  for (const batch of batches(data, split, size, masks ? { masks } : {})) {
    const out = tf.tidy(() => fn(batch));
    try {
      width = out.shape[1];
      parts.push(Float32Array.from((await out.data()) as Float32Array));
    } finally {
      out.dispose();
    }
  }
  const values = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((off, p) => (values.set(p, off), off + p.length), 0);
  return { values, width };
}
