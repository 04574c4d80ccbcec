import * as tf from '@tensorflow/tfjs-core';
import { single } from './gradients';

/**
 * Gradients for the kernels that the recurrent and attention layers (recurrent.ts,
 * attention-decoder.ts, attention-pooling.ts) differentiate through and gradients.ts does not
 * cover (see there for why the engine registers its own): Tanh (AttentionPooling's score, and
 * tf.tanh anywhere else). The LSTM/GRU and decoder time loops are custom ops with their own
 * backward (recurrent-scan.ts, attention-decoder-scan.ts), so the kernels inside them need none.
 */
const configs: tf.GradConfig[] = [
  {
    // d tanh(x)/dx = 1 − y² with y the output.
    kernelName: tf.Tanh,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const y = saved[0]!;
      return { x: () => tf.mul(single(dy), tf.sub(1, tf.square(y))) };
    },
  },
];

// Once per process (module evaluation); a kernel that already has a gradient keeps it.
for (const config of configs) {
  if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
}
