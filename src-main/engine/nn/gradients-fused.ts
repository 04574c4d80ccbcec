import * as tf from '@tensorflow/tfjs-core';
import { CONV_TAPS, CONV_TAPS_GRAD, type ConvTapsAttrs } from './fused/conv-taps-kernel';
import { DROPOUT } from './fused/dropout-kernel';
import { runKernel } from './fused/host';
import { single } from './gradients';

/**
 * Gradients of the engine's fused single-output kernels (fused/*.ts). The fused attention and
 * LayerNorm ops keep extra forward results for their backward, so they are tf.customGrad ops
 * instead (a second kernel output would get a zero gradient tensor allocated on every backward).
 */

type Grads = Record<string, () => tf.Tensor>;

const configs: tf.GradConfig[] = [
  {
    // y = x·mask: dx = dy·mask, the same kernel with the same seed.
    kernelName: DROPOUT,
    gradFunc: (dy, _saved, attrs): Grads => ({ x: () => runKernel(DROPOUT, { x: single(dy) }, attrs as Record<string, unknown>) }),
  },
  {
    kernelName: CONV_TAPS,
    gradFunc: (dy, _saved, attrs): Grads => ({
      y: () => runKernel(CONV_TAPS_GRAD, { dy: single(dy) }, { ...(attrs as unknown as ConvTapsAttrs) }),
      bias: () => tf.mul(tf.sum(single(dy), [0, 1]), (attrs as unknown as ConvTapsAttrs).scale),
      // The added table is a constant in the engine; its gradient sums over the batch.
      add: () => tf.sum(single(dy), 0),
    }),
  },
];

for (const config of configs) {
  if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
}
