import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../../../../src-main/engine/methods/method';
import { createRng } from '../../../../src-main/engine/random';
import type { DataShape } from '../../../../src-main/engine/types';

export const TINY_REGRESSION: DataShape = { kind: 'mosi', task: 'regression', T: 8, dims: [6, 3, 4], labelDim: 1 };
export const TINY_CLASSIFICATION: DataShape = { kind: 'iemocap', task: 'classification', T: 8, dims: [6, 3, 4], labelDim: 4 };

/**
 * A learnable random batch: features ~ N(0, 1); the regression label is a fixed linear function of
 * the language and audio means (so missing modalities genuinely hurt), the classification labels
 * its signs. The caller disposes the tensors.
 */
export function tinyBatch(shape: DataShape, n: number, seed: number): Batch {
  const rng = createRng(seed);
  const make = (dim: number): Float32Array => Float32Array.from({ length: n * shape.T * dim }, () => rng.normal());
  const [dl, da, dv] = shape.dims;
  const l = make(dl);
  const a = make(da);
  const v = make(dv);
  const y = new Float32Array(n * shape.labelDim);
  for (let i = 0; i < n; i++) {
    let sl = 0;
    let sa = 0;
    for (let t = 0; t < shape.T; t++) {
      sl += l[(i * shape.T + t) * dl]!;
      sa += a[(i * shape.T + t) * da]!;
    }
    const score = (2 * sl + sa) / shape.T;
    for (let e = 0; e < shape.labelDim; e++) {
      y[i * shape.labelDim + e] = shape.task === 'regression' ? score : (e % 2 === 0 ? score : -score) > 0 ? 1 : 0;
    }
  }
  return {
    l: tf.tensor3d(l, [n, shape.T, dl]),
    a: tf.tensor3d(a, [n, shape.T, da]),
    v: tf.tensor3d(v, [n, shape.T, dv]),
    y: tf.tensor2d(y, [n, shape.labelDim]),
    index: Int32Array.from({ length: n }, (_, i) => i),
  };
}

export function disposeBatch(batch: Batch): void {
  tf.dispose([batch.l, batch.a, batch.v, batch.y]);
}
