import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { constantVariable, torchDefaultBound, uniformVariable } from './init';
import { linearOp, type Activation } from './linear-op';
import type { Module, NamedVariable } from './module';

export type { Activation } from './linear-op';

export interface LinearOptions {
  bias?: boolean;
  /** Overrides PyTorch's default weight bound 1/√in (e.g. Xavier for attention projections). */
  weightBound?: number;
  /** Overrides the bias bound 1/√in; 0 starts the bias at zero. */
  biasBound?: number;
}

/**
 * y = x·W + b with W stored [in, out] (the transpose of PyTorch's [out, in]) so the forward
 * needs no transpose. Any leading axes are folded into one batch axis, so a [B, T, in] input is a
 * single 2-D matMul: on wasm one large matMul is much faster than a batched one.
 */
export class Linear implements Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
    options: LinearOptions = {},
  ) {
    const bound = torchDefaultBound(inFeatures);
    this.weight = uniformVariable([inFeatures, outFeatures], options.weightBound ?? bound, rng);
    const biasBound = options.biasBound ?? bound;
    this.bias =
      options.bias === false
        ? null
        : biasBound === 0
          ? constantVariable([outFeatures], 0)
          : uniformVariable([outFeatures], biasBound, rng);
  }

  /** Applies the layer to [..., in]; the activation is fused into the matMul kernel. */
  apply<T extends tf.Tensor>(x: T, activation: Activation = 'linear'): T {
    const lead = x.shape.slice(0, -1);
    const x2 = x.rank === 2 ? (x as unknown as tf.Tensor2D) : tf.reshape(x, [-1, this.inFeatures]) as tf.Tensor2D;
    const w = this.weight as tf.Tensor2D;
    const y = this.bias
      ? linearOp(x2, w, this.bias as tf.Tensor1D, activation)
      : activation === 'relu'
        ? tf.relu(tf.matMul(x2, w))
        : tf.matMul(x2, w);
    return (x.rank === 2 ? y : tf.reshape(y, [...lead, this.outFeatures])) as T;
  }

  namedVariables(): NamedVariable[] {
    const out: NamedVariable[] = [['weight', this.weight]];
    if (this.bias) out.push(['bias', this.bias]);
    return out;
  }
}
