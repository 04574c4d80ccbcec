import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { torchDefaultBound, uniformVariable } from './init';
import type { Module, NamedVariable } from './module';

/**
 * Conv1D with kernel 3, padding 'same', stride 1, no bias, on [B, T, C] → [B, T, out].
 *
 * Expressed as ONE matMul instead of tf.conv1d (whose filter gradient has no wasm kernel):
 * Y = X·W with W [C, 3·out], the three column blocks holding the taps k = 0, 1, 2. Then
 * out[t] = Y₀[t-1] + Y₁[t] + Y₂[t+1], done by padding Y by one step on each side of time and
 * taking three shifted slices. Projecting first and shifting after touches 3·out columns
 * instead of building a 3·C im2col copy of the (wide, e.g. 300-d) input.
 *
 * Weight layout: weight[c, k·out + o] = torchWeight[o, c, k].
 */
export class Conv1dK3 implements Module {
  readonly weight: tf.Variable;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    rng: Rng,
  ) {
    this.weight = uniformVariable([inChannels, 3 * outChannels], torchDefaultBound(inChannels * 3), rng);
  }

  apply(x: tf.Tensor3D): tf.Tensor3D {
    const [b, t] = x.shape;
    const o = this.outChannels;
    const y = tf.reshape(tf.matMul(tf.reshape(x, [b * t, this.inChannels]), this.weight), [b, t, 3 * o]);
    if (t === 1) return tf.slice(y, [0, 0, o], [b, 1, o]) as tf.Tensor3D;
    const yp = tf.pad(y, [
      [0, 0],
      [1, 1],
      [0, 0],
    ]);
    return tf.addN([
      tf.slice(yp, [0, 0, 0], [b, t, o]),
      tf.slice(yp, [0, 1, o], [b, t, o]),
      tf.slice(yp, [0, 2, 2 * o], [b, t, o]),
    ]) as tf.Tensor3D;
  }

  namedVariables(): NamedVariable[] {
    return [['weight', this.weight]];
  }
}
