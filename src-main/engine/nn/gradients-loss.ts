import * as tf from '@tensorflow/tfjs-core';
import { single } from './gradients';

/**
 * Gradients for the kernels of L1 losses (see gradients.ts for why the engine registers gradients
 * itself): Abs. PyTorch's d|x|/dx = sign(x), 0 at x = 0; tfjs-core's own config gives −1 at 0,
 * so this one follows PyTorch, whose transcriptions the methods are checked against.
 */

type Grads = Record<string, () => tf.Tensor>;

const configs: tf.GradConfig[] = [
  {
    kernelName: tf.Abs,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => {
      const x = saved[0]!;
      return { x: () => tf.mul(single(dy), tf.sign(x)) };
    },
  },
];

// Once per process (module evaluation); a kernel that already has a gradient keeps it.
for (const config of configs) {
  if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
}
