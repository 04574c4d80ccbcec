import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradients for the kernels that the recurrent and attention layers (recurrent.ts,
 * attention-decoder.ts, attention-pooling.ts) differentiate through and gradients.ts does not
 * cover (see there for why the engine registers its own). The LSTM/GRU time loops are custom ops
 * with their own backward (recurrent-scan.ts), so the kernels inside them need none.
 */
const configs: tf.GradConfig[] = [
  {
    // d tanh(x)/dx = 1 − y² with y the output.
    kernelName: tf.Tanh,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const y = saved[0];
      if (!y || Array.isArray(dy)) throw new Error('Tanh gradient needs its output and one dy');
      return { x: () => tf.mul(dy, tf.sub(1, tf.square(y))) };
    },
  },
];

for (const config of configs) {
  if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
}
