import * as tf from '@tensorflow/tfjs-core';
import { transposedProduct } from './transposed-product';

/**
 * Gradient functions for the kernels the layers and losses differentiate through.
 *
 * Why here: tfjs-core's own gradient configs live only in its unbundled ES-module files
 * (dist/register_all_gradients.js, with extensionless relative imports), which plain Node and
 * externalised Electron/vite builds cannot load; the CJS bundle Node resolves has no gradients at
 * all (the full @tensorflow/tfjs package is what normally registers them). So the engine
 * registers the ones it needs. A kernel that already has a gradient (e.g. @tensorflow/tfjs loaded
 * too) keeps it. The maths follows tfjs-core's definitions; the layer tests compare every
 * gradient with PyTorch.
 */

type Grads = Record<string, () => tf.Tensor>;

function normaliseAxes(axis: number | number[] | null | undefined, rank: number): number[] {
  const list = axis == null ? [...Array(rank).keys()] : Array.isArray(axis) ? axis : [axis];
  return list.map((a) => (a < 0 ? a + rank : a));
}

/** Sums `dy` (shaped like the broadcast result) down to `shape`, undoing broadcasting. */
export function unbroadcast(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const lead = dy.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < dy.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && dy.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? tf.sum(dy, axes) : dy;
  return tf.reshape(summed, shape);
}

/**
 * dy of a reduction over `axes`, spread back over x's shape (times `scale`). Broadcasting through
 * an add onto zeros, not tf.broadcastTo: that lowers to Tile, ~10x slower on wasm.
 */
function spreadReduction(dy: tf.Tensor, xShape: number[], axes: number[], scale: number): tf.Tensor {
  const kept = xShape.map((s, i) => (axes.includes(i) ? 1 : s));
  const r = tf.reshape(dy, kept);
  return tf.add(tf.zeros(xShape), scale === 1 ? r : tf.mul(r, scale));
}

export function single(dy: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(dy)) throw new Error('expected a single gradient');
  return dy;
}

function saved0(saved: tf.Tensor[]): tf.Tensor {
  const x = saved[0];
  if (!x) throw new Error('gradient needs a saved tensor');
  return x;
}

/**
 * 2-D matMul gradients with explicit transposes instead of matMul's transpose flags: on wasm only
 * the unflagged 2-D matMul takes XNNPACK's fast path; a flagged one runs a naive loop that was
 * 10–20x slower at these sizes. (Batched matMuls take the slow path either way and keep the flags.)
 */
function matMul2dGrads(a: tf.Tensor2D, b: tf.Tensor2D, g: tf.Tensor2D, transposeA: boolean, transposeB: boolean): Grads {
  const t = tf.transpose;
  if (!transposeA && !transposeB) return { a: () => tf.matMul(g, t(b)), b: () => transposedProduct(a, g) };
  if (!transposeA && transposeB) return { a: () => tf.matMul(g, b), b: () => tf.matMul(t(g), a) };
  if (transposeA && !transposeB) return { a: () => tf.matMul(b, t(g)), b: () => tf.matMul(a, g) };
  return { a: () => t(tf.matMul(g, b)), b: () => t(tf.matMul(a, g)) };
}

const configs: tf.GradConfig[] = [
  {
    kernelName: tf.Add,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      return { a: () => unbroadcast(single(dy), a.shape), b: () => unbroadcast(single(dy), b.shape) };
    },
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      return { a: () => unbroadcast(single(dy), a.shape), b: () => tf.neg(unbroadcast(single(dy), b.shape)) };
    },
  },
  {
    kernelName: tf.Multiply,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      return {
        a: () => unbroadcast(tf.mul(single(dy), b), a.shape),
        b: () => unbroadcast(tf.mul(single(dy), a), b.shape),
      };
    },
  },
  {
    kernelName: tf.RealDiv,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      return {
        a: () => unbroadcast(tf.div(single(dy), b), a.shape),
        b: () => unbroadcast(tf.neg(tf.div(tf.mul(single(dy), a), tf.square(b))), b.shape),
      };
    },
  },
  {
    kernelName: tf.AddN,
    saveAllInputs: true,
    gradFunc: (dy, saved): Grads => {
      const out: Grads = {};
      saved.forEach((_, i) => (out[i] = () => tf.clone(single(dy))));
      return out;
    },
  },
  { kernelName: tf.Neg, gradFunc: (dy): Grads => ({ x: () => tf.neg(single(dy)) }) },
  {
    kernelName: tf.Square,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(single(dy), tf.mul(saved0(saved), 2)) }),
  },
  {
    kernelName: tf.Sqrt,
    outputsToSave: [true],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.div(single(dy), tf.mul(saved0(saved), 2)) }),
  },
  {
    // d/dx x^(-1/2) = -½·y³ with y the output.
    kernelName: tf.Rsqrt,
    outputsToSave: [true],
    gradFunc: (dy, saved): Grads => {
      const y = saved0(saved);
      return { x: () => tf.mul(single(dy), tf.mul(tf.mul(y, tf.square(y)), -0.5)) };
    },
  },
  {
    kernelName: tf.Exp,
    outputsToSave: [true],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(single(dy), saved0(saved)) }),
  },
  {
    kernelName: tf.Log,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.div(single(dy), saved0(saved)) }),
  },
  {
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(single(dy), tf.step(saved0(saved))) }),
  },
  {
    kernelName: tf.Softplus,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(single(dy), tf.sigmoid(saved0(saved))) }),
  },
  {
    kernelName: tf.Sigmoid,
    outputsToSave: [true],
    gradFunc: (dy, saved): Grads => {
      const y = saved0(saved);
      return { x: () => tf.mul(single(dy), tf.mul(y, tf.sub(1, y))) };
    },
  },
  {
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs): Grads => {
      const y = saved0(saved);
      const dim = normaliseAxes((attrs as unknown as tf.SoftmaxAttrs).dim, y.rank)[0]!;
      return {
        logits: () => {
          const dyY = tf.mul(single(dy), y);
          return tf.sub(dyY, tf.mul(tf.sum(dyY, dim, true), y));
        },
      };
    },
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs): Grads => {
      const x = saved0(saved);
      const axes = normaliseAxes((attrs as unknown as tf.SumAttrs).axis, x.rank);
      return { x: () => spreadReduction(single(dy), x.shape, axes, 1) };
    },
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs): Grads => {
      const x = saved0(saved);
      const axes = normaliseAxes((attrs as unknown as tf.MeanAttrs).axis, x.rank);
      const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
      return { x: () => spreadReduction(single(dy), x.shape, axes, 1 / n) };
    },
  },
  {
    kernelName: tf.Reshape,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.reshape(single(dy), saved0(saved).shape) }),
  },
  {
    kernelName: tf.ExpandDims,
    inputsToSave: ['input'],
    gradFunc: (dy, saved): Grads => ({ input: () => tf.reshape(single(dy), saved0(saved).shape) }),
  },
  {
    kernelName: tf.Transpose,
    gradFunc: (dy, _saved, attrs): Grads => {
      const perm = (attrs as unknown as tf.TransposeAttrs).perm;
      const undo = new Array<number>(perm.length);
      perm.forEach((p, i) => (undo[p] = i));
      return { x: () => tf.transpose(single(dy), undo) };
    },
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs): Grads => {
      const x = saved0(saved);
      const { begin, size } = attrs as unknown as tf.SliceAttrs;
      const b = typeof begin === 'number' ? [begin] : begin;
      const s = typeof size === 'number' ? [size] : size;
      const paddings: [number, number][] = x.shape.map((dim, i) => {
        const start = b[i] ?? 0;
        const len = s[i] === undefined || s[i] === -1 ? dim - start : s[i]!;
        return [start, dim - start - len];
      });
      return { x: () => tf.pad(single(dy), paddings) };
    },
  },
  {
    kernelName: tf.PadV2,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs): Grads => {
      const x = saved0(saved);
      const begin = (attrs as unknown as tf.PadV2Attrs).paddings.map((p) => p[0]);
      return { x: () => tf.slice(single(dy), begin, x.shape) };
    },
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs): Grads => {
      const axis = normaliseAxes((attrs as unknown as tf.ConcatAttrs).axis, saved0(saved).rank)[0]!;
      const parts = tf.split(single(dy), saved.map((t) => t.shape[axis]!), axis);
      const out: Grads = {};
      parts.forEach((p, i) => (out[i] = () => p));
      return out;
    },
  },
  {
    kernelName: tf.SplitV,
    gradFunc: (dy, _saved, attrs): Grads => {
      const dys = Array.isArray(dy) ? dy : [dy];
      const axis = normaliseAxes((attrs as unknown as tf.SplitVAttrs).axis, dys[0]!.rank)[0]!;
      return { x: () => tf.concat(dys, axis) };
    },
  },
  {
    kernelName: tf.Unpack,
    gradFunc: (dy, _saved, attrs): Grads => {
      const dys = Array.isArray(dy) ? dy : [dy];
      return { value: () => tf.stack(dys, (attrs as unknown as tf.UnpackAttrs).axis) };
    },
  },
  {
    kernelName: tf.Pack,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs): Grads => {
      const parts = tf.unstack(single(dy), (attrs as unknown as tf.PackAttrs).axis);
      const out: Grads = {};
      saved.forEach((s, i) => (out[i] = () => tf.reshape(parts[i]!, s.shape)));
      return out;
    },
  },
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs): Grads => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const g = single(dy);
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      if (a.rank === 2 && b.rank === 2) return matMul2dGrads(a as tf.Tensor2D, b as tf.Tensor2D, g as tf.Tensor2D, transposeA, transposeB);
      if (!transposeA && !transposeB) return { a: () => tf.matMul(g, b, false, true), b: () => tf.matMul(a, g, true, false) };
      if (!transposeA && transposeB) return { a: () => tf.matMul(g, b, false, false), b: () => tf.matMul(g, a, true, false) };
      if (transposeA && !transposeB) return { a: () => tf.matMul(b, g, false, true), b: () => tf.matMul(a, g, false, false) };
      return { a: () => tf.matMul(b, g, true, true), b: () => tf.matMul(g, a, true, true) };
    },
  },
  { kernelName: tf.Identity, gradFunc: (dy): Grads => ({ x: () => tf.clone(single(dy)) }) },
];

let registered = false;

/** Registers the gradients once per process; kernels that already have one are left alone. */
export function registerGradients(): void {
  if (registered) return;
  registered = true;
  for (const config of configs) {
    if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
  }
}

registerGradients();
