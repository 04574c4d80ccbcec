import * as tf from '@tensorflow/tfjs-core';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)), PyTorch's default (approximate='none'; CubeMLP's activation),
 * as one differentiable op: the backward Φ(x) + x·φ(x) reuses Φ from the forward pass instead of
 * differentiating through erf, 5 kernels instead of ~10.
 */
const geluOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const cdf = tf.mul(tf.add(tf.erf(tf.mul(x, SQRT1_2)), 1), 0.5);
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, scdf] = saved as [tf.Tensor, tf.Tensor];
      // φ(x) = e^(−x²/2)/√(2π)
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(sx), -0.5)), INV_SQRT_2PI);
      return tf.mul(dy, tf.add(scdf, tf.mul(sx, pdf)));
    },
  };
});

export function gelu<T extends tf.Tensor>(x: T): T {
  return geluOp(x) as T;
}
