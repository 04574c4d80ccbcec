import * as tf from '@tensorflow/tfjs-core';
import { constantVariable } from './init';
import type { Module, NamedVariable } from './module';

/** LayerNorm over the last axis (biased variance, eps inside the sqrt, as PyTorch). */
export class LayerNorm implements Module {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  constructor(
    readonly size: number,
    readonly eps = 1e-5,
  ) {
    this.gamma = constantVariable([size], 1);
    this.beta = constantVariable([size], 0);
  }

  apply<T extends tf.Tensor>(x: T): T {
    const axis = x.rank - 1;
    const mean = tf.mean(x, axis, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), axis, true);
    const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, this.eps)));
    return tf.add(tf.mul(normed, this.gamma), this.beta);
  }

  namedVariables(): NamedVariable[] {
    return [
      ['gamma', this.gamma],
      ['beta', this.beta],
    ];
  }
}
