import * as tf from '@tensorflow/tfjs-core';
import { single, unbroadcast } from './gradients';

/**
 * Gradients for the kernels the graph, mixing and similarity blocks add (see gradients.ts for why
 * the engine registers gradients itself): Maximum (the clamped norms of cosineSimilarity) and Erf
 * (GELU's forward; gelu() has its own backward, this one serves autodiff through tf.erf elsewhere).
 * Definitions follow tfjs-core's.
 */

type Grads = Record<string, () => tf.Tensor>;

const configs: tf.GradConfig[] = [
  {
    // The gradient goes to a where a ≥ b (ties to a, as tfjs-core), else to b.
    kernelName: tf.Maximum,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const g = single(dy);
      return {
        a: () => unbroadcast(tf.mul(g, tf.cast(tf.greaterEqual(a, b), 'float32')), a.shape),
        b: () => unbroadcast(tf.mul(g, tf.cast(tf.less(a, b), 'float32')), b.shape),
      };
    },
  },
  {
    // d erf(x)/dx = 2/√π · e^(−x²)
    kernelName: tf.Erf,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => {
      const x = saved[0]!;
      return { x: () => tf.mul(single(dy), tf.mul(tf.exp(tf.neg(tf.square(x))), 2 / Math.sqrt(Math.PI))) };
    },
  },
];

// Once per process (module evaluation); a kernel that already has a gradient keeps it.
for (const config of configs) {
  if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
}
