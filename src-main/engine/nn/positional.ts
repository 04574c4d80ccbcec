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
