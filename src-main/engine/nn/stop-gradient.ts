import * as tf from '@tensorflow/tfjs-core';

/**
 * Identity whose gradient is zero (tfjs-core has no stopGradient op). Used for targets that must
 * not be pulled towards their prediction, e.g. the FRF reconstruction targets.
 */
const detach = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detach(x) as T;
}
