import * as tf from '@tensorflow/tfjs-core';
import { transposedProduct } from './transposed-product';

export type Activation = 'linear' | 'relu';

type LinearFn = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/**
 * y = act(x·W + b) as one differentiable op.
 *
 * Forward: tfjs' fused matMul kernel (bias and ReLU inside the matMul). Backward: written here
 * with explicit transposes, because tfjs' own fused-matMul gradient multiplies with
 * transposeA/transposeB flags, and on the wasm backend a flagged matMul leaves XNNPACK's fast path
 * for a naive loop: ~10–20x slower (measured 50–70 ms vs 3–6 ms for [1600,300]ᵀ·[1600,120]).
 */
function makeLinear(activation: Activation): LinearFn {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const y = tf.fused.matMul({ a: x, b: w, bias: b, activation });
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sy] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const g = (activation === 'relu' ? tf.mul(dy, tf.step(sy)) : dy) as tf.Tensor2D;
        return [tf.matMul(g, tf.transpose(sw)), transposedProduct(sx, g), tf.sum(g, 0)];
      },
    };
  });
  return op as unknown as LinearFn;
}

const ops: Record<Activation, LinearFn> = { linear: makeLinear('linear'), relu: makeLinear('relu') };

/** act(x·W + b) for x [N, in], W [in, out], b [out]. */
export function linearOp(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation): tf.Tensor2D {
  return ops[activation](x, w, b);
}
