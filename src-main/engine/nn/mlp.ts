import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { Linear } from './linear';
import { scoped, type Module, type NamedVariable } from './module';

/**
 * Stack of Linear layers with ReLU between them (and after the last one only when
 * `finalRelu`). sizes = [in, hidden..., out].
 */
export class Mlp implements Module {
  readonly layers: Linear[];

  constructor(
    sizes: readonly number[],
    rng: Rng,
    readonly finalRelu = false,
  ) {
    if (sizes.length < 2) throw new Error('Mlp needs at least [in, out] sizes');
    this.layers = [];
    for (let i = 0; i + 1 < sizes.length; i++) this.layers.push(new Linear(sizes[i]!, sizes[i + 1]!, rng));
  }

  apply<T extends tf.Tensor>(x: T): T {
    let h = x;
    this.layers.forEach((layer, i) => {
      const last = i === this.layers.length - 1;
      h = layer.apply(h, !last || this.finalRelu ? 'relu' : 'linear');
    });
    return h;
  }

  namedVariables(): NamedVariable[] {
    return this.layers.flatMap((l, i) => scoped(`layers.${i}`, l));
  }
}
