import * as tf from '@tensorflow/tfjs-core';

/**
 * Sinusoidal positional encoding of Vaswani et al. (the paper's [46]), interleaved:
 * PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)). Computed in float64 on
 * the host and rounded once, to match a PyTorch/numpy reference.
 */
export function sinusoidalTable(length: number, d: number): Float32Array {
  const out = new Float32Array(length * d);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < d; i += 2) {
      const angle = p / Math.pow(10000, i / d);
      out[p * d + i] = Math.sin(angle);
      if (i + 1 < d) out[p * d + i + 1] = Math.cos(angle);
    }
  }
  return out;
}

/** The table as a constant tensor [T, d]; the caller owns (and disposes) it. */
export function positionalEncoding(length: number, d: number): tf.Tensor2D {
  return tf.tensor2d(sinusoidalTable(length, d), [length, d], 'float32');
}

/**
 * MulT's (fairseq's) sinusoidal table, [rows, d]: the sin half and the cos half concatenated,
 * PE[p] = [sin(p·f₀) … sin(p·f_{h−1}), cos(p·f₀) … cos(p·f_{h−1})] with h = ⌊d/2⌋ and
 * f_i = exp(−i·ln(10000)/(h−1)); a zero column is appended when d is odd, and row 0 (the padding
 * index) is all zeros. Every step is rounded to float32 as the reference computes it in float32
 * (at p ≈ 50 that is a few 1e-6 away from a float64 table).
 */
export function multSinusoidalTable(rows: number, d: number): Float32Array {
  const half = Math.floor(d / 2);
  if (half < 2) throw new Error(`MulT positions need d ≥ 4 (got ${d})`);
  const step = Math.fround(-Math.log(10000) / (half - 1));
  const freqs = Array.from({ length: half }, (_, i) => Math.fround(Math.exp(Math.fround(i * step))));
  const out = new Float32Array(rows * d);
  for (let p = 1; p < rows; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * freqs[i]!);
      out[p * d + i] = Math.sin(angle);
      out[p * d + half + i] = Math.cos(angle);
    }
  }
  return out;
}

const multTables = new Map<string, Float32Array>();

/** Rows 1..T of the MulT table (positions count from the padding index 0 + 1), cached per size. */
function multPositionRows(t: number, d: number): Float32Array {
  const key = `${t}x${d}`;
  let rows = multTables.get(key);
  if (!rows) {
    rows = multSinusoidalTable(t + 1, d).slice(d);
    multTables.set(key, rows);
  }
  return rows;
}

/**
 * 1 where a row's first feature is non-zero, 0 where it is exactly zero, [B, T, 1], with a zero
 * gradient: a constant read off the data, never differentiated (inside customGrad the comparison
 * and cast are not taped, so they need no gradients of their own).
 */
const nonPaddingRows = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor3D;
  const [b, t] = x.shape;
  const first = tf.slice(x, [0, 0, 0], [b, t, 1]);
  return { value: tf.cast(tf.notEqual(first, 0), 'float32'), gradFunc: () => tf.zerosLike(x) };
});

/**
 * MulT's positional embedding of a [B, T, d] input (`SinusoidalPositionalEmbedding` with
 * padding_idx 0, left_pad 0, fed x[:, :, 0]): the row at time t gets table row t + 1, except rows
 * whose first feature is exactly 0, taken for padding, which get row 0 (zeros). Positions are
 * absolute (t + 1 whatever the padding), so a front-padded sequence's first real row is not at
 * position 1. [B, T, d], no gradient to x.
 */
export function multPositionalEmbedding(x: tf.Tensor3D): tf.Tensor3D {
  const [, t, d] = x.shape;
  const table = tf.tensor3d(multPositionRows(t, d), [1, t, d], 'float32');
  return tf.mul(nonPaddingRows(x) as tf.Tensor3D, table);
}
