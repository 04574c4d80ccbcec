import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { torchDefaultBound, uniformVariable } from './init';
import { CONV_TAPS, type ConvTapsAttrs } from './fused/conv-taps-kernel';
import { hasFusedKernel, runKernel } from './fused/host';
import { linearOp } from './linear-op';
import type { Module, NamedVariable } from './module';
import { transposedProduct } from './transposed-product';

/** PyTorch's padding argument: 'valid' (0), 'same' (output length = input length) or zeros on each side. */
export type Conv1dPadding = 'valid' | 'same' | number;

export interface Conv1dOptions {
  padding?: Conv1dPadding;
  bias?: boolean;
}

/** out·scale + add, applied after the convolution (e.g. an embedding scale and a positional table [T', out]). */
export interface ConvEpilogue {
  scale: number;
  add?: tf.Tensor2D;
}

/**
 * Conv1D (stride 1, no dilation) on [B, T, C] → [B, T', out], PyTorch nn.Conv1d semantics in
 * the time-major layout, T' = T + padLeft + padRight − k + 1.
 *
 * Expressed as ONE matMul instead of tf.conv1d (whose filter gradient has no wasm kernel):
 * Y = X·W with W [C, k·out], column block j holding tap j. Then out[t] = Σ_j Y_j[t + j − padLeft],
 * done by zero-padding Y along time (only when some tap reaches into the padding) and summing k
 * shifted slices (on wasm and cpu: one fused kernel, fused/conv-taps-kernel.ts, that also takes the
 * bias and an optional epilogue). Projecting first and shifting after touches k·out columns instead
 * of building a k·C im2col copy of the (wide, e.g. 300-d) input. Taps whose slice lies wholly in
 * the padding (short sequences) are skipped.
 *
 * Weight layout: weight[c, j·out + o] = torchWeight[o, c, j]; init as PyTorch, U(±1/√(C·k)) for
 * the weight and then the bias.
 */
export class Conv1d implements Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly padLeft: number;
  readonly padRight: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    rng: Rng,
    options: Conv1dOptions = {},
  ) {
    if (!Number.isInteger(kernelSize) || kernelSize < 1) throw new Error(`conv kernel size must be a positive integer (got ${kernelSize})`);
    const padding = options.padding ?? 'valid';
    if (padding === 'same') {
      // PyTorch pads the extra zero of an even kernel on the right.
      this.padLeft = Math.floor((kernelSize - 1) / 2);
      this.padRight = kernelSize - 1 - this.padLeft;
    } else {
      const p = padding === 'valid' ? 0 : padding;
      if (!Number.isInteger(p) || p < 0) throw new Error(`conv padding must be 'valid', 'same' or a non-negative integer (got ${padding})`);
      this.padLeft = p;
      this.padRight = p;
    }
    const bound = torchDefaultBound(inChannels * kernelSize);
    this.weight = uniformVariable([inChannels, kernelSize * outChannels], bound, rng);
    this.bias = options.bias === false ? null : uniformVariable([outChannels], bound, rng);
  }

  /** Output length for an input of length t. */
  outputLength(t: number): number {
    return t + this.padLeft + this.padRight - this.kernelSize + 1;
  }

  /**
   * `presentRows` (optional) lists the rows b·T + t of x that may be non-zero, for a CONSTANT
   * input (data) whose other rows are zero vectors, as after MSM corruption: only those rows are
   * multiplied (MSM leaves ~2/7 of them), and no gradient flows to x on that path.
   */
  apply(x: tf.Tensor3D, presentRows?: Int32Array, epilogue?: ConvEpilogue): tf.Tensor3D {
    const [b, t] = x.shape;
    const k = this.kernelSize;
    const o = this.outChannels;
    const tOut = this.outputLength(t);
    if (tOut < 1) throw new Error(`conv kernel ${k} is longer than the padded sequence (${t} steps)`);
    const rows = tf.reshape(x, [b * t, this.inChannels]) as tf.Tensor2D;
    const w = this.weight as tf.Tensor2D;
    if (k === 1 && tOut === t && !presentRows) {
      // A pointwise conv is a Linear: the bias goes into the fused matMul.
      const y1 = this.bias ? linearOp(rows, w, this.bias as tf.Tensor1D, 'linear') : tf.matMul(rows, w);
      return withEpilogue(tf.reshape(y1, [b, t, o]), epilogue);
    }
    const y = tf.reshape(presentRows ? sparseRowsProduct(rows, w, presentRows) : tf.matMul(rows, w), [b, t, k * o]) as tf.Tensor3D;
    const add = epilogue?.add;
    if (hasFusedKernel(CONV_TAPS) && (!add || (add.shape[0] === tOut && add.shape[1] === o))) {
      const inputs: Record<string, tf.Tensor> = { y };
      if (this.bias) inputs.bias = this.bias;
      if (add) inputs.add = add;
      const attrs: ConvTapsAttrs = { k, padLeft: this.padLeft, t, tOut, scale: epilogue?.scale ?? 1 };
      return runKernel<tf.Tensor3D>(CONV_TAPS, inputs, { ...attrs });
    }
    return withEpilogue(this.taps(y, tOut), epilogue);
  }

  /** out[t] = Σ_j Y_j[t + j − padLeft] (+ bias) from y [B, T, k·out]; tap j reads padded rows [j, j + tOut), padded row r is Y[r − padLeft]. */
  private taps(y: tf.Tensor3D, tOut: number): tf.Tensor3D {
    const [b, t] = y.shape;
    const o = this.outChannels;
    const taps = [...Array(this.kernelSize).keys()].filter((j) => j + tOut > this.padLeft && j < this.padLeft + t);
    const needsPad = taps.some((j) => j < this.padLeft || j + tOut > this.padLeft + t);
    const source = needsPad
      ? tf.pad(y, [
          [0, 0],
          [this.padLeft, this.padRight],
          [0, 0],
        ])
      : y;
    const shift = needsPad ? 0 : -this.padLeft;
    const parts = taps.map((j) => tf.slice(source, [0, j + shift, j * o], [b, tOut, o]) as tf.Tensor3D);
    const summed = parts.length === 1 ? parts[0]! : (tf.addN(parts) as tf.Tensor3D);
    return this.bias ? tf.add(summed, this.bias) : summed;
  }

  namedVariables(): NamedVariable[] {
    const out: NamedVariable[] = [['weight', this.weight]];
    if (this.bias) out.push(['bias', this.bias]);
    return out;
  }
}

/** Conv1D with kernel 3, padding 'same', no bias: the HRLF encoders' temporal projection. */
export class Conv1dK3 extends Conv1d {
  constructor(inChannels: number, outChannels: number, rng: Rng) {
    super(inChannels, outChannels, 3, rng, { padding: 'same', bias: false });
  }
}

function withEpilogue(out: tf.Tensor3D, epilogue: ConvEpilogue | undefined): tf.Tensor3D {
  if (!epilogue) return out;
  const scaled = epilogue.scale === 1 ? out : tf.mul(out, epilogue.scale);
  return (epilogue.add ? tf.add(scaled, epilogue.add) : scaled) as tf.Tensor3D;
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
