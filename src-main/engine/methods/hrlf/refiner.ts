import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../random';
import { Linear, scoped, type Module, type NamedVariable } from '../../nn';

export interface Refined {
  i1: tf.Tensor2D;
  i2: tf.Tensor2D;
  i3: tf.Tensor2D;
  ht: tf.Tensor2D;
}

/** The four fully-connected ReLU layers after fusion: H (3d) → I1 (2d) → I2 (d) → I3 (2d) → H̃ (3d). */
export class Refiner implements Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly fc3: Linear;
  readonly fc4: Linear;

  constructor(d: number, rng: Rng) {
    this.fc1 = new Linear(3 * d, 2 * d, rng);
    this.fc2 = new Linear(2 * d, d, rng);
    this.fc3 = new Linear(d, 2 * d, rng);
    this.fc4 = new Linear(2 * d, 3 * d, rng);
  }

  apply(h: tf.Tensor2D): Refined {
    const i1 = this.fc1.apply(h, 'relu');
    const i2 = this.fc2.apply(i1, 'relu');
    const i3 = this.fc3.apply(i2, 'relu');
    return { i1, i2, i3, ht: this.fc4.apply(i3, 'relu') };
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('fc1', this.fc1), ...scoped('fc2', this.fc2), ...scoped('fc3', this.fc3), ...scoped('fc4', this.fc4)];
  }
}
