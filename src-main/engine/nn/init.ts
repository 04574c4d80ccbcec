import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';

/** A variable filled with U(-bound, bound) drawn from `rng` (host side, so init is seeded). */
export function uniformVariable(shape: number[], bound: number, rng: Rng): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (rng.next() * 2 - 1) * bound;
  return tf.tidy(() => tf.variable(tf.tensor(data, shape, 'float32')));
}

export function constantVariable(shape: number[], value: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.fill(shape, value, 'float32')));
}

/**
 * PyTorch's default for Linear/Conv weights and biases: kaiming_uniform(a=√5) reduces to
 * U(-1/√fanIn, 1/√fanIn), and the bias uses the same bound.
 */
export function torchDefaultBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}
