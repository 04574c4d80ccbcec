import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';

/** A variable filled with U(-bound, bound) drawn from `rng` (host side, so init is seeded). */
export function uniformVariable(shape: number[], bound: number, rng: Rng): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (rng.next() * 2 - 1) * bound;
  return tf.tidy(() => tf.variable(tf.tensor(data, shape, 'float32')));
}

export function constantVariable(shape: number[], value: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.fill(shape, value, 'float32')));
}

/**
 * PyTorch's default for Linear/Conv weights and biases: kaiming_uniform(a=√5) reduces to
 * U(-1/√fanIn, 1/√fanIn), and the bias uses the same bound.
 */
export function torchDefaultBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

/**
 * A matrix with orthonormal rows or columns, as PyTorch's nn.init.orthogonal_ on a [rows, cols]
 * tensor: QR of a standard normal matrix (transposed first when rows < cols), Q's columns signed
 * so that R's diagonal is positive. Gram–Schmidt (run twice, in float64) yields exactly that Q.
 * Row-major Float32Array of rows·cols.
 */
export function orthogonalMatrix(rows: number, cols: number, rng: Rng): Float32Array {
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  // column j of the m×n matrix A at a[j·m … (j + 1)·m)
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a[j * m + i] = rng.normal();
  for (let j = 0; j < n; j++) {
    const qj = a.subarray(j * m, (j + 1) * m);
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const qk = a.subarray(k * m, (k + 1) * m);
        let dot = 0;
        for (let i = 0; i < m; i++) dot += qk[i]! * qj[i]!;
        for (let i = 0; i < m; i++) qj[i] = qj[i]! - dot * qk[i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += qj[i]! * qj[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) qj[i] = qj[i]! / norm;
  }
  // Q is m×n (column-major in a); the result is Q (rows ≥ cols) or Qᵀ, row-major.
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = rows >= cols ? a[c * m + r]! : a[r * m + c]!;
  }
  return out;
}

/**
 * orthogonal_ for an engine weight stored [in, out] (the transpose of PyTorch's [out, in]): the
 * PyTorch [out, in] matrix is drawn as orthogonal_ draws it, then stored transposed.
 */
export function orthogonalWeight(inFeatures: number, outFeatures: number, rng: Rng): tf.Tensor2D {
  const torch = orthogonalMatrix(outFeatures, inFeatures, rng);
  const stored = new Float32Array(inFeatures * outFeatures);
  for (let o = 0; o < outFeatures; o++) for (let i = 0; i < inFeatures; i++) stored[i * outFeatures + o] = torch[o * inFeatures + i]!;
  return tf.tensor2d(stored, [inFeatures, outFeatures]);
}
