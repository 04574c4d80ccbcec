import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { torchDefaultBound, uniformVariable } from './init';
import { CONV_TAPS } from './fused/conv-taps-kernel';
import { hasFusedKernel, runKernel } from './fused/host';
import type { Module, NamedVariable } from './module';
import { transposedProduct } from './transposed-product';

/** out·scale + add, applied after the convolution (e.g. an embedding scale and a positional table [T, out]). */
export interface ConvEpilogue {
  scale: number;
  add?: tf.Tensor2D;
}

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

  /**
   * `presentRows` (optional) lists the rows b·T + t of x that may be non-zero, for a CONSTANT
   * input (data) whose other rows are zero vectors, as after MSM corruption: only those rows are
   * multiplied (MSM leaves ~2/7 of them), and no gradient flows to x on that path.
   */
  apply(x: tf.Tensor3D, presentRows?: Int32Array, epilogue?: ConvEpilogue): tf.Tensor3D {
    const [b, t] = x.shape;
    const o = this.outChannels;
    const rows = tf.reshape(x, [b * t, this.inChannels]) as tf.Tensor2D;
    const projected = presentRows ? sparseRowsProduct(rows, this.weight as tf.Tensor2D, presentRows) : tf.matMul(rows, this.weight);
    const y = tf.reshape(projected, [b, t, 3 * o]);
    const add = epilogue?.add;
    if (hasFusedKernel(CONV_TAPS) && (!add || (add.shape[0] === t && add.shape[1] === o))) {
      const inputs: Record<string, tf.Tensor> = add ? { y, add } : { y };
      return runKernel<tf.Tensor3D>(CONV_TAPS, inputs, { scale: epilogue?.scale ?? 1 });
    }
    const out = this.taps(y as tf.Tensor3D, b, t);
    if (!epilogue) return out;
    const scaled = epilogue.scale === 1 ? out : tf.mul(out, epilogue.scale);
    return (add ? tf.add(scaled, add) : scaled) as tf.Tensor3D;
  }

  /** out[t] = Y₀[t-1] + Y₁[t] + Y₂[t+1] from y [B, T, 3·out], zero-padded in time. */
  private taps(y: tf.Tensor3D, b: number, t: number): tf.Tensor3D {
    const o = this.outChannels;
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

/**
 * x·W for a constant x that is zero outside `present` rows: gather those rows, multiply, scatter
 * back. Differentiable in W only: dW = x_presentᵀ·dy_present.
 */
function sparseRowsProduct(x: tf.Tensor2D, w: tf.Tensor2D, present: Int32Array): tf.Tensor2D {
  const [n] = x.shape;
  const out = w.shape[1];
  if (present.length === 0) return tf.zeros([n, out]);
  const index = tf.tensor1d(present, 'int32');
  const xc = tf.gather(x, index);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [weight, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([xc, index]);
    return {
      value: tf.scatterND(tf.reshape(index, [-1, 1]), tf.matMul(xc, weight), [n, out]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, si] = saved as [tf.Tensor2D, tf.Tensor1D];
        return transposedProduct(sx, tf.gather(dy, si) as tf.Tensor2D);
      },
    };
  });
  return op(w) as tf.Tensor2D;
}
