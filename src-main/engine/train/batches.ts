import * as tf from '@tensorflow/tfjs-core';
import { MODALITIES } from '../../../src-shared/domain';
import type { ModalityMasks } from '../data/masks';
import type { Batch } from '../methods/method';
import type { DatasetData, SplitData } from '../types';

/** Copies the rows `indices` of a split into fresh host arrays, optionally masking frames. */
export function gatherRows(
  data: Pick<DatasetData, 'T' | 'dims' | 'labelDim'>,
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

/** Tensors for one batch; the caller disposes them (they outlive the step's tidy). */
export function toBatch(data: Pick<DatasetData, 'T' | 'dims' | 'labelDim'>, rows: ReturnType<typeof gatherRows>): Batch {
  const B = rows.y.length / data.labelDim;
  return {
    l: tf.tensor3d(rows.l, [B, data.T, data.dims[0]]),
    a: tf.tensor3d(rows.a, [B, data.T, data.dims[1]]),
    v: tf.tensor3d(rows.v, [B, data.T, data.dims[2]]),
    y: tf.tensor2d(rows.y, [B, data.labelDim]),
  };
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.l, b.a, b.v, b.y]);
}

/** Consecutive index ranges [start, end) covering n. */
export function* chunks(n: number, size: number): Generator<[number, number]> {
  for (let s = 0; s < n; s += size) yield [s, Math.min(n, s + size)];
}
