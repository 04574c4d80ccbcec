import * as tf from '@tensorflow/tfjs-core';
import { single } from './gradients';

/**
 * Gradients for the kernels of the baselines' task losses (see gradients.ts for why the engine
 * registers gradients itself): Abs, for the L1 loss CubeMLP, Self-MM, MCTN and DMD train with.
 * The derivative is sign(x), 0 at x = 0, as PyTorch's abs/l1_loss backward (tfjs-core's own
 * gives −1 there).
 */

type Grads = Record<string, () => tf.Tensor>;

const configs: tf.GradConfig[] = [
  {
    kernelName: tf.Abs,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(single(dy), tf.sign(saved[0]!)) }),
  },
];

// Once per process (module evaluation); a kernel that already has a gradient keeps it.
for (const config of configs) {
  if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
}
